// Package fake is a hand-written fake of the provider's S3 interface, for unit tests: one function field per method.
package fake

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	s3client "github.com/stateful-dev/provider-stateful/internal/clients/aws/s3"
)

var _ s3client.API = (*S3)(nil)

// S3 answers each call with its function field; a nil field panics, so a test states every call it expects.
type S3 struct {
	MockHeadBucket                      func(*s3.HeadBucketInput) (*s3.HeadBucketOutput, error)
	MockCreateBucket                    func(*s3.CreateBucketInput) (*s3.CreateBucketOutput, error)
	MockDeleteBucket                    func(*s3.DeleteBucketInput) (*s3.DeleteBucketOutput, error)
	MockGetBucketTagging                func(*s3.GetBucketTaggingInput) (*s3.GetBucketTaggingOutput, error)
	MockPutBucketTagging                func(*s3.PutBucketTaggingInput) (*s3.PutBucketTaggingOutput, error)
	MockGetBucketVersioning             func(*s3.GetBucketVersioningInput) (*s3.GetBucketVersioningOutput, error)
	MockPutBucketVersioning             func(*s3.PutBucketVersioningInput) (*s3.PutBucketVersioningOutput, error)
	MockGetBucketEncryption             func(*s3.GetBucketEncryptionInput) (*s3.GetBucketEncryptionOutput, error)
	MockPutBucketEncryption             func(*s3.PutBucketEncryptionInput) (*s3.PutBucketEncryptionOutput, error)
	MockGetPublicAccessBlock            func(*s3.GetPublicAccessBlockInput) (*s3.GetPublicAccessBlockOutput, error)
	MockPutPublicAccessBlock            func(*s3.PutPublicAccessBlockInput) (*s3.PutPublicAccessBlockOutput, error)
	MockGetBucketOwnershipControls      func(*s3.GetBucketOwnershipControlsInput) (*s3.GetBucketOwnershipControlsOutput, error)
	MockPutBucketOwnershipControls      func(*s3.PutBucketOwnershipControlsInput) (*s3.PutBucketOwnershipControlsOutput, error)
	MockGetBucketLifecycleConfiguration func(*s3.GetBucketLifecycleConfigurationInput) (*s3.GetBucketLifecycleConfigurationOutput, error)
	MockPutBucketLifecycleConfiguration func(*s3.PutBucketLifecycleConfigurationInput) (*s3.PutBucketLifecycleConfigurationOutput, error)
	MockDeleteBucketLifecycle           func(*s3.DeleteBucketLifecycleInput) (*s3.DeleteBucketLifecycleOutput, error)
	MockGetBucketCors                   func(*s3.GetBucketCorsInput) (*s3.GetBucketCorsOutput, error)
	MockPutBucketCors                   func(*s3.PutBucketCorsInput) (*s3.PutBucketCorsOutput, error)
	MockDeleteBucketCors                func(*s3.DeleteBucketCorsInput) (*s3.DeleteBucketCorsOutput, error)
	MockGetBucketPolicy                 func(*s3.GetBucketPolicyInput) (*s3.GetBucketPolicyOutput, error)
	MockPutBucketPolicy                 func(*s3.PutBucketPolicyInput) (*s3.PutBucketPolicyOutput, error)
	MockDeleteBucketPolicy              func(*s3.DeleteBucketPolicyInput) (*s3.DeleteBucketPolicyOutput, error)
	MockListObjectVersions              func(*s3.ListObjectVersionsInput) (*s3.ListObjectVersionsOutput, error)
	MockDeleteObjects                   func(*s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error)
}

// HeadBucket calls MockHeadBucket.
func (f *S3) HeadBucket(_ context.Context, in *s3.HeadBucketInput, _ ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	return f.MockHeadBucket(in)
}

// CreateBucket calls MockCreateBucket.
func (f *S3) CreateBucket(_ context.Context, in *s3.CreateBucketInput, _ ...func(*s3.Options)) (*s3.CreateBucketOutput, error) {
	return f.MockCreateBucket(in)
}

// DeleteBucket calls MockDeleteBucket.
func (f *S3) DeleteBucket(_ context.Context, in *s3.DeleteBucketInput, _ ...func(*s3.Options)) (*s3.DeleteBucketOutput, error) {
	return f.MockDeleteBucket(in)
}

// GetBucketTagging calls MockGetBucketTagging.
func (f *S3) GetBucketTagging(_ context.Context, in *s3.GetBucketTaggingInput, _ ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error) {
	return f.MockGetBucketTagging(in)
}

// PutBucketTagging calls MockPutBucketTagging.
func (f *S3) PutBucketTagging(_ context.Context, in *s3.PutBucketTaggingInput, _ ...func(*s3.Options)) (*s3.PutBucketTaggingOutput, error) {
	return f.MockPutBucketTagging(in)
}

// GetBucketVersioning calls MockGetBucketVersioning.
func (f *S3) GetBucketVersioning(_ context.Context, in *s3.GetBucketVersioningInput, _ ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error) {
	return f.MockGetBucketVersioning(in)
}

// PutBucketVersioning calls MockPutBucketVersioning.
func (f *S3) PutBucketVersioning(_ context.Context, in *s3.PutBucketVersioningInput, _ ...func(*s3.Options)) (*s3.PutBucketVersioningOutput, error) {
	return f.MockPutBucketVersioning(in)
}

