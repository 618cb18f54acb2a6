package credentials

import (
	"context"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	gcpclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp"
	"github.com/stateful-dev/provider-stateful/internal/clients/vault"
)

// vaultGCP is a token source backed by a KV v2 secret: a service-account key, read again every kvRefresh so that
// a rotated key is picked up, or an access token, read again every refresh interval (whoever writes it there
// keeps it fresh). Never a Vault read per request or per reconcile.
type vaultGCP struct {
	client  *vault.Client
	ref     v1alpha1.VaultKVGCPCredentials
	policy  gcpclient.KeyPolicy
	refresh time.Duration
	now     func() time.Time
	// ctx is the context key token sources make their token requests with (the account's).
	ctx context.Context
	statusKeeper

	mu          sync.Mutex
	read        time.Time          // when the key or token was last read
	fromKey     oauth2.TokenSource // the key's token source, while it is fresh
	accessToken *oauth2.Token      // the access token, while it is fresh
}

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
	return &vaultGCP{client: c, ref: *v.KV, policy: p, refresh: refresh, now: time.Now, ctx: context.Background(), statusKeeper: statusKeeper{onChange: onChange}}, nil
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
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	fresh := !p.read.IsZero() && p.now().Sub(p.read) < p.refresh
	if p.ref.AccessTokenKey != "" {
		// Cached here, not only by the caller's oauth2.ReuseTokenSource: that one treats a token as expired 10 s
		// early, which would read Vault on every request under a short refresh interval.
		if fresh && p.accessToken != nil {
			return p.accessToken, nil
		}
		v, err := p.field(ctx, p.ref.AccessTokenKey)
		if err != nil {
			return nil, err
		}
		p.read = p.now()
		p.accessToken = &oauth2.Token{AccessToken: v, TokenType: "Bearer", Expiry: p.read.Add(p.refresh)}
		read := p.read
		p.update(func(s *CredentialStatus) { *s = CredentialStatus{Kind: "kv", LastIssued: read} })
		return p.accessToken, nil
	}
	if p.fromKey == nil || !fresh {
		key, err := p.field(ctx, p.ref.ServiceAccountKeyKey)
		if err != nil {
			return nil, err
		}
		ts, err := gcpclient.FromKey(p.ctx, []byte(key), p.policy)
		if err != nil {
			return nil, err
		}
		p.fromKey, p.read = oauth2.ReuseTokenSource(nil, ts), p.now()
		p.update(func(s *CredentialStatus) { *s = CredentialStatus{Kind: "kv", LastIssued: p.read} })
	}
	return p.fromKey.Token()
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
