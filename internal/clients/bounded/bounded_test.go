package bounded

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Pinned production limits: changing one is a decision (README, Security model).
func TestLimits(t *testing.T) {
	if MaxBody != 4<<20 || MaxErrorBody != 64<<10 || MaxGRPCMessage != 4<<20 {
		t.Errorf("body limits changed: %d %d %d", MaxBody, MaxErrorBody, MaxGRPCMessage)
	}
	if DialTimeout != 5*time.Second || TLSHandshakeTimeout != 5*time.Second || ResponseHeaderTimeout != 10*time.Second ||
		RequestTimeout != 15*time.Second || CallTimeout != 20*time.Second {
		t.Errorf("timeouts changed")
	}
}

// A body of exactly the limit is read whole; one byte more fails with a TooLargeError, 2xx and error answers
// with their own limits.
func TestBodyLimit(t *testing.T) {
	cases := map[string]struct {
		status int
		size   int
		tooBig bool
	}{
		"2xx at the limit":     {status: 200, size: MaxBody},
		"2xx over the limit":   {status: 200, size: MaxBody + 1, tooBig: true},
		"error at the limit":   {status: 500, size: MaxErrorBody},
		"error over the limit": {status: 500, size: MaxErrorBody + 1, tooBig: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(strings.Repeat("a", tc.size)))
			}))
			defer srv.Close()
			resp, err := Client(nil).Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp.Body.Close() }()
			b, err := io.ReadAll(resp.Body)
			if IsTooLarge(err) != tc.tooBig {
				t.Errorf("read %d bytes: err %v, want too large %v", len(b), err, tc.tooBig)
			}
			if !tc.tooBig && len(b) != tc.size {
				t.Errorf("read %d bytes, want %d", len(b), tc.size)
			}
		})
	}
}

// A redirect within the same scheme and host is followed; to another host or scheme it is not.
func TestCheckRedirect(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(299) }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/same":
			http.Redirect(w, r, "/ok", http.StatusTemporaryRedirect)
		case "/other":
			http.Redirect(w, r, other.URL+"/ok", http.StatusTemporaryRedirect)
		default:
			w.WriteHeader(298)
		}
	}))
	defer srv.Close()
	resp, err := Client(nil).Get(srv.URL + "/same")
	if err != nil || resp.StatusCode != 298 {
		t.Errorf("same host: %v %v", resp, err)
	}
	_, err = Client(nil).Get(srv.URL + "/other")
	if err == nil || !strings.Contains(err.Error(), RedirectError{}.Error()) {
		t.Errorf("other host: want a RedirectError, got %v", err)
	}
}
