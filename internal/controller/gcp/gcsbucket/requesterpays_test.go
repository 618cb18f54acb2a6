package gcsbucket

import (
	"context"
	"testing"

	"cloud.google.com/go/storage"
	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/storage/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// Every call to a bucket with Requester Pays on is billed to the config's project, or Cloud Storage refuses it
// (the fake does, as Cloud Storage: fake-gcs-server does not check it). Observe, the PATCH and the delete each.
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
			f := &fake.Buckets{Bucket: &storage.BucketAttrs{Name: "orders-data", Location: "EU", RequesterPays: tc.onCloud,
				Labels: managedkind.GCPLabels.DesiredTags(cr, nil, map[string]string{"managed-by": "ps"})}}
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
			if diff := cmp.Diff(tc.wantUser, f.UserProjects); diff != "" {
				t.Errorf("%s\nuser projects by call: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
