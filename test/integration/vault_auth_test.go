//go:build integration

package integration

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/vault/api"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

var vaultKubernetesOnce sync.Once

// setupVaultKubernetes enables Vault's Kubernetes auth against the test apiserver (the recipe in
// shared/docs/toolchain.md), once.
func setupVaultKubernetes(t *testing.T) {
	t.Helper()
	vaultKubernetesOnce.Do(func() {
		if err := harness.ConfigureVaultKubernetes(context.Background(), vault.Admin, kube, restCfg); err != nil {
			t.Fatalf("setting up Vault's Kubernetes auth: %v", err)
		}
	})
}

var vaultAppRoleOnce sync.Once

// kvWithPolicy writes AWS keys at secret/<path> and a policy that can read only them.
func kvWithPolicy(t *testing.T, path, accessKey string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := vault.Admin.KVv2("secret").Put(ctx, path, map[string]any{"access_key_id": accessKey, "secret_access_key": "canary-vault-" + path}); err != nil {
		t.Fatal(err)
	}
	policy := "read-" + strings.ReplaceAll(path, "/", "-")
	if err := vault.Admin.Sys().PutPolicyWithContext(ctx, policy, fmt.Sprintf(`path "secret/data/%s" { capabilities = ["read"] }`, path)); err != nil {
		t.Fatal(err)
	}
	return policy
}

func vaultAWS(path string) *v1alpha1.AWSConfig {
	return &v1alpha1.AWSConfig{
		Credentials: v1alpha1.AWSCredentials{Source: v1alpha1.AWSCredentialsVault, Vault: &v1alpha1.AWSVaultCredentials{KV: &v1alpha1.VaultKVAWSCredentials{Path: path}}},
		Endpoint:    &v1alpha1.AWSEndpoint{URL: proxy.URL, S3UsePathStyle: true},
	}
}

// A tenant's ProviderConfig logs in to Vault as a service account of its own namespace; the same config in another
// namespace cannot use that Vault role.
func TestVaultKubernetesAuth(t *testing.T) {
	setupVaultKubernetes(t)
	ctx := context.Background()
	ns, other := namespace(t), namespace(t)
	path := "aws/k8s-" + suffix()
	policy := kvWithPolicy(t, path, "AKIAVAULTK8SEXAMPLE1")
	role := "tenant-" + ns
	if _, err := vault.Admin.Logical().WriteWithContext(ctx, "auth/kubernetes/role/"+role, map[string]any{
		"bound_service_account_names": "tenant", "bound_service_account_namespaces": ns, "policies": policy, "ttl": "1h", "audience": "vault",
	}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{ns, other} {
		create(t, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: n, Name: "tenant",
			Annotations: map[string]string{credentials.AnnotationVaultAuth: "ProviderConfig/vault"}}})
		create(t, &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: n, Name: "vault"}, Spec: v1alpha1.ProviderConfigSpec{
			Vault: &v1alpha1.VaultConfig{Address: vaultProxy.URL, Auth: v1alpha1.VaultAuth{Kubernetes: &v1alpha1.VaultKubernetesAuth{
				Role: role, ServiceAccount: &v1alpha1.ServiceAccountReference{Name: "tenant"},
			}}},
			AWS: vaultAWS(path),
		}})
	}

	b := bucket(ns, "k8sauth-"+suffix())
	b.Spec.ProviderConfigReference = ref("ProviderConfig", "vault")
	create(t, b)
	waitReady(t, ns, b.Name)
	assertSignedWith(t, proxy, b.Name, "AKIAVAULTK8SEXAMPLE1")

	// The other namespace's service account is not bound to the role: the login is refused.
	stranger := bucket(other, "k8sdeny-"+suffix())
	stranger.Spec.ProviderConfigReference = ref("ProviderConfig", "vault")
	create(t, stranger)
	waitSyncError(t, other, stranger.Name, "cannot log in to Vault: Vault answered HTTP 403: namespace not authorized")
	if n := proxy.Count("CreateBucket", stranger.Name); n != 0 {
		t.Errorf("CreateBucket without Vault credentials: %d calls", n)
	}
}

