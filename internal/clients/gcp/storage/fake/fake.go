// Package fake is a hand-written BucketAPI for the Bucket controller's unit tests: each method returns what the
// test sets and records its request. Integration tests use the real (patched) fake-gcs-server instead.
package fake

import (
	"context"
	"slices"

	"cloud.google.com/go/storage"

	gcsclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/storage"
)

// Buckets is a fake BucketAPI.
type Buckets struct {
	Bucket *storage.BucketAttrs
	// Others are other buckets by name (a log bucket), read by Attrs.
	Others  map[string]*storage.BucketAttrs
	Objects []gcsclient.ObjectVersion
	Err     map[string]error // by method

	Created *storage.BucketAttrs
	// Creates counts Create calls.
	Creates        int
	Updated        *storage.BucketAttrsToUpdate
	DeletedObjects []gcsclient.ObjectVersion
	Deleted        bool
	// Locks are the metagenerations the retention policy was locked with.
	Locks []int64
}

// Attrs returns Others[name], or Bucket.
func (f *Buckets) Attrs(_ context.Context, name string) (*storage.BucketAttrs, error) {
	if b, ok := f.Others[name]; ok {
		return b, nil
	}
	return f.Bucket, f.Err["Attrs"]
}

// Create records the attributes.
func (f *Buckets) Create(_ context.Context, _, _ string, a *storage.BucketAttrs) error {
	f.Created = a
	f.Creates++
	return f.Err["Create"]
}

// Update records the update.
func (f *Buckets) Update(_ context.Context, _ string, u storage.BucketAttrsToUpdate) (*storage.BucketAttrs, error) {
	f.Updated = &u
	return f.Bucket, f.Err["Update"]
}

// LockRetentionPolicy records the metageneration.
func (f *Buckets) LockRetentionPolicy(_ context.Context, _ string, metageneration int64) error {
	f.Locks = append(f.Locks, metageneration)
	return f.Err["LockRetentionPolicy"]
}

// Delete records the delete; it fails with Err["Delete"] while objects remain, if set.
func (f *Buckets) Delete(context.Context, string) error {
	if err := f.Err["Delete"]; err != nil && len(f.Objects) > 0 {
		return err
	}
	f.Deleted = true
	return nil
}

// Generations returns a copy of up to limit of Objects.
func (f *Buckets) Generations(_ context.Context, _ string, limit int) ([]gcsclient.ObjectVersion, error) {
	return slices.Clone(f.Objects[:min(limit, len(f.Objects))]), f.Err["Generations"]
}

// DeleteGeneration removes o from Objects.
func (f *Buckets) DeleteGeneration(_ context.Context, _ string, o gcsclient.ObjectVersion) error {
	f.DeletedObjects = append(f.DeletedObjects, o)
	for i, x := range f.Objects {
		if x == o {
			f.Objects = append(f.Objects[:i], f.Objects[i+1:]...)
			break
		}
	}
	return f.Err["DeleteGeneration"]
}
