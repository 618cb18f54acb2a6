//go:build integration

package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/hashicorp/vault/api"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// liveLeases lists the leases Vault holds under prefix (e.g. <mount>/creds/iam/).
func liveLeases(t *testing.T, prefix string) []string {
	t.Helper()
	s, err := vault.Admin.Logical().ListWithContext(context.Background(), "sys/leases/lookup/"+prefix)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	if s != nil {
		keys, _ := s.Data["keys"].([]any)
		for _, k := range keys {
			out = append(out, fmt.Sprint(k))
		}
	}
	return out
}

func getCPC(t *testing.T, name string) *v1alpha1.ClusterProviderConfig {
	t.Helper()
	c := &v1alpha1.ClusterProviderConfig{}
	if err := kube.Get(context.Background(), client.ObjectKey{Name: name}, c); err != nil {
		t.Fatal(err)
	}
	return c
}

// waitConfigReady waits until the ClusterProviderConfig's Ready condition has status and reason.
func waitConfigReady(t *testing.T, name string, status corev1.ConditionStatus, reason xpv2.ConditionReason) *v1alpha1.ClusterProviderConfig {
	t.Helper()
	var c *v1alpha1.ClusterProviderConfig
	eventually(t, "ClusterProviderConfig "+name+" Ready="+string(status), func() (bool, string) {
		c = getCPC(t, name)
		r := c.Status.GetCondition(xpv2.TypeReady)
		return r.Status == status && r.Reason == reason, fmt.Sprintf("%s %s %q", r.Status, r.Reason, r.Message)
	})
	return c
}

// enginePolicy may mint iam_user keys from mount and revoke the leases it replaces.
func enginePolicy(t *testing.T, mount string) string {
	t.Helper()
	name := "mint-" + mount
	if err := vault.Admin.Sys().PutPolicyWithContext(context.Background(), name,
		`path "`+mount+`/creds/iam" { capabilities = ["read"] }
path "sys/leases/revoke" { capabilities = ["update"] }`); err != nil {
		t.Fatal(err)
	}
	return name
}

// An iam_user lease is renewed before it expires — the same key keeps working, no new IAM user — and replaced,
// with the old lease revoked, once Vault caps renewals at the lease's max TTL.
func TestVaultIAMUserLeaseRenewedThenReplaced(t *testing.T) {
	t.Parallel()
	is := iamUserBucket(t, "renew", api.TuneMountConfigInput{DefaultLeaseTTL: ptr.To("15s"), MaxLeaseTTL: ptr.To("36s")})
	strictProxy, mount, cfgName, b := is.strictProxy, is.mount, is.cfgName, is.bucket
	first := liveLeases(t, mount+"/creds/iam/")
	if len(first) != 1 {
		t.Fatalf("live leases after the first mint: %v", first)
	}

	mints := func() int { return vaultProxy.Count("GET /v1/"+mount+"/creds/iam", "") }
	renewals := func() int {
		return len(vaultProxy.Calls(func(c harness.Call) bool {
			return c.Operation == "PUT /v1/sys/leases/renew" && strings.Contains(string(c.Body), mount+"/creds/iam/"+first[0])
		}))
	}
	eventually(t, "the lease renewed", func() (bool, string) { return renewals() >= 1, "" })
	if n := mints(); n != 1 {
		t.Fatalf("a renewable lease is renewed, not replaced: %d mints", n)
	}
	// The status is written by the config controller when the resolver reports the renewal: soon, not at once.
	eventually(t, "the renewal in the config's status", func() (bool, string) {
		p := getCPC(t, cfgName).Status.Vault
		return p != nil && p.AWS != nil && p.AWS.Kind == "iam_user" && p.AWS.LastRenewal != nil, fmt.Sprintf("%+v", p)
	})

	// Near the 36 s max TTL Vault grants less than half a term: a new key is minted and the old lease revoked.
	eventually(t, "a new key near the max TTL", func() (bool, string) { return mints() == 2, fmt.Sprint(mints(), " mints") })
	eventually(t, "the replaced lease revoked", func() (bool, string) {
		revoked := vaultProxy.Calls(func(c harness.Call) bool {
			return c.Operation == "PUT /v1/sys/leases/revoke" && strings.Contains(string(c.Body), first[0])
		})
		return len(revoked) == 1, ""
	})
	since := len(strictProxy.Calls(nil))
	eventually(t, "polls signed with the new key", func() (bool, string) {
		for _, c := range strictProxy.Calls(nil)[since:] {
			if c.Bucket == b.Name && c.Operation == "HeadBucket" && c.Status == 200 {
				return true, ""
			}
		}
		return false, ""
	})
}

