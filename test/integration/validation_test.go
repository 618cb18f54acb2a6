//go:build integration

package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ddbv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/dynamodb/v1alpha1"
	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	sqsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	pubsubv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	gcsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

// The CRDs refuse bad input before the provider ever sees it, and their CEL rules compile on a real apiserver.
func TestBucketCRDValidation(t *testing.T) {
	ns := namespace(t)
	cases := map[string]struct {
		reason string
		name   string
		region string
		errHas string
	}{
		"Valid":        {reason: "A valid bucket name and region are accepted.", name: "ok-" + suffix(), region: "eu-west-1"},
		"TooShort":     {reason: "S3 names are at least 3 characters.", name: "ab", region: "eu-west-1", errHas: "3 to 63 characters"},
		"TooLong":      {reason: "S3 names are at most 63 characters.", name: strings.Repeat("a", 64), region: "eu-west-1", errHas: "3 to 63 characters"},
		"IPAddress":    {reason: "An IP-address form is refused.", name: "10.0.0.1", region: "eu-west-1", errHas: "IP address"},
		"XN":           {reason: "The xn-- prefix is reserved.", name: "xn--abc", region: "eu-west-1", errHas: "must not start with xn--"},
		"Alias":        {reason: "The -s3alias suffix is reserved.", name: "abc-s3alias", region: "eu-west-1", errHas: "must not end with -s3alias"},
		"BadRegion":    {reason: "A malformed region is refused.", name: "region-" + suffix(), region: "Europe", errHas: "spec.forProvider.region"},
		"ReservedTags": {reason: "Ownership tag keys are reserved.", name: "tags-" + suffix(), region: "eu-west-1", errHas: "reserved"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := bucket(ns, tc.name, withPolicies("Observe"))
			b.Spec.ForProvider.Region = tc.region
			if name == "ReservedTags" {
				b.Spec.ForProvider.Tags = map[string]string{"stateful.dev/name": "x"}
			}
			err := kube.Create(context.Background(), b)
			switch {
			case tc.errHas == "" && err != nil:
				t.Errorf("%s\nunexpected rejection: %v", tc.reason, err)
			case tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)):
				t.Errorf("%s\nwant a rejection containing %q, got %v", tc.reason, tc.errHas, err)
			}
		})
	}

	// A public policy with blockPublicPolicy on: S3 would refuse it (AccessDenied) on every retry.
	public := `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::x/*"}]}`
	conditioned := `{"Statement":[{"Principal": "*", "Effect": "Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`
	deny := `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`
	for name, tc := range map[string]struct {
		reason, policy string
		block          bool
		refused        bool
	}{
		"PublicBlocked":      {reason: "Allow to everyone with blockPublicPolicy on is refused.", policy: public, block: true, refused: true},
		"PublicNotBlocked":   {reason: "Allow to everyone is accepted once blockPublicPolicy is off.", policy: public},
		"ConditionedBlocked": {reason: "A condition narrows the statement: left to S3, not refused by the CRD.", policy: conditioned, block: true},
		"DenyBlocked":        {reason: "A Deny to everyone is not public.", policy: deny, block: true},
	} {
		t.Run(name, func(t *testing.T) {
			b := bucket(ns, "pab-"+suffix(), withPolicies("Observe"))
			b.Spec.ForProvider.Policy = ptr.To(tc.policy)
			b.Spec.ForProvider.PublicAccessBlock = &s3v1alpha1.PublicAccessBlock{BlockPublicPolicy: ptr.To(tc.block)}
			err := kube.Create(context.Background(), b)
			if got := err != nil && strings.Contains(err.Error(), "S3 refuses such a policy"); got != tc.refused || (!tc.refused && err != nil) {
				t.Errorf("%s\nrefused %t, want %t: %v", tc.reason, got, tc.refused, err)
			}
		})
	}

	t.Run("RegionImmutable", func(t *testing.T) {
		b := bucket(ns, "immutable-"+suffix(), withPolicies("Observe"))
		create(t, b)
		// A merge patch, so that the provider's own writes to the object cannot turn this into a conflict.
		err := kube.Patch(context.Background(), b, client.RawPatch(types.MergePatchType, []byte(`{"spec":{"forProvider":{"region":"us-east-1"}}}`)))
		if err == nil || !strings.Contains(err.Error(), "region is immutable") {
			t.Errorf("changing the region must be refused, got %v", err)
		}
	})
}

