//go:build integration

package integration

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	gcsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/gcptest"
	"github.com/stateful-dev/provider-stateful/internal/controller/config"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// A namespaced ProviderConfig names only the endpoints the administrator allows (the suite's --allowed-endpoint
// is 127.0.0.1): aws.endpoint.url, gcp.endpoints.* and vault.address elsewhere — here "localhost", the same
// server under a name the administrator did not allow — are refused on every connect, before anything is sent,
// with a clear condition on the managed resource and on the ProviderConfig; the same config aimed at an allowed
// address works.
func TestEndpointsAreTheAdministrators(t *testing.T) {
	var hits atomic.Int32
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(rec.Close)
	u, err := url.Parse(rec.URL)
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := "http://localhost:" + u.Port()

	ns := tenantNamespace(t)
	create(t, awsSecret(ns, "aws-creds"))
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "vault-token"}, StringData: map[string]string{"token": "tenant-vault-token"}})
	key, err := gcptest.NewKey("tenant@" + gcpProject + ".iam.gserviceaccount.com")
	if err != nil {
		t.Fatal(err)
	}
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gcp-key"}, Data: map[string][]byte{"key.json": key}})
	awsSection := func(endpoint string) *v1alpha1.AWSConfig {
		return &v1alpha1.AWSConfig{
			Credentials: v1alpha1.AWSCredentials{Source: v1alpha1.AWSCredentialsSecret, SecretRef: &v1alpha1.AWSSecretCredentials{Name: "aws-creds"}},
			Endpoint:    &v1alpha1.AWSEndpoint{URL: endpoint, S3UsePathStyle: true},
		}
	}
	fromVault := vaultAWS("aws/tenant") // its endpoint is allowed: only the Vault address is not
	configs := map[string]v1alpha1.ProviderConfigSpec{
		"allowed":   {AWS: awsSection(proxy.URL)},
		"aws-moved": {AWS: awsSection(elsewhere)},
		"vault-moved": {AWS: fromVault, Vault: &v1alpha1.VaultConfig{Address: strings.Replace(elsewhere, "http:", "https:", 1),
			Auth: v1alpha1.VaultAuth{Token: &v1alpha1.VaultTokenAuth{SecretRef: v1alpha1.SecretKeySelector{Name: "vault-token", Key: "token"}}}}},
		"gcp-moved": {GCP: &v1alpha1.GCPConfig{
			ProjectID:   gcpProject,
			Credentials: v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsSecret, SecretRef: &v1alpha1.SecretKeySelector{Name: "gcp-key", Key: "key.json"}},
			Endpoints:   &v1alpha1.GCPEndpoints{Storage: ptr.To(elsewhere + "/storage/v1/")},
		}},
	}
	for name, spec := range configs {
		create(t, &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec})
	}
	mk := func(pc string) string {
		b := bucket(ns, pc+"-"+suffix())
		b.Spec.ProviderConfigReference = ref("ProviderConfig", pc)
		create(t, b)
		return b.Name
	}
	allowed, awsMoved, vaultMoved := mk("allowed"), mk("aws-moved"), mk("vault-moved")
	gcs := gcsBucket(ns, "gcp-moved-"+suffix(), func(b *gcsv1alpha1.Bucket) { b.Spec.ProviderConfigReference = ref("ProviderConfig", "gcp-moved") })
	create(t, gcs)

	waitReady(t, ns, allowed)
	waitSyncError(t, ns, awsMoved, "ProviderConfig "+ns+"/aws-moved: aws.endpoint.url "+elsewhere+" is not an endpoint the platform allows namespaced ProviderConfigs to use")
	waitSyncError(t, ns, vaultMoved, "ProviderConfig "+ns+"/vault-moved: Vault address https://localhost:"+u.Port()+" is not one the platform allows")
	waitMR(t, ns, gcs.Name, "GCS Bucket refused", func() *gcsv1alpha1.Bucket { return &gcsv1alpha1.Bucket{} }, func(b *gcsv1alpha1.Bucket) (bool, string) {
		s := b.GetCondition(xpv2.TypeSynced)
		return s.Status == corev1.ConditionFalse && strings.Contains(s.Message, "gcp.endpoints.storage "+elsewhere+"/storage/v1/ is not an endpoint the platform allows"), s.Message
	})

	// The ProviderConfigs say so too, whether or not they have a vault section; the allowed one shows nothing.
	for name, want := range map[string]string{
		"aws-moved": "aws.endpoint.url " + elsewhere, "vault-moved": "Vault address https://localhost:" + u.Port(), "gcp-moved": "gcp.endpoints.storage " + elsewhere,
	} {
		waitConfigCondition(t, ns, name, config.ReasonNotAllowed, want)
	}
	pc := &v1alpha1.ProviderConfig{}
	if err := kube.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "allowed"}, pc); err != nil {
		t.Fatal(err)
	}
	if c := pc.GetCondition(xpv2.TypeReady); c.Reason == config.ReasonNotAllowed {
		t.Errorf("ProviderConfig allowed is refused: %s", c.Message)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("a refused endpoint was sent %d requests", n)
	}
}

