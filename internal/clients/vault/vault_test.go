package vault

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

func TestNewIgnoresEnvironment(t *testing.T) {
	t.Setenv("VAULT_TOKEN", "env-canary-token")
	t.Setenv("VAULT_NAMESPACE", "env-namespace")
	t.Setenv("VAULT_HEADERS", `{"X-Env":"1"}`)
	t.Setenv("VAULT_SKIP_VERIFY", "true")

	var got http.Header
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()

	c, err := New(Settings{Address: srv.URL, Token: "config-token"})
	if err != nil {
		t.Fatal(err)
	}
	if c.api.Token() != "config-token" || c.api.Namespace() != "" {
		t.Errorf("token and namespace come from the config only: token=%q namespace=%q", c.api.Token(), c.api.Namespace())
	}
	// VAULT_SKIP_VERIFY is ignored: the test server's self-signed certificate is refused.
	_, err = c.ReadKV(t.Context(), "secret", "x")
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("an untrusted certificate must be refused despite VAULT_SKIP_VERIFY, got %v", err)
	}
	if got != nil {
		t.Errorf("no request may reach a server with an untrusted certificate")
	}

	// With the server's CA in the bundle the request goes through, without the environment's header.
	ca := srv.Certificate()
	pem := "-----BEGIN CERTIFICATE-----\n" + b64(ca.Raw) + "\n-----END CERTIFICATE-----\n"
	c, err = New(Settings{Address: srv.URL, Token: "config-token", CABundle: []byte(pem)})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.ReadKV(t.Context(), "secret", "x")
	if got.Get("X-Vault-Token") != "config-token" || got.Get("X-Env") != "" || got.Get("X-Vault-Namespace") != "" {
		t.Errorf("request headers: token=%q X-Env=%q namespace=%q", got.Get("X-Vault-Token"), got.Get("X-Env"), got.Get("X-Vault-Namespace"))
	}
}

func TestNewRejectsBadCABundle(t *testing.T) {
	if _, err := New(Settings{Address: "https://vault.example", CABundle: []byte("not pem")}); err == nil {
		t.Errorf("a CA bundle without certificates must be refused")
	}
}

func TestClean(t *testing.T) {
	re := &api.ResponseError{HTTPMethod: "GET", URL: "http://v/v1/secret/data/x", StatusCode: 403, Errors: []string{"permission denied"}}
	got := Clean(re)
	if got.Error() != "Vault answered HTTP 403: permission denied" || !errors.Is(got, re) {
		t.Errorf("Clean: got %q", got)
	}
	other := errors.New("dial tcp: connection refused")
	if Clean(other) != other {
		t.Errorf("Clean keeps other errors")
	}
}

func b64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 64 {
		out.WriteString(s[:64] + "\n")
		s = s[64:]
	}
	out.WriteString(s)
	return out.String()
}

// loginServer is a stand-in for Vault's AppRole login and KV read endpoints. Each login issues a new token with a
// 30 s TTL; revoke invalidates every token issued so far.
type loginServer struct {
	mu     sync.Mutex
	logins int
	valid  map[string]bool
}

func (s *loginServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.URL.Path {
	case "/v1/auth/approle/login":
		s.logins++
		tok := fmt.Sprintf("tok-%d", s.logins)
		s.valid[tok] = true
		fmt.Fprintf(w, `{"auth":{"client_token":%q,"lease_duration":30,"renewable":true}}`, tok)
	case "/v1/secret/data/app":
		if !s.valid[r.Header.Get("X-Vault-Token")] {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"errors":["permission denied"]}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":{"data":{"k":"v"},"metadata":{"version":1}}}`))
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (s *loginServer) revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.valid = map[string]bool{}
}

func TestLoginLifecycle(t *testing.T) {
	ls := &loginServer{valid: map[string]bool{}}
	srv := httptest.NewServer(ls)
	defer srv.Close()
	c, err := New(Settings{Address: srv.URL, Login: AppRoleLogin("approle", "role", "secret")})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_000_000, 0)
	c.now = func() time.Time { return now }
	read := func(step string, wantLogins int) {
		t.Helper()
		if _, err := c.ReadKV(t.Context(), "secret", "app"); err != nil {
			t.Fatalf("%s: ReadKV: %v", step, err)
		}
		if ls.logins != wantLogins {
			t.Errorf("%s: logins want %d, got %d", step, wantLogins, ls.logins)
		}
	}
	read("first use logs in", 1)
	read("a valid token is reused", 1)
	ls.revoke()
	read("a refused token is replaced by a new login", 2)
	now = now.Add(15 * time.Second)
	read("half the TTL: no login", 2)
	now = now.Add(6 * time.Second)
	read("past two thirds of the TTL: log in again before expiry", 3)
}
