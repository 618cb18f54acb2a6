package managedkind

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	rfake "github.com/crossplane/crossplane-runtime/v2/pkg/resource/fake"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/stateful-dev/provider-stateful/apis"
	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
)

// TestFinalizerWrittenWithCreatePending runs crossplane-runtime's managed reconciler with the provider's options
// over a fake API server: the finalizer is never missing from the stored object when a cloud resource may exist,
// and the first reconcile of a new resource makes one write before Create, not two.
func TestFinalizerWrittenWithCreatePending(t *testing.T) {
	type seen struct {
		WritesBeforeCreate int
		Created            bool
		FinalizerAtCreate  bool
		ExternalNameStored string
		FinalizerStored    bool
	}
	cases := map[string]struct {
		reason  string
		observe func() (managed.ExternalObservation, error)
		want    seen
	}{
		"New": {
			reason:  "Nothing in the cloud: the create-pending update carries the finalizer and the external name, before Create.",
			observe: func() (managed.ExternalObservation, error) { return managed.ExternalObservation{}, nil },
			want:    seen{WritesBeforeCreate: 1, Created: true, FinalizerAtCreate: true, ExternalNameStored: "data", FinalizerStored: true},
		},
		"Exists": {
			reason: "A resource that exists (adopted, or made before a crash) gets its finalizer written at once.",
			observe: func() (managed.ExternalObservation, error) {
				return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
			},
			want: seen{ExternalNameStored: "data", FinalizerStored: true},
		},
		"ObserveFailed": {
			reason:  "An Observe error stops the reconcile: nothing is written, nothing created.",
			observe: func() (managed.ExternalObservation, error) { return managed.ExternalObservation{}, errors.New("boom") },
			want:    seen{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sch := runtime.NewScheme()
			if err := apis.AddToScheme(sch); err != nil {
				t.Fatal(err)
			}
			b := &v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "data", UID: "u1"}}
			writes := 0
			kube := fake.NewClientBuilder().WithScheme(sch).WithObjects(b).WithStatusSubresource(b).
				WithInterceptorFuncs(interceptor.Funcs{
					Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
						writes++
						return c.Update(ctx, obj, opts...)
					},
					Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, p client.Patch, opts ...client.PatchOption) error {
						writes++
						return c.Patch(ctx, obj, p, opts...)
					},
				}).Build()
			key := types.NamespacedName{Namespace: "team-a", Name: "data"}
			stored := func() *v1alpha1.Bucket {
				got := &v1alpha1.Bucket{}
				if err := kube.Get(context.Background(), key, got); err != nil {
					t.Fatal(err)
				}
				return got
			}
			var got seen
			ext := managed.TypedExternalClientFns[*v1alpha1.Bucket]{
				ObserveFn: func(context.Context, *v1alpha1.Bucket) (managed.ExternalObservation, error) { return tc.observe() },
				CreateFn: func(context.Context, *v1alpha1.Bucket) (managed.ExternalCreation, error) {
					got.WritesBeforeCreate, got.Created = writes, true
					got.FinalizerAtCreate = meta.FinalizerExists(stored(), finalizerName)
					return managed.ExternalCreation{}, nil
				},
				DisconnectFn: func(context.Context) error { return nil },
			}
			// The chain's outermost link tells the finalizer what Observe found (chain.go).
			f := newCreateFinalizer(kube)
			connect := managed.TypedExternalConnectorFn[*v1alpha1.Bucket](func(context.Context, *v1alpha1.Bucket) (managed.TypedExternalClient[*v1alpha1.Bucket], error) {
				return &observed[*v1alpha1.Bucket]{TypedExternalClient: ext, f: f}, nil
			})
			mgr := &recordingManager{Manager: rfake.Manager{Client: kube, Scheme: sch}}
			o := Options{Options: controller.Options{Logger: logging.NewNopLogger(), PollInterval: time.Minute}}
			r := managed.NewReconciler(mgr, resource.ManagedKind(v1alpha1.BucketGroupVersionKind), reconcilerOptions[*v1alpha1.Bucket](mgr, o, "test", connect, f)...)
			if _, err := r.Reconcile(context.Background(), reconcile.Request{NamespacedName: key}); err != nil {
				t.Fatal(err)
			}
			after := stored()
			got.ExternalNameStored, got.FinalizerStored = meta.GetExternalName(after), meta.FinalizerExists(after, finalizerName)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// recordingManager is crossplane-runtime's fake manager with an event recorder.
type recordingManager struct{ rfake.Manager }

func (m *recordingManager) GetEventRecorderFor(string) record.EventRecorder {
	return record.NewFakeRecorder(100)
}

// TestCreateFinalizerHoldsNothing: what Observe reported is dropped once the finalizer step has used it.
func TestCreateFinalizerHoldsNothing(t *testing.T) {
	f := newCreateFinalizer(nil)
	b := &v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{UID: "u1"}}
	f.observed(b, true)
	if err := f.AddFinalizer(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if n := len(f.absent); n != 0 || !meta.FinalizerExists(b, finalizerName) {
		t.Errorf("after AddFinalizer: %d entries left, finalizer in memory %t; want 0, true", n, meta.FinalizerExists(b, finalizerName))
	}
	f.observed(b, true)
	f.observed(b, false)
	if n := len(f.absent); n != 0 {
		t.Errorf("entries left after an Observe that found the resource: %d", n)
	}
}

// TestSharedLists: the state metrics' lists ask the cache not to deep-copy every object.
func TestSharedLists(t *testing.T) {
	var got []client.ListOption
	kube := fake.NewClientBuilder().WithInterceptorFuncs(interceptor.Funcs{
		List: func(_ context.Context, _ client.WithWatch, _ client.ObjectList, opts ...client.ListOption) error {
			got = opts
			return nil
		},
	}).Build()
	if err := (sharedLists{kube}).List(context.Background(), &v1alpha1.BucketList{}, client.InNamespace("a")); err != nil {
		t.Fatal(err)
	}
	lo := &client.ListOptions{}
	lo.ApplyOptions(got)
	if lo.UnsafeDisableDeepCopy == nil || !*lo.UnsafeDisableDeepCopy || lo.Namespace != "a" {
		t.Errorf("list options: %+v, want the caller's and UnsafeDisableDeepCopy", lo)
	}
}