// GetBucketEncryption calls MockGetBucketEncryption.
func (f *S3) GetBucketEncryption(_ context.Context, in *s3.GetBucketEncryptionInput, _ ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error) {
	return f.MockGetBucketEncryption(in)
}

// PutBucketEncryption calls MockPutBucketEncryption.
func (f *S3) PutBucketEncryption(_ context.Context, in *s3.PutBucketEncryptionInput, _ ...func(*s3.Options)) (*s3.PutBucketEncryptionOutput, error) {
	return f.MockPutBucketEncryption(in)
}

// GetPublicAccessBlock calls MockGetPublicAccessBlock.
func (f *S3) GetPublicAccessBlock(_ context.Context, in *s3.GetPublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error) {
	return f.MockGetPublicAccessBlock(in)
}

// PutPublicAccessBlock calls MockPutPublicAccessBlock.
func (f *S3) PutPublicAccessBlock(_ context.Context, in *s3.PutPublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error) {
	return f.MockPutPublicAccessBlock(in)
}

// GetBucketOwnershipControls calls MockGetBucketOwnershipControls.
func (f *S3) GetBucketOwnershipControls(
	_ context.Context, in *s3.GetBucketOwnershipControlsInput, _ ...func(*s3.Options),
) (*s3.GetBucketOwnershipControlsOutput, error) {
	return f.MockGetBucketOwnershipControls(in)
}

// PutBucketOwnershipControls calls MockPutBucketOwnershipControls.
func (f *S3) PutBucketOwnershipControls(
	_ context.Context, in *s3.PutBucketOwnershipControlsInput, _ ...func(*s3.Options),
) (*s3.PutBucketOwnershipControlsOutput, error) {
	return f.MockPutBucketOwnershipControls(in)
}

// GetBucketLifecycleConfiguration calls MockGetBucketLifecycleConfiguration.
func (f *S3) GetBucketLifecycleConfiguration(
	_ context.Context, in *s3.GetBucketLifecycleConfigurationInput, _ ...func(*s3.Options),
) (*s3.GetBucketLifecycleConfigurationOutput, error) {
	return f.MockGetBucketLifecycleConfiguration(in)
}

// PutBucketLifecycleConfiguration calls MockPutBucketLifecycleConfiguration.
func (f *S3) PutBucketLifecycleConfiguration(
	_ context.Context, in *s3.PutBucketLifecycleConfigurationInput, _ ...func(*s3.Options),
) (*s3.PutBucketLifecycleConfigurationOutput, error) {
	return f.MockPutBucketLifecycleConfiguration(in)
}

// DeleteBucketLifecycle calls MockDeleteBucketLifecycle.
func (f *S3) DeleteBucketLifecycle(_ context.Context, in *s3.DeleteBucketLifecycleInput, _ ...func(*s3.Options)) (*s3.DeleteBucketLifecycleOutput, error) {
	return f.MockDeleteBucketLifecycle(in)
}

// GetBucketCors calls MockGetBucketCors.
func (f *S3) GetBucketCors(_ context.Context, in *s3.GetBucketCorsInput, _ ...func(*s3.Options)) (*s3.GetBucketCorsOutput, error) {
	return f.MockGetBucketCors(in)
}

// PutBucketCors calls MockPutBucketCors.
func (f *S3) PutBucketCors(_ context.Context, in *s3.PutBucketCorsInput, _ ...func(*s3.Options)) (*s3.PutBucketCorsOutput, error) {
	return f.MockPutBucketCors(in)
}

// DeleteBucketCors calls MockDeleteBucketCors.
func (f *S3) DeleteBucketCors(_ context.Context, in *s3.DeleteBucketCorsInput, _ ...func(*s3.Options)) (*s3.DeleteBucketCorsOutput, error) {
	return f.MockDeleteBucketCors(in)
}

// GetBucketPolicy calls MockGetBucketPolicy.
func (f *S3) GetBucketPolicy(_ context.Context, in *s3.GetBucketPolicyInput, _ ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error) {
	return f.MockGetBucketPolicy(in)
}

// PutBucketPolicy calls MockPutBucketPolicy.
func (f *S3) PutBucketPolicy(_ context.Context, in *s3.PutBucketPolicyInput, _ ...func(*s3.Options)) (*s3.PutBucketPolicyOutput, error) {
	return f.MockPutBucketPolicy(in)
}

// DeleteBucketPolicy calls MockDeleteBucketPolicy.
func (f *S3) DeleteBucketPolicy(_ context.Context, in *s3.DeleteBucketPolicyInput, _ ...func(*s3.Options)) (*s3.DeleteBucketPolicyOutput, error) {
	return f.MockDeleteBucketPolicy(in)
}

// ListObjectVersions calls MockListObjectVersions.
func (f *S3) ListObjectVersions(_ context.Context, in *s3.ListObjectVersionsInput, _ ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
	return f.MockListObjectVersions(in)
}

// DeleteObjects calls MockDeleteObjects.
func (f *S3) DeleteObjects(_ context.Context, in *s3.DeleteObjectsInput, _ ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
	return f.MockDeleteObjects(in)
}