func TestProviderConfigCRDValidation(t *testing.T) {
	ns := namespace(t)
	secretRef := func(namespace string) *v1alpha1.AWSSecretCredentials {
		return &v1alpha1.AWSSecretCredentials{Name: "creds", Namespace: namespace}
	}
	cases := map[string]struct {
		reason string
		obj    client.Object
		errHas string
	}{
		"NamespacedOwnSecret": {
			reason: "A ProviderConfig may use a Secret of its own namespace.",
			obj:    &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "own"}, Spec: spec(v1alpha1.AWSCredentialsSecret, secretRef(""))},
		},
		"NamespacedForeignSecret": {
			reason: "A ProviderConfig may not name another namespace's Secret.",
			obj:    &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "foreign"}, Spec: spec(v1alpha1.AWSCredentialsSecret, secretRef("crossplane-system"))},
			errHas: "reads Secrets only from its own namespace",
		},
		"NamespacedInjectedIdentity": {
			reason: "A ProviderConfig may not use the provider's own identity.",
			obj:    &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "irsa"}, Spec: spec(v1alpha1.AWSCredentialsInjectedIdentity, nil)},
			errHas: "need a ClusterProviderConfig",
		},
		"NamespacedEnvironment": {
			reason: "Nor the provider's environment.",
			obj:    &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "env"}, Spec: spec(v1alpha1.AWSCredentialsEnvironment, nil)},
			errHas: "need a ClusterProviderConfig",
		},
		"ClusterNeedsNamespace": {
			reason: "A ClusterProviderConfig's Secret needs a namespace.",
			obj:    &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "no-ns-" + suffix()}, Spec: spec(v1alpha1.AWSCredentialsSecret, secretRef(""))},
			errHas: "namespace is required on a ClusterProviderConfig",
		},
		"NamespacedAllowedReferences": {
			reason: "allowedReferences is for ClusterProviderConfigs: a tenant's own credentials decide what it may name.",
			obj:    &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "refs"}, Spec: withRefs(spec(v1alpha1.AWSCredentialsSecret, secretRef("")), "alias/{namespace}/*")},
			errHas: "allowedReferences applies to ClusterProviderConfigs",
		},
		"ClusterAllowedReferences": {
			reason: "A ClusterProviderConfig may allow references by pattern.",
			obj:    &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "refs-" + suffix()}, Spec: withRefs(spec(v1alpha1.AWSCredentialsInjectedIdentity, nil), "alias/{namespace}/*", "*")},
		},
		"ClusterAmbiguousPattern": {
			reason: "A pattern where {namespace} runs into a '-' would let namespace team name team-a's keys.",
			obj:    &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "refs-dash-" + suffix()}, Spec: withRefs(spec(v1alpha1.AWSCredentialsInjectedIdentity, nil), "alias/{namespace}-*")},
			errHas: "put '/', ':', '.' or '_' next to {namespace}",
		},
		"ClusterWildcardBeforeNamespace": {
			reason: "So would a wildcard before it.",
			obj:    &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "refs-star-" + suffix()}, Spec: withRefs(spec(v1alpha1.AWSCredentialsInjectedIdentity, nil), "alias/*{namespace}/k")},
			errHas: "put '/', ':', '.' or '_' next to {namespace}",
		},
		"ClusterEscapedNeighbour": {
			reason: "An escaped '-' (path.Match reads \\- as '-') would get past the rule next to {namespace}.",
			obj:    &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "refs-escape-" + suffix()}, Spec: withRefs(spec(v1alpha1.AWSCredentialsInjectedIdentity, nil), `alias/{namespace}\-*`)},
			errHas: "may not hold a backslash",
		},
		"NamespacedAllowedAdoptions": {
			reason: "allowedAdoptions is for ClusterProviderConfigs: a tenant's own credentials decide what it may adopt.",
			obj: &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "adopt"}, Spec: func() v1alpha1.ProviderConfigSpec {
				s := spec(v1alpha1.AWSCredentialsSecret, secretRef(""))
				s.AWS.AllowedAdoptions = &v1alpha1.AWSAllowedAdoptions{Buckets: v1alpha1.AdoptionRules{{Names: v1alpha1.AdoptionPatterns{"*"}}}}
				return s
			}()},
			errHas: "allowedAdoptions applies to ClusterProviderConfigs",
		},
		"ClusterAllowedAdoptions": {
			reason: "A ClusterProviderConfig may allow adoptions per namespace and name; the names follow the pattern rules.",
			obj: &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "adopt-" + suffix()}, Spec: func() v1alpha1.ProviderConfigSpec {
				s := spec(v1alpha1.AWSCredentialsInjectedIdentity, nil)
				s.AWS.AllowedAdoptions = &v1alpha1.AWSAllowedAdoptions{DBInstances: v1alpha1.AdoptionRules{{Namespaces: []string{"billing"}, Names: v1alpha1.AdoptionPatterns{"billing-prod"}}, {Names: v1alpha1.AdoptionPatterns{"{namespace}.legacy-*"}}}}
				return s
			}()},
		},
		"ClusterAdoptionAmbiguousPattern": {
			reason: "An adoption pattern where {namespace} runs into a '-' is refused like a reference pattern.",
			obj: &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "adopt-dash-" + suffix()}, Spec: func() v1alpha1.ProviderConfigSpec {
				s := spec(v1alpha1.AWSCredentialsInjectedIdentity, nil)
				s.AWS.AllowedAdoptions = &v1alpha1.AWSAllowedAdoptions{Queues: v1alpha1.AdoptionRules{{Names: v1alpha1.AdoptionPatterns{"{namespace}-*"}}}}
				return s
			}()},
			errHas: "put '/', ':', '.' or '_' next to {namespace}",
		},
		"ClusterInjectedIdentity": {
			reason: "A ClusterProviderConfig may use the provider's own identity.",
			obj:    &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "irsa-" + suffix()}, Spec: spec(v1alpha1.AWSCredentialsInjectedIdentity, nil)},
		},
		"NamespacedVaultForeignToken": {
			reason: "A ProviderConfig's Vault token Secret comes from its own namespace.",
			obj:    &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "vault-foreign"}, Spec: vaultSpec(&v1alpha1.SecretKeySelector{Namespace: "crossplane-system", Name: "t", Key: "token"})},
			errHas: "vault Secret references must omit namespace",
		},
		"NamespacedVault": {
			reason: "A ProviderConfig may use Vault with a token of its own namespace.",
			obj:    &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "vault-own"}, Spec: vaultSpec(&v1alpha1.SecretKeySelector{Name: "t", Key: "token"})},
		},
		"ClusterVaultNeedsNamespace": {
			reason: "A ClusterProviderConfig's Vault token Secret needs a namespace.",
			obj:    &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "vault-no-ns-" + suffix()}, Spec: vaultSpec(&v1alpha1.SecretKeySelector{Name: "t", Key: "token"})},
			errHas: "vault Secret references need a namespace",
		},
		"VaultSourceNeedsVault": {
			reason: "source Vault needs the vault connection block.",
			obj: &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "vault-missing-" + suffix()}, Spec: func() v1alpha1.ProviderConfigSpec {
				s := vaultSpec(&v1alpha1.SecretKeySelector{Namespace: "x", Name: "t", Key: "token"})
				s.Vault = nil
				return s
			}()},
			errHas: "needs spec.vault",
		},
		"NamespacedKubernetesForeignSA": {
			reason: "A ProviderConfig authenticates to Vault only as a service account of its own namespace.",
			obj: &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "vault-k8s-foreign"}, Spec: withVaultAuth(v1alpha1.VaultAuth{Kubernetes: &v1alpha1.VaultKubernetesAuth{
				Role: "r", ServiceAccount: &v1alpha1.ServiceAccountReference{Namespace: "kube-system", Name: "admin"},
			}})},
			errHas: "service account of its own namespace",
		},
		"TwoAuthMethods": {
			reason: "Exactly one auth method.",
			obj: &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "vault-two-" + suffix()}, Spec: withVaultAuth(v1alpha1.VaultAuth{
				Token:      &v1alpha1.VaultTokenAuth{SecretRef: v1alpha1.SecretKeySelector{Namespace: "x", Name: "t", Key: "token"}},
				Kubernetes: &v1alpha1.VaultKubernetesAuth{Role: "r", ServiceAccount: &v1alpha1.ServiceAccountReference{Namespace: "x", Name: "sa"}},
			})},
			errHas: "set exactly one auth method",
		},
		"NamespacedAllowedNamespaces": {
			reason: "A ProviderConfig cannot widen its reach with allowedNamespaces: it serves its own namespace only.",
			obj: &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "widen"}, Spec: func() v1alpha1.ProviderConfigSpec {
				s := spec(v1alpha1.AWSCredentialsSecret, secretRef(""))
				s.AllowedNamespaces = &v1alpha1.NamespaceSelection{Names: []string{"team-b"}}
				return s
			}()},
			errHas: "allowedNamespaces applies to ClusterProviderConfigs",
		},
		"ClusterEmptyAllowedNamespaces": {
			reason: "allowedNamespaces must name namespaces or select them: an empty one is ambiguous.",
			obj: &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "empty-allowed-" + suffix()}, Spec: func() v1alpha1.ProviderConfigSpec {
				s := spec(v1alpha1.AWSCredentialsSecret, secretRef("crossplane-system"))
				s.AllowedNamespaces = &v1alpha1.NamespaceSelection{}
				return s
			}()},
			errHas: "name namespaces, a selector, or both",
		},
		"GCPNamespacedFilesystem": {
			reason: "A ProviderConfig's gcp section cannot use the provider's own identity.",
			obj:    &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gcp-fs"}, Spec: gcp(v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsFilesystem, Filesystem: &v1alpha1.GCPFilesystemCredentials{Path: "/key.json"}})},
			errHas: "can only use GCP credentials from a Secret in its own namespace or from Vault",
		},
		"GCPNamespacedSecretNamespace": {
			reason: "A ProviderConfig's gcp key Secret is in its own namespace: no namespace field.",
			obj:    &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gcp-ns"}, Spec: gcp(v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsSecret, SecretRef: &v1alpha1.SecretKeySelector{Namespace: "kube-system", Name: "k", Key: "key.json"}})},
			errHas: "gcp.credentials.secretRef.namespace must be omitted",
		},
		"GCPClusterSecretNeedsNamespace": {
			reason: "A ClusterProviderConfig's gcp key Secret names its namespace.",
			obj:    &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "gcp-no-ns-" + suffix()}, Spec: gcp(v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsSecret, SecretRef: &v1alpha1.SecretKeySelector{Name: "k", Key: "key.json"}})},
			errHas: "gcp.credentials.secretRef.namespace is required",
		},
		"GCPVaultNeedsVault": {
			reason: "gcp credentials from Vault need spec.vault.",
			obj: &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "gcp-no-vault-" + suffix()}, Spec: gcp(v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsVault,
				Vault: &v1alpha1.GCPVaultCredentials{KV: &v1alpha1.VaultKVGCPCredentials{Path: "gcp/x", AccessTokenKey: "token"}}})},
			errHas: "gcp.credentials.source Vault needs spec.vault",
		},
		"GCPKVBothKeys": {
			reason: "A KV secret holds a key or a token: exactly one field.",
			obj: &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "gcp-kv-both-" + suffix()}, Spec: func() v1alpha1.ProviderConfigSpec {
				s := gcp(v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsVault, Vault: &v1alpha1.GCPVaultCredentials{KV: &v1alpha1.VaultKVGCPCredentials{Path: "gcp/x", AccessTokenKey: "t", ServiceAccountKeyKey: "k"}}})
				s.Vault = vaultSpec(&v1alpha1.SecretKeySelector{Namespace: "crossplane-system", Name: "t", Key: "token"}).Vault
				return s
			}()},
			errHas: "set exactly one of serviceAccountKeyKey and accessTokenKey",
		},
		"GCPBadProject": {
			reason: "Project IDs are 6-30 lowercase letters, digits and hyphens.",
			obj: &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "gcp-project-" + suffix()}, Spec: func() v1alpha1.ProviderConfigSpec {
				s := gcp(v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsInjectedIdentity})
				s.GCP.ProjectID = "My_Project"
				return s
			}()},
			errHas: "spec.gcp.projectID",
		},
		"GCPClusterADC": {
			reason: "A ClusterProviderConfig may use application default credentials.",
			obj:    &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "gcp-adc-" + suffix()}, Spec: gcp(v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsInjectedIdentity})},
		},
		"SecretSourceNeedsRef": {
			reason: "source Secret needs a secretRef.",
			obj:    &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "no-ref-" + suffix()}, Spec: spec(v1alpha1.AWSCredentialsSecret, nil)},
			errHas: "secretRef is required when source is Secret",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := kube.Create(context.Background(), tc.obj)
			switch {
			case tc.errHas == "" && err != nil:
				t.Errorf("%s\nunexpected rejection: %v", tc.reason, err)
			case tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)):
				t.Errorf("%s\nwant a rejection containing %q, got %v", tc.reason, tc.errHas, err)
			}
		})
	}
}