// What a config holds in Vault is released when the config changes or is deleted, not at the end of its TTL.
func TestVaultLeasesRevokedWithTheirConfig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	is := iamUserBucket(t, "release", api.TuneMountConfigInput{DefaultLeaseTTL: ptr.To("10m")})
	mount, cfgName, ns, b := is.mount, is.cfgName, is.ns, is.bucket
	first := liveLeases(t, mount+"/creds/iam/")
	if len(first) != 1 {
		t.Fatalf("live leases after the first mint: %v", first)
	}

	// A change to the config: new credentials, the old lease revoked at once (its TTL is 10 minutes).
	cpc := getCPC(t, cfgName)
	cpc.Spec.AWS.DefaultTags = map[string]string{"changed": "yes"}
	if err := kube.Update(ctx, cpc); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the old lease replaced and revoked", func() (bool, string) {
		l := liveLeases(t, mount+"/creds/iam/")
		return len(l) == 1 && l[0] != first[0], fmt.Sprint(l)
	})

	// Deleting the config (after its last user) revokes what it holds.
	deleteAndWaitGone(t, b)
	// NOTE: envtest runs no garbage collector, which would delete the Bucket's ProviderConfigUsage (owned by the
	// Bucket) in a cluster; do its work, or the config stays in use.
	if err := kube.DeleteAllOf(ctx, &v1alpha1.ProviderConfigUsage{}, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	if err := kube.Delete(ctx, cpc); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the config gone", func() (bool, string) {
		err := kube.Get(ctx, client.ObjectKey{Name: cfgName}, &v1alpha1.ClusterProviderConfig{})
		return kerrors.IsNotFound(err), fmt.Sprint(err)
	})
	eventually(t, "no lease left after the config is deleted", func() (bool, string) {
		l := liveLeases(t, mount+"/creds/iam/")
		return len(l) == 0, fmt.Sprint(l)
	})
}

// Login tokens with seconds-long TTLs, per auth method: renewed until their max TTL, then replaced by a new login;
// iam_user keys, which Vault revokes with the token that minted them, are replaced before that token dies. The
// Bucket stays in sync throughout, without a provider restart.
func TestVaultShortTokenTTLs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, method := range []string{"appRole", "kubernetes"} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			_, strictProxy, mount, _ := strictEngine(t)
			if err := vault.Admin.Sys().TuneMountAllowNilWithContext(ctx, mount, api.TuneMountConfigInput{DefaultLeaseTTL: ptr.To("10m")}); err != nil {
				t.Fatal(err)
			}
			policy := enginePolicy(t, mount)
			var auth v1alpha1.VaultAuth
			var loginMark string
			cfgName := "short-" + strings.ToLower(method) + "-" + suffix()
			switch method {
			case "appRole":
				role := appRoleWith(t, policy, "4s", "12s")
				auth, loginMark = v1alpha1.VaultAuth{AppRole: role.VaultAppRoleAuth}, role.RoleID
			case "kubernetes":
				setupVaultKubernetes(t)
				saNS := namespace(t)
				create(t, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: saNS, Name: "provider",
					Annotations: map[string]string{credentials.AnnotationVaultAuth: "ClusterProviderConfig/" + cfgName}}})
				if _, err := vault.Admin.Logical().WriteWithContext(ctx, "auth/kubernetes/role/"+cfgName, map[string]any{
					"bound_service_account_names": "provider", "bound_service_account_namespaces": saNS, "token_policies": policy, "audience": "vault",
					"token_ttl": "4s", "token_max_ttl": "12s",
				}); err != nil {
					t.Fatal(err)
				}
				auth = v1alpha1.VaultAuth{Kubernetes: &v1alpha1.VaultKubernetesAuth{Role: cfgName, ServiceAccount: &v1alpha1.ServiceAccountReference{Namespace: saNS, Name: "provider"}}}
				loginMark = `"role":"` + cfgName + `"`
			}
			create(t, engineConfig(cfgName, auth, strictProxy, v1alpha1.VaultAWSSecretsEngine{Mount: mount, Role: "iam", CredentialType: "iam_user"}))
			ns := namespace(t)
			b := bucket(ns, "short-"+suffix())
			b.Spec.ProviderConfigReference = ref("ClusterProviderConfig", cfgName)
			create(t, b)
			waitReady(t, ns, b.Name)

			logins := func() int {
				return len(vaultProxy.Calls(func(c harness.Call) bool {
					return strings.HasSuffix(c.Operation, "/login") && strings.Contains(string(c.Body), loginMark)
				}))
			}
			renewals := vaultProxy.Count("PUT /v1/auth/token/renew-self", "")
			eventually(t, "three logins (two tokens reached their 12 s max TTL)", func() (bool, string) {
				if s := get(t, ns, b.Name).GetCondition(xpv2.TypeSynced); s.Status != corev1.ConditionTrue {
					t.Fatalf("the Bucket lost sync while tokens were replaced: %s", s.Message)
				}
				return logins() >= 3, fmt.Sprint(logins(), " logins")
			})
			if vaultProxy.Count("PUT /v1/auth/token/renew-self", "") == renewals {
				t.Errorf("tokens must be renewed before their max TTL")
			}
			if n := vaultProxy.Count("GET /v1/"+mount+"/creds/iam", ""); n < 2 {
				t.Errorf("keys minted under a token that died must be replaced: %d mints", n)
			}
			since := len(strictProxy.Calls(nil))
			eventually(t, "a poll after the last login", func() (bool, string) {
				for _, c := range strictProxy.Calls(nil)[since:] {
					if c.Bucket == b.Name && c.Operation == "HeadBucket" {
						return c.Status == 200, fmt.Sprint("HeadBucket answered ", c.Status)
					}
				}
				return false, ""
			})
			st := getCPC(t, cfgName).Status.Vault
			if st == nil || !st.Authenticated || st.AuthMethod != method || st.LastLogin == nil || st.TokenExpiresAt == nil {
				t.Errorf("the config's status must show the login: %+v", st)
			}
		})
	}
}

