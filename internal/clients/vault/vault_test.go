package vault

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
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
	if Clean(other) != other { //nolint:errorlint // Clean must return the very same error, not one wrapping it.
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

// loginServer is a stand-in for Vault's AppRole login, token and KV read endpoints. Each login issues a new token
// with a 30 s TTL; revoke invalidates every token issued so far.
type loginServer struct {
	mu         sync.Mutex
	renewable  bool
	renewFails bool
	logins     int
	renewals   int
	revoked    []string
	valid      map[string]bool
}

func (s *loginServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.URL.Path {
	case "/v1/auth/approle/login":
		s.logins++
		tok := fmt.Sprintf("tok-%d", s.logins)
		s.valid[tok] = true
		fmt.Fprintf(w, `{"auth":{"client_token":%q,"lease_duration":30,"renewable":%t}}`, tok, s.renewable)
	case "/v1/auth/token/renew-self":
		s.renewals++
		if s.renewFails || !s.valid[r.Header.Get("X-Vault-Token")] {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"errors":["internal error"]}`))
			return
		}
		fmt.Fprintf(w, `{"auth":{"client_token":%q,"lease_duration":30,"renewable":true}}`, r.Header.Get("X-Vault-Token"))
	case "/v1/auth/token/lookup-self":
		if !s.valid[r.Header.Get("X-Vault-Token")] {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"errors":["permission denied"]}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":{"ttl":30,"renewable":true}}`))
	case "/v1/auth/token/revoke-self":
		s.revoked = append(s.revoked, r.Header.Get("X-Vault-Token"))
		delete(s.valid, r.Header.Get("X-Vault-Token"))
		w.WriteHeader(http.StatusNoContent)
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

func (s *loginServer) counts() (logins, renewals int, revoked []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins, s.renewals, append([]string(nil), s.revoked...)
}

// changes returns an OnChange hook and a function that waits until the client's status satisfies ok.
func changes(t *testing.T) (func(), func(c *Client, what string, ok func(Status) bool)) {
	ch := make(chan struct{}, 100)
	return func() {
			select {
			case ch <- struct{}{}:
			default:
			}
		}, func(c *Client, what string, ok func(Status) bool) {
			t.Helper()
			timeout := time.After(10 * time.Second)
			for !ok(c.Status()) {
				select {
				case <-ch:
				case <-timeout:
					t.Fatalf("%s: status never came: %+v", what, c.Status())
				}
			}
		}
}

// appRoleClient is an AppRole client of ls that has made one request.
func appRoleClient(t *testing.T, ls *loginServer) (*Client, func(c *Client, what string, ok func(Status) bool)) {
	t.Helper()
	srv := httptest.NewServer(ls)
	t.Cleanup(srv.Close)
	onChange, wait := changes(t)
	c, err := New(Settings{Address: srv.URL, Method: "appRole", Login: AppRoleLogin("approle", "role", "secret"), OnChange: onChange})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadKV(t.Context(), "secret", "app"); err != nil {
		t.Fatal(err)
	}
	return c, wait
}

func TestRenewableLoginTokenIsRenewedInTheBackground(t *testing.T) {
	ls := &loginServer{valid: map[string]bool{}, renewable: true}
	c, wait := appRoleClient(t, ls)
	// The watcher renews right after the login, off the request path.
	wait(c, "renewal", func(s Status) bool { return !s.LastRenewal.IsZero() })
	st := c.Status()
	if !st.Authenticated || st.Method != "appRole" || st.LastLogin.IsZero() || st.ExpiresAt.Before(st.LastRenewal) {
		t.Errorf("status after a renewal: %+v", st)
	}
	if logins, renewals, _ := ls.counts(); logins != 1 || renewals < 1 {
		t.Errorf("want 1 login and at least 1 renewal, got %d and %d", logins, renewals)
	}

	// Close revokes the token the client logged in for, and later requests fail instead of logging in again.
	if err := c.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, _, revoked := ls.counts(); len(revoked) != 1 || revoked[0] != "tok-1" {
		t.Errorf("Close must revoke the login token, revoked %v", revoked)
	}
	if _, err := c.ReadKV(t.Context(), "secret", "app"); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("a closed client must refuse requests, got %v", err)
	}
	if logins, _, _ := ls.counts(); logins != 1 {
		t.Errorf("a closed client must not log in again, logins %d", logins)
	}
}

