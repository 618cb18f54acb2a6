// Package gcp builds what the provider calls Google Cloud with: token sources from a config's credentials (a
// service-account key, application default credentials, a token read from Vault), service-account
// impersonation, and client options per service (an endpoint override for emulators).
package gcp

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/impersonate"
	"google.golang.org/api/option"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stateful-dev/provider-stateful/internal/clients/bounded"
)

// Scope is the OAuth scope the provider asks for: every Google Cloud API, narrowed by the service account's IAM
// roles.
const Scope = "https://www.googleapis.com/auth/cloud-platform"

// GoogleTokenURI is where Google issues tokens for service-account keys.
const GoogleTokenURI = "https://oauth2.googleapis.com/token" //nolint:gosec // Google's public token endpoint, not a credential.

// A KeyPolicy says which service-account keys a config may use.
type KeyPolicy struct {
	// GoogleTokenURIOnly refuses a key whose token_uri is not Google's: a key is tenant input, and its token_uri
	// is where the provider would POST a signed assertion — an address the tenant chose, on the provider's
	// network.
	GoogleTokenURIOnly bool
}

// FromKey returns the token source of a service-account key (the JSON Google Cloud issues). Only keys of type
// service_account are accepted: other credential files (external_account among them) can make the library run a
// program or read a file of the provider's choosing.
func FromKey(ctx context.Context, key []byte, p KeyPolicy) (oauth2.TokenSource, error) {
	var f struct {
		Type        string `json:"type"`
		ClientEmail string `json:"client_email"`
		TokenURI    string `json:"token_uri"`
		PrivateKey  string `json:"private_key"`
	}
	if err := json.Unmarshal(key, &f); err != nil {
		return nil, errors.New("the service-account key is not JSON")
	}
	if f.Type != string(google.ServiceAccount) {
		return nil, errors.Errorf("the credentials are of type %q: only a service-account key (type service_account) is accepted", f.Type)
	}
	if p.GoogleTokenURIOnly && f.TokenURI != "" && f.TokenURI != GoogleTokenURI {
		return nil, errors.Errorf("the service-account key's token_uri is %q: a namespaced ProviderConfig may only use keys issued for %s",
			f.TokenURI, GoogleTokenURI)
	}
	// The library parses the private key only when it first asks for a token: check it now, so a bad key is a
	// config error at once, said without quoting the key.
	if !validPrivateKey(f.PrivateKey) {
		return nil, errors.Errorf("cannot read the service-account key of %s: its private_key is malformed", f.ClientEmail)
	}
	c, err := google.CredentialsFromJSONWithType(ctx, key, google.ServiceAccount, Scope)
	if err != nil {
		// The library's message can quote the key: say what is wrong without it.
		return nil, errors.Errorf("cannot read the service-account key of %s: it is malformed", f.ClientEmail)
	}
	return c.TokenSource, nil
}

// validPrivateKey reports whether k is a PEM-encoded PKCS#8 or PKCS#1 private key.
func validPrivateKey(k string) bool {
	b, _ := pem.Decode([]byte(k))
	if b == nil {
		return false
	}
	if _, err := x509.ParsePKCS8PrivateKey(b.Bytes); err == nil {
		return true
	}
	_, err := x509.ParsePKCS1PrivateKey(b.Bytes)
	return err == nil
}

// Default returns application default credentials: GKE workload identity, the metadata server, or the file
// GOOGLE_APPLICATION_CREDENTIALS names. For ClusterProviderConfigs only: it is the provider's own identity.
func Default(ctx context.Context) (oauth2.TokenSource, error) {
	c, err := google.FindDefaultCredentials(ctx, Scope)
	if err != nil {
		return nil, errors.Wrap(err, "cannot find application default credentials")
	}
	return c.TokenSource, nil
}

// Impersonation acts as Target through Delegates with a caller's token.
type Impersonation struct {
	Target    string
	Delegates []string
	// Transport carries the IAM Credentials API calls; nil is the default transport. Tests route them to a
	// stand-in (the library's endpoint is fixed).
	Transport http.RoundTripper
}

// Impersonate returns a token source that acts as the target service account, with base as the caller: each
// token comes from the IAM Credentials API's generateAccessToken, called with the caller's token.
func Impersonate(ctx context.Context, base oauth2.TokenSource, i Impersonation) (oauth2.TokenSource, error) {
	rt := i.Transport
	if rt == nil {
		rt = bounded.Transport(nil, true)
	}
	hc := &http.Client{Transport: &oauth2.Transport{Source: base, Base: bounded.Wrap(rt)}, CheckRedirect: bounded.CheckRedirect}
	ts, err := impersonate.CredentialsTokenSource(ctx,
		impersonate.CredentialsConfig{TargetPrincipal: i.Target, Delegates: i.Delegates, Scopes: []string{Scope}},
		option.WithHTTPClient(hc))
	return ts, errors.Wrapf(err, "cannot impersonate %s", i.Target)
}
