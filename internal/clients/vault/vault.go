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
	"net/url"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/stateful-dev/provider-stateful/internal/clients/bounded"
	"github.com/stateful-dev/provider-stateful/internal/clients/cleanerr"
)

// Settings are a Vault connection resolved from a ProviderConfig and the Secrets it references.
type Settings struct {
	Address   string
	Namespace string
	// CABundle is PEM; empty means the system roots.
	CABundle []byte
	// Token is the Vault token for token auth. It never reaches a log line or an error.
	Token string
	// Login, when set, obtains the token instead (Kubernetes or AppRole auth).
	Login Login
	// Method names the auth method for the status: token, kubernetes or appRole.
	Method string
	// OnChange is called, without locks held, whenever the client's Status changes.
	OnChange func()
}

// requestTimeout bounds one request to Vault. A paused or partitioned Vault must not hold a reconcile for long:
// the managed resource reports the failure and is retried with backoff.
const requestTimeout = 10 * time.Second

// A Login logs in to Vault and returns the new token's auth data.
type Login func(ctx context.Context, c *api.Client) (*api.SecretAuth, error)

// A Client is a Vault client for one ProviderConfig. See token.go for how it keeps its token valid.
type Client struct {
	api      *api.Client
	login    Login
	method   string
	token    string
	now      func() time.Time
	onChange func()

	mu         sync.Mutex
	valid      bool      // the token is believed usable
	relogAt    time.Time // zero: no scheduled re-login
	generation uint64    // counts logins: leases die with the token that created them
	watcher    *api.LifetimeWatcher
	status     Status
	closed     bool
	lastErr    error // the last failed login or lookup, answered until retryFailedAfter has passed
	failedAt   time.Time
	flight     *flight // the login or lookup in progress, if any
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
	// Bounded like every client of the provider (dial, TLS and header timeouts, answers capped, no redirect to
	// another scheme or host: Go's client would carry X-Vault-Token along, https to http included). Vault's
	// client ignores the proxy variables by default: so does this one.
	t := bounded.Transport(tlsCfg, false)
	t.MaxIdleConnsPerHost = 4
	hc := bounded.Client(t)
	hc.Timeout = requestTimeout
	c, err := api.NewClient(&api.Config{Address: s.Address, HttpClient: hc, MaxRetries: 1, Timeout: requestTimeout, DisableRedirects: true})
	if err != nil {
		return nil, fmt.Errorf("cannot configure the Vault client: %w", err)
	}
	// NOTE: api.NewClient reads VAULT_TOKEN, VAULT_NAMESPACE and VAULT_HEADERS from the process environment even
	// with an explicit Config. Overwrite all three so the provider's environment can never inject them.
	c.SetToken(s.Token)
	c.SetNamespace(s.Namespace)
	c.SetHeaders(http.Header{api.RequestHeaderName: []string{"true"}})
	cl := &Client{api: c, login: s.Login, method: s.Method, token: s.Token, now: time.Now, onChange: s.OnChange}
	if cl.onChange == nil {
		cl.onChange = func() {}
	}
	cl.status.Method = s.Method
	return cl, nil
}

