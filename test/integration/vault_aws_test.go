//go:build integration

package integration

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/vault/api"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// strictMoto starts a moto_server that, after its bootstrap calls, accepts only requests signed with keys that
// exist in its IAM, and returns it with the admin key the bootstrap made.
func strictMoto(t *testing.T) (m *harness.Moto, adminKey, adminSecret string) {
	t.Helper()
	m, err := harness.StartMoto(context.Background(), filepath.Join(harness.RepoRoot(), "_output", "integration", "moto-strict-"+strings.ReplaceAll(t.Name(), "/", "-")+".log"),
		fmt.Sprintf("INITIAL_NO_AUTH_ACTION_COUNT=%d", harness.StrictMotoBootstrapCalls))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	if adminKey, adminSecret, err = harness.BootstrapStrictMoto(context.Background(), m.URL); err != nil {
		t.Fatal(err)
	}
	return m, adminKey, adminSecret
}

// setupVaultAWS mounts an AWS secrets engine at a fresh path, aimed at m's IAM and STS with the admin key.
func setupVaultAWS(t *testing.T, m *harness.Moto, key, secret string) string {
	t.Helper()
	mount := "aws-" + suffix()
	if err := harness.ConfigureVaultAWS(context.Background(), vault.Admin, mount, m.URL, key, secret); err != nil {
		t.Fatal(err)
	}
	return mount
}

// strictEngine starts a strict moto behind a recording proxy and mounts an AWS secrets engine aimed at it.
func strictEngine(t *testing.T) (m *harness.Moto, p *harness.Proxy, mount, adminKey string) {
	t.Helper()
	m, adminKey, adminSecret := strictMoto(t)
	p, err := harness.StartProxy(m.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return m, p, setupVaultAWS(t, m, adminKey, adminSecret), adminKey
}

// iamUserSetup is a Bucket using iam_user keys minted by a fresh AWS secrets engine (with the given lease TTLs) on
// a strict moto, through a root-token config.
type iamUserSetup struct {
	strictProxy        *harness.Proxy
	mount, cfgName, ns string
	bucket             *s3v1alpha1.Bucket
}

func iamUserBucket(t *testing.T, prefix string, ttls api.TuneMountConfigInput) iamUserSetup {
	t.Helper()
	_, strictProxy, mount, _ := strictEngine(t)
	if err := vault.Admin.Sys().TuneMountAllowNilWithContext(context.Background(), mount, ttls); err != nil {
		t.Fatal(err)
	}
	s := iamUserSetup{strictProxy: strictProxy, mount: mount, cfgName: "vault-" + prefix + "-" + suffix(), ns: namespace(t)}
	tokenSecret(t, s.cfgName, vaultRootToken)
	create(t, engineConfig(s.cfgName, tokenAuth(s.cfgName), strictProxy, v1alpha1.VaultAWSSecretsEngine{Mount: mount, Role: "iam", CredentialType: "iam_user"}))
	s.bucket = bucket(s.ns, prefix+"-"+suffix())
	s.bucket.Spec.ProviderConfigReference = ref("ClusterProviderConfig", s.cfgName)
	create(t, s.bucket)
	waitReady(t, s.ns, s.bucket.Name)
	return s
}

// tokenAuth logs in with the token stored in Secret crossplane-system/<name> (see tokenSecret).
func tokenAuth(name string) v1alpha1.VaultAuth {
	return v1alpha1.VaultAuth{Token: &v1alpha1.VaultTokenAuth{SecretRef: v1alpha1.SecretKeySelector{Namespace: "crossplane-system", Name: name, Key: "token"}}}
}

// engineConfig is a ClusterProviderConfig minting AWS credentials with engine, S3 going through p.
func engineConfig(name string, auth v1alpha1.VaultAuth, p *harness.Proxy, engine v1alpha1.VaultAWSSecretsEngine) *v1alpha1.ClusterProviderConfig {
	return &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1alpha1.ProviderConfigSpec{
		Vault: &v1alpha1.VaultConfig{Address: vaultProxy.URL, Auth: auth},
		AWS: &v1alpha1.AWSConfig{
			Credentials: v1alpha1.AWSCredentials{Source: v1alpha1.AWSCredentialsVault, Vault: &v1alpha1.AWSVaultCredentials{SecretsEngine: &engine}},
			Endpoint:    &v1alpha1.AWSEndpoint{URL: p.URL, S3UsePathStyle: true},
		},
	}}
}

