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
	"sync"
	"time"

	"github.com/hashicorp/vault/api"

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
}

// A Login logs in to Vault and returns the new token's auth data.
type Login func(ctx context.Context, c *api.Client) (*api.SecretAuth, error)

// A Client is a Vault client for one ProviderConfig. With a Login it logs in on first use, again once two thirds of
// the token's TTL have passed, and again when Vault refuses the token (revoked or expired early).
type Client struct {
	api   *api.Client
	login Login
	now   func() time.Time

	mu      sync.Mutex
	relogAt time.Time // zero: the token does not expire
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
	return &Client{api: c, login: s.Login, now: time.Now}, nil
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

// do runs a request with a valid token: it logs in first when needed, and once more when Vault refuses the
// token, then retries. The returned error is clean.
func (c *Client) do(ctx context.Context, req func() error) error {
	if err := c.ensureToken(ctx, false); err != nil {
		return err
	}
	err := req()
	if c.login != nil && IsPermissionDenied(err) {
		if err := c.ensureToken(ctx, true); err != nil {
			return err
		}
		err = req()
	}
	return Clean(err)
}

// ensureToken logs in when there is no token, when two thirds of its TTL have passed, or when forced.
func (c *Client) ensureToken(ctx context.Context, force bool) error {
	if c.login == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !force && c.api.Token() != "" && (c.relogAt.IsZero() || c.now().Before(c.relogAt)) {
		return nil
	}
	// NOTE: a stale token sent along with a login request can make Vault refuse the login.
	c.api.ClearToken()
	auth, err := c.login(ctx, c.api)
	if err != nil {
		return fmt.Errorf("cannot log in to Vault: %w", Clean(err))
	}
	if auth == nil || auth.ClientToken == "" {
		return errors.New("cannot log in to Vault: the login returned no token")
	}
	c.api.SetToken(auth.ClientToken)
	c.relogAt = time.Time{}
	if auth.LeaseDuration > 0 {
		c.relogAt = c.now().Add(time.Duration(auth.LeaseDuration) * time.Second * 2 / 3)
	}
	return nil
}

// KubernetesLogin logs in with Vault's Kubernetes auth method, presenting the service account token jwt returns.
func KubernetesLogin(mount, role string, jwt func(context.Context) (string, error)) Login {
	return func(ctx context.Context, c *api.Client) (*api.SecretAuth, error) {
		j, err := jwt(ctx)
		if err != nil {
			return nil, fmt.Errorf("cannot get a service account token: %w", err)
		}
		return authOf(c.Logical().WriteWithContext(ctx, "auth/"+mount+"/login", map[string]any{"role": role, "jwt": j}))
	}
}

// AppRoleLogin logs in with Vault's AppRole auth method.
func AppRoleLogin(mount, roleID, secretID string) Login {
	return func(ctx context.Context, c *api.Client) (*api.SecretAuth, error) {
		return authOf(c.Logical().WriteWithContext(ctx, "auth/"+mount+"/login", map[string]any{"role_id": roleID, "secret_id": secretID}))
	}
}

func authOf(s *api.Secret, err error) (*api.SecretAuth, error) {
	if err != nil {
		return nil, err
	}
	if s == nil || s.Auth == nil {
		return nil, errors.New("the login returned no token")
	}
	return s.Auth, nil
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
		if len(re.Errors) > 0 {
			msg += ": " + re.Errors[0]
		}
		return cleanerr.New(msg, err)
	}
	if errors.Is(err, api.ErrSecretNotFound) {
		return cleanerr.New("secret not found", err)
	}
	return err
}
