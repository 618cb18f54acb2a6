package gcsbucket

import (
	"context"
	"net/http"
	"testing"

	"cloud.google.com/go/storage"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/googleapi"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
	gcsclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/storage"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/storage/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// noUserProject is Cloud Storage's answer to a call to a Requester Pays bucket that names no project to bill.
var noUserProject = &googleapi.Error{Code: http.StatusBadRequest, Message: "Bucket is a requester pays bucket but no user project provided.",
	Errors: []googleapi.ErrorItem{{Reason: "required", Message: "Bucket is a requester pays bucket but no user project provided."}}}

// billing is a fake of bucket as Cloud Storage bills the calls to it: each read, PATCH and delete, through the fake
// or through its UserProject(project), is recorded in the map it returns, by method, with the project it was billed
// to ("" for none); while bucket has Requester Pays on, a call that names no project fails as Cloud Storage's does.
// Reads answer bucket; the PATCH and the delete succeed.
func billing(bucket *storage.BucketAttrs) (*fake.Buckets, map[string][]string) {
	users := map[string][]string{}
	var to func(user string) *fake.Buckets
	to = func(user string) *fake.Buckets {
		call := func(method string) error {
			users[method] = append(users[method], user)
			if bucket.RequesterPays && user == "" {
				return noUserProject
			}
			return nil
		}
		return &fake.Buckets{
			MockAttrs: func(string) (*storage.BucketAttrs, error) {
				if err := call("Attrs"); err != nil {
					return nil, err
				}
				return bucket, nil
			},
			MockUpdate: func(string, storage.BucketAttrsToUpdate) (*storage.BucketAttrs, error) {
				if err := call("Update"); err != nil {
					return nil, err
				}
				return bucket, nil
			},
			MockDelete:      func(string) error { return call("Delete") },
			MockUserProject: func(project string) gcsclient.BucketAPI { return to(project) },
		}
	}
	return to(""), users
}

// Every call to a bucket with Requester Pays on is billed to the config's project, or Cloud Storage refuses it
// (billing does, as Cloud Storage: fake-gcs-server does not check it). Observe, the PATCH and the delete each.
func TestRequesterPays(t *testing.T) {
	cases := map[string]struct {
		reason   string
		spec     *bool
		last     bool // what the last observation said
		onCloud  bool
		wantUser map[string][]string
	}{
		"AskedFor": {reason: "The spec turns it on: every call is billed, from the first read.", spec: ptr.To(true), onCloud: true,
			wantUser: map[string][]string{"Attrs": {"p"}, "Update": {"p"}, "Delete": {"p"}}},
		"TurnedOnElsewhere": {reason: "Another tool turned it on and the spec does not manage it: the refused read is made again billed, and so is every later call.",
			onCloud: true, wantUser: map[string][]string{"Attrs": {"", "p"}, "Update": {"p"}, "Delete": {"p"}}},
		"TurningOff": {reason: "The spec turns it off: the PATCH that does so is billed, as the last observation says it is on.", spec: ptr.To(false), last: true, onCloud: true,
			wantUser: map[string][]string{"Attrs": {"p"}, "Update": {"p"}, "Delete": {"p"}}},
		"Off": {reason: "A bucket without Requester Pays is never billed: that would need a permission on the project.",
			wantUser: map[string][]string{"Attrs": {""}, "Update": {""}, "Delete": {""}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cr := newBucket(func(b *v1alpha1.Bucket) {
				b.Spec.ForProvider.RequesterPays = tc.spec
				b.Spec.ForProvider.Versioning = ptr.To(true) // a difference, so a PATCH is sent
				b.Status.AtProvider.RequesterPays = tc.last
			})
			f, users := billing(&storage.BucketAttrs{Name: "orders-data", Location: "EU", RequesterPays: tc.onCloud,
				Labels: managedkind.GCPLabels.DesiredTags(cr, nil, map[string]string{"managed-by": "ps"})})
			e := ext(f)
			if _, err := e.Observe(context.Background(), cr); err != nil {
				t.Fatalf("%s\nObserve: %v", tc.reason, err)
			}
			if _, err := e.Update(context.Background(), cr); err != nil {
				t.Fatalf("%s\nUpdate: %v", tc.reason, err)
			}
			if _, err := e.Delete(context.Background(), cr); err != nil {
				t.Fatalf("%s\nDelete: %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.wantUser, users); diff != "" {
				t.Errorf("%s\nuser projects by call: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
