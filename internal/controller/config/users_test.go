package config

import (
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

func TestLiveUsers(t *testing.T) {
	b := func(ns, name string, ref *xpv2.ProviderConfigReference) *s3v1alpha1.Bucket {
		x := &s3v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
		x.Spec.ProviderConfigReference = ref
		return x
	}
	ns := func(name string, labels map[string]string) *corev1.Namespace {
		return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	}
	pc := &xpv2.ProviderConfigReference{Kind: "ProviderConfig", Name: "aws"}
	cpc := &xpv2.ProviderConfigReference{Kind: "ClusterProviderConfig", Name: "aws"}
	s := runtime.NewScheme()
	_ = s3v1alpha1.SchemeBuilder.AddToScheme(s)
	_ = corev1.AddToScheme(s)
	kube := fake.NewClientBuilder().WithScheme(s).WithObjects(
		ns("team-a", map[string]string{"platform": "true"}), ns("team-b", nil), ns("team-c", nil),
		b("team-a", "one", pc), b("team-a", "two", pc), b("team-b", "other", pc),
		b("team-a", "cluster", cpc), b("team-b", "cluster", cpc), b("team-c", "cluster", cpc),
		b("team-b", "unset", nil),
	).Build()
	r := &statusReconciler{kube: kube, managed: []func() resource.ManagedList{func() resource.ManagedList { return &s3v1alpha1.BucketList{} }}}

	cases := map[string]struct {
		reason         string
		kind, ns, name string
		allowed        *v1alpha1.NamespaceSelection
		want           int
	}{
		"Namespaced": {reason: "A ProviderConfig is used by the resources of its own namespace that name it.", kind: "ProviderConfig", ns: "team-a", name: "aws", want: 2},
		"Cluster":    {reason: "A ClusterProviderConfig serving every namespace is used across namespaces by the resources that name its kind.", kind: "ClusterProviderConfig", name: "aws", want: 3},
		"ClusterServedByName": {
			reason: "Resources of namespaces a ClusterProviderConfig does not serve never use it: they must not keep it from being deleted.",
			kind:   "ClusterProviderConfig", name: "aws", allowed: &v1alpha1.NamespaceSelection{Names: []string{"team-b"}}, want: 1,
		},
		"ClusterServedByLabel": {
			reason: "A namespace its selector matches is served: its resources count.",
			kind:   "ClusterProviderConfig", name: "aws", allowed: &v1alpha1.NamespaceSelection{Selector: &v1alpha1.LabelSelector{MatchLabels: map[string]string{"platform": "true"}}}, want: 1,
		},
		"ClusterServesNone": {
			reason: "A selection that matches no namespace of its resources leaves no user.",
			kind:   "ClusterProviderConfig", name: "aws", allowed: &v1alpha1.NamespaceSelection{Names: []string{"team-z"}}, want: 0,
		},
		"DefaultServedElsewhere": {
			reason: "A resource without a reference in a namespace default does not serve is not its user.",
			kind:   "ClusterProviderConfig", name: "default", allowed: &v1alpha1.NamespaceSelection{Names: []string{"team-a"}}, want: 0,
		},
		"DefaultByUnset": {reason: "A resource without a reference uses ClusterProviderConfig/default.", kind: "ClusterProviderConfig", name: "default", want: 1},
		"Unused":         {reason: "Nothing names it.", kind: "ProviderConfig", ns: "team-c", name: "aws", want: 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := r.liveUsers(t.Context(), tc.kind, tc.ns, tc.name, tc.allowed)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s\nliveUsers: want %d, got %d", tc.reason, tc.want, got)
			}
		})
	}
}
