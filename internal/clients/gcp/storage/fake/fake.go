// Package fake is a hand-written fake of the provider's Cloud Storage interface, for unit tests: one function field per
// method. Integration tests use the real (patched) fake-gcs-server instead.
package fake

import (
	"context"

	"cloud.google.com/go/storage"

	gcsclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/storage"
)

var _ gcsclient.BucketAPI = (*Buckets)(nil)

// Buckets answers each call with its function field; a nil field panics, so a test states every call it expects.
type Buckets struct {
	MockAttrs               func(bucket string) (*storage.BucketAttrs, error)
	MockCreate              func(project, bucket string, attrs *storage.BucketAttrs) error
	MockUpdate              func(bucket string, u storage.BucketAttrsToUpdate) (*storage.BucketAttrs, error)
	MockLockRetentionPolicy func(bucket string, metageneration int64) error
	MockDelete              func(bucket string) error
	MockGenerations         func(bucket string, limit int) ([]gcsclient.ObjectVersion, error)
	MockDeleteGeneration    func(bucket string, o gcsclient.ObjectVersion) error
	// MockUserProject returns the API whose calls are billed to project: a test of Requester Pays answers with a
	// fake that records the project and, as Cloud Storage, refuses a Requester Pays bucket's calls without one.
	MockUserProject func(project string) gcsclient.BucketAPI
}

// Attrs calls MockAttrs.
func (f *Buckets) Attrs(_ context.Context, bucket string) (*storage.BucketAttrs, error) {
	return f.MockAttrs(bucket)
}

// Create calls MockCreate.
func (f *Buckets) Create(_ context.Context, project, bucket string, attrs *storage.BucketAttrs) error {
	return f.MockCreate(project, bucket, attrs)
}

// Update calls MockUpdate.
func (f *Buckets) Update(_ context.Context, bucket string, u storage.BucketAttrsToUpdate) (*storage.BucketAttrs, error) {
	return f.MockUpdate(bucket, u)
}

// LockRetentionPolicy calls MockLockRetentionPolicy.
func (f *Buckets) LockRetentionPolicy(_ context.Context, bucket string, metageneration int64) error {
	return f.MockLockRetentionPolicy(bucket, metageneration)
}

// Delete calls MockDelete.
func (f *Buckets) Delete(_ context.Context, bucket string) error {
	return f.MockDelete(bucket)
}

// Generations calls MockGenerations.
func (f *Buckets) Generations(_ context.Context, bucket string, limit int) ([]gcsclient.ObjectVersion, error) {
	return f.MockGenerations(bucket, limit)
}

// DeleteGeneration calls MockDeleteGeneration.
func (f *Buckets) DeleteGeneration(_ context.Context, bucket string, o gcsclient.ObjectVersion) error {
	return f.MockDeleteGeneration(bucket, o)
}

// UserProject calls MockUserProject.
func (f *Buckets) UserProject(project string) gcsclient.BucketAPI {
	return f.MockUserProject(project)
}
