package credentials

import (
	"strings"
	"testing"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

func TestReachAdmit(t *testing.T) {
	cluster := config{kind: v1alpha1.ClusterProviderConfigKind, name: "shared"}
	allowed := &v1alpha1.AWSAllowedReferences{
		KMSKeys:        []string{"alias/{namespace}/*", "arn:aws:kms:*:123456789012:key/1234abcd-*"},
		DBSubnetGroups: []string{"{namespace}_db"},
		SecurityGroups: []string{"sg-0aaa"},
	}
	kms := func(v string) Reference {
		return Reference{List: "kmsKeys", Field: "spec.forProvider.kmsKeyID", Value: v}
	}
	cases := map[string]struct {
		reason string
		reach  *Reach
		ns     string
		refs   []Reference
		errHas string
	}{
		"NamespacedConfig": {
			reason: "A namespaced config's own credentials decide: nothing is checked.",
			reach:  newAWSReach(config{kind: v1alpha1.ProviderConfigKind, namespace: "team-a", name: "own"}, nil, nil),
			ns:     "team-a", refs: []Reference{kms("alias/team-b/orders")},
		},
		"OwnNamespaceAlias": {
			reason: "{namespace} is the resource's namespace.",
			reach:  newAWSReach(cluster, allowed, nil), ns: "team-a", refs: []Reference{kms("alias/team-a/orders")},
		},
		"OtherNamespaceAlias": {
			reason: "Another namespace's alias is refused, with the list that would allow it.",
			reach:  newAWSReach(cluster, allowed, nil), ns: "team-a", refs: []Reference{kms("alias/team-b/orders")},
			errHas: `spec.forProvider.kmsKeyID "alias/team-b/orders" is not allowed through ClusterProviderConfig shared: its spec.aws.allowedReferences.kmsKeys admits no such name for namespace team-a`,
		},
		"WildcardStaysInItsSegment": {
			reason: "'*' stays within one '/'-separated segment, as in path.Match.",
			reach:  newAWSReach(cluster, allowed, nil), ns: "team-a", refs: []Reference{kms("alias/team-a/x/y")},
			errHas: "is not allowed",
		},
		"KeyARNPattern": {
			reason: "An admin may allow keys by ARN.",
			reach:  newAWSReach(cluster, allowed, nil), ns: "team-b", refs: []Reference{kms("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab")},
		},
		"KeyIDIsNotItsAlias": {
			reason: "A key named by its ID does not match a pattern of aliases.",
			reach:  newAWSReach(cluster, allowed, nil), ns: "team-a", refs: []Reference{kms("1234abcd-12ab-34cd-56ef-1234567890ab")},
			errHas: "is not allowed",
		},
		"AWSManagedKey": {
			reason: "The account's AWS-managed keys are every namespace's, with no list at all.",
			reach:  newAWSReach(cluster, nil, nil), ns: "team-a", refs: []Reference{kms("alias/aws/rds")},
		},
		"UnsetListAllowsNothing": {
			reason: "Through a shared config with no list, a customer key is refused.",
			reach:  newAWSReach(cluster, nil, nil), ns: "team-a", refs: []Reference{kms("alias/team-a/orders")},
			errHas: "allowedReferences.kmsKeys admits no such name",
		},
		"EmptyNamesNothing": {
			reason: "An empty value is the service's default and names nothing.",
			reach:  newAWSReach(cluster, nil, nil), ns: "team-a", refs: []Reference{kms("")},
		},
		"Caseless": {
			reason: "RDS group names compare without case, as RDS does.",
			reach:  newAWSReach(cluster, allowed, nil), ns: "team-a",
			refs: []Reference{{List: "dbSubnetGroups", Field: "spec.forProvider.dbSubnetGroupName", Value: "Team-A_DB", Caseless: true}},
		},
		"SecondRefRefused": {
			reason: "Every reference is checked, not only the first.",
			reach:  newAWSReach(cluster, allowed, nil), ns: "team-a",
			refs:   []Reference{{List: "securityGroups", Field: "spec.forProvider.vpcSecurityGroupIDs[0]", Value: "sg-0aaa"}, {List: "securityGroups", Field: "spec.forProvider.vpcSecurityGroupIDs[1]", Value: "sg-0bbb"}},
			errHas: `vpcSecurityGroupIDs[1] "sg-0bbb"`,
		},
		"AmbiguousPattern": {
			reason: "A pattern where {namespace} runs into a '-' would let namespace team match team-a's names: the config is refused.",
			reach:  newAWSReach(cluster, &v1alpha1.AWSAllowedReferences{KMSKeys: []string{"alias/{namespace}-*"}}, nil), ns: "team", refs: []Reference{kms("alias/team-a-orders")},
			errHas: `kmsKeys[0] "alias/{namespace}-*" puts a letter, digit, '-', wildcard or backslash next to {namespace}`,
		},
		"AmbiguousBefore": {
			reason: "A wildcard before {namespace} is as ambiguous.",
			reach:  newAWSReach(cluster, &v1alpha1.AWSAllowedReferences{KMSKeys: []string{"alias/*{namespace}/k"}}, nil), ns: "a", refs: []Reference{kms("alias/team-a/k")},
			errHas: "next to {namespace}",
		},
		"EscapedDash": {
			reason: "An escaped '-' is a '-' to path.Match: \\- next to {namespace} would let namespace team match team-a's names.",
			reach:  newAWSReach(cluster, &v1alpha1.AWSAllowedReferences{KMSKeys: []string{`alias/{namespace}\-*`}}, nil), ns: "team", refs: []Reference{kms("alias/team-a-orders")},
			errHas: "next to {namespace}",
		},
		"EscapedLetterBefore": {
			reason: "An escaped letter before {namespace} is as ambiguous: no backslash anywhere.",
			reach:  newAWSReach(cluster, &v1alpha1.AWSAllowedReferences{KMSKeys: []string{`alias/\a{namespace}/k`}}, nil), ns: "-b", refs: []Reference{kms("alias/a-b/k")},
			errHas: "backslash",
		},
		"StarAdmitsAnyARN": {
			reason: `"*" alone admits any name, as the API says, a key ARN with its '/' too.`,
			reach:  newAWSReach(cluster, &v1alpha1.AWSAllowedReferences{KMSKeys: []string{"*"}}, nil), ns: "team-a", refs: []Reference{kms("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab")},
		},
		"BadPattern": {
			reason: "A malformed pattern is the config's error, said as such.",
			reach:  newGCPReach(cluster, &v1alpha1.GCPAllowedReferences{KMSKeys: []string{"projects/p/[/k"}}, nil), ns: "team-a",
			refs:   []Reference{{List: "kmsKeys", Field: "spec.forProvider.kmsKeyName", Value: "projects/p/x/k"}},
			errHas: "is not a valid pattern",
		},
		"GCPNoAWSManagedKeys": {
			reason: "alias/aws/* means nothing in Google Cloud.",
			reach:  newGCPReach(cluster, nil, nil), ns: "team-a", refs: []Reference{{List: "kmsKeys", Field: "spec.forProvider.kmsKeyName", Value: "alias/aws/s3"}},
			errHas: "spec.gcp.allowedReferences.kmsKeys",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := tc.reach.Admit(tc.ns, tc.refs...)
			if tc.errHas == "" {
				if err != nil {
					t.Errorf("%s\nAdmit: %v", tc.reason, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("%s\nAdmit: want an error containing %q, got %v", tc.reason, tc.errHas, err)
			}
		})
	}
}

func TestReachAdopts(t *testing.T) {
	cluster := config{kind: v1alpha1.ClusterProviderConfigKind, name: "shared"}
	rules := &v1alpha1.AWSAllowedAdoptions{
		Buckets:     v1alpha1.AdoptionRules{{Namespaces: []string{"billing"}, Names: []string{"billing-prod"}}, {Names: []string{"{namespace}.legacy-*"}}},
		DBInstances: v1alpha1.AdoptionRules{{Namespaces: []string{"billing"}, Names: []string{"Billing-*"}}},
		Queues:      v1alpha1.AdoptionRules{{Names: []string{"{namespace}-*"}}},
		Tables:      v1alpha1.AdoptionRules{{Names: []string{"*"}}},
	}
	cases := map[string]struct {
		reason string
		reach  *Reach
		ns     string
		a      Adoption
		want   bool
		errHas string
	}{
		"Namespaced":       {reason: "A namespaced config's own credentials decide.", reach: newAWSReach(config{kind: v1alpha1.ProviderConfigKind, namespace: "team-a", name: "own"}, nil, nil), ns: "team-a", a: Adoption{List: "buckets", Name: "billing-prod"}, want: true},
		"NoRules":          {reason: "Through a shared config without rules nothing is adopted.", reach: newAWSReach(cluster, nil, nil), ns: "billing", a: Adoption{List: "buckets", Name: "billing-prod"}},
		"RuleForNamespace": {reason: "A rule that lists the namespace admits its names.", reach: newAWSReach(cluster, nil, rules), ns: "billing", a: Adoption{List: "buckets", Name: "billing-prod"}, want: true},
		"RuleForAnother":   {reason: "A rule for billing does not admit team-a.", reach: newAWSReach(cluster, nil, rules), ns: "team-a", a: Adoption{List: "buckets", Name: "billing-prod"}},
		"OwnPattern":       {reason: "{namespace} in a rule for every namespace is the resource's own.", reach: newAWSReach(cluster, nil, rules), ns: "team-a", a: Adoption{List: "buckets", Name: "team-a.legacy-x"}, want: true},
		"OtherListUnset":   {reason: "Each kind has its list: a bucket rule admits no topic.", reach: newAWSReach(cluster, nil, rules), ns: "billing", a: Adoption{List: "tables-unknown", Name: "billing-prod"}},
		"Caseless":         {reason: "RDS identifiers compare without case.", reach: newAWSReach(cluster, nil, rules), ns: "billing", a: Adoption{List: "dbInstances", Name: "billing-PROD", Caseless: true}, want: true},
		"Star":             {reason: `"*" admits any name.`, reach: newAWSReach(cluster, nil, rules), ns: "team-a", a: Adoption{List: "tables", Name: "anything.at/all"}, want: true},
		"AmbiguousRule":    {reason: "A rule where {namespace} runs into '-' is the config's error.", reach: newAWSReach(cluster, nil, rules), ns: "team", a: Adoption{List: "queues", Name: "team-a-orders"}, errHas: "allowedAdoptions.queues[0].names[0]"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := tc.reach.Adopts(tc.ns, tc.a)
			if (err != nil) != (tc.errHas != "") || (err != nil && !strings.Contains(err.Error(), tc.errHas)) {
				t.Fatalf("%s\nAdopts: want an error with %q, got %v", tc.reason, tc.errHas, err)
			}
			if got != tc.want {
				t.Errorf("%s\nAdopts: want %t, got %t", tc.reason, tc.want, got)
			}
		})
	}
}
