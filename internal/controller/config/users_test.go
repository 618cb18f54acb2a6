package config

import (
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
)

func TestLiveUsers(t *testing.T) {
	b := func(ns, name string, ref *xpv2.ProviderConfigReference) *s3v1alpha1.Bucket {
		x := &s3v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
		x.Spec.ProviderConfigReference = ref
		return x
	}
	pc := &xpv2.ProviderConfigReference{Kind: "ProviderConfig", Name: "aws"}
	s := runtime.NewScheme()
	_ = s3v1alpha1.SchemeBuilder.AddToScheme(s)
	kube := fake.NewClientBuilder().WithScheme(s).WithObjects(
		b("team-a", "one", pc), b("team-a", "two", pc), b("team-b", "other", pc),
		b("team-a", "cluster", &xpv2.ProviderConfigReference{Kind: "ClusterProviderConfig", Name: "aws"}),
		b("team-b", "unset", nil),
	).Build()
	r := &statusReconciler{kube: kube, managed: []func() resource.ManagedList{func() resource.ManagedList { return &s3v1alpha1.BucketList{} }}}

	cases := map[string]struct {
		reason         string
		kind, ns, name string
		want           int
	}{
		"Namespaced":     {reason: "A ProviderConfig is used by the resources of its own namespace that name it.", kind: "ProviderConfig", ns: "team-a", name: "aws", want: 2},
		"Cluster":        {reason: "A ClusterProviderConfig is used across namespaces by the resources that name its kind.", kind: "ClusterProviderConfig", name: "aws", want: 1},
		"DefaultByUnset": {reason: "A resource without a reference uses ClusterProviderConfig/default.", kind: "ClusterProviderConfig", name: "default", want: 1},
		"Unused":         {reason: "Nothing names it.", kind: "ProviderConfig", ns: "team-c", name: "aws", want: 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := r.liveUsers(t.Context(), tc.kind, tc.ns, tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%s\nliveUsers: want %d, got %d", tc.reason, tc.want, got)
			}
		})
	}
}
