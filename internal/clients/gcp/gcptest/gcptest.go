// Package gcptest stands in for Google's OAuth token endpoint and IAM Credentials API in unit tests, where no
// real server can answer: it checks what a client sends (a JWT assertion signed by the key it issued, an
// impersonation request) and answers as Google documents.
package gcptest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"crypto"
)

// A TokenServer issues access tokens for the service-account keys it made.
type TokenServer struct {
	*httptest.Server
	key *rsa.PrivateKey

	mu sync.Mutex
	// Assertions are the claims of every JWT assertion it accepted.
	Assertions []map[string]any
}

// NewTokenServer starts a token endpoint; it is closed with t.
func NewTokenServer(t *testing.T) *TokenServer {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := &TokenServer{key: k}
	s.Server = httptest.NewServer(http.HandlerFunc(s.token))
	t.Cleanup(s.Close)
	return s
}

// Key returns a service-account key for email whose token_uri is this server.
func (s *TokenServer) Key(email string) []byte { return keyJSON(s.key, email, s.URL+"/token") }

// NewKey returns a fresh service-account key for email naming Google's token endpoint: for emulators, which
// take no credentials, where the key is only read and parsed.
func NewKey(email string) ([]byte, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return keyJSON(k, email, "https://oauth2.googleapis.com/token"), nil
}

func keyJSON(k *rsa.PrivateKey, email, tokenURI string) []byte {
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	b, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "test-project", "private_key_id": "k1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": email, "client_id": "1", "token_uri": tokenURI,
	})
	return b
}

// Token is the access token issued for an assertion by iss.
func Token(iss string) string { return "token-for-" + iss }

func (s *TokenServer) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)
		return
	}
	claims, err := s.verify(r.Form.Get("assertion"))
	if err != nil {
		http.Error(w, `{"error":"invalid_grant","error_description":"`+err.Error()+`"}`, http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.Assertions = append(s.Assertions, claims)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": Token(fmt.Sprint(claims["iss"])), "expires_in": 3600, "token_type": "Bearer"})
}

// verify checks an RS256 JWT against the server's key and returns its claims.
func (s *TokenServer) verify(jwt string) (map[string]any, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a JWT")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&s.key.PublicKey, crypto.SHA256, h[:], sig); err != nil {
		return nil, fmt.Errorf("bad signature")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	err = json.Unmarshal(b, &claims)
	return claims, err
}

// An IAMServer answers the IAM Credentials API's generateAccessToken.
type IAMServer struct {
	*httptest.Server
	mu sync.Mutex
	// Requests are what it was asked: the caller's bearer token, the target and the delegates.
	Requests []IAMRequest
}

// An IAMRequest is one generateAccessToken call.
type IAMRequest struct {
	Bearer, Target string
	Delegates      []string
}

// NewIAMServer starts the stand-in; it is closed with t.
func NewIAMServer(t *testing.T) *IAMServer {
	t.Helper()
	s := &IAMServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.generate))
	t.Cleanup(s.Close)
	return s
}

// ImpersonatedToken is the token issued for target.
func ImpersonatedToken(target string) string { return "impersonated-" + target }

func (s *IAMServer) generate(w http.ResponseWriter, r *http.Request) {
	// POST /v1/projects/-/serviceAccounts/{target}:generateAccessToken
	rest, ok := strings.CutPrefix(r.URL.Path, "/v1/projects/-/serviceAccounts/")
	target, ok2 := strings.CutSuffix(rest, ":generateAccessToken")
	if r.Method != http.MethodPost || !ok || !ok2 {
		http.NotFound(w, r)
		return
	}
	var body struct {
		Delegates []string `json:"delegates"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	s.mu.Lock()
	s.Requests = append(s.Requests, IAMRequest{Bearer: strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), Target: target, Delegates: body.Delegates})
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"accessToken": ImpersonatedToken(target), "expireTime": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
}

// Transport sends every request to the server instead of the host it names (the IAM Credentials API's endpoint
// is fixed in the library).
func (s *IAMServer) Transport() http.RoundTripper {
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		u := *r.URL
		u.Scheme, u.Host = "http", strings.TrimPrefix(s.URL, "http://")
		r.URL, r.Host = &u, u.Host
		return http.DefaultTransport.RoundTrip(r)
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
