package vault

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stateful-dev/provider-stateful/internal/devstack/hostile"
)

// A Vault address answering 500 with a 64 MiB body (endless, to a client that does not stop) costs a request a
// few KiB of reading: before, Vault's client copied every byte of an error body into memory (and retried).
func TestEndlessErrorBodyIsBounded(t *testing.T) {
	srv := hostile.Start(hostile.Endless, false)
	defer srv.Close()
	srv.Limit = 64 << 20
	c, err := New(Settings{Address: srv.URL, Token: "canary-vault-token"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ReadKV(t.Context(), "secret", "app")
	if err == nil {
		t.Fatal("an endless body must fail the request")
	}
	if n := srv.Written.Load(); n >= 32<<20 {
		t.Errorf("the server wrote %d MiB over %d requests: the client kept reading", n>>20, srv.Requests.Load())
	}
	if msg := err.Error(); !strings.Contains(msg, "larger than") || len(msg) > 300 {
		t.Errorf("message: want a short fixed text, got %q", msg)
	}
}

// What a server at a Vault address says in an error is quoted bounded and cleaned, and a body that is not Vault's
// JSON is not quoted at all: before, both went verbatim into the condition.
func TestErrorTextBoundedAndCleaned(t *testing.T) {
	long := strings.Repeat("Vault is sealed\n\x1b[31m", 2000) // 40 KiB with newlines and escapes
	for name, body := range map[string]string{
		"vault json": `{"errors":["` + strings.ReplaceAll(strings.ReplaceAll(long, "\n", `\n`), "\x1b", `\u001b`) + `"]}`,
		"not json":   "<html>" + long + "</html>",
	} {
		t.Run(name, func(t *testing.T) {
			srv := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusBadGateway)
				_, _ = w.Write([]byte(body))
			})}
			ts := startServer(t, &srv)
			c, _ := New(Settings{Address: ts, Token: "t"})
			_, err := c.ReadKV(t.Context(), "secret", "app")
			msg := err.Error()
			if len(msg) > 400 || strings.ContainsAny(msg, "\n\x1b") || strings.Contains(msg, "<html>") {
				t.Errorf("message of %d bytes, not bounded or not cleaned: %.200q", len(msg), msg)
			}
			if !strings.Contains(msg, "Vault answered HTTP 502") {
				t.Errorf("message: want the status, got %.200q", msg)
			}
		})
	}
}

// A Vault that accepts and never answers a login holds no lock: the ProviderConfig controller's status read
// answers at once, other callers wait only as long as their own context allows, and they share the one login in
// flight instead of each sending their own. Before, the login held the client's lock for its whole timeout (and
// retry) and everything behind it waited.
func TestTarpitLoginHoldsNoLock(t *testing.T) {
	srv := hostile.Start(hostile.Tarpit, false)
	defer srv.Close()
	c, _ := New(Settings{Address: srv.URL, Login: AppRoleLogin("approle", "r", "s"), Method: "appRole"})

	first := make(chan error, 1)
	go func() { first <- c.EnsureToken(context.Background()) }()
	for srv.Held.Load() == 0 {
		select {
		case err := <-first:
			t.Fatalf("the login ended before the server held it: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}

	status := make(chan Status, 1)
	go func() { status <- c.Status() }()
	select {
	case s := <-status:
		if s.Authenticated {
			t.Errorf("status during the login: %+v", s)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Status waited for the login in flight")
	}

	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.EnsureToken(ctx)
	if err == nil || !strings.Contains(err.Error(), "did not answer in time") {
		t.Errorf("a caller whose context ends during the login: got %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("a caller with a 500 ms context waited %s for another's login", took.Round(time.Millisecond))
	}
	if n := srv.Requests.Load(); n != 1 {
		t.Errorf("callers share the login in flight: want 1 login request, got %d", n)
	}
	srv.Close()
	if err := <-first; err == nil {
		t.Errorf("the login against a tarpit must fail")
	}
}

// A login bounded by loginTimeout fails a tarpit well inside the reconcile's 60 s.
func TestTarpitLoginEndsInTime(t *testing.T) {
	t.Parallel()
	srv := hostile.Start(hostile.Tarpit, false)
	defer srv.Close()
	c, _ := New(Settings{Address: srv.URL, Login: AppRoleLogin("approle", "r", "s"), Method: "appRole"})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	start := time.Now()
	err := c.EnsureToken(ctx)
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("the login held its caller %s: want at most 30 s of the reconcile's 60", took.Round(time.Second))
	}
	if err == nil || !strings.Contains(err.Error(), "did not answer in time") {
		t.Errorf("got %v", err)
	}
}

// A redirect from https to plain http (or any other host) is not followed: the token never reaches it. Before,
// Go's client followed it carrying X-Vault-Token.
func TestRedirectToHTTPNotFollowed(t *testing.T) {
	rec := hostile.StartRecorder()
	defer rec.Close()
	srv := hostile.Start(hostile.Redirect, true)
	defer srv.Close()
	srv.Location = rec.URL + "/v1/secret/data/app"
	ca := "-----BEGIN CERTIFICATE-----\n" + b64(srv.Certificate().Raw) + "\n-----END CERTIFICATE-----\n"
	c, err := New(Settings{Address: srv.URL, Token: "canary-vault-token", CABundle: []byte(ca)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ReadKV(t.Context(), "secret", "app")
	if got := rec.Requests(); len(got) != 0 {
		t.Fatalf("the redirect was followed: %d requests reached the http server, token sent: %v", len(got), got[0].Get("X-Vault-Token") != "")
	}
	if err == nil || !strings.Contains(err.Error(), "redirected the request to another scheme or host") {
		t.Errorf("got %v", err)
	}
}

func startServer(t *testing.T, s *http.Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	return "http://" + l.Addr().String()
}
