//go:build integration

package integration

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// A namespaced ProviderConfig chooses its Vault address. Pointed at a server of the test's own (a recorder that
// speaks TLS and refuses every login), the provider sends it a service account token that is useless outside
// Vault: requested for Vault's audience, the kube-apiserver refuses it (401). A service account that did not opt in
// gets no token at all, and a plain-http address is refused before anything is sent.
func TestVaultKubernetesTokenUselessOutsideVault(t *testing.T) {
	ns := namespace(t)
	rec := recordVaultLogins(t, ns)
	create(t, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "opted",
		Annotations: map[string]string{credentials.AnnotationVaultAuth: "ProviderConfig/recorded"}}})
	create(t, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bystander"}})
	config := func(name, address, role, sa string) {
		create(t, &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: v1alpha1.ProviderConfigSpec{
			Vault: &v1alpha1.VaultConfig{Address: address, CABundle: caBundleIf(address), Auth: v1alpha1.VaultAuth{Kubernetes: &v1alpha1.VaultKubernetesAuth{
				Role: role, ServiceAccount: &v1alpha1.ServiceAccountReference{Name: sa},
			}}},
			AWS: vaultAWS("aws/never"),
		}})
	}
	config("recorded", rec.URL, "opted-role", "opted")
	config("borrowed", rec.URL, "bystander-role", "bystander")
	config("cleartext", "http://127.0.0.1:9", "cleartext-role", "opted")
	mk := func(pc string) string {
		b := bucket(ns, pc+"-"+suffix())
		b.Spec.ProviderConfigReference = ref("ProviderConfig", pc)
		create(t, b)
		return b.Name
	}
	recorded, borrowed, cleartext := mk("recorded"), mk("borrowed"), mk("cleartext")

	waitSyncError(t, ns, recorded, "Vault answered HTTP 403: permission denied")
	jwts := rec.received("opted-role")
	if len(jwts) == 0 {
		t.Fatal("the recorder saw no login")
	}
	// The service account token is a credential too: the end-of-run sweep looks for it everywhere.
	for _, j := range jwts {
		canary(j)
	}
	// The token's audience is Vault's, and the API server refuses it.
	if aud := audience(t, jwts[0]); len(aud) != 1 || aud[0] != credentials.DefaultVaultAudience {
		t.Errorf("the token's audiences: %v, want [%s]", aud, credentials.DefaultVaultAudience)
	}
	if code := apiStatus(t, jwts[0]); code != http.StatusUnauthorized {
		t.Errorf("the kube-apiserver answered the token sent to Vault with %d, want 401", code)
	}

	waitSyncError(t, ns, borrowed, "service account "+ns+"/bystander has not opted in to Vault logins for ProviderConfig "+ns+"/borrowed")
	if got := rec.received("bystander-role"); len(got) != 0 {
		t.Errorf("a token of a service account that did not opt in was sent: %d logins", len(got))
	}
	waitSyncError(t, ns, cleartext, "Vault address http://127.0.0.1:9 is not https")
}

// audience reads the aud claim of a JWT without verifying it.
func audience(t *testing.T, jwt string) []string {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Aud []string `json:"aud"`
	}
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	return claims.Aud
}

// apiStatus sends a request with the bearer token to the test's kube-apiserver and returns the HTTP status.
func apiStatus(t *testing.T, token string) int {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(restCfg.CAData)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	host := restCfg.Host
	if !strings.HasPrefix(host, "https://") {
		host = "https://" + host
	}
	req, _ := http.NewRequest(http.MethodGet, host+"/api/v1/namespaces", http.NoBody)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	return resp.StatusCode
}
