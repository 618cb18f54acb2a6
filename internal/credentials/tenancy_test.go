package credentials

import (
	"context"
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

func TestAdmit(t *testing.T) {
	cpc := func(name string, sel *v1alpha1.NamespaceSelection) *v1alpha1.ClusterProviderConfig {
		return &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1alpha1.ProviderConfigSpec{AllowedNamespaces: sel}}
	}
	ns := func(name string, lbls map[string]string) *corev1.Namespace {
		return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: lbls}}
	}
	platform := &v1alpha1.NamespaceSelection{Names: []string{"platform"}, Selector: &v1alpha1.LabelSelector{MatchLabels: map[string]string{"tier": "platform"}}}
	cases := map[string]struct {
		reason      string
		objs        []client.Object
		mg          *xpv2.ProviderConfigReference
		namespace   string
		wantRefused bool
	}{
		"UnrestrictedDefault": {
			reason: "A ClusterProviderConfig without allowedNamespaces serves every namespace (Crossplane's convention).",
			objs:   []client.Object{cpc("default", nil)}, namespace: "team-x",
		},
		"DefaultFallbackChecked": {
			reason: "A resource without a providerConfigRef falls back to ClusterProviderConfig/default, and is checked against it.",
			objs:   []client.Object{cpc("default", platform), ns("team-x", nil)}, namespace: "team-x", wantRefused: true,
		},
		"Named": {
			reason: "A namespace named in allowedNamespaces.names is served.",
			objs:   []client.Object{cpc("default", platform)}, namespace: "platform",
		},
		"SelectedByLabel": {
			reason: "A namespace whose labels match allowedNamespaces.selector is served.",
			objs:   []client.Object{cpc("default", platform), ns("infra", map[string]string{"tier": "platform"})}, namespace: "infra",
		},
		"LabelMismatch": {
			reason: "A namespace with other labels is refused.",
			objs:   []client.Object{cpc("default", platform), ns("team-x", map[string]string{"tier": "tenant"})}, namespace: "team-x", wantRefused: true,
		},
		"ExplicitReferenceChecked": {
			reason: "An explicit reference to a ClusterProviderConfig is checked like the default.",
			objs:   []client.Object{cpc("admin", &v1alpha1.NamespaceSelection{Names: []string{"ops"}}), ns("team-x", nil)},
			mg:     &xpv2.ProviderConfigReference{Kind: "ClusterProviderConfig", Name: "admin"}, namespace: "team-x", wantRefused: true,
		},
		"NamesOnlyNoNamespaceRead": {
			reason: "With names only, a namespace not named is refused without needing its labels.",
			objs:   []client.Object{cpc("default", &v1alpha1.NamespaceSelection{Names: []string{"ops"}})}, namespace: "team-x", wantRefused: true,
		},
		"EmptySelectorSelectsAll": {
			reason: "An empty selector ({}) selects every namespace, as label selectors do.",
			objs:   []client.Object{cpc("default", &v1alpha1.NamespaceSelection{Selector: &v1alpha1.LabelSelector{}}), ns("team-x", nil)}, namespace: "team-x",
		},
		"ProviderConfigCannotWiden": {
			reason: "A ProviderConfig carrying allowedNamespaces (written past the CRD) is refused, not widened.",
			objs: []client.Object{&v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "team-x", Name: "mine"},
				Spec: v1alpha1.ProviderConfigSpec{AllowedNamespaces: &v1alpha1.NamespaceSelection{Names: []string{"team-y"}}}}},
			mg: &xpv2.ProviderConfigReference{Kind: "ProviderConfig", Name: "mine"}, namespace: "team-x", wantRefused: true,
		},
		"ProviderConfigOwnNamespace": {
			reason: "A ProviderConfig serves its own namespace.",
			objs:   []client.Object{&v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "team-x", Name: "mine"}}},
			mg:     &xpv2.ProviderConfigReference{Kind: "ProviderConfig", Name: "mine"}, namespace: "team-x",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r, _ := counting(tc.objs...)
			err := r.Admit(context.Background(), mr(tc.namespace, tc.mg))
			if diff := cmp.Diff(tc.wantRefused, IsNotServed(err)); diff != "" {
				t.Errorf("%s\nAdmit(...) refused: -want +got:\n%s\nerror: %v", tc.reason, diff, err)
			}
			if !tc.wantRefused && err != nil {
				t.Errorf("%s\nAdmit(...): unexpected error %v", tc.reason, err)
			}
		})
	}
}
