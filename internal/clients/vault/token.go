package vault

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/stateful-dev/provider-stateful/internal/clients/cleanerr"
)

// retryFailedAfter is how long a failed login or token lookup is answered from memory. Callers waiting for a
// login that failed — perhaps after a long timeout against an unresponsive Vault — fail at once instead of each
// waiting as long again.
const retryFailedAfter = 5 * time.Second

// Status is what may be said about a client's token in a ProviderConfig's status. It never holds the token.
type Status struct {
	// Method is the auth method: token, kubernetes or appRole.
	Method string
	// Authenticated is true while the client holds a token Vault accepted.
	Authenticated bool
	// ExpiresAt is when the current token expires unless renewed; zero when it never expires.
	ExpiresAt time.Time
	// LastLogin is when the client last logged in (never, for token auth).
	LastLogin time.Time
	// LastRenewal is when the token was last renewed.
	LastRenewal time.Time
	// Err is the last failure, cleaned; empty while authenticated.
	Err string
}

// Status returns the client's token state.
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// Generation counts the logins the client made. Vault revokes the leases a token created when that token expires
// or is revoked, so credentials minted under an older generation die with its token.
func (c *Client) Generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.generation
}

// EnsureToken makes sure the client holds a usable token. With a login method it logs in on first use, when the
// token can no longer be renewed, two thirds into the life of a token that cannot be renewed at all, and after
// Vault refused the token. With token auth it looks the token up once to learn its TTL. A renewable token is then
// renewed in the background (LifetimeWatcher), so renewal costs no request on the reconcile path.
//
// One login (or lookup) runs at a time, shared by every caller that needs it — the managed resources and the
// ProviderConfig controller alike — and no lock is held while it talks to Vault: it runs under its own deadline
// (loginTimeout), and each caller waits for it only as long as its own context allows. A Vault that accepts and
// never answers holds no other reconcile, and Status answers at once meanwhile.
func (c *Client) EnsureToken(ctx context.Context) error {
	c.mu.Lock()
	f, done, err := c.flightLocked(ctx)
	c.mu.Unlock()
	if done {
		return err
	}
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return cleanerr.New("Vault did not answer in time: the login is still running", ctx.Err())
	}
}

// A flight is one login or token lookup in progress; err is its result once done is closed.
type flight struct {
	done chan struct{}
	err  error
}

// loginTimeout bounds a login or token lookup, whoever waits for it. A Kubernetes login first asks the API server
// for a token and reviews it; the Vault request itself is retried once.
var loginTimeout = 20 * time.Second

// flightLocked answers from the client's state when it can (done), or returns the login in flight, starting one
// when there is none.
func (c *Client) flightLocked(ctx context.Context) (*flight, bool, error) {
	if c.closed {
		return nil, true, errors.New("the Vault connection was closed: its ProviderConfig changed or was deleted")
	}
	if c.valid && (c.relogAt.IsZero() || c.now().Before(c.relogAt)) {
		return nil, true, nil
	}
	if c.lastErr != nil && c.now().Sub(c.failedAt) < retryFailedAfter {
		return nil, true, c.lastErr
	}
	if c.flight != nil {
		return c.flight, false, nil
	}
	f := &flight{done: make(chan struct{})}
	c.flight = f
	c.stopWatcherLocked()
	// The login outlives the caller that started it (others may be waiting for it), never its own deadline.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loginTimeout)
	go func() {
		defer cancel()
		auth, err := c.authenticate(lctx)
		c.mu.Lock()
		before := c.status
		f.err = c.settleLocked(auth, err)
		c.flight = nil
		changed := c.status != before
		orphan := c.closed && err == nil && c.login != nil
		c.mu.Unlock()
		if orphan {
			// Closed while logging in: the new token has no user left; revoke it rather than let it live its TTL.
			_ = c.api.Auth().Token().RevokeSelfWithContext(lctx, "")
		}
		close(f.done)
		if changed {
			c.onChange()
		}
	}()
	return f, false, nil
}