// Token auth: a renewable token with a 5 s TTL is renewed in the background and outlives its TTL many times over.
func TestVaultTokenAuthRenewed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := "aws/renewed-" + suffix()
	policy := kvWithPolicy(t, path, "AKIAVAULTRENEWED0001")
	tok, err := vault.Admin.Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{Policies: []string{policy}, TTL: "5s", ExplicitMaxTTL: "10m", Renewable: ptrBool(true)})
	if err != nil {
		t.Fatal(err)
	}
	created := time.Now()
	canary(tok.Auth.ClientToken)
	cfgName := "vault-renewed-" + suffix()
	tokenSecret(t, cfgName, tok.Auth.ClientToken)
	create(t, vaultConfig(cfgName, cfgName, path))
	ns := namespace(t)
	b := bucket(ns, "renewed-"+suffix())
	b.Spec.ProviderConfigReference = ref("ClusterProviderConfig", cfgName)
	create(t, b)
	waitReady(t, ns, b.Name)

	eventually(t, "20 s, four times the token's TTL", func() (bool, string) { return time.Since(created) > 20*time.Second, "" })
	s, err := vault.Admin.Auth().Token().LookupWithContext(ctx, tok.Auth.ClientToken)
	if err != nil {
		t.Fatalf("the token died: it was not renewed: %v", err)
	}
	if ttl, _ := s.TokenTTL(); ttl <= 0 {
		t.Errorf("the token's TTL after 20 s: %s", ttl)
	}
	c := waitConfigReady(t, cfgName, corev1.ConditionTrue, "VaultAuthenticated")
	if v := c.Status.Vault; v == nil || v.AuthMethod != "token" || v.LastTokenRenewal == nil || v.LastTokenRenewal.Time.Before(created.Add(10*time.Second)) || v.LastLogin != nil {
		t.Errorf("status after renewals: %+v", v)
	}
}

func ptrBool(b bool) *bool { return &b }

// A config's Ready condition says whether its Vault auth works before any managed resource uses it, and its
// status shows the credentials once one does. Neither ever shows a secret.
func TestVaultConfigStatus(t *testing.T) {
	t.Parallel()
	path := "aws/status-" + suffix()
	role := appRole(t, kvWithPolicy(t, path, "AKIAVAULTSTATUS00001"))
	create(t, &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: role.Name}, Spec: v1alpha1.ProviderConfigSpec{
		Vault: &v1alpha1.VaultConfig{Address: vaultProxy.URL, Auth: v1alpha1.VaultAuth{AppRole: role.VaultAppRoleAuth}},
		AWS:   vaultAWS(path),
	}})
	c := waitConfigReady(t, role.Name, corev1.ConditionTrue, "VaultAuthenticated")
	if v := c.Status.Vault; v == nil || !v.Authenticated || v.AuthMethod != "appRole" || v.LastLogin == nil || v.AWS != nil {
		t.Errorf("status before any managed resource: %+v", v)
	}

	ns := namespace(t)
	b := bucket(ns, "status-"+suffix())
	b.Spec.ProviderConfigReference = ref("ClusterProviderConfig", role.Name)
	create(t, b)
	waitReady(t, ns, b.Name)
	eventually(t, "the credentials in the status", func() (bool, string) {
		v := getCPC(t, role.Name).Status.Vault
		return v != nil && v.AWS != nil && v.AWS.Kind == "kv" && v.AWS.LastIssued != nil, fmt.Sprintf("%+v", v)
	})

	// A wrong secret ID: Ready=False with Vault's reason, without the secret ID.
	bad := appRole(t, "default")
	secretID := &corev1.Secret{}
	if err := kube.Get(context.Background(), client.ObjectKey{Namespace: "crossplane-system", Name: bad.Name}, secretID); err != nil {
		t.Fatal(err)
	}
	bad.RoleID = "not-the-role-id"
	create(t, &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: bad.Name}, Spec: v1alpha1.ProviderConfigSpec{
		Vault: &v1alpha1.VaultConfig{Address: vaultProxy.URL, Auth: v1alpha1.VaultAuth{AppRole: bad.VaultAppRoleAuth}},
		AWS:   vaultAWS(path),
	}})
	c = waitConfigReady(t, bad.Name, corev1.ConditionFalse, "VaultUnavailable")
	msg := c.Status.GetCondition(xpv2.TypeReady).Message
	if !strings.Contains(msg, "cannot log in to Vault: Vault answered HTTP 400") || strings.Contains(msg, string(secretID.Data["secret_id"])) {
		t.Errorf("Ready message for a refused login: %q", msg)
	}
}
