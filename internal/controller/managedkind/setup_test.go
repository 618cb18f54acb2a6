package managedkind

import (
	"context"
	"errors"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
)

func TestTrackUsage(t *testing.T) {
	refused := resource.ModernTrackerFn(func(context.Context, resource.ModernManaged) error {
		return errors.New("namespace demo is being terminated")
	})
	ok := resource.ModernTrackerFn(func(context.Context, resource.ModernManaged) error { return nil })
	now := metav1.Now()
	deleting := &v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{DeletionTimestamp: &now}}
	cases := map[string]struct {
		reason  string
		tracker resource.ModernTracker
		mg      *v1alpha1.Bucket
		wantErr bool
	}{
		"Tracked":         {reason: "A tracked usage is fine.", tracker: ok, mg: &v1alpha1.Bucket{}},
		"Refused":         {reason: "A live resource that cannot record its usage must not connect.", tracker: refused, mg: &v1alpha1.Bucket{}, wantErr: true},
		"RefusedDeleting": {reason: "A resource being deleted goes on, or its namespace could never terminate.", tracker: refused, mg: deleting},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if err := TrackUsage(context.Background(), tc.tracker, tc.mg); (err != nil) != tc.wantErr {
				t.Errorf("%s\nTrackUsage: want error %t, got %v", tc.reason, tc.wantErr, err)
			}
		})
	}
}

func TestExternalNameInMemory(t *testing.T) {
	cases := map[string]struct {
		reason string
		annot  map[string]string
		want   string
	}{
		"Unset": {
			reason: "A resource without an external name is given its own name.",
			want:   "orders",
		},
		"Set": {
			reason: "An external name the user set is kept.",
			annot:  map[string]string{meta.AnnotationKeyExternalName: "legacy-orders"},
			want:   "legacy-orders",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := &v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Name: "orders", Annotations: tc.annot}}
			// No client: the initializer cannot write; the runtime's finalizer update persists the name.
			if err := ExternalNameInMemory(context.Background(), b); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, meta.GetExternalName(b)); diff != "" {
				t.Errorf("%s\nexternal name: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