// waitConfigCondition waits until the namespaced ProviderConfig's Ready condition is False with reason and a
// message containing want.
func waitConfigCondition(t *testing.T, ns, name string, reason xpv2.ConditionReason, want string) {
	t.Helper()
	eventually(t, "ProviderConfig "+name+" "+string(reason), func() (bool, string) {
		pc := &v1alpha1.ProviderConfig{}
		if err := kube.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, pc); err != nil {
			return false, err.Error()
		}
		c := pc.GetCondition(xpv2.TypeReady)
		return c.Status == corev1.ConditionFalse && c.Reason == reason && strings.Contains(c.Message, want), fmt.Sprintf("%s %s %q", c.Status, c.Reason, c.Message)
	})
}

// A namespaced ProviderConfig may ask for service account tokens only for the audiences the administrator allows
// (--vault-allowed-audience, by default Vault's): a token for sts.amazonaws.com, sent to the tenant's own https
// address, could be exchanged there for the service account's AWS role. Refused before any token is requested or
// sent, on the managed resource and on the config; the same config with Vault's audience logs in as before.
func TestVaultAudiencesAreTheAdministrators(t *testing.T) {
	ns := tenantNamespace(t)
	rec := recordVaultLogins(t, ns)
	create(t, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "deployer",
		Annotations: map[string]string{credentials.AnnotationVaultAuth: "ProviderConfig/sts, ProviderConfig/vault"}}})
	for name, aud := range map[string][]string{"sts": {"sts.amazonaws.com"}, "vault": {"vault"}} {
		create(t, &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1alpha1.ProviderConfigSpec{
			Vault: &v1alpha1.VaultConfig{Address: rec.URL, CABundle: caBundleIf(rec.URL), Auth: v1alpha1.VaultAuth{Kubernetes: &v1alpha1.VaultKubernetesAuth{
				Role: name + "-role", ServiceAccount: &v1alpha1.ServiceAccountReference{Name: "deployer"}, Audiences: aud,
			}}},
			AWS: vaultAWS("aws/never"),
		}})
	}
	mk := func(pc string) string {
		b := bucket(ns, pc+"-"+suffix())
		b.Spec.ProviderConfigReference = ref("ProviderConfig", pc)
		create(t, b)
		return b.Name
	}
	sts, vaultAud := mk("sts"), mk("vault")

	waitSyncError(t, ns, sts, `ProviderConfig `+ns+`/sts: vault.auth.kubernetes.audiences: "sts.amazonaws.com" is not an audience the platform allows`)
	waitConfigCondition(t, ns, "sts", config.ReasonNotAllowed, `"sts.amazonaws.com" is not an audience the platform allows`)
	// The control: the same server, service account and provider, with Vault's audience, get as far as a login.
	waitSyncError(t, ns, vaultAud, "Vault answered HTTP 403: permission denied")
	for _, j := range rec.received("vault-role") {
		canary(j)
	}
	if got := rec.received("sts-role"); len(got) != 0 {
		for _, j := range got {
			canary(j)
		}
		t.Errorf("a token for audience sts.amazonaws.com was sent to the config's address: %d logins, audiences %v", len(got), audience(t, got[0]))
	}
}
