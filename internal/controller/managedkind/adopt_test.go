package managedkind

import (
	"strings"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

var testAdoption = Adoption[*v1alpha1.Bucket]{List: "buckets", Requested: func(b *v1alpha1.Bucket) *bool { return b.Spec.AdoptExisting }}

func withExternalName(n string) modifier {
	return func(b *v1alpha1.Bucket) { meta.SetExternalName(b, n) }
}

func deleting() modifier {
	return func(b *v1alpha1.Bucket) { now := metav1.Now(); b.SetDeletionTimestamp(&now) }
}

func TestAdoption(t *testing.T) {
	shared := credentials.ClusterAWSReach("shared", nil, &apisv1alpha1.AWSAllowedAdoptions{Buckets: apisv1alpha1.AdoptionRules{
		{Namespaces: []string{"billing"}, Names: []string{"billing-prod"}},
		{Names: []string{"{namespace}.legacy-*"}},
	}})
	none := credentials.ClusterAWSReach("shared", nil, nil)
	cases := map[string]struct {
		reason  string
		reach   *credentials.Reach
		cr      *v1alpha1.Bucket
		refused string // Admit's error, "" for none
		mayTake bool   // Adopt
	}{
		"NamespacedConfig": {
			reason: "A namespaced config's own credentials decide what its resources may adopt.",
			cr:     bucket(withAdopt(), withExternalName("billing-prod")), mayTake: true,
		},
		"NotAsked": {
			reason: "A resource that asks for nothing is neither refused nor may take an unmarked resource.",
			reach:  none, cr: bucket(withExternalName("billing-prod")),
		},
		"SharedNoRules": {
			reason: "Through a shared config without rules, adoption is refused before any cloud call, naming the list.",
			reach:  none, cr: bucket(withAdopt(), withExternalName("billing-prod")),
			refused: `adopting or observing "billing-prod", which the provider did not make, is not allowed through ClusterProviderConfig shared: no rule of its spec.aws.allowedAdoptions.buckets admits that name for namespace team-a`,
		},
		"ObserveOnlyIsAdoption": {
			reason: "ObserveOnly reads what the provider did not make: the same rule applies.",
			reach:  none, cr: bucket(withPolicies(xpv2.ManagementActionObserve), withExternalName("billing-prod")),
			refused: "allowedAdoptions.buckets",
		},
		"OtherNamespacesRule": {
			reason: "A rule for namespace billing does not admit team-a.",
			reach:  shared, cr: bucket(withAdopt(), withExternalName("billing-prod")),
			refused: "allowedAdoptions.buckets",
		},
		"RuleForNamespace": {
			reason: "A rule listing the namespace admits the name.",
			reach:  shared, cr: placedIn("billing", bucket(withAdopt(), withExternalName("billing-prod"))), mayTake: true,
		},
		"NamespacePattern": {
			reason: "{namespace} in a rule for every namespace is the resource's own.",
			reach:  shared, cr: bucket(withAdopt(), withExternalName("team-a.legacy-logs")), mayTake: true,
		},
		"AnotherNamespacesPattern": {
			reason: "team-a may not adopt team-b's legacy names.",
			reach:  shared, cr: bucket(withAdopt(), withExternalName("team-b.legacy-logs")),
			refused: "allowedAdoptions.buckets",
		},
		"MadeItItself": {
			reason: "A resource that records its own successful create is let through to Observe, which still may not take an unmarked resource.",
			reach:  none, cr: bucket(withAdopt(), withExternalName("billing-prod"), withSucceeded(time.Now())),
		},
		"Deleting": {
			reason: "A resource being deleted is not refused (its finalizer would stay for ever), and may not take an unmarked resource: it lets go of it.",
			reach:  none, cr: bucket(withAdopt(), withExternalName("billing-prod"), deleting()),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := testAdoption.Admit(tc.reach, tc.cr)
			if (err != nil) != (tc.refused != "") || (err != nil && !strings.Contains(err.Error(), tc.refused)) {
				t.Errorf("%s\nAdmit(...): want an error with %q, got %v", tc.reason, tc.refused, err)
			}
			if diff := cmp.Diff(tc.mayTake, testAdoption.Adopt(tc.reach, tc.cr)); diff != "" {
				t.Errorf("%s\nAdopt(...): -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func placedIn(ns string, b *v1alpha1.Bucket) *v1alpha1.Bucket {
	b.Namespace = ns
	return b
}