// Dynamic credentials minted by Vault create a real bucket in a moto that refuses unknown keys.
func TestVaultAWSSecretsEngine(t *testing.T) {
	m, strictProxy, mount, adminKey := strictEngine(t)

	// The strict moto really refuses a key it does not know: what follows proves the minted keys are real.
	made := s3.New(s3.Options{Region: "eu-west-1", BaseEndpoint: aws.String(m.URL), UsePathStyle: true, Credentials: credentials.NewStaticCredentialsProvider("AKIAMADEUPKEY0000000", "x", "")})
	if _, err := made.ListBuckets(context.Background(), &s3.ListBucketsInput{}); err == nil {
		t.Fatal("the strict moto accepted a made-up key")
	}

	for _, tc := range []struct{ role, credType string }{{"iam", "iam_user"}, {"sts", "assumed_role"}} {
		t.Run(tc.credType, func(t *testing.T) {
			cfgName := "vault-" + tc.role + "-" + suffix()
			tokenSecret(t, cfgName, vaultRootToken)
			create(t, engineConfig(cfgName, tokenAuth(cfgName), strictProxy, v1alpha1.VaultAWSSecretsEngine{
				Mount: mount, Role: tc.role, CredentialType: tc.credType, TTL: ptrIf(tc.credType != "iam_user", "15m"),
			}))
			ns := namespace(t)
			var names []string
			for i := 0; i < 2; i++ {
				b := bucket(ns, "dyn-"+suffix())
				b.Spec.ProviderConfigReference = ref("ClusterProviderConfig", cfgName)
				create(t, b)
				names = append(names, b.Name)
			}
			for _, n := range names {
				waitReady(t, ns, n)
			}
			heads := strictProxy.Count("HeadBucket", names[0])
			eventually(t, "two more polls", func() (bool, string) { return strictProxy.Count("HeadBucket", names[0])-heads >= 2, "" })

			// Signed with one minted key — not the admin key — which moto accepted because it exists in its IAM.
			keys := map[string]bool{}
			for _, c := range strictProxy.Calls(func(c harness.Call) bool { return c.Bucket == names[0] || c.Bucket == names[1] }) {
				keys[c.AccessKey] = true
			}
			if len(keys) != 1 || keys[adminKey] {
				t.Errorf("S3 calls must all be signed with one Vault-minted key, got %v (admin %s)", keys, adminKey)
			}
			path := mount + "/creds/" + tc.role
			if tc.credType != "iam_user" {
				path = mount + "/sts/" + tc.role
			}
			mints := vaultProxy.Calls(func(c harness.Call) bool { return strings.HasSuffix(c.Operation, "/v1/"+path) })
			if len(mints) != 1 {
				t.Fatalf("Vault mint calls for 2 Buckets over several polls: want 1, got %d", len(mints))
			}
			if tc.credType == "assumed_role" && !strings.Contains(string(mints[0].Body), `"role_session_name":"ps.ClusterProviderConfig.`+cfgName+`"`) {
				t.Errorf("the assumed role's session name must name the config, so audit logs map back to it")
			}
		})
	}
}

func ptrIf(cond bool, v string) *string {
	if !cond {
		return nil
	}
	return ptr.To(v)
}

// After every token its AppRole issued is revoked (and with them the iam_user leases they minted), the provider
// logs in again by itself, without a restart.
//
// NOTE: not parallel: the revocation reaches every AppRole token, other tests' included.
func TestVaultRevokedTokenReplacedByLogin(t *testing.T) {
	ctx := context.Background()
	_, strictProxy, mount, _ := strictEngine(t)
	role := appRole(t, enginePolicy(t, mount))
	create(t, engineConfig(role.Name, v1alpha1.VaultAuth{AppRole: role.VaultAppRoleAuth}, strictProxy,
		v1alpha1.VaultAWSSecretsEngine{Mount: mount, Role: "iam", CredentialType: "iam_user"}))
	ns := namespace(t)
	first := bucket(ns, "relogin-"+suffix())
	first.Spec.ProviderConfigReference = ref("ClusterProviderConfig", role.Name)
	create(t, first)
	waitReady(t, ns, first.Name)

	logins := func() int {
		return len(vaultProxy.Calls(func(c harness.Call) bool {
			return c.Operation == "PUT /v1/auth/approle/login" && strings.Contains(string(c.Body), role.RoleID)
		}))
	}
	l0 := logins()
	if _, err := vault.Admin.Logical().WriteWithContext(ctx, "sys/leases/revoke-prefix/auth/approle/login", nil); err != nil {
		t.Fatal(err)
	}
	// The key dies with the token: AWS refuses it, the next mint is refused by Vault, the provider logs in again.
	eventually(t, "a new login after the revocation", func() (bool, string) { return logins() > l0, "" })
	second := bucket(ns, "relogin-"+suffix())
	second.Spec.ProviderConfigReference = ref("ClusterProviderConfig", role.Name)
	create(t, second)
	waitReady(t, ns, second.Name)
	waitReady(t, ns, first.Name)
}

// A key Vault revokes before it expires is dropped as soon as AWS refuses it, and a new one is minted: the
// provider does not keep signing with a dead key until its (10-minute) lease would have ended.
func TestVaultRevokedKeyDropped(t *testing.T) {
	ctx := context.Background()
	is := iamUserBucket(t, "revoked", api.TuneMountConfigInput{DefaultLeaseTTL: ptr.To("10m")})
	strictProxy, mount, b := is.strictProxy, is.mount, is.bucket
	mints := func() int {
		return len(vaultProxy.Calls(func(c harness.Call) bool { return c.Operation == "GET /v1/"+mount+"/creds/iam" }))
	}
	if n := mints(); n != 1 {
		t.Fatalf("mints before the revocation: want 1, got %d", n)
	}

	// Vault revokes the lease: it deletes the IAM user and its key in moto.
	if _, err := vault.Admin.Logical().WriteWithContext(ctx, "sys/leases/revoke-prefix/"+mount+"/creds/iam", nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a new key minted after AWS refused the revoked one", func() (bool, string) { return mints() == 2, fmt.Sprint(mints(), " mints") })
	refusedAt := len(strictProxy.Calls(nil))
	eventually(t, "polls succeeding again with the new key", func() (bool, string) {
		ok := 0
		for _, c := range strictProxy.Calls(nil)[refusedAt:] {
			if c.Bucket == b.Name && c.Operation == "HeadBucket" && c.Status == 200 {
				ok++
			}
		}
		return ok >= 1, ""
	})
}
