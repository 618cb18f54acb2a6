package kube

import (
	"context"
	"strings"
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

func TestTrimOversized(t *testing.T) {
	stripped := func(in any) (any, error) {
		in.(metav1.Object).SetManagedFields(nil)
		return in, nil
	}
	mf := []metav1.ManagedFieldsEntry{{Manager: "m"}}
	cases := map[string]struct {
		reason string
		in     *s3v1alpha1.Bucket
		want   *s3v1alpha1.Bucket
	}{
		"AtTheLimit": {
			reason: "Metadata of exactly the limit is kept whole; the next transform still runs.",
			in:     &s3v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Name: "b", ManagedFields: mf, Labels: map[string]string{"k": strings.Repeat("v", 9)}}},
			want:   &s3v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Name: "b", Labels: map[string]string{"k": strings.Repeat("v", 9)}}},
		},
		"OverTheLimit": {
			reason: "One byte more and labels, annotations, finalizers and owner references go; the size is recorded.",
			in: &s3v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{
				Name: "b", Namespace: "t", UID: "u", ResourceVersion: "7", Generation: 3, ManagedFields: mf,
				Labels: map[string]string{"k": strings.Repeat("v", 10)}, Finalizers: []string{"f"},
			}, Spec: s3v1alpha1.BucketSpec{ForProvider: s3v1alpha1.BucketParameters{Region: "r"}}},
			want: &s3v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{
				Name: "b", Namespace: "t", UID: "u", ResourceVersion: "7", Generation: 3,
				Annotations: map[string]string{OversizedAnnotation: "12"},
			}, Spec: s3v1alpha1.BucketSpec{ForProvider: s3v1alpha1.BucketParameters{Region: "r"}}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := TrimOversized(10, func(any) bool { return true }, stripped)(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("\n%s\nTrimOversized(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestMetadataBytes(t *testing.T) {
	o := &metav1.ObjectMeta{
		Annotations:     map[string]string{"ab": "cde"},
		Labels:          map[string]string{"f": "g"},
		Finalizers:      []string{"hij"},
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "K", Name: "n", UID: "u"}},
	}
	if got, want := MetadataBytes(o), 5+2+3+(2+1+1+1+32); got != want {
		t.Errorf("MetadataBytes: want %d, got %d", want, got)
	}
}

type recorder struct{ calls int }

func (r *recorder) Reconcile(context.Context, reconcile.Request) (reconcile.Result, error) {
	r.calls++
	return reconcile.Result{}, nil
}

func TestSkipOversized(t *testing.T) {
	sch := runtime.NewScheme()
	if err := s3v1alpha1.SchemeBuilder.AddToScheme(sch); err != nil {
		t.Fatal(err)
	}
	stub := func(conds ...xpv2.Condition) *s3v1alpha1.Bucket {
		b := &s3v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Name: "b", Namespace: "t", Generation: 2, Annotations: map[string]string{OversizedAnnotation: "1500000"}}}
		b.SetConditions(conds...)
		return b
	}
	tooLarge := xpv2.Condition{Type: xpv2.TypeSynced, Status: corev1.ConditionFalse, Reason: apisv1alpha1.ReasonMetadataTooLarge, ObservedGeneration: 2,
		Message: "not reconciled: the object's labels, annotations, finalizers and owner references take 1500000 bytes, more than the provider keeps (--max-metadata-bytes); make them smaller"}
	cases := map[string]struct {
		reason     string
		cached     client.Object
		wantInner  int
		wantPatch  string
		wantSynced xpv2.Condition
	}{
		"Whole": {
			reason:    "An object the cache holds whole goes to the reconciler.",
			cached:    &s3v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Name: "b", Namespace: "t"}},
			wantInner: 1,
		},
		"Gone": {
			reason:    "An object the cache does not hold goes to the reconciler, which has nothing to do.",
			wantInner: 1,
		},
		"Stub": {
			reason:     "A stub is not reconciled; its Synced condition says why, in a patch of the conditions alone.",
			cached:     stub(xpv2.Available()),
			wantPatch:  `{"status":{"conditions":[`,
			wantSynced: tooLarge,
		},
		"StubSaidSo": {
			reason:     "A stub whose condition already says so is not written again.",
			cached:     stub(tooLarge),
			wantSynced: tooLarge,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := fake.NewClientBuilder().WithScheme(sch).WithStatusSubresource(&s3v1alpha1.Bucket{})
			if tc.cached != nil {
				b = b.WithObjects(tc.cached)
			}
			var patches []string
			kube := b.WithInterceptorFuncs(interceptor.Funcs{
				SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, p client.Patch, o ...client.SubResourcePatchOption) error {
					data, _ := p.Data(obj)
					patches = append(patches, string(data))
					return c.SubResource(sub).Patch(ctx, obj, p, o...)
				},
				Update: func(context.Context, client.WithWatch, client.Object, ...client.UpdateOption) error {
					t.Error("an Update of the object: it would write back what the stub dropped")
					return nil
				},
			}).Build()
			inner := &recorder{}
			r := SkipOversized(inner, kube, kube, func() client.Object { return &s3v1alpha1.Bucket{} })
			if _, err := r.Reconcile(context.Background(), reconcile.Request{NamespacedName: types.NamespacedName{Namespace: "t", Name: "b"}}); err != nil {
				t.Fatal(err)
			}
			if inner.calls != tc.wantInner {
				t.Errorf("\n%s\nreconciler calls: want %d, got %d", tc.reason, tc.wantInner, inner.calls)
			}
			switch {
			case tc.wantPatch == "" && len(patches) > 0:
				t.Errorf("\n%s\nwant no status patch, got %q", tc.reason, patches)
			case tc.wantPatch != "" && (len(patches) != 1 || !strings.HasPrefix(patches[0], tc.wantPatch) || strings.Contains(patches[0], `"metadata":`)):
				t.Errorf("\n%s\nwant one status patch of the conditions alone, got %q", tc.reason, patches)
			}
			if tc.wantSynced.Type == "" {
				return
			}
			got := &s3v1alpha1.Bucket{}
			if err := kube.Get(context.Background(), types.NamespacedName{Namespace: "t", Name: "b"}, got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantSynced, got.GetCondition(xpv2.TypeSynced), cmp.Comparer(func(a, b xpv2.Condition) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("\n%s\nSynced: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