// AppRole: a ClusterProviderConfig logs in with a role ID and a secret ID from a Secret.
func TestVaultAppRoleAuth(t *testing.T) {
	path := "aws/approle-" + suffix()
	role := appRole(t, kvWithPolicy(t, path, "AKIAVAULTAPPROLE0001"))
	create(t, &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: role.Name}, Spec: v1alpha1.ProviderConfigSpec{
		Vault: &v1alpha1.VaultConfig{Address: vaultProxy.URL, Auth: v1alpha1.VaultAuth{AppRole: role.VaultAppRoleAuth}},
		AWS:   vaultAWS(path),
	}})
	ns := namespace(t)
	b := bucket(ns, "approle-"+suffix())
	b.Spec.ProviderConfigReference = ref("ClusterProviderConfig", role.Name)
	create(t, b)
	waitReady(t, ns, b.Name)
	if n := vaultProxy.Count("PUT /v1/auth/approle/login", ""); n < 1 {
		t.Errorf("no AppRole login seen")
	}
	assertSignedWith(t, proxy, b.Name, "AKIAVAULTAPPROLE0001")
}

// namedAppRole is an AppRole auth block with the name used for its role, Secret and config.
type namedAppRole struct {
	*v1alpha1.VaultAppRoleAuth
	Name string
}

// appRole enables AppRole auth (once), makes a role with policy and a secret ID, and stores the secret ID in
// Secret crossplane-system/<name>.
func appRole(t *testing.T, policy string) namedAppRole {
	t.Helper()
	return appRoleWith(t, policy, "1h", "")
}

// appRoleWith is appRole with the tokens' TTL and max TTL (empty: Vault's default).
func appRoleWith(t *testing.T, policy, ttl, maxTTL string) namedAppRole {
	t.Helper()
	ctx := context.Background()
	vaultAppRoleOnce.Do(func() {
		if err := vault.Admin.Sys().EnableAuthWithOptionsWithContext(ctx, "approle", &api.EnableAuthOptions{Type: "approle"}); err != nil {
			t.Fatal(err)
		}
	})
	name := "approle-" + suffix()
	if _, err := vault.Admin.Logical().WriteWithContext(ctx, "auth/approle/role/"+name, map[string]any{"token_policies": policy, "token_ttl": ttl, "token_max_ttl": maxTTL}); err != nil {
		t.Fatal(err)
	}
	rid, err := vault.Admin.Logical().ReadWithContext(ctx, "auth/approle/role/"+name+"/role-id")
	if err != nil {
		t.Fatal(err)
	}
	sid, err := vault.Admin.Logical().WriteWithContext(ctx, "auth/approle/role/"+name+"/secret-id", nil)
	if err != nil {
		t.Fatal(err)
	}
	s := awsSecret("crossplane-system", name)
	s.StringData = map[string]string{"secret_id": sid.Data["secret_id"].(string)}
	canary(s.StringData["secret_id"])
	create(t, s)
	return namedAppRole{Name: name, VaultAppRoleAuth: &v1alpha1.VaultAppRoleAuth{
		RoleID: rid.Data["role_id"].(string), SecretIDRef: v1alpha1.SecretKeySelector{Namespace: "crossplane-system", Name: name, Key: "secret_id"},
	}}
}

// assertSignedWith checks that every call p saw for bucket was signed with key.
func assertSignedWith(t *testing.T, p *harness.Proxy, bucket, key string) {
	t.Helper()
	for _, c := range p.Calls(func(c harness.Call) bool { return c.Bucket == bucket }) {
		if c.AccessKey != key {
			t.Fatalf("%s on %s was signed with %q, not %q", c.Operation, bucket, c.AccessKey, key)
		}
	}
}
