//go:build integration

package integration

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// The fault tests are not parallel: a sealed or paused Vault would fail every other Vault test.

// kvKey writes a fresh KV key and returns its path.
func kvKey(t *testing.T, prefix, accessKey string) string {
	t.Helper()
	path := "aws/" + prefix + "-" + suffix()
	if _, err := vault.Admin.KVv2("secret").Put(context.Background(), path, map[string]any{"access_key_id": accessKey, "secret_access_key": "canary-vault-" + prefix}); err != nil {
		t.Fatal(err)
	}
	return path
}

// kvBucket makes a token-auth config reading the KV key at path and a Bucket using it, and returns the Bucket's
// namespace and name.
func kvBucket(t *testing.T, prefix, path string) (cfgName, ns, name string) {
	t.Helper()
	cfgName = "vault-" + prefix + "-" + suffix()
	tokenSecret(t, cfgName, vaultRootToken)
	create(t, vaultConfig(cfgName, cfgName, path))
	ns = namespace(t)
	b := bucket(ns, prefix+"-"+suffix())
	b.Spec.ProviderConfigReference = ref("ClusterProviderConfig", cfgName)
	create(t, b)
	return cfgName, ns, b.Name
}

// Vault sealed, then unsealed with the dev server's unseal key: resources whose credentials are cached keep
// working, a new one reports "Vault is sealed", and it recovers by itself after the unseal.
func TestVaultSealed(t *testing.T) {
	ctx := context.Background()
	_, cachedNS, cached := kvBucket(t, "cached", kvKey(t, "cached", "AKIAVAULTCACHED00001"))
	waitReady(t, cachedNS, cached)
	sealedPath := kvKey(t, "sealed", "AKIAVAULTSEALED00001")

	if err := vault.Seal(ctx); err != nil {
		t.Fatal(err)
	}
	unsealed := false
	t.Cleanup(func() {
		if !unsealed {
			_ = vault.Unseal(context.Background())
		}
	})
	cfgName, ns, name := kvBucket(t, "sealed", sealedPath)
	waitSyncError(t, ns, name, "Vault answered HTTP 503: Vault is sealed")
	c := waitConfigReady(t, cfgName, corev1.ConditionFalse, "VaultUnavailable")
	if msg := c.Status.GetCondition(xpv2.TypeReady).Message; !strings.Contains(msg, "Vault is sealed") {
		t.Errorf("the config's Ready message: %q", msg)
	}
	heads := proxy.Count("HeadBucket", cached)
	eventually(t, "polls of the Bucket with cached credentials while sealed", func() (bool, string) {
		return proxy.Count("HeadBucket", cached)-heads >= 2, ""
	})
	if s := get(t, cachedNS, cached).GetCondition(xpv2.TypeSynced); s.Status != corev1.ConditionTrue {
		t.Errorf("cached credentials need no Vault: %s", s.Message)
	}

	if err := vault.Unseal(ctx); err != nil {
		t.Fatal(err)
	}
	unsealed = true
	waitReady(t, ns, name)
	waitConfigReady(t, cfgName, corev1.ConditionTrue, "VaultAuthenticated")
}

// Vault paused for 30 s (SIGSTOP: connections accepted, nothing answers): the resource that needs it reports a
// timeout, the provider keeps serving everything else, and the resource recovers by itself after SIGCONT.
func TestVaultPaused(t *testing.T) {
	path := kvKey(t, "paused", "AKIAVAULTPAUSED00001")
	if err := vault.Pause(); err != nil {
		t.Fatal(err)
	}
	paused := time.Now()
	resumed := false
	t.Cleanup(func() {
		if !resumed {
			_ = vault.Resume()
		}
	})
	_, ns, name := kvBucket(t, "paused", path)
	waitSyncError(t, ns, name, "Vault did not answer in time")

	// Resources that do not need Vault are unaffected.
	other := bucket(namespace(t), "unpaused-"+suffix())
	create(t, other)
	waitReady(t, other.Namespace, other.Name)

	eventually(t, "30 s of pause", func() (bool, string) { return time.Since(paused) >= 30*time.Second, "" })
	if err := vault.Resume(); err != nil {
		t.Fatal(err)
	}
	resumed = true
	waitReady(t, ns, name)
}

// An https Vault is verified: with its CA in caBundle the config works; without it the certificate is refused,
// even with VAULT_SKIP_VERIFY and VAULT_CACERT in the provider's environment.
func TestVaultTLS(t *testing.T) {
	ctx := context.Background()
	logDir := filepath.Join(harness.RepoRoot(), "_output", "integration")
	tv, err := harness.StartVaultTLS(ctx, vaultRootToken, filepath.Join(logDir, "vault-tls.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tv.Stop)
	caFile := filepath.Join(logDir, "vault-tls-ca.pem")
	if err := os.WriteFile(caFile, tv.CACert, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VAULT_CACERT", caFile)
	path := "aws/tls-" + suffix()
	if _, err := tv.Admin.KVv2("secret").Put(ctx, path, map[string]any{"access_key_id": "AKIAVAULTTLS00000001", "secret_access_key": "canary-vault-tls"}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name    string
		trusted bool
	}{{"trusted", true}, {"untrusted", false}} {
		t.Run(tc.name, func(t *testing.T) {
			cfgName := "vault-tls-" + tc.name + "-" + suffix()
			tokenSecret(t, cfgName, vaultRootToken)
			cfg := vaultConfig(cfgName, cfgName, path)
			cfg.Spec.Vault.Address = tv.URL
			if tc.trusted {
				create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "crossplane-system", Name: cfgName + "-ca"}, Data: map[string][]byte{"ca.crt": tv.CACert}})
				cfg.Spec.Vault.CABundle = &v1alpha1.SecretKeySelector{Namespace: "crossplane-system", Name: cfgName + "-ca", Key: "ca.crt"}
			}
			create(t, cfg)
			ns := namespace(t)
			b := bucket(ns, "tls-"+suffix())
			b.Spec.ProviderConfigReference = ref("ClusterProviderConfig", cfgName)
			create(t, b)
			if tc.trusted {
				waitReady(t, ns, b.Name)
				assertSignedWith(t, proxy, b.Name, "AKIAVAULTTLS00000001")
				return
			}
			waitSyncError(t, ns, b.Name, "Vault's TLS certificate is not trusted: x509: certificate signed by unknown authority")
			if n := proxy.Count("CreateBucket", b.Name); n != 0 {
				t.Errorf("CreateBucket without trusted Vault credentials: %d calls", n)
			}
		})
	}
}