func gcp(c v1alpha1.GCPCredentials) v1alpha1.ProviderConfigSpec {
	return v1alpha1.ProviderConfigSpec{GCP: &v1alpha1.GCPConfig{ProjectID: "test-project", Credentials: c}}
}

func vaultSpec(token *v1alpha1.SecretKeySelector) v1alpha1.ProviderConfigSpec {
	return v1alpha1.ProviderConfigSpec{
		Vault: &v1alpha1.VaultConfig{Address: "http://127.0.0.1:8200", Auth: v1alpha1.VaultAuth{Token: &v1alpha1.VaultTokenAuth{SecretRef: *token}}},
		AWS: &v1alpha1.AWSConfig{Credentials: v1alpha1.AWSCredentials{
			Source: v1alpha1.AWSCredentialsVault,
			Vault:  &v1alpha1.AWSVaultCredentials{KV: &v1alpha1.VaultKVAWSCredentials{Path: "aws"}},
		}},
	}
}

func withVaultAuth(a v1alpha1.VaultAuth) v1alpha1.ProviderConfigSpec {
	s := vaultSpec(&v1alpha1.SecretKeySelector{Name: "t", Key: "token"})
	s.Vault.Auth = a
	return s
}

func spec(source v1alpha1.AWSCredentialsSource, ref *v1alpha1.AWSSecretCredentials) v1alpha1.ProviderConfigSpec {
	return v1alpha1.ProviderConfigSpec{AWS: &v1alpha1.AWSConfig{
		Credentials: v1alpha1.AWSCredentials{Source: source, SecretRef: ref},
		Endpoint:    &v1alpha1.AWSEndpoint{URL: proxy.URL, S3UsePathStyle: true},
	}}
}