// ReadKV reads the data of a KV version 2 secret.
func (c *Client) ReadKV(ctx context.Context, mount, path string) (map[string]any, error) {
	var s *api.KVSecret
	err := c.do(ctx, func() error {
		var err error
		s, err = c.api.KVv2(mount).Get(ctx, path)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot read KV secret %s/%s: %w", mount, path, err)
	}
	return s.Data, nil
}

// MintAWS mints credentials from the AWS secrets engine at mount for role: an iam_user key (read of creds/<role>)
// or STS credentials (write of sts/<role> with params such as ttl, role_arn, role_session_name).
func (c *Client) MintAWS(ctx context.Context, mount, role, credentialType string, params map[string]any) (*api.Secret, error) {
	var s *api.Secret
	err := c.do(ctx, func() error {
		var err error
		if credentialType == "iam_user" {
			s, err = c.api.Logical().ReadWithContext(ctx, mount+"/creds/"+role)
		} else {
			s, err = c.api.Logical().WriteWithContext(ctx, mount+"/sts/"+role, params)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot mint AWS credentials from %s/%s: %w", mount, role, err)
	}
	if s == nil || s.Data == nil {
		return nil, fmt.Errorf("cannot mint AWS credentials from %s/%s: Vault returned nothing", mount, role)
	}
	return s, nil
}

// RenewLease renews a lease by increment and returns its new duration (which Vault caps at the lease's max TTL).
func (c *Client) RenewLease(ctx context.Context, leaseID string, increment time.Duration) (time.Duration, error) {
	var s *api.Secret
	err := c.do(ctx, func() error {
		var err error
		s, err = c.api.Sys().RenewWithContext(ctx, leaseID, int(increment.Seconds()))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cannot renew the lease: %w", err)
	}
	if s == nil {
		return 0, errors.New("cannot renew the lease: Vault returned nothing")
	}
	return time.Duration(s.LeaseDuration) * time.Second, nil
}

// RevokeLease revokes a lease now; Vault deletes what it minted (for an iam_user lease, the IAM user).
func (c *Client) RevokeLease(ctx context.Context, leaseID string) error {
	if err := c.do(ctx, func() error { return c.api.Sys().RevokeWithContext(ctx, leaseID) }); err != nil {
		return fmt.Errorf("cannot revoke the lease: %w", err)
	}
	return nil
}

// do runs a request with a valid token: it logs in first when needed and, when Vault refuses the token, checks
// it again (a new login, or a token lookup for token auth) and retries once. The returned error is clean.
func (c *Client) do(ctx context.Context, req func() error) error {
	if err := c.EnsureToken(ctx); err != nil {
		return err
	}
	err := req()
	if IsPermissionDenied(err) {
		c.invalidate()
		if err := c.EnsureToken(ctx); err != nil {
			return err
		}
		err = req()
	}
	return Clean(err)
}

// IsPermissionDenied reports whether Vault refused the request's token or policy (HTTP 403).
func IsPermissionDenied(err error) bool {
	var re *api.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusForbidden
}

// Clean turns a Vault API error into a short, stable message without the request URL's query or any header: the
// HTTP status and Vault's own error strings. Other errors are unchanged.
func Clean(err error) error {
	var re *api.ResponseError
	if errors.As(err, &re) {
		msg := fmt.Sprintf("Vault answered HTTP %d", re.StatusCode)
		switch {
		case re.RawError:
			// Not Vault's JSON: a proxy's page, or whatever a server a tenant named chose to send. Not quoted.
			msg += " (not a Vault error response)"
		case len(re.Errors) > 0:
			// Vault's own words, but the address is tenant input: quoted bounded and cleaned.
			msg += ": " + cleanerr.Text(re.Errors[0])
		}
		return cleanerr.New(msg, err)
	}
	if bounded.IsTooLarge(err) {
		return cleanerr.New("Vault's answer is larger than the provider reads: not read further", err)
	}
	if errors.As(err, new(bounded.RedirectError)) {
		return cleanerr.New("Vault redirected the request to another scheme or host: not followed", err)
	}
	if errors.Is(err, api.ErrSecretNotFound) {
		return cleanerr.New("secret not found", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return cleanerr.New("Vault did not answer in time", err)
	}
	// A transport failure: say what happened without the request URL, which changes with each path and carries
	// the lease or secret being worked on.
	var ue *url.Error
	if errors.As(err, &ue) {
		switch {
		case ue.Timeout():
			return cleanerr.New("Vault did not answer in time", err)
		case isConnRefused(err):
			return cleanerr.New("Vault is unreachable: connection refused", err)
		}
		var ce *tls.CertificateVerificationError
		if errors.As(err, &ce) {
			return cleanerr.New("Vault's TLS certificate is not trusted: "+ce.Err.Error(), err)
		}
		return cleanerr.New("cannot reach Vault: "+ue.Err.Error(), err)
	}
	return err
}

func isConnRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }
