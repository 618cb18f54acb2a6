package managedkind

import (
	"context"
	"strings"
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
)

func TestNamespacedResolver(t *testing.T) {
	queue := func(ns, name, arn string) *v1alpha1.Queue {
		q := &v1alpha1.Queue{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: map[string]string{"role": "dlq"}}}
		q.Status.AtProvider.ARN = arn
		return q
	}
	cases := map[string]struct {
		reason  string
		redrive v1alpha1.RedrivePolicy
		wantARN string
		errHas  string
	}{
		"OwnNamespace": {
			reason:  "A reference without a namespace resolves in the resource's own namespace.",
			redrive: v1alpha1.RedrivePolicy{DeadLetterTargetRef: &xpv2.NamespacedReference{Name: "dlq"}},
			wantARN: "arn:aws:sqs:eu-west-1:123456789012:team-a-dlq",
		},
		"OwnNamespaceNamed": {
			reason:  "Naming the resource's own namespace is the same.",
			redrive: v1alpha1.RedrivePolicy{DeadLetterTargetRef: &xpv2.NamespacedReference{Name: "dlq", Namespace: "team-a"}},
			wantARN: "arn:aws:sqs:eu-west-1:123456789012:team-a-dlq",
		},
		"OtherNamespace": {
			reason:  "A reference into another namespace must not read that namespace's Queue.",
			redrive: v1alpha1.RedrivePolicy{DeadLetterTargetRef: &xpv2.NamespacedReference{Name: "dlq", Namespace: "team-b"}},
			errHas:  "may only name managed resources of namespace team-a, not of team-b",
		},
		"SelectorOtherNamespace": {
			reason:  "A selector into another namespace must not list that namespace's Queues.",
			redrive: v1alpha1.RedrivePolicy{DeadLetterTargetSelector: &xpv2.NamespacedSelector{MatchLabels: map[string]string{"role": "dlq"}, Namespace: "team-b"}},
			errHas:  "not of team-b",
		},
		"SelectorOwnNamespace": {
			reason:  "A selector without a namespace selects in the resource's own namespace.",
			redrive: v1alpha1.RedrivePolicy{DeadLetterTargetSelector: &xpv2.NamespacedSelector{MatchLabels: map[string]string{"role": "dlq"}}},
			wantARN: "arn:aws:sqs:eu-west-1:123456789012:team-a-dlq",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := runtime.NewScheme()
			if err := v1alpha1.SchemeBuilder.AddToScheme(s); err != nil {
				t.Fatal(err)
			}
			q := queue("team-a", "orders", "")
			q.SetGroupVersionKind(v1alpha1.QueueGroupVersionKind)
			q.Spec.ForProvider.RedrivePolicy = tc.redrive.DeepCopy()
			q.Spec.ForProvider.RedrivePolicy.MaxReceiveCount = 3
			kube := fake.NewClientBuilder().WithScheme(s).WithObjects(q,
				queue("team-a", "dlq", "arn:aws:sqs:eu-west-1:123456789012:team-a-dlq"),
				queue("team-b", "dlq", "arn:aws:sqs:eu-west-1:123456789012:team-b-dlq")).Build()

			err := NewNamespacedResolver(kube).ResolveReferences(context.Background(), q)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("%s\nResolveReferences: want error containing %q, got %v", tc.reason, tc.errHas, err)
				}
				if got := q.Spec.ForProvider.RedrivePolicy.DeadLetterTargetARN; got != nil {
					t.Errorf("%s\nthe refused reference resolved to %q", tc.reason, *got)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\nResolveReferences: %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.wantARN, ptr.Deref(q.Spec.ForProvider.RedrivePolicy.DeadLetterTargetARN, "")); diff != "" {
				t.Errorf("%s\nDeadLetterTargetARN: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