// A tenant's ProviderConfig with its own Secret works end to end, cannot be deleted while in use, and a Bucket
// cannot reach another namespace's ProviderConfig.
func TestNamespacedProviderConfig(t *testing.T) {
	ns, other := namespace(t), namespace(t)
	create(t, awsSecret(ns, "creds"))
	pc := &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "tenant"}, Spec: spec(v1alpha1.AWSCredentialsSecret, &v1alpha1.AWSSecretCredentials{Name: "creds"})}
	create(t, pc)

	name := "tenant-" + suffix()
	b := bucket(ns, name)
	b.Spec.ProviderConfigReference = ref("ProviderConfig", "tenant")
	create(t, b)
	waitReady(t, ns, name)

	// In use: deletion is blocked until the Bucket is gone — even without the Bucket's usage record, which the
	// namespace controller deletes together with the config (and the credentials Secret) when the namespace goes.
	if err := kube.Delete(context.Background(), pc); err != nil {
		t.Fatal(err)
	}
	if err := kube.Delete(context.Background(), awsSecret(ns, "creds")); err != nil {
		t.Fatal(err)
	}
	if err := kube.DeleteAllOf(context.Background(), &v1alpha1.ProviderConfigUsage{}, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "ProviderConfig deletion blocked while in use", func() (bool, string) {
		cur := &v1alpha1.ProviderConfig{}
		if err := kube.Get(context.Background(), client.ObjectKeyFromObject(pc), cur); err != nil {
			return false, err.Error()
		}
		for _, c := range cur.Status.Conditions {
			if c.Status == corev1.ConditionTrue && c.Message == "Blocking deletion while 1 managed resource(s) still use it" {
				return cur.DeletionTimestamp != nil && cur.Status.Users == 1, c.Message
			}
		}
		return false, "no blocking condition yet"
	})

	// Another namespace's Bucket cannot use this ProviderConfig: it is looked up in the Bucket's own namespace.
	stranger := bucket(other, "stranger-"+suffix())
	stranger.Spec.ProviderConfigReference = ref("ProviderConfig", "tenant")
	create(t, stranger)
	waitSyncError(t, other, stranger.Name, "cannot get ProviderConfig "+other+"/tenant")
	if n := proxy.Count("CreateBucket", stranger.Name); n != 0 {
		t.Errorf("a Bucket with no usable ProviderConfig made %d CreateBucket calls", n)
	}

	// The Bucket, deleted, can still connect — with the credentials its config last resolved to — to delete its
	// bucket; then the config goes.
	deleteAndWaitGone(t, get(t, ns, name))
	if n := proxy.Count("DeleteBucket", name); n != 1 {
		t.Errorf("DeleteBucket calls for the tenant's Bucket: want 1, got %d", n)
	}
	// NOTE: the Bucket's reconcile recorded its usage again; envtest has no garbage collector to remove it with
	// the Bucket.
	if err := kube.DeleteAllOf(context.Background(), &v1alpha1.ProviderConfigUsage{}, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the ProviderConfig gone after its last Bucket", func() (bool, string) {
		err := kube.Get(context.Background(), client.ObjectKeyFromObject(pc), &v1alpha1.ProviderConfig{})
		return kerrors.IsNotFound(err), fmt.Sprint(err)
	})
}

