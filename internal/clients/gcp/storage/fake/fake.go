// Package fake is a hand-written BucketAPI for the Bucket controller's unit tests: each method returns what the
// test sets and records its request. Integration tests use the real (patched) fake-gcs-server instead.
package fake

import (
	"context"
	"net/http"
	"slices"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"

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
	// UserProjects are the user projects the calls were billed to, by method ("" for none). A call to Bucket while
	// its Requester Pays is on fails without one, as Cloud Storage's does.
	UserProjects map[string][]string

	user string
}

// noUserProject is Cloud Storage's answer to a call to a Requester Pays bucket that names no project to bill.
var noUserProject = &googleapi.Error{Code: http.StatusBadRequest, Message: "Bucket is a requester pays bucket but no user project provided.",
	Errors: []googleapi.ErrorItem{{Reason: "required", Message: "Bucket is a requester pays bucket but no user project provided."}}}

// call records method's user project, and refuses the call as Cloud Storage does when Bucket has Requester Pays on
// and no project is billed.
func (f *Buckets) call(method string) error {
	if f.UserProjects == nil {
		f.UserProjects = map[string][]string{}
	}
	f.UserProjects[method] = append(f.UserProjects[method], f.user)
	if f.Bucket != nil && f.Bucket.RequesterPays && f.user == "" && method != "Create" {
		return noUserProject
	}
	return nil
}

// UserProject returns the fake with every call billed to project.
func (f *Buckets) UserProject(project string) gcsclient.BucketAPI { return billed{f: f, user: project} }

// Attrs returns Others[name], or Bucket.
func (f *Buckets) Attrs(_ context.Context, name string) (*storage.BucketAttrs, error) {
	if err := f.call("Attrs"); err != nil {
		return nil, err
	}
	if b, ok := f.Others[name]; ok {
		return b, nil
	}
	return f.Bucket, f.Err["Attrs"]
}

// Create records the attributes.
func (f *Buckets) Create(_ context.Context, _, _ string, a *storage.BucketAttrs) error {
	_ = f.call("Create")
	f.Created = a
	f.Creates++
	return f.Err["Create"]
}

// Update records the update.
func (f *Buckets) Update(_ context.Context, _ string, u storage.BucketAttrsToUpdate) (*storage.BucketAttrs, error) {
	if err := f.call("Update"); err != nil {
		return nil, err
	}
	f.Updated = &u
	return f.Bucket, f.Err["Update"]
}

// LockRetentionPolicy records the metageneration.
func (f *Buckets) LockRetentionPolicy(_ context.Context, _ string, metageneration int64) error {
	if err := f.call("LockRetentionPolicy"); err != nil {
		return err
	}
	f.Locks = append(f.Locks, metageneration)
	return f.Err["LockRetentionPolicy"]
}

// Delete records the delete; it fails with Err["Delete"] while objects remain, if set.
func (f *Buckets) Delete(context.Context, string) error {
	if err := f.call("Delete"); err != nil {
		return err
	}
	if err := f.Err["Delete"]; err != nil && len(f.Objects) > 0 {
		return err
	}
	f.Deleted = true
	return nil
}

// Generations returns a copy of up to limit of Objects.
func (f *Buckets) Generations(_ context.Context, _ string, limit int) ([]gcsclient.ObjectVersion, error) {
	if err := f.call("Generations"); err != nil {
		return nil, err
	}
	return slices.Clone(f.Objects[:min(limit, len(f.Objects))]), f.Err["Generations"]
}

// DeleteGeneration removes o from Objects.
func (f *Buckets) DeleteGeneration(_ context.Context, _ string, o gcsclient.ObjectVersion) error {
	if err := f.call("DeleteGeneration"); err != nil {
		return err
	}
	f.DeletedObjects = append(f.DeletedObjects, o)
	for i, x := range f.Objects {
		if x == o {
			f.Objects = append(f.Objects[:i], f.Objects[i+1:]...)
			break
		}
	}
	return f.Err["DeleteGeneration"]
}

// billed is the fake with its calls billed to user.
type billed struct {
	f    *Buckets
	user string
}

func (b billed) as() func() { b.f.user = b.user; return func() { b.f.user = "" } }

func (b billed) Attrs(ctx context.Context, name string) (*storage.BucketAttrs, error) {
	defer b.as()()
	return b.f.Attrs(ctx, name)
}

func (b billed) Create(ctx context.Context, project, name string, a *storage.BucketAttrs) error {
	defer b.as()()
	return b.f.Create(ctx, project, name, a)
}

func (b billed) Update(ctx context.Context, name string, u storage.BucketAttrsToUpdate) (*storage.BucketAttrs, error) {
	defer b.as()()
	return b.f.Update(ctx, name, u)
}

func (b billed) LockRetentionPolicy(ctx context.Context, name string, metageneration int64) error {
	defer b.as()()
	return b.f.LockRetentionPolicy(ctx, name, metageneration)
}

func (b billed) Delete(ctx context.Context, name string) error {
	defer b.as()()
	return b.f.Delete(ctx, name)
}

func (b billed) Generations(ctx context.Context, name string, limit int) ([]gcsclient.ObjectVersion, error) {
	defer b.as()()
	return b.f.Generations(ctx, name, limit)
}

func (b billed) DeleteGeneration(ctx context.Context, name string, o gcsclient.ObjectVersion) error {
	defer b.as()()
	return b.f.DeleteGeneration(ctx, name, o)
}

func (b billed) UserProject(project string) gcsclient.BucketAPI { return billed{f: b.f, user: project} }
