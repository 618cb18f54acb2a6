package kube

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
)

// Every write of a read-only client is refused before it reaches the API server (the fake counts what reaches
// it); a read passes.
func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	secret := func() *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "pw"}, Data: map[string][]byte{"password": []byte("x")}}
	}
	writes := 0
	count := func() { writes++ }
	c := fake.NewClientBuilder().WithObjects(secret()).WithInterceptorFuncs(interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, o client.Object, opts ...client.CreateOption) error {
			count()
			return c.Create(ctx, o, opts...)
		},
		Update: func(ctx context.Context, c client.WithWatch, o client.Object, opts ...client.UpdateOption) error {
			count()
			return c.Update(ctx, o, opts...)
		},
		Patch: func(ctx context.Context, c client.WithWatch, o client.Object, p client.Patch, opts ...client.PatchOption) error {
			count()
			return c.Patch(ctx, o, p, opts...)
		},
		Delete: func(ctx context.Context, c client.WithWatch, o client.Object, opts ...client.DeleteOption) error {
			count()
			return c.Delete(ctx, o, opts...)
		},
		SubResourceCreate: func(_ context.Context, _ client.Client, _ string, _ client.Object, _ client.Object, _ ...client.SubResourceCreateOption) error {
			count()
			return nil
		},
		SubResourceUpdate: func(_ context.Context, _ client.Client, _ string, _ client.Object, _ ...client.SubResourceUpdateOption) error {
			count()
			return nil
		},
		SubResourcePatch: func(_ context.Context, _ client.Client, _ string, _ client.Object, _ client.Patch, _ ...client.SubResourcePatchOption) error {
			count()
			return nil
		},
	}).Build()
	ro := ReadOnly(c)
	cases := map[string]struct {
		reason string
		call   func() error
	}{
		"Create":            {reason: "a generated password Secret is never made", call: func() error { return ro.Create(ctx, secret()) }},
		"Update":            {reason: "no update", call: func() error { return ro.Update(ctx, secret()) }},
		"Patch":             {reason: "no patch", call: func() error { return ro.Patch(ctx, secret(), client.Merge) }},
		"Delete":            {reason: "no delete", call: func() error { return ro.Delete(ctx, secret()) }},
		"DeleteAllOf":       {reason: "no delete", call: func() error { return ro.DeleteAllOf(ctx, &corev1.Secret{}) }},
		"StatusUpdate":      {reason: "no status write", call: func() error { return ro.Status().Update(ctx, secret()) }},
		"StatusPatch":       {reason: "no status write", call: func() error { return ro.Status().Patch(ctx, secret(), client.Merge) }},
		"TokenRequest":      {reason: "no subresource create (a service account's token)", call: func() error { return ro.SubResource("token").Create(ctx, secret(), secret()) }},
		"SubResourceUpdate": {reason: "no subresource update", call: func() error { return ro.SubResource("scale").Update(ctx, secret()) }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := writes
			err := tc.call()
			var ro *ReadOnlyError
			if diff := cmp.Diff([]any{true, 0}, []any{errors.As(err, &ro), writes - before}); diff != "" {
				t.Errorf("%s: [refused, writes sent]: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
	got := &corev1.Secret{}
	if err := ro.Get(ctx, types.NamespacedName{Namespace: "team-a", Name: "pw"}, got); err != nil {
		t.Fatalf("a read passes: %v", err)
	}
	if diff := cmp.Diff("x", string(got.Data["password"])); diff != "" {
		t.Errorf("read: -want, +got:\n%s", diff)
	}
}
