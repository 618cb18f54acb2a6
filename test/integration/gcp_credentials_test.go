//go:build integration

package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/hashicorp/vault/api"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/gcptest"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// Google Cloud credentials held in the real Vault's KV v2: an OAuth access token, read once and again after its
// refresh interval (a rotated token is picked up, with no Vault read per token request), and a service-account
// key, whose assertion goes to the token endpoint the key names (a stand-in: Google's token endpoint cannot be
// reached here). No GCP kind exists yet, so the test drives a resolver of its own over the test's API server.
func TestGCPCredentialsFromVaultKV(t *testing.T) {
	ctx := context.Background()
	tokens := gcptest.NewTokenServer(t)
	email := "kv-deployer@test-project.iam.gserviceaccount.com"
	path := "gcp/" + suffix()
	if _, err := vault.Admin.KVv2("secret").Put(ctx, path, map[string]any{"token": "ya29.canary-first-" + path, "key": string(tokens.Key(email))}); err != nil {
		t.Fatal(err)
	}
	canary("ya29.canary-first-" + path)
	policy := "read-" + strings.ReplaceAll(path, "/", "-")
	if err := vault.Admin.Sys().PutPolicyWithContext(ctx, policy, fmt.Sprintf(`path "secret/data/%s" { capabilities = ["read"] }`, path)); err != nil {
		t.Fatal(err)
	}
	tok, err := vault.Admin.Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{Policies: []string{policy}, TTL: "1h"})
	if err != nil {
		t.Fatal(err)
	}
	canary(tok.Auth.ClientToken)
	cfgToken, cfgKey := "gcp-kv-token-"+suffix(), "gcp-kv-key-"+suffix()
	tokenSecret(t, cfgToken, tok.Auth.ClientToken)
	kv := func(c v1alpha1.VaultKVGCPCredentials) *v1alpha1.ClusterProviderConfig {
		c.Path = path
		return &v1alpha1.ClusterProviderConfig{Spec: v1alpha1.ProviderConfigSpec{
			Vault: &v1alpha1.VaultConfig{Address: vaultProxy.URL, Auth: tokenAuth(cfgToken)},
			GCP:   &v1alpha1.GCPConfig{ProjectID: "test-project", Credentials: v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsVault, Vault: &v1alpha1.GCPVaultCredentials{KV: &c}}},
		}}
	}
	withToken := kv(v1alpha1.VaultKVGCPCredentials{AccessTokenKey: "token", RefreshInterval: "1s"})
	withToken.Name = cfgToken
	withKey := kv(v1alpha1.VaultKVGCPCredentials{ServiceAccountKeyKey: "key"})
	withKey.Name = cfgKey
	create(t, withToken)
	create(t, withKey)

	r := credentials.NewResolver(kube, kube, kube)
	user := func(cfg string) *s3v1alpha1.Bucket {
		b := &s3v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "gcp-user"}}
		b.Spec.ProviderConfigReference = &xpv2.ProviderConfigReference{Kind: "ClusterProviderConfig", Name: cfg}
		return b
	}
	reads := func() int { return vaultProxy.Count("GET /v1/secret/data/"+path, "") }

	a, err := r.GCP(ctx, user(cfgToken))
	if err != nil {
		t.Fatal(err)
	}
	first, err := a.TokenSource.Token()
	if err != nil || first.AccessToken != "ya29.canary-first-"+path {
		t.Fatalf("the access token from Vault: %v %v", first, err)
	}
	before := reads()
	for range 5 {
		if _, err := a.TokenSource.Token(); err != nil {
			t.Fatal(err)
		}
	}
	if n := reads() - before; n != 0 {
		t.Errorf("Vault reads for 5 token requests within the refresh interval: want 0, got %d", n)
	}
	if _, err := vault.Admin.KVv2("secret").Patch(ctx, path, map[string]any{"token": "ya29.canary-second-" + path}); err != nil {
		t.Fatal(err)
	}
	canary("ya29.canary-second-" + path)
	eventually(t, "the rotated access token", func() (bool, string) {
		tk, err := a.TokenSource.Token()
		if err != nil {
			return false, err.Error()
		}
		return tk.AccessToken == "ya29.canary-second-"+path, "still the first token"
	})
	if s := r.Status(credentials.ConfigRef{Kind: "ClusterProviderConfig", Name: cfgToken}); s.GCP == nil || s.GCP.Kind != "kv" || s.GCP.Err != "" {
		t.Errorf("the config's GCP credential status: %+v", s.GCP)
	}

	k, err := r.GCP(ctx, user(cfgKey))
	if err != nil {
		t.Fatal(err)
	}
	kt, err := k.TokenSource.Token()
	if err != nil || kt.AccessToken != gcptest.Token(email) {
		t.Fatalf("the service-account key from Vault did not get its token: %v %v", kt, err)
	}
	if len(tokens.Assertions) != 1 || tokens.Assertions[0]["iss"] != email {
		t.Errorf("assertions the key's token endpoint received: %v", tokens.Assertions)
	}
	if n := len(vaultProxy.Calls(func(c harness.Call) bool { return c.AccessKey == tok.Auth.ClientToken })); n == 0 {
		t.Error("no Vault call was made with the config's token")
	}
}
