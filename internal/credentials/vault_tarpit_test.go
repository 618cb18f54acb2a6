package credentials

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/vault"
)

// heldVault is a tenant's Vault that holds every request to path until the test releases it (a tarpit, for as
// long as the test needs one), then lets next answer it. Token lookups are answered at once.
type heldVault struct {
	URL     string
	arrived chan struct{} // one value per held request, once it is held
	gate    chan struct{}
	open    sync.Once
}

func newHeldVault(t *testing.T, path string, next http.Handler) *heldVault {
	t.Helper()
	h := &heldVault{arrived: make(chan struct{}, 16), gate: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == path {
			h.arrived <- struct{}{}
			<-h.gate
		}
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(h.release) // before srv.Close, which waits for held requests
	h.URL = srv.URL
	return h
}

func (h *heldVault) release() { h.open.Do(func() { close(h.gate) }) }

// held waits until the Vault holds a request.
func (h *heldVault) held(t *testing.T) {
	t.Helper()
	select {
	case <-h.arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("the request never reached Vault")
	}
}

// A tenant's Vault that holds a request for credentials (a tarpit) holds only the refresh that asked. Another
// caller of the same engine — a reconcile whose context ended, Close when the config changed — returns at once
// instead of waiting for the whole Vault call behind the engine's lock, as it did before.
func TestVaultEngineTarpitHoldsNoOtherCaller(t *testing.T) {
	cases := map[string]struct {
		reason      string
		other       func(p *vaultEngine) error
		wantErr     string // what the other caller's error says; "" for none
		wantRevoked []string
	}{
		"Retrieve": {
			reason: "A Retrieve whose context ended returns without waiting for the refresh in flight, and asks Vault for nothing more.",
			other: func(p *vaultEngine) error {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				_, err := p.Retrieve(ctx)
				return err
			},
			wantErr: "Vault did not answer in time",
		},
		"Close": {
			reason:      "Close returns at once, and the lease the held refresh mints after it is revoked rather than kept.",
			other:       func(p *vaultEngine) error { return p.Close(context.Background()) },
			wantRevoked: []string{"aws/creds/iam/1"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ls := &leaseServer{renewFor: 900}
			h := newHeldVault(t, "/v1/aws/creds/iam", ls)
			c, err := vault.New(vault.Settings{Address: h.URL, Token: "t"})
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var revoked []string
			p := &vaultEngine{client: c, ref: v1alpha1.VaultAWSSecretsEngine{Role: "iam", CredentialType: "iam_user"}, now: time.Now,
				revoke: func(l *lease) { mu.Lock(); revoked = append(revoked, l.id); mu.Unlock() }}

			first := make(chan error, 1)
			go func() {
				_, err := p.Retrieve(context.Background())
				first <- err
			}()
			h.held(t)

			other := make(chan error, 1)
			go func() { other <- tc.other(p) }()
			select {
			case err := <-other:
				if got := errText(err); !strings.Contains(got, tc.wantErr) || (tc.wantErr == "") != (err == nil) {
					t.Errorf("%s\nthe other caller: want an error containing %q, got %v", tc.reason, tc.wantErr, err)
				}
			case <-time.After(5 * time.Second):
				// The Vault client gives a request up after 10 s: this is well before the held one ends on its own.
				t.Fatalf("%s\nthe other caller still waits after 5 s, behind the request Vault holds", tc.reason)
			}

			h.release()
			if err := <-first; err != nil {
				t.Fatalf("%s\nthe held Retrieve, once Vault answers: %v", tc.reason, err)
			}
			if diff := cmp.Diff([]string{"mint 1"}, ls.take()); diff != "" {
				t.Errorf("%s\nVault calls: -want +got:\n%s", tc.reason, diff)
			}
			mu.Lock()
			defer mu.Unlock()
			if diff := cmp.Diff(tc.wantRevoked, revoked, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nrevoked leases: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// A tenant's Vault that holds a read of an account's GCP credentials and then fails it costs the account's
// callers one wait, not one each. The account's token source lets one Token through at a time: before, each
// caller queued behind the held read asked Vault again when its turn came (up to 20 s each against a tarpit, its
// worker held all along); now it gets the read's answer.
func TestVaultGCPHeldReadIsPaidOnce(t *testing.T) {
	// A 400, not a 403: the Vault client asks again after a 403, with the token checked.
	failed := func(w http.ResponseWriter) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"errors":["no value at this path"]}`))
	}
	cases := map[string]struct {
		reason string
		kv     *v1alpha1.VaultKVGCPCredentials
		answer func(w http.ResponseWriter)
		want   string // the token each caller gets, or what its error says
	}{
		"AccessTokenFailed": {reason: "A failed read of an access token is every waiting caller's answer.",
			kv: &v1alpha1.VaultKVGCPCredentials{Path: "gcp/creds", AccessTokenKey: "token"}, answer: failed, want: "no value at this path"},
		"ServiceAccountKeyFailed": {reason: "A failed read of a service-account key is every waiting caller's answer.",
			kv: &v1alpha1.VaultKVGCPCredentials{Path: "gcp/creds", ServiceAccountKeyKey: "key.json"}, answer: failed, want: "no value at this path"},
		"AccessTokenRead": {reason: "An access token read once serves every waiting caller.",
			kv: &v1alpha1.VaultKVGCPCredentials{Path: "gcp/creds", AccessTokenKey: "token"}, want: "vault-access-token",
			answer: func(w http.ResponseWriter) {
				_, _ = w.Write([]byte(`{"data":{"data":{"token":"vault-access-token"},"metadata":{"version":1}}}`))
			}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			reads := 0
			h := newHeldVault(t, "/v1/secret/data/gcp/creds", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if lookupSelf(w, r) {
					return
				}
				mu.Lock()
				reads++
				mu.Unlock()
				tc.answer(w)
			}))
			spec := v1alpha1.ProviderConfigSpec{
				Vault: &v1alpha1.VaultConfig{Address: h.URL, Auth: v1alpha1.VaultAuth{Token: &v1alpha1.VaultTokenAuth{
					SecretRef: v1alpha1.SecretKeySelector{Namespace: "crossplane-system", Name: "vault", Key: "token"}}}},
				GCP: &v1alpha1.GCPConfig{ProjectID: "test-project", Credentials: v1alpha1.GCPCredentials{
					Source: v1alpha1.GCPCredentialsVault, Vault: &v1alpha1.GCPVaultCredentials{KV: tc.kv}}},
			}
			kube := fakeClient(clusterConfig("vault", spec),
				&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "crossplane-system", Name: "vault"}, Data: map[string][]byte{"token": []byte("t")}})
			a, err := NewResolver(kube, kube, kube).GCP(context.Background(), mr("team-a", &xpv2.ProviderConfigReference{Kind: "ClusterProviderConfig", Name: "vault"}))
			if err != nil {
				t.Fatal(err)
			}

			callers := make(chan string, 3)
			call := func() {
				tok, err := a.TokenSource.Token()
				if err != nil {
					callers <- err.Error()
					return
				}
				callers <- tok.AccessToken
			}
			go call()
			h.held(t)
			go call()
			go call()
			h.release()
			for range 3 {
				select {
				case got := <-callers:
					if !strings.Contains(got, tc.want) {
						t.Errorf("%s\nToken: want %q, got %q", tc.reason, tc.want, got)
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("%s\na Token call still waits 10 s after Vault answered", tc.reason)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if reads != 1 {
				t.Errorf("%s\nVault reads for three callers of one held read: want 1, got %d", tc.reason, reads)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
