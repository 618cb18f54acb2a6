package kube

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
)

func TestSkipUnchanged(t *testing.T) {
	cases := map[string]struct {
		reason string
		edit   func(*corev1.Pod)
		status bool
		want   int
	}{
		"UnchangedStatus": {
			reason: "A status update equal to the cached object at the same resourceVersion is not sent.",
			status: true, want: 0,
		},
		"ChangedStatus": {
			reason: "A status change is sent.",
			edit:   func(p *corev1.Pod) { p.Status.Message = "new" },
			status: true, want: 1,
		},
		"StaleCopy": {
			reason: "A write from an older resourceVersion is sent, so that the API server answers it with a conflict.",
			edit:   func(p *corev1.Pod) { p.ResourceVersion = "1" },
			status: true, want: 1,
		},
		"UnchangedUpdate": {
			reason: "An update equal to the cached object is not sent.",
			want:   0,
		},
		"ChangedUpdate": {
			reason: "An update that adds a finalizer is sent.",
			edit:   func(p *corev1.Pod) { p.Finalizers = append(p.Finalizers, "x") },
			want:   1,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sent := 0
			count := func() { sent++ }
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"}, Status: corev1.PodStatus{Message: "old"}}
			fc := fake.NewClientBuilder().WithObjects(pod).WithStatusSubresource(pod).WithInterceptorFuncs(interceptor.Funcs{
				Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
					count()
					return c.Update(ctx, obj, opts...)
				},
				SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
					count()
					return c.SubResource(sub).Update(ctx, obj, opts...)
				},
			}).Build()
			// Two changes so that resourceVersion "1" is stale.
			cur := &corev1.Pod{}
			if err := fc.Get(context.Background(), client.ObjectKeyFromObject(pod), cur); err != nil {
				t.Fatal(err)
			}
			cur.Labels = map[string]string{"a": "b"}
			if err := fc.Update(context.Background(), cur); err != nil {
				t.Fatal(err)
			}
			sent = 0

			c := SkipUnchanged(fc, fc)
			got := &corev1.Pod{}
			if err := c.Get(context.Background(), client.ObjectKeyFromObject(pod), got); err != nil {
				t.Fatal(err)
			}
			if tc.edit != nil {
				tc.edit(got)
			}
			if tc.status {
				_ = c.Status().Update(context.Background(), got)
			} else {
				_ = c.Update(context.Background(), got)
			}
			if diff := cmp.Diff(tc.want, sent); diff != "" {
				t.Errorf("%s\nwrites sent: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