// settleLocked records the outcome of a login or lookup.
func (c *Client) settleLocked(auth *api.SecretAuth, err error) error {
	if c.closed {
		return errors.New("the Vault connection was closed: its ProviderConfig changed or was deleted")
	}
	if err != nil {
		c.valid, c.lastErr, c.failedAt = false, err, c.now()
		c.status.Authenticated, c.status.Err = false, err.Error()
		return err
	}
	c.lastErr = nil
	now := c.now()
	c.valid, c.relogAt = true, time.Time{}
	c.status.Authenticated, c.status.Err, c.status.ExpiresAt = true, "", time.Time{}
	if c.login != nil {
		c.generation++
		c.status.LastLogin = now
	}
	if auth.LeaseDuration <= 0 {
		return nil
	}
	ttl := time.Duration(auth.LeaseDuration) * time.Second
	c.status.ExpiresAt = now.Add(ttl)
	switch {
	case auth.Renewable:
		c.startWatcherLocked(auth)
	case c.login != nil:
		c.relogAt = now.Add(ttl * 2 / 3)
	}
	return nil
}

// authenticate logs in, or for token auth looks the token up. Errors are clean.
func (c *Client) authenticate(ctx context.Context) (*api.SecretAuth, error) {
	if c.login == nil {
		// NOTE: lookup-self and renew-self are in Vault's default policy, so any usable token can do both.
		s, err := c.api.Auth().Token().LookupSelfWithContext(ctx)
		if err != nil {
			return nil, fmt.Errorf("cannot look up the Vault token: %w", Clean(err))
		}
		ttl, _ := s.TokenTTL()
		renewable, _ := s.TokenIsRenewable()
		return &api.SecretAuth{ClientToken: c.token, Renewable: renewable, LeaseDuration: int(ttl.Seconds())}, nil
	}
	// NOTE: a stale token sent along with a login request can make Vault refuse the login.
	c.api.ClearToken()
	auth, err := c.login(ctx, c.api)
	if err != nil {
		return nil, fmt.Errorf("cannot log in to Vault: %w", Clean(err))
	}
	if auth == nil || auth.ClientToken == "" {
		return nil, errors.New("cannot log in to Vault: the login returned no token")
	}
	c.api.SetToken(auth.ClientToken)
	return auth, nil
}

// invalidate marks the token as refused, so the next request checks it again first.
func (c *Client) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.valid = false
}

// startWatcherLocked renews the token in the background until it cannot be renewed any more. When that happens
// to a login token, the next request logs in again; a token from token auth is kept until Vault refuses it.
func (c *Client) startWatcherLocked(auth *api.SecretAuth) {
	w, err := c.api.NewLifetimeWatcher(&api.LifetimeWatcherInput{Secret: &api.Secret{Auth: auth}, RenewBehavior: api.RenewBehaviorErrorOnErrors})
	if err != nil {
		return // Only for a nil secret.
	}
	c.watcher = w
	go w.Start()
	go func() {
		for {
			select {
			case err := <-w.DoneCh():
				c.mu.Lock()
				if c.watcher == w {
					c.watcher = nil
					if c.login != nil {
						c.valid = false
					}
					if err != nil {
						c.status.Err = "cannot renew the Vault token: " + Clean(err).Error()
					}
				}
				c.mu.Unlock()
				c.onChange()
				return
			case r := <-w.RenewCh():
				c.mu.Lock()
				if c.watcher == w && r.Secret != nil && r.Secret.Auth != nil {
					c.status.LastRenewal = r.RenewedAt
					c.status.ExpiresAt = r.RenewedAt.Add(time.Duration(r.Secret.Auth.LeaseDuration) * time.Second)
				}
				c.mu.Unlock()
				c.onChange()
			}
		}
	}()
}

func (c *Client) stopWatcherLocked() {
	if c.watcher != nil {
		w := c.watcher
		c.watcher = nil
		w.Stop()
	}
}

// Close stops renewing the token and makes every later request fail. A token the client logged in for is revoked,
// and with it every lease it created; a token from token auth belongs to its owner and is left alone.
func (c *Client) Close(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	c.stopWatcherLocked()
	if c.login == nil || !c.valid {
		return nil
	}
	c.valid = false
	if err := c.api.Auth().Token().RevokeSelfWithContext(ctx, ""); err != nil {
		return fmt.Errorf("cannot revoke the Vault token: %w", Clean(err))
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