// withRefs sets the AWS section's allowedReferences.kmsKeys.
func withRefs(s v1alpha1.ProviderConfigSpec, kmsKeys ...string) v1alpha1.ProviderConfigSpec {
	s.AWS.AllowedReferences = &v1alpha1.AWSAllowedReferences{KMSKeys: kmsKeys}
	return s
}

// keyed is n entries whose keys are keyLen characters long (distinct) and whose values are valueLen long.
func keyed(n, keyLen, valueLen int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		k := fmt.Sprintf("k%03d", i)
		m[k+strings.Repeat("k", keyLen-len(k))] = strings.Repeat("v", valueLen)
	}
	return m
}

// names is n distinct strings of length l.
func names(n, l int) []string {
	out := make([]string, n)
	for i := range out {
		s := fmt.Sprintf("n%03d", i)
		out[i] = s + strings.Repeat("a", l-len(s))
	}
	return out
}

// Issue 23 §2: the API server refuses a spec over its bounds — an over-long string, an over-long list, an
// over-large map, an over-long map key — for managed resources of both clouds and for ProviderConfigs, and
// accepts one at its bounds. Dry runs: nothing is stored, nothing reconciled.
func TestSpecBoundsCRDValidation(t *testing.T) {
	ns := namespace(t)
	s3 := func(mutate func(*s3v1alpha1.Bucket)) client.Object {
		b := bucket(ns, "bounds-"+suffix(), withPolicies("Observe"))
		mutate(b)
		return b
	}
	gcs := func(mutate func(*gcsv1alpha1.Bucket)) client.Object {
		return gcsBucket(ns, "bounds-"+suffix(), func(b *gcsv1alpha1.Bucket) {
			b.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
			mutate(b)
		})
	}
	pc := func(mutate func(*v1alpha1.ProviderConfigSpec)) client.Object {
		s := spec(v1alpha1.AWSCredentialsSecret, &v1alpha1.AWSSecretCredentials{Name: "creds"})
		mutate(&s)
		return &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bounds-" + suffix()}, Spec: s}
	}
	cpc := func(mutate func(*v1alpha1.ProviderConfigSpec)) client.Object {
		s := spec(v1alpha1.AWSCredentialsInjectedIdentity, nil)
		mutate(&s)
		return &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "bounds-" + suffix()}, Spec: s}
	}
	include := func(n int) ddbv1alpha1.Projection {
		return ddbv1alpha1.Projection{Type: "INCLUDE", NonKeyAttributes: names(n, 8)}
	}
	indexes := func(a, b int) func(*ddbv1alpha1.Table) {
		return func(tb *ddbv1alpha1.Table) {
			tb.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
			tb.Spec.ForProvider.GlobalSecondaryIndexes = []ddbv1alpha1.GlobalSecondaryIndex{
				{IndexName: "by-user", HashKey: "user", Projection: include(a), ProvisionedThroughput: &ddbv1alpha1.Throughput{ReadCapacityUnits: 1, WriteCapacityUnits: 1}},
				{IndexName: "by-kind", HashKey: "kind", Projection: include(b), ProvisionedThroughput: &ddbv1alpha1.Throughput{ReadCapacityUnits: 1, WriteCapacityUnits: 1}},
			}
		}
	}
	lifecycle := func(n int) []s3v1alpha1.LifecycleRule {
		rules := make([]s3v1alpha1.LifecycleRule, n)
		for i := range rules {
			rules[i] = s3v1alpha1.LifecycleRule{ID: fmt.Sprintf("r%d", i), ExpirationDays: ptr.To[int32](30)}
		}
		return rules
	}
	cases := map[string]struct {
		reason string
		obj    client.Object
		errHas string // "" when the object is accepted
	}{
		// AWS: an S3 Bucket.
		"S3AtTheBounds": {
			reason: "40 tags of 128-character keys and 256-character values, 16 lifecycle rules, 32 CORS origins and headers: at the bounds, accepted.",
			obj: s3(func(b *s3v1alpha1.Bucket) {
				b.Spec.ForProvider.Tags = keyed(40, 128, 256)
				b.Spec.ForProvider.Lifecycle = &s3v1alpha1.Lifecycle{Rules: lifecycle(16)}
				b.Spec.ForProvider.CORS = &s3v1alpha1.CORS{Rules: []s3v1alpha1.CORSRule{
					{AllowedMethods: []string{"GET"}, AllowedOrigins: names(16, 300), AllowedHeaders: names(8, 128)},
					{AllowedMethods: []string{"PUT"}, AllowedOrigins: names(1, 300), ExposeHeaders: names(7, 128)},
				}}
			}),
		},
		"S3LongString": {
			reason: "A KMS key ID is at most 2048 characters (KMS).",
			obj: s3(func(b *s3v1alpha1.Bucket) {
				b.Spec.ForProvider.ServerSideEncryption = &s3v1alpha1.ServerSideEncryption{Algorithm: "aws:kms", KMSKeyID: ptr.To(strings.Repeat("k", 2049))}
			}),
			errHas: "spec.forProvider.serverSideEncryption.kmsKeyID: Too long",
		},
		"S3LongList": {
			reason: "At most 16 lifecycle rules.",
			obj:    s3(func(b *s3v1alpha1.Bucket) { b.Spec.ForProvider.Lifecycle = &s3v1alpha1.Lifecycle{Rules: lifecycle(17)} }),
			errHas: "spec.forProvider.lifecycle.rules: Too many: 17: must have at most 16 items",
		},
		"S3LargeMap": {
			reason: "At most 40 tags.",
			obj:    s3(func(b *s3v1alpha1.Bucket) { b.Spec.ForProvider.Tags = keyed(41, 8, 8) }),
			errHas: "spec.forProvider.tags: Too many: 41: must have at most 40 items",
		},
		"S3LongMapKey": {
			reason: "A tag key is at most 128 characters (AWS): the schema cannot say it, a CEL rule does.",
			obj:    s3(func(b *s3v1alpha1.Bucket) { b.Spec.ForProvider.Tags = keyed(1, 129, 1) }),
			errHas: "tag keys are at most 128 characters and values at most 256",
		},
		"S3LongMapValue": {
			reason: "A tag value is at most 256 characters (AWS).",
			obj:    s3(func(b *s3v1alpha1.Bucket) { b.Spec.ForProvider.Tags = keyed(1, 8, 257) }),
			errHas: "tag keys are at most 128 characters and values at most 256",
		},
		"S3CORSPool": {
			reason: "At most 32 origins and headers across all the CORS rules.",
			obj: s3(func(b *s3v1alpha1.Bucket) {
				b.Spec.ForProvider.CORS = &s3v1alpha1.CORS{Rules: []s3v1alpha1.CORSRule{
					{AllowedMethods: []string{"GET"}, AllowedOrigins: names(17, 8)},
					{AllowedMethods: []string{"GET"}, AllowedOrigins: names(16, 8)},
				}}
			}),
			errHas: "the rules have at most 32 allowedOrigins, allowedHeaders and exposeHeaders entries in all",
		},
		"ManagementPolicies": {
			reason: "crossplane's managementPolicies is bounded by a rule on the spec: at most 6 entries.",
			obj:    bucket(ns, "bounds-"+suffix(), withPolicies("Observe", "Observe", "Observe", "Observe", "Observe", "Observe", "Observe")),
			errHas: "managementPolicies has at most 6 entries",
		},
		"ProviderConfigRefName": {
			reason: "crossplane's providerConfigRef.name is a Kubernetes object name: at most 253 characters.",
			obj: s3(func(b *s3v1alpha1.Bucket) {
				b.Spec.ProviderConfigReference = ref("ProviderConfig", strings.Repeat("p", 254))
			}),
			errHas: "providerConfigRef: kind is at most 63 characters, name at most 253",
		},
		"ConnectionSecretName": {
			reason: "crossplane's writeConnectionSecretToRef.name is a Secret name: at most 253 characters.",
			obj: s3(func(b *s3v1alpha1.Bucket) {
				b.Spec.WriteConnectionSecretToReference = &xpv2.LocalSecretReference{Name: strings.Repeat("s", 254)}
			}),
			errHas: "writeConnectionSecretToRef.name is at most 253 characters",
		},

		// AWS: a DynamoDB Table's indexes project at most 100 attributes in all, and an SQS Queue's selector.
		"DynamoDBProjectionsAtTheBound": {
			reason: "100 projected attributes across the indexes: accepted.",
			obj:    table(ns, "bounds-"+suffix(), indexes(50, 50)),
		},
		"DynamoDBProjectionsPool": {
			reason: "DynamoDB takes at most 100 nonKeyAttributes across a table's indexes.",
			obj:    table(ns, "bounds-"+suffix(), indexes(51, 50)),
			errHas: "the indexes project at most 100 nonKeyAttributes in all",
		},
		"SQSSelectorLabels": {
			reason: "crossplane's selector is bounded by rules on the field: at most 16 labels.",
			obj: queue(ns, "bounds-"+suffix(), func(q *sqsv1alpha1.Queue) {
				q.Spec.ForProvider.RedrivePolicy = &sqsv1alpha1.RedrivePolicy{MaxReceiveCount: 3, DeadLetterTargetSelector: &xpv2.NamespacedSelector{MatchLabels: keyed(17, 8, 8)}}
			}),
			errHas: "matchLabels has at most 16 labels",
		},
		"SQSReferenceName": {
			reason: "crossplane's reference name is a Kubernetes object name: at most 253 characters.",
			obj: queue(ns, "bounds-"+suffix(), func(q *sqsv1alpha1.Queue) {
				q.Spec.ForProvider.RedrivePolicy = &sqsv1alpha1.RedrivePolicy{MaxReceiveCount: 3, DeadLetterTargetRef: &xpv2.NamespacedReference{Name: strings.Repeat("q", 254)}}
			}),
			errHas: "name is at most 253 characters",
		},

		// GCP: a Cloud Storage Bucket and a Pub/Sub Subscription.
		"GCSAtTheBounds": {
			reason: "60 labels of 63-character keys and values, 32 prefixes of 1024 characters: at the bounds, accepted.",
			obj: gcs(func(b *gcsv1alpha1.Bucket) {
				b.Spec.ForProvider.Labels = keyed(60, 63, 63)
				b.Spec.ForProvider.LifecycleRules = []gcsv1alpha1.LifecycleRule{{
					Action:    gcsv1alpha1.LifecycleAction{Type: "Delete"},
					Condition: gcsv1alpha1.LifecycleCondition{MatchesPrefix: names(32, 1024)},
				}}
			}),
		},
		"GCSLongString": {
			reason: "An object name prefix is at most 1024 characters (an object name is at most 1024 bytes).",
			obj: gcs(func(b *gcsv1alpha1.Bucket) {
				b.Spec.ForProvider.LifecycleRules = []gcsv1alpha1.LifecycleRule{{
					Action: gcsv1alpha1.LifecycleAction{Type: "Delete"}, Condition: gcsv1alpha1.LifecycleCondition{MatchesPrefix: names(1, 1025)},
				}}
			}),
			errHas: "spec.forProvider.lifecycleRules[0].condition.matchesPrefix[0]: Too long",
		},
		"GCSLongList": {
			reason: "At most 32 prefixes in a rule.",
			obj: gcs(func(b *gcsv1alpha1.Bucket) {
				b.Spec.ForProvider.LifecycleRules = []gcsv1alpha1.LifecycleRule{{
					Action: gcsv1alpha1.LifecycleAction{Type: "Delete"}, Condition: gcsv1alpha1.LifecycleCondition{MatchesPrefix: names(33, 8)},
				}}
			}),
			errHas: "spec.forProvider.lifecycleRules[0].condition.matchesPrefix: Too many: 33: must have at most 32 items",
		},
		"GCSPrefixPool": {
			reason: "At most 32 prefixes and suffixes across all the rules.",
			obj: gcs(func(b *gcsv1alpha1.Bucket) {
				b.Spec.ForProvider.LifecycleRules = []gcsv1alpha1.LifecycleRule{
					{Action: gcsv1alpha1.LifecycleAction{Type: "Delete"}, Condition: gcsv1alpha1.LifecycleCondition{MatchesPrefix: names(20, 8)}},
					{Action: gcsv1alpha1.LifecycleAction{Type: "Delete"}, Condition: gcsv1alpha1.LifecycleCondition{MatchesSuffix: names(13, 8)}},
				}
			}),
			errHas: "the rules have at most 32 matchesPrefix and matchesSuffix entries in all",
		},
		"GCSLargeMap": {
			reason: "At most 60 labels.",
			obj:    gcs(func(b *gcsv1alpha1.Bucket) { b.Spec.ForProvider.Labels = keyed(61, 8, 8) }),
			errHas: "spec.forProvider.labels: Too many: 61: must have at most 60 items",
		},
		"GCSLongMapKey": {
			reason: "A label key is at most 63 characters (Google Cloud).",
			obj:    gcs(func(b *gcsv1alpha1.Bucket) { b.Spec.ForProvider.Labels = keyed(1, 64, 1) }),
			errHas: "label keys and values are at most 63 characters",
		},
		"PubSubSelectorLabelKey": {
			reason: "A label key of a selector is at most 317 characters (a 253-character prefix, '/', a 63-character name).",
			obj: subscription(ns, "bounds-"+suffix(), func(s *pubsubv1alpha1.Subscription) {
				s.Spec.ForProvider.TopicSelector = &xpv2.NamespacedSelector{MatchLabels: keyed(1, 318, 1)}
			}),
			errHas: "a label key is at most 317 characters",
		},
		"PubSubReferenceName": {
			reason: "A Topic reference names a Kubernetes object: at most 253 characters.",
			obj: subscription(ns, "bounds-"+suffix(), func(s *pubsubv1alpha1.Subscription) {
				s.Spec.ForProvider.TopicRef = &xpv2.NamespacedReference{Name: strings.Repeat("t", 254)}
			}),
			errHas: "name is at most 253 characters",
		},

		// A tenant's ProviderConfig, and a ClusterProviderConfig's selector (metav1.LabelSelector's fields, bounded).
		"ProviderConfigAtTheBounds": {
			reason: "40 default tags at AWS's lengths, 32 default labels at Google Cloud's: accepted.",
			obj: pc(func(s *v1alpha1.ProviderConfigSpec) {
				s.AWS.DefaultTags = keyed(40, 128, 256)
				s.GCP = &v1alpha1.GCPConfig{ProjectID: "bounds-project", Credentials: v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsSecret, SecretRef: &v1alpha1.SecretKeySelector{Name: "k", Key: "key.json"}}, DefaultLabels: keyed(32, 63, 63)}
			}),
		},
		"ProviderConfigLongString": {
			reason: "An endpoint URL is at most 2048 characters.",
			obj:    pc(func(s *v1alpha1.ProviderConfigSpec) { s.AWS.Endpoint.URL = "https://" + strings.Repeat("e", 2041) }),
			errHas: "spec.aws.endpoint.url: Too long",
		},
		"ProviderConfigLongList": {
			reason: "At most 20 ignored tag prefixes.",
			obj:    pc(func(s *v1alpha1.ProviderConfigSpec) { s.AWS.IgnoreTagPrefixes = names(21, 8) }),
			errHas: "spec.aws.ignoreTagPrefixes: Too many: 21: must have at most 20 items",
		},
		"ProviderConfigLargeMap": {
			reason: "At most 40 default tags.",
			obj:    pc(func(s *v1alpha1.ProviderConfigSpec) { s.AWS.DefaultTags = keyed(41, 8, 8) }),
			errHas: "spec.aws.defaultTags: Too many: 41: must have at most 40 items",
		},
		"ProviderConfigLongMapKey": {
			reason: "A default tag key is at most 128 characters (AWS).",
			obj:    pc(func(s *v1alpha1.ProviderConfigSpec) { s.AWS.DefaultTags = keyed(1, 129, 1) }),
			errHas: "tag keys are at most 128 characters and values at most 256",
		},
		"ProviderConfigVaultPath": {
			reason: "A Vault secret path is at most 2048 characters.",
			obj: pc(func(s *v1alpha1.ProviderConfigSpec) {
				*s = vaultSpec(&v1alpha1.SecretKeySelector{Name: "t", Key: "token"})
				s.AWS.Credentials.Vault.KV.Path = strings.Repeat("p", 2049)
			}),
			errHas: "spec.aws.credentials.vault.kv.path: Too long",
		},
		"ClusterProviderConfigSelectorLabels": {
			reason: "allowedNamespaces.selector has at most 16 labels.",
			obj: cpc(func(s *v1alpha1.ProviderConfigSpec) {
				s.AllowedNamespaces = &v1alpha1.NamespaceSelection{Selector: &v1alpha1.LabelSelector{MatchLabels: keyed(17, 8, 8)}}
			}),
			errHas: "spec.allowedNamespaces.selector.matchLabels: Too many: 17: must have at most 16 items",
		},
		"ClusterProviderConfigSelectorValues": {
			reason: "An expression of allowedNamespaces.selector has at most 64 values.",
			obj: cpc(func(s *v1alpha1.ProviderConfigSpec) {
				s.AllowedNamespaces = &v1alpha1.NamespaceSelection{Selector: &v1alpha1.LabelSelector{MatchExpressions: []v1alpha1.LabelSelectorRequirement{
					{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: names(65, 8)},
				}}}
			}),
			errHas: "spec.allowedNamespaces.selector.matchExpressions[0].values: Too many: 65: must have at most 64 items",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := kube.Create(context.Background(), tc.obj, client.DryRunAll)
			switch {
			case tc.errHas == "" && err != nil:
				t.Errorf("%s\nunexpected rejection: %v", tc.reason, err)
			case tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)):
				t.Errorf("%s\nwant a rejection containing %q, got %v", tc.reason, tc.errHas, err)
			}
		})
	}
}