func TestFailedRenewalLogsInAgain(t *testing.T) {
	ls := &loginServer{valid: map[string]bool{}, renewable: true, renewFails: true}
	c, wait := appRoleClient(t, ls)
	wait(c, "renewal failure", func(s Status) bool {
		return strings.HasPrefix(s.Err, "cannot renew the Vault token: Vault answered HTTP 500")
	})
	if gen := c.Generation(); gen != 1 {
		t.Errorf("generation after one login: %d", gen)
	}
	if _, err := c.ReadKV(t.Context(), "secret", "app"); err != nil {
		t.Fatal(err)
	}
	if logins, _, _ := ls.counts(); logins != 2 || c.Generation() != 2 {
		t.Errorf("a token that cannot be renewed is replaced by a new login: logins %d, generation %d", logins, c.Generation())
	}
	_ = c.Close(t.Context())
}

func TestTokenAuthIsLookedUpOnceAndRenewed(t *testing.T) {
	ls := &loginServer{valid: map[string]bool{"user-token": true}}
	srv := httptest.NewServer(ls)
	defer srv.Close()
	onChange, wait := changes(t)
	c, err := New(Settings{Address: srv.URL, Method: "token", Token: "user-token", OnChange: onChange})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.ReadKV(t.Context(), "secret", "app"); err != nil {
			t.Fatal(err)
		}
	}
	wait(c, "renewal", func(s Status) bool { return !s.LastRenewal.IsZero() })
	if st := c.Status(); !st.Authenticated || !st.LastLogin.IsZero() || st.Method != "token" {
		t.Errorf("token auth status: %+v", st)
	}
	// Close leaves the owner's token alone.
	_ = c.Close(t.Context())
	if _, _, revoked := ls.counts(); len(revoked) != 0 {
		t.Errorf("a token-auth token belongs to its owner and must not be revoked, revoked %v", revoked)
	}

	// A token Vault refuses is reported as such.
	c, _ = New(Settings{Address: srv.URL, Method: "token", Token: "revoked-token"})
	_, err = c.ReadKV(t.Context(), "secret", "app")
	const refused = "cannot look up the Vault token: Vault answered HTTP 403: permission denied"
	if err == nil || err.Error() != "cannot read KV secret secret/app: "+refused {
		t.Errorf("refused token: %v", err)
	}
	if st := c.Status(); st.Authenticated || st.Err != refused {
		t.Errorf("status of a refused token: %+v", st)
	}
}

func TestCleanTransportErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	addr := srv.URL
	srv.Close()
	c, _ := New(Settings{Address: addr, Token: "t"})
	_, err := c.ReadKV(t.Context(), "secret", "app")
	if err == nil || strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "Vault is unreachable: connection refused") {
		t.Errorf("connection refused: got %v", err)
	}
}

func TestFailedLoginAnsweredFromMemoryBriefly(t *testing.T) {
	var logins atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		logins.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"errors":["Vault is sealed"]}`))
	}))
	defer srv.Close()
	c, _ := New(Settings{Address: srv.URL, Login: AppRoleLogin("approle", "r", "s")})
	now := time.Unix(1_000_000, 0)
	c.now = func() time.Time { return now }
	const want = "cannot log in to Vault: Vault answered HTTP 503: Vault is sealed"
	for i := range 3 {
		if err := c.EnsureToken(t.Context()); err == nil || err.Error() != want {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	// MaxRetries 1: two requests for the first failure, none for the callers right after it.
	if n := logins.Load(); n != 2 {
		t.Errorf("requests for three callers within %s of a failure: want 2, got %d", retryFailedAfter, n)
	}
	now = now.Add(retryFailedAfter)
	_ = c.EnsureToken(t.Context())
	if n := logins.Load(); n != 4 {
		t.Errorf("after %s the login is tried again: want 4 requests, got %d", retryFailedAfter, n)
	}
}
