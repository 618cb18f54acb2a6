package kube

import (
	"context"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	rfake "github.com/crossplane/crossplane-runtime/v2/pkg/resource/fake"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
)

// TestCreateStatusSuperseded follows the managed reconciler's create path — create-pending update, create,
// create-succeeded update, status write — and counts the status writes that reach the API server.
func TestCreateStatusSuperseded(t *testing.T) {
	errBoom := errors.New("boom")
	cases := map[string]struct {
		reason string
		stored []xpv2.Condition // the status the API server holds before the create
		// between the create-succeeded update and the status write
		edit func(q *v1alpha1.Queue)
		// the status is written from a fresh read, as the next reconcile writes it (the create's reconcile ended
		// without a status write: a conflict publishing the connection details)
		nextReconcile bool
		// the conditions the reconciler writes
		write []xpv2.Condition
		want  int
	}{
		"BrandNew": {
			reason: "A brand-new resource's post-create Creating status is not sent: the confirming observation writes what it finds.",
			write:  []xpv2.Condition{xpv2.Creating(), xpv2.ReconcileSuccess()},
			want:   0,
		},
		"EarlierError": {
			reason: "A stored status (an earlier failed create) must be corrected, so the write goes.",
			stored: []xpv2.Condition{xpv2.Creating(), xpv2.ReconcileError(errBoom)},
			write:  []xpv2.Condition{xpv2.Creating(), xpv2.ReconcileSuccess()},
			want:   1,
		},
		"PublishFailed": {
			reason: "A status that reports an error after the create (connection details not published) goes.",
			write:  []xpv2.Condition{xpv2.Creating(), xpv2.ReconcileError(errBoom)},
			want:   1,
		},
		"ObjectMovedOn": {
			reason: "A status write from another resourceVersion than the create-succeeded update's goes.",
			edit:   func(q *v1alpha1.Queue) { q.SetResourceVersion("1") },
			write:  []xpv2.Condition{xpv2.Creating(), xpv2.ReconcileSuccess()},
			want:   1,
		},
		"NextReconcile": {
			reason:        "The next reconcile's Creating status (an RDS instance still creating) goes, though nothing wrote the object in between.",
			nextReconcile: true,
			write:         []xpv2.Condition{xpv2.Creating(), xpv2.ReconcileSuccess()},
			want:          1,
		},
		"CreateFailed": {
			reason: "The status write after a failed create (create-failed recorded, no success after it) goes.",
			edit: func(q *v1alpha1.Queue) {
				meta.SetExternalCreatePending(q, time.Now().Add(time.Hour))
			},
			write: []xpv2.Condition{xpv2.Creating(), xpv2.ReconcileSuccess()},
			want:  1,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := runtime.NewScheme()
			if err := v1alpha1.SchemeBuilder.AddToScheme(s); err != nil {
				t.Fatal(err)
			}
			q := &v1alpha1.Queue{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "q", UID: "u"}}
			q.SetConditions(tc.stored...)
			statusWrites := 0
			fc := fake.NewClientBuilder().WithScheme(s).WithObjects(q).WithStatusSubresource(q).WithInterceptorFuncs(interceptor.Funcs{
				SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
					statusWrites++
					return c.SubResource(sub).Update(ctx, obj, opts...)
				},
			}).Build()
			c := SkipUnchanged(fc, fc)

			got := &v1alpha1.Queue{}
			if err := c.Get(ctx, client.ObjectKeyFromObject(q), got); err != nil {
				t.Fatal(err)
			}
			at := time.Now().Add(-time.Minute).Truncate(time.Second)
			meta.SetExternalCreatePending(got, at)
			if err := c.Update(ctx, got); err != nil {
				t.Fatal(err)
			}
			meta.SetExternalCreateSucceeded(got, at.Add(time.Second))
			if err := c.Update(ctx, got); err != nil {
				t.Fatal(err)
			}
			if tc.edit != nil {
				tc.edit(got)
			}
			if tc.nextReconcile {
				got = &v1alpha1.Queue{}
				if err := c.Get(ctx, client.ObjectKeyFromObject(q), got); err != nil {
					t.Fatal(err)
				}
			}
			got.SetConditions(tc.write...)
			_ = c.Status().Update(ctx, got)
			if diff := cmp.Diff(tc.want, statusWrites); diff != "" {
				t.Errorf("%s\nstatus writes sent: -want +got:\n%s", tc.reason, diff)
			}

			// Only the one write right after the update is ever skipped: the confirming observation's goes.
			if tc.want == 0 {
				cur := &v1alpha1.Queue{}
				if err := c.Get(ctx, client.ObjectKeyFromObject(q), cur); err != nil {
					t.Fatal(err)
				}
				cur.SetConditions(xpv2.Creating(), xpv2.ReconcileSuccess())
				if err := c.Status().Update(ctx, cur); err != nil {
					t.Fatal(err)
				}
				if statusWrites != 1 {
					t.Errorf("the status write after the skipped one was not sent (%d sent)", statusWrites)
				}
			}
		})
	}
}

// TestCreateStatusSupersededByRuntime runs crossplane-runtime's managed reconciler over the wrapper and a fake
// API server: the create's reconcile sends no status write, the confirming one sends the status it observed.
func TestCreateStatusSupersededByRuntime(t *testing.T) {
	ctx := context.Background()
	sch := runtime.NewScheme()
	if err := v1alpha1.SchemeBuilder.AddToScheme(sch); err != nil {
		t.Fatal(err)
	}
	q := &v1alpha1.Queue{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "q", UID: "u"}}
	var statuses []string
	fc := fake.NewClientBuilder().WithScheme(sch).WithObjects(q).WithStatusSubresource(q).WithInterceptorFuncs(interceptor.Funcs{
		SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
			statuses = append(statuses, string(obj.(*v1alpha1.Queue).GetCondition(xpv2.TypeReady).Reason))
			return c.SubResource(sub).Update(ctx, obj, opts...)
		},
	}).Build()
	exists := false
	ext := managed.TypedExternalClientFns[*v1alpha1.Queue]{
		ObserveFn: func(_ context.Context, cr *v1alpha1.Queue) (managed.ExternalObservation, error) {
			if exists {
				cr.SetConditions(xpv2.Available())
			}
			return managed.ExternalObservation{ResourceExists: exists, ResourceUpToDate: true}, nil
		},
		CreateFn: func(context.Context, *v1alpha1.Queue) (managed.ExternalCreation, error) {
			exists = true
			return managed.ExternalCreation{}, nil
		},
		DisconnectFn: func(context.Context) error { return nil },
	}
	connect := managed.TypedExternalConnectorFn[*v1alpha1.Queue](func(context.Context, *v1alpha1.Queue) (managed.TypedExternalClient[*v1alpha1.Queue], error) {
		return ext, nil
	})
	mgr := &rfake.Manager{Client: SkipUnchanged(fc, fc), Scheme: sch}
	r := managed.NewReconciler(mgr, resource.ManagedKind(v1alpha1.QueueGroupVersionKind),
		managed.WithTypedExternalConnector[*v1alpha1.Queue](connect), managed.WithLogger(logging.NewNopLogger()),
		managed.WithRecorder(event.NewNopRecorder()), managed.WithDeterministicExternalName(true))
	req := reconcile.Request{NamespacedName: client.ObjectKeyFromObject(q)}
	for range 2 {
		if _, err := r.Reconcile(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{string(xpv2.ReasonAvailable)}, statuses); diff != "" {
		t.Errorf("status writes (their Ready reason) over a create and its confirmation: -want +got:\n%s", diff)
	}
}
