package credentials

import (
	"context"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	gcpclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp"
	"github.com/stateful-dev/provider-stateful/internal/clients/vault"
)

// vaultGCP is a token source backed by a KV v2 secret: a service-account key, read again every kvRefresh so that
// a rotated key is picked up, or an access token, read again every refresh interval (whoever writes it there
// keeps it fresh). Never a Vault read per request or per reconcile.
//
// No lock is held while Vault is read: the address may be a tenant's tarpit. One read runs at a time, shared by
// every caller that needs it, and a failed read is answered from memory for retryReadAfter: the account's
// oauth2.ReuseTokenSource holds its own lock around Token, so callers queued behind a slow read that failed would
// otherwise each wait for a read of their own in turn.
type vaultGCP struct {
	client  *vault.Client
	ref     v1alpha1.VaultKVGCPCredentials
	policy  gcpclient.KeyPolicy
	refresh time.Duration
	now     func() time.Time
	// ctx is the context key token sources make their token requests with (the account's).
	ctx context.Context
	statusKeeper

	flight singleflight.Group

	mu          sync.Mutex         // guards the fields below, never held during a Vault read or a token request
	read        time.Time          // when the key or token was last read
	fromKey     oauth2.TokenSource // the key's token source, while it is fresh
	accessToken *oauth2.Token      // the access token, while it is fresh
	lastErr     error              // the last read's failure, answered until failedAt + retryReadAfter
	failedAt    time.Time
}

// retryReadAfter is how long a failed read of the credentials is answered from memory.
const retryReadAfter = 5 * time.Second

// gcpFromVault returns the token source for a gcp.credentials.vault block.
func gcpFromVault(c *vault.Client, v *v1alpha1.GCPVaultCredentials, p gcpclient.KeyPolicy, onChange func()) (*vaultGCP, error) {
	if v == nil || v.KV == nil {
		return nil, errors.New("gcp.credentials.source Vault needs gcp.credentials.vault.kv")
	}
	refresh := kvRefresh
	if v.KV.AccessTokenKey != "" && v.KV.RefreshInterval != "" {
		d, err := time.ParseDuration(v.KV.RefreshInterval)
		if err != nil || d <= 0 {
			return nil, errors.Errorf("gcp.credentials.vault.kv.refreshInterval %q is not a duration", v.KV.RefreshInterval)
		}
		refresh = d
	}
	return &vaultGCP{
		client: c, ref: *v.KV, policy: p, refresh: refresh, now: time.Now, ctx: context.Background(),
		statusKeeper: statusKeeper{onChange: onChange},
	}, nil
}

// Token returns a token: the access token read from Vault, or one the key's token source issued.
func (p *vaultGCP) Token() (*oauth2.Token, error) {
	t, err := p.token()
	if err != nil {
		p.failed(err)
		return nil, err
	}
	return t, nil
}

func (p *vaultGCP) token() (*oauth2.Token, error) {
	p.mu.Lock()
	now := p.now()
	fresh := !p.read.IsZero() && now.Sub(p.read) < p.refresh
	tok, ts := p.accessToken, p.fromKey
	lastErr, failedAt := p.lastErr, p.failedAt
	p.mu.Unlock()
	switch {
	case p.ref.AccessTokenKey != "" && fresh && tok != nil:
		// Cached here, not only by the caller's oauth2.ReuseTokenSource: that one treats a token as expired 10 s
		// early, which would read Vault on every request under a short refresh interval.
		return tok, nil
	case p.ref.AccessTokenKey == "" && fresh && ts != nil:
		return ts.Token()
	case lastErr != nil && now.Sub(failedAt) < retryReadAfter:
		return nil, lastErr
	}
	v, err, _ := p.flight.Do("", func() (any, error) {
		got, err := p.readVault()
		p.mu.Lock()
		p.lastErr, p.failedAt = err, p.now()
		p.mu.Unlock()
		return got, err
	})
	if err != nil {
		return nil, err
	}
	if t, ok := v.(*oauth2.Token); ok {
		return t, nil
	}
	return v.(oauth2.TokenSource).Token() //nolint:forcetypeassert // readVault returns a token or a token source.
}

// readVault reads the access token, or the key and builds its token source, and keeps what it read.
func (p *vaultGCP) readVault() (any, error) {
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if p.ref.AccessTokenKey != "" {
		v, err := p.field(ctx, p.ref.AccessTokenKey)
		if err != nil {
			return nil, err
		}
		read := p.now()
		t := &oauth2.Token{AccessToken: v, TokenType: "Bearer", Expiry: read.Add(p.refresh)}
		p.mu.Lock()
		p.read, p.accessToken = read, t
		p.mu.Unlock()
		p.update(func(s *CredentialStatus) { *s = CredentialStatus{Kind: "kv", LastIssued: read} })
		return t, nil
	}
	key, err := p.field(ctx, p.ref.ServiceAccountKeyKey)
	if err != nil {
		return nil, err
	}
	ts, err := gcpclient.FromKey(p.ctx, []byte(key), p.policy)
	if err != nil {
		return nil, err
	}
	ts, read := oauth2.ReuseTokenSource(nil, ts), p.now()
	p.mu.Lock()
	p.fromKey, p.read = ts, read
	p.mu.Unlock()
	p.update(func(s *CredentialStatus) { *s = CredentialStatus{Kind: "kv", LastIssued: read} })
	return ts, nil
}

// field reads one string field of the KV secret.
func (p *vaultGCP) field(ctx context.Context, key string) (string, error) {
	mount := mountOr(p.ref.Mount, "secret")
	data, err := p.client.ReadKV(ctx, mount, p.ref.Path)
	if err != nil {
		return "", err
	}
	v, ok := data[key].(string)
	if !ok || v == "" {
		return "", errors.Errorf("KV secret %s/%s has no string field %q", mount, p.ref.Path, key)
	}
	return v, nil
}
