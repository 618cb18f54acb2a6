// Package vault builds HashiCorp Vault clients for the provider. Each client is configured only from its
// ProviderConfig: the VAULT_* environment variables the Vault SDK honours by default (VAULT_TOKEN,
// VAULT_SKIP_VERIFY, VAULT_NAMESPACE, VAULT_HEADERS, ...) never apply, and nothing is written to disk.
package vault

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hashicorp/vault/api"
)

// Settings are a Vault connection resolved from a ProviderConfig and the Secrets it references.
type Settings struct {
	Address   string
	Namespace string
	// CABundle is PEM; empty means the system roots.
	CABundle []byte
	// Token is the Vault token for token auth. It never reaches a log line or an error.
	Token string
}

// A Client is a logged-in Vault client.
type Client struct {
	api *api.Client
}

// New returns a client for s. It makes no request.
func New(s Settings) (*Client, error) {
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(s.CABundle) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(s.CABundle) {
			return nil, errors.New("the Vault CA bundle holds no PEM certificate")
		}
		tlsCfg.RootCAs = pool
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: tlsCfg, MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second,
	}}
	c, err := api.NewClient(&api.Config{Address: s.Address, HttpClient: hc, MaxRetries: 2, Timeout: 30 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("cannot configure the Vault client: %w", err)
	}
	// NOTE: api.NewClient reads VAULT_TOKEN, VAULT_NAMESPACE and VAULT_HEADERS from the process environment even
	// with an explicit Config. Overwrite all three so the provider's environment can never inject them.
	c.SetToken(s.Token)
	c.SetNamespace(s.Namespace)
	c.SetHeaders(http.Header{api.RequestHeaderName: []string{"true"}})
	return &Client{api: c}, nil
}

// ReadKV reads the data of a KV version 2 secret.
func (c *Client) ReadKV(ctx context.Context, mount, path string) (map[string]any, error) {
	s, err := c.api.KVv2(mount).Get(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("cannot read KV secret %s/%s: %w", mount, path, Clean(err))
	}
	return s.Data, nil
}

// Clean turns a Vault API error into a short, stable message without the request URL's query or any header: the
// HTTP status and Vault's own error strings. Other errors are unchanged.
func Clean(err error) error {
	var re *api.ResponseError
	if errors.As(err, &re) {
		msg := fmt.Sprintf("Vault answered HTTP %d", re.StatusCode)
		if len(re.Errors) > 0 {
			msg += ": " + re.Errors[0]
		}
		return &cleanError{msg: msg, cause: err}
	}
	if errors.Is(err, api.ErrSecretNotFound) {
		return &cleanError{msg: "secret not found", cause: err}
	}
	return err
}

// cleanError carries a stable message and keeps the original error for errors.As and errors.Is.
type cleanError struct {
	msg   string
	cause error
}

func (e *cleanError) Error() string { return e.msg }
func (e *cleanError) Unwrap() error { return e.cause }
