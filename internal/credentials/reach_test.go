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
			reach:  newAWSReach(config{kind: v1alpha1.ProviderConfigKind, namespace: "team-a", name: "own"}, nil),
			ns:     "team-a", refs: []Reference{kms("alias/team-b/orders")},
		},
		"OwnNamespaceAlias": {
			reason: "{namespace} is the resource's namespace.",
			reach:  newAWSReach(cluster, allowed), ns: "team-a", refs: []Reference{kms("alias/team-a/orders")},
		},
		"OtherNamespaceAlias": {
			reason: "Another namespace's alias is refused, with the list that would allow it.",
			reach:  newAWSReach(cluster, allowed), ns: "team-a", refs: []Reference{kms("alias/team-b/orders")},
			errHas: `spec.forProvider.kmsKeyID "alias/team-b/orders" is not allowed through ClusterProviderConfig shared: its spec.aws.allowedReferences.kmsKeys admits no such name for namespace team-a`,
		},
		"WildcardStaysInItsSegment": {
			reason: "'*' stays within one '/'-separated segment, as in path.Match.",
			reach:  newAWSReach(cluster, allowed), ns: "team-a", refs: []Reference{kms("alias/team-a/x/y")},
			errHas: "is not allowed",
		},
		"KeyARNPattern": {
			reason: "An admin may allow keys by ARN.",
			reach:  newAWSReach(cluster, allowed), ns: "team-b", refs: []Reference{kms("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab")},
		},
		"KeyIDIsNotItsAlias": {
			reason: "A key named by its ID does not match a pattern of aliases.",
			reach:  newAWSReach(cluster, allowed), ns: "team-a", refs: []Reference{kms("1234abcd-12ab-34cd-56ef-1234567890ab")},
			errHas: "is not allowed",
		},
		"AWSManagedKey": {
			reason: "The account's AWS-managed keys are every namespace's, with no list at all.",
			reach:  newAWSReach(cluster, nil), ns: "team-a", refs: []Reference{kms("alias/aws/rds")},
		},
		"UnsetListAllowsNothing": {
			reason: "Through a shared config with no list, a customer key is refused.",
			reach:  newAWSReach(cluster, nil), ns: "team-a", refs: []Reference{kms("alias/team-a/orders")},
			errHas: "allowedReferences.kmsKeys admits no such name",
		},
		"EmptyNamesNothing": {
			reason: "An empty value is the service's default and names nothing.",
			reach:  newAWSReach(cluster, nil), ns: "team-a", refs: []Reference{kms("")},
		},
		"Caseless": {
			reason: "RDS group names compare without case, as RDS does.",
			reach:  newAWSReach(cluster, allowed), ns: "team-a",
			refs: []Reference{{List: "dbSubnetGroups", Field: "spec.forProvider.dbSubnetGroupName", Value: "Team-A_DB", Caseless: true}},
		},
		"SecondRefRefused": {
			reason: "Every reference is checked, not only the first.",
			reach:  newAWSReach(cluster, allowed), ns: "team-a",
			refs:   []Reference{{List: "securityGroups", Field: "spec.forProvider.vpcSecurityGroupIDs[0]", Value: "sg-0aaa"}, {List: "securityGroups", Field: "spec.forProvider.vpcSecurityGroupIDs[1]", Value: "sg-0bbb"}},
			errHas: `vpcSecurityGroupIDs[1] "sg-0bbb"`,
		},
		"AmbiguousPattern": {
			reason: "A pattern where {namespace} runs into a '-' would let namespace team match team-a's names: the config is refused.",
			reach:  newAWSReach(cluster, &v1alpha1.AWSAllowedReferences{KMSKeys: []string{"alias/{namespace}-*"}}), ns: "team", refs: []Reference{kms("alias/team-a-orders")},
			errHas: `kmsKeys[0] "alias/{namespace}-*" puts a letter, digit, '-' or wildcard next to {namespace}`,
		},
		"AmbiguousBefore": {
			reason: "A wildcard before {namespace} is as ambiguous.",
			reach:  newAWSReach(cluster, &v1alpha1.AWSAllowedReferences{KMSKeys: []string{"alias/*{namespace}/k"}}), ns: "a", refs: []Reference{kms("alias/team-a/k")},
			errHas: "next to {namespace}",
		},
		"BadPattern": {
			reason: "A malformed pattern is the config's error, said as such.",
			reach:  newGCPReach(cluster, &v1alpha1.GCPAllowedReferences{KMSKeys: []string{"projects/p/[/k"}}), ns: "team-a",
			refs:   []Reference{{List: "kmsKeys", Field: "spec.forProvider.kmsKeyName", Value: "projects/p/x/k"}},
			errHas: "is not a valid pattern",
		},
		"GCPNoAWSManagedKeys": {
			reason: "alias/aws/* means nothing in Google Cloud.",
			reach:  newGCPReach(cluster, nil), ns: "team-a", refs: []Reference{{List: "kmsKeys", Field: "spec.forProvider.kmsKeyName", Value: "alias/aws/s3"}},
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
