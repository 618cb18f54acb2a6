package managedkind

import (
	"context"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// refreshCloud is a cloud whose accounts are strings, resolved without a ProviderConfig.
type refreshCloud struct{ err error }

func (c refreshCloud) Account(context.Context, *credentials.Resolver, resource.ModernManaged) (string, error) {
	return "acct", c.err
}
func (refreshCloud) Reach(string) *credentials.Reach                      { return nil }
func (refreshCloud) LeaseAccount(context.Context, string) (string, error) { return "acct", nil }
func (refreshCloud) Invalid(error) bool                                   { return false }
func (refreshCloud) Marker() Marker                                       { return AWSTags }

// refreshExternal records what it was handed, and observes as told.
type refreshExternal struct {
	managed.TypedExternalClient[*v1alpha1.Bucket]
	conn    Conn[*v1alpha1.Bucket, string, string]
	seen    *Conn[*v1alpha1.Bucket, string, string]
	name    *string
	obs     managed.ExternalObservation
	err     error
	tagsNow map[string]string
}

func (e *refreshExternal) Observe(_ context.Context, cr *v1alpha1.Bucket) (managed.ExternalObservation, error) {
	*e.seen, *e.name = e.conn, meta.GetExternalName(cr)
	cr.Status.AtProvider.Tags = e.tagsNow
	return e.obs, e.err
}

func (e *refreshExternal) Disconnect(context.Context) error { return nil }

func TestRefresh(t *testing.T) {
	kube := fake.NewClientBuilder().Build()
	errBoom := errors.New("boom")
	type want struct {
		Refreshed Refreshed
		Err       error
		Name      string
		API       string
		Nop       bool
		Kube      client.Client
	}
	cases := map[string]struct {
		reason  string
		cloud   refreshCloud
		obj     map[string]any
		obs     managed.ExternalObservation
		err     error
		tagsNow map[string]string
		want    want
	}{
		"Drifted": {
			reason:  "the fields Observe names, and atProvider as it filled it; the resource is named by metadata.name before its first reconcile, and Observe gets the env's client and no recorder",
			obj:     map[string]any{"apiVersion": "s3.aws.stateful.dev/v1alpha1", "kind": "Bucket", "metadata": map[string]any{"namespace": "team-a", "name": "data"}},
			obs:     managed.ExternalObservation{ResourceExists: true, Diff: "tags[team]; versioning"},
			tagsNow: map[string]string{"team": "web"},
			want: want{
				Refreshed: Refreshed{Exists: true, Diff: []string{"tags[team]", "versioning"}, AtProvider: map[string]any{"tags": map[string]any{"team": "web"}}},
				Name:      "data", API: "api", Nop: true, Kube: kube,
			},
		},
		"InSync": {
			reason: "an up-to-date observation names nothing; the external name is the annotation's",
			obj: map[string]any{"metadata": map[string]any{"namespace": "team-a", "name": "data",
				"annotations": map[string]any{meta.AnnotationKeyExternalName: "data-x"}}, "spec": map[string]any{"forProvider": map[string]any{"region": "eu-west-1"}}},
			obs:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			want: want{Refreshed: Refreshed{Exists: true, AtProvider: map[string]any{}}, Name: "data-x", API: "api", Nop: true, Kube: kube},
		},
		"AccountFails": {
			reason: "a config that cannot be read is the error, before any cloud call",
			cloud:  refreshCloud{err: errBoom},
			obj:    map[string]any{"metadata": map[string]any{"namespace": "team-a", "name": "data"}},
			want:   want{Err: errBoom},
		},
		"ObserveFails": {
			reason: "Observe's error is the error",
			obj:    map[string]any{"metadata": map[string]any{"namespace": "team-a", "name": "data"}},
			err:    errBoom,
			want:   want{Err: errBoom, Name: "data", API: "api", Nop: true, Kube: kube},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var seen Conn[*v1alpha1.Bucket, string, string]
			var ext string
			k := Kind[*v1alpha1.Bucket, string, string]{
				GVK: v1alpha1.BucketGroupVersionKind, Object: &v1alpha1.Bucket{}, Cloud: tc.cloud, Adoption: testAdoption,
				NewAPI: func(context.Context, string, *v1alpha1.Bucket) (string, error) { return "api", nil },
				NewExternal: func(c Conn[*v1alpha1.Bucket, string, string]) managed.TypedExternalClient[*v1alpha1.Bucket] {
					return &refreshExternal{conn: c, seen: &seen, name: &ext, obs: tc.obs, err: tc.err, tagsNow: tc.tagsNow}
				},
			}
			before := runtime.DeepCopyJSON(tc.obj)
			got, err := k.Refresh(context.Background(), RefreshEnv{Kube: kube}, tc.obj)
			_, nop := seen.Record.(*event.NopRecorder)
			gotWant := want{Refreshed: got, Err: err, Name: ext, API: seen.API, Nop: nop, Kube: seen.Kube}
			if diff := cmp.Diff(tc.want, gotWant, cmpopts.EquateErrors(), cmp.Comparer(func(a, b client.Client) bool { return a == b })); diff != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(before, tc.obj); diff != "" {
				t.Errorf("%s: the object given was changed: -before, +after:\n%s", tc.reason, diff)
			}
		})
	}
}
