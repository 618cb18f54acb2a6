// Package s3 is the provider's narrow view of the S3 API: the calls the Bucket controller makes, in the SDK's own
// signatures, so that *s3.Client satisfies it and unit tests can use a hand-written fake.
package s3

import (
	"context"
	"errors"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	awsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws"
)

// API lists the S3 operations the provider uses.
type API interface {
	HeadBucket(ctx context.Context, in *s3.HeadBucketInput, opts ...func(*s3.Options)) (*s3.HeadBucketOutput, error)
	CreateBucket(ctx context.Context, in *s3.CreateBucketInput, opts ...func(*s3.Options)) (*s3.CreateBucketOutput, error)
	DeleteBucket(ctx context.Context, in *s3.DeleteBucketInput, opts ...func(*s3.Options)) (*s3.DeleteBucketOutput, error)
	GetBucketTagging(ctx context.Context, in *s3.GetBucketTaggingInput, opts ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error)
	PutBucketTagging(ctx context.Context, in *s3.PutBucketTaggingInput, opts ...func(*s3.Options)) (*s3.PutBucketTaggingOutput, error)

	GetBucketVersioning(ctx context.Context, in *s3.GetBucketVersioningInput, opts ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error)
	PutBucketVersioning(ctx context.Context, in *s3.PutBucketVersioningInput, opts ...func(*s3.Options)) (*s3.PutBucketVersioningOutput, error)
	GetBucketEncryption(ctx context.Context, in *s3.GetBucketEncryptionInput, opts ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error)
	PutBucketEncryption(ctx context.Context, in *s3.PutBucketEncryptionInput, opts ...func(*s3.Options)) (*s3.PutBucketEncryptionOutput, error)
	GetPublicAccessBlock(ctx context.Context, in *s3.GetPublicAccessBlockInput, opts ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error)
	PutPublicAccessBlock(ctx context.Context, in *s3.PutPublicAccessBlockInput, opts ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error)
	GetBucketOwnershipControls(
		ctx context.Context, in *s3.GetBucketOwnershipControlsInput, opts ...func(*s3.Options),
	) (*s3.GetBucketOwnershipControlsOutput, error)
	PutBucketOwnershipControls(
		ctx context.Context, in *s3.PutBucketOwnershipControlsInput, opts ...func(*s3.Options),
	) (*s3.PutBucketOwnershipControlsOutput, error)
	GetBucketLifecycleConfiguration(
		ctx context.Context, in *s3.GetBucketLifecycleConfigurationInput, opts ...func(*s3.Options),
	) (*s3.GetBucketLifecycleConfigurationOutput, error)
	PutBucketLifecycleConfiguration(
		ctx context.Context, in *s3.PutBucketLifecycleConfigurationInput, opts ...func(*s3.Options),
	) (*s3.PutBucketLifecycleConfigurationOutput, error)
	DeleteBucketLifecycle(ctx context.Context, in *s3.DeleteBucketLifecycleInput, opts ...func(*s3.Options)) (*s3.DeleteBucketLifecycleOutput, error)
	GetBucketCors(ctx context.Context, in *s3.GetBucketCorsInput, opts ...func(*s3.Options)) (*s3.GetBucketCorsOutput, error)
	PutBucketCors(ctx context.Context, in *s3.PutBucketCorsInput, opts ...func(*s3.Options)) (*s3.PutBucketCorsOutput, error)
	DeleteBucketCors(ctx context.Context, in *s3.DeleteBucketCorsInput, opts ...func(*s3.Options)) (*s3.DeleteBucketCorsOutput, error)
	GetBucketPolicy(ctx context.Context, in *s3.GetBucketPolicyInput, opts ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error)
	PutBucketPolicy(ctx context.Context, in *s3.PutBucketPolicyInput, opts ...func(*s3.Options)) (*s3.PutBucketPolicyOutput, error)
	DeleteBucketPolicy(ctx context.Context, in *s3.DeleteBucketPolicyInput, opts ...func(*s3.Options)) (*s3.DeleteBucketPolicyOutput, error)

	ListObjectVersions(ctx context.Context, in *s3.ListObjectVersionsInput, opts ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)
	DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, opts ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error)
}

var _ API = (*s3.Client)(nil)

// New returns an S3 client for region. pathStyle addresses buckets as <endpoint>/<bucket>, which moto and most
// S3-compatible stores need.
func New(cfg aws.Config, region string, pathStyle bool) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.Region = region
		o.UsePathStyle = pathStyle
	})
}

// IsNotFound reports whether err says the bucket (or the sub-resource asked for) does not exist.
//
// NOTE: HeadBucket has no response body, so its 404 arrives as a generic "NotFound" API error rather than the
// typed NoSuchBucket; both are checked by code.
func IsNotFound(err error) bool {
	var nsb *types.NoSuchBucket
	var nf *types.NotFound
	if errors.As(err, &nsb) || errors.As(err, &nf) {
		return true
	}
	switch awsclient.ErrorCode(err) {
	case "NoSuchBucket", "NotFound":
		return true
	}
	return false
}

// IsNoTagSet reports whether err says the bucket has no tags, which S3 reports as an error.
func IsNoTagSet(err error) bool {
	return awsclient.ErrorCode(err) == "NoSuchTagSet"
}

// IsNotConfigured reports whether err says a bucket sub-configuration (encryption, public access block, ownership
// controls, lifecycle, CORS, policy) is not set: S3 answers a read of an unset one with an error.
func IsNotConfigured(err error) bool {
	switch awsclient.ErrorCode(err) {
	case "ServerSideEncryptionConfigurationNotFoundError", "NoSuchPublicAccessBlockConfiguration",
		"OwnershipControlsNotFoundError", "NoSuchLifecycleConfiguration", "NoSuchCORSConfiguration",
		"NoSuchBucketPolicy", "NoSuchTagSet":
		return true
	}
	return false
}

// IsOwnedByYou reports whether CreateBucket failed because this account already owns the bucket.
func IsOwnedByYou(err error) bool {
	var e *types.BucketAlreadyOwnedByYou
	return errors.As(err, &e) || awsclient.ErrorCode(err) == "BucketAlreadyOwnedByYou"
}

// IsTakenByOtherAccount reports whether CreateBucket failed because another account owns the name.
func IsTakenByOtherAccount(err error) bool {
	var e *types.BucketAlreadyExists
	return errors.As(err, &e) || awsclient.ErrorCode(err) == "BucketAlreadyExists"
}

// IsForbidden reports whether err is an access-denied answer (HeadBucket: the bucket belongs to another account,
// or the credentials may not read it).
func IsForbidden(err error) bool {
	return awsclient.HTTPStatus(err) == http.StatusForbidden
}

// IsNotEmpty reports whether DeleteBucket failed because the bucket still holds objects.
func IsNotEmpty(err error) bool {
	return awsclient.ErrorCode(err) == "BucketNotEmpty"
}

// IsInvalidInput reports whether err says the request itself is wrong and retrying it unchanged cannot help.
func IsInvalidInput(err error) bool {
	switch awsclient.ErrorCode(err) {
	case "InvalidBucketName", "InvalidArgument", "InvalidTag", "MalformedXML", "MalformedPolicy",
		"InvalidLocationConstraint", "IllegalLocationConstraintException", "InvalidRequest":
		return true
	}
	return false
}
