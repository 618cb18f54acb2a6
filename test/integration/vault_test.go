//go:build integration

package integration

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/vault/api"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// vaultConfig returns a ClusterProviderConfig reading AWS keys from the KV secret at path, logging in with the
// token in Secret crossplane-system/<tokenSecret>.
func vaultConfig(name, tokenSecret, path string) *v1alpha1.ClusterProviderConfig {
	return &v1alpha1.ClusterProviderConfig{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: v1alpha1.ProviderConfigSpec{
			Vault: &v1alpha1.VaultConfig{
				Address: vaultProxy.URL,
				Auth:    tokenAuth(tokenSecret),
			},
			AWS: &v1alpha1.AWSConfig{
				Credentials: v1alpha1.AWSCredentials{Source: v1alpha1.AWSCredentialsVault, Vault: &v1alpha1.AWSVaultCredentials{KV: &v1alpha1.VaultKVAWSCredentials{Path: path}}},
				Endpoint:    &v1alpha1.AWSEndpoint{URL: proxy.URL, S3UsePathStyle: true},
			},
		},
	}
}

func tokenSecret(t *testing.T, name, token string) {
	t.Helper()
	s := awsSecret("crossplane-system", name)
	s.StringData = map[string]string{"token": token}
	create(t, s)
}

// Static AWS keys from Vault KV v2 sign the S3 calls; Vault is read once, not per reconcile.
func TestVaultKVCredentials(t *testing.T) {
	path := "aws/static-" + suffix()
	// A token of this config's own, so that its Vault calls can be told from other configs' background ones.
	policy := kvWithPolicy(t, path, "AKIAVAULTKVEXAMPLE01")
	tok, err := vault.Admin.Auth().Token().CreateWithContext(context.Background(), &api.TokenCreateRequest{Policies: []string{policy}, TTL: "1h", Renewable: ptrBool(false)})
	if err != nil {
		t.Fatal(err)
	}
	canary(tok.Auth.ClientToken)
	cfgName := "vault-kv-" + suffix()
	tokenSecret(t, cfgName, tok.Auth.ClientToken)
	create(t, vaultConfig(cfgName, cfgName, path))
	ownCalls := func() int {
		return len(vaultProxy.Calls(func(c harness.Call) bool { return c.AccessKey == tok.Auth.ClientToken }))
	}

	ns := namespace(t)
	var names []string
	for i := 0; i < 3; i++ {
		b := bucket(ns, "vault-"+suffix())
		b.Spec.ProviderConfigReference = ref("ClusterProviderConfig", cfgName)
		create(t, b)
		names = append(names, b.Name)
	}
	for _, n := range names {
		waitReady(t, ns, n)
	}
	heads := proxy.Count("HeadBucket", names[0])
	vaultCalls := ownCalls()
	eventually(t, "two more polls", func() (bool, string) { return proxy.Count("HeadBucket", names[0])-heads >= 2, "" })
	if n := ownCalls() - vaultCalls; n != 0 {
		t.Errorf("Vault calls during two polls of 3 Buckets in steady state: want 0, got %d", n)
	}

	reads := vaultProxy.Count("GET /v1/secret/data/"+path, "")
	if reads != 1 {
		t.Errorf("Vault KV reads for 3 Buckets over several polls: want 1, got %d", reads)
	}
	assertSignedWith(t, proxy, names[0], "AKIAVAULTKVEXAMPLE01")
}

// The token in the ProviderConfig's Secret is the only one used: VAULT_TOKEN in the provider's environment (set to
// the root token by TestMain) is ignored, so a bad token fails clearly instead of silently using another identity.
func TestVaultIgnoresEnvironmentToken(t *testing.T) {
	path := "aws/env-" + suffix()
	if _, err := vault.Admin.KVv2("secret").Put(context.Background(), path, map[string]any{"access_key_id": "AKIAENV", "secret_access_key": "x"}); err != nil {
		t.Fatal(err)
	}
	cfgName := "vault-bad-" + suffix()
	tokenSecret(t, cfgName, "hvs.not-a-valid-token")
	create(t, vaultConfig(cfgName, cfgName, path))
	ns := namespace(t)
	b := bucket(ns, "envtok-"+suffix())
	b.Spec.ProviderConfigReference = ref("ClusterProviderConfig", cfgName)
	create(t, b)
	got := waitSyncError(t, ns, b.Name, "Vault answered HTTP 403: permission denied")
	if n := proxy.Count("CreateBucket", b.Name); n != 0 {
		t.Errorf("CreateBucket with no credentials: %d calls", n)
	}
	for _, c := range got.Status.Conditions {
		if strings.Contains(c.Message, "not-a-valid-token") || strings.Contains(c.Message, vaultRootToken) {
			t.Errorf("condition %s carries a token", c.Type)
		}
	}
	logs, _ := os.ReadFile(filepath.Join(harness.RepoRoot(), "_output", "integration", "provider.log"))
	for _, canary := range []string{vaultRootToken, "canary-vault-kv-secret", "not-a-valid-token"} {
		if strings.Contains(string(logs), canary) {
			t.Errorf("the provider's debug log carries %q", canary)
		}
	}
}
