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
	MockHeadBucket       func(*s3.HeadBucketInput) (*s3.HeadBucketOutput, error)
	MockCreateBucket     func(*s3.CreateBucketInput) (*s3.CreateBucketOutput, error)
	MockDeleteBucket     func(*s3.DeleteBucketInput) (*s3.DeleteBucketOutput, error)
	MockGetBucketTagging func(*s3.GetBucketTaggingInput) (*s3.GetBucketTaggingOutput, error)
	MockPutBucketTagging func(*s3.PutBucketTaggingInput) (*s3.PutBucketTaggingOutput, error)
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
