package credentials

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"golang.org/x/sync/singleflight"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/cleanerr"
	"github.com/stateful-dev/provider-stateful/internal/clients/vault"
)

// kvRefresh is how long static credentials read from Vault KV are used before they are read again, so that a
// rotated key is picked up without a Vault read per reconcile.
const kvRefresh = 5 * time.Minute

// CredentialStatus is what may be said about credentials read from Vault in a ProviderConfig's status: never a
// key.
type CredentialStatus struct {
	// Kind is kv, or the secrets engine's credential type (iam_user, assumed_role, ...).
	Kind string
	// ExpiresAt is when the current credentials (or their lease) expire; zero when they do not.
	ExpiresAt time.Time
	// LastIssued is when credentials were last read or minted.
	LastIssued time.Time
	// LastRenewal is when their lease was last renewed.
	LastRenewal time.Time
	// Err is the last failure, cleaned; empty after a success.
	Err string
}

// A vaultAWS is an SDK credentials provider backed by Vault, with a status and resources to release.
type vaultAWS interface {
	aws.CredentialsProvider
	Status() CredentialStatus
	// Close releases what the provider holds in Vault (revokes its lease).
	Close(ctx context.Context) error
}

// awsFromVault returns the SDK credentials provider for an aws.credentials.vault block.
func awsFromVault(c *vault.Client, v *v1alpha1.AWSVaultCredentials, sessionName string, onChange func()) (vaultAWS, error) {
	switch {
	case v == nil:
		return nil, errors.New("aws.credentials.source Vault needs aws.credentials.vault")
	case v.KV != nil:
		return &vaultKV{client: c, ref: *v.KV, refresh: kvRefresh, now: time.Now, statusKeeper: statusKeeper{onChange: onChange}}, nil
	case v.SecretsEngine != nil:
		return &vaultEngine{client: c, ref: *v.SecretsEngine, sessionName: sessionName, now: time.Now, statusKeeper: statusKeeper{onChange: onChange}}, nil
	default:
		return nil, errors.New("aws.credentials.vault names no credentials")
	}
}

// statusKeeper holds a credential status and reports changes.
type statusKeeper struct {
	mu       sync.Mutex
	status   CredentialStatus
	onChange func()
}

func (k *statusKeeper) Status() CredentialStatus {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.status
}

func (k *statusKeeper) update(f func(*CredentialStatus)) {
	k.mu.Lock()
	before := k.status
	f(&k.status)
	changed := before != k.status
	k.mu.Unlock()
	if changed && k.onChange != nil {
		k.onChange()
	}
}

func (k *statusKeeper) failed(err error) {
	k.update(func(s *CredentialStatus) { s.Err = err.Error() })
}

// vaultKV reads a static access key from a KV v2 secret. It reports an expiry refresh from now, so the SDK's
// credentials cache reads it again after that — picking up a rotated key — and not on every request.
type vaultKV struct {
	client  *vault.Client
	ref     v1alpha1.VaultKVAWSCredentials
	refresh time.Duration
	now     func() time.Time
	statusKeeper
}

// Retrieve reads the secret.
func (p *vaultKV) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := p.read(ctx)
	if err != nil {
		p.failed(err)
		return aws.Credentials{}, err
	}
	p.update(func(s *CredentialStatus) { *s = CredentialStatus{Kind: "kv", LastIssued: p.now()} })
	return c, nil
}

func (p *vaultKV) read(ctx context.Context) (aws.Credentials, error) {
	mount := mountOr(p.ref.Mount, "secret")
	data, err := p.client.ReadKV(ctx, mount, p.ref.Path)
	if err != nil {
		return aws.Credentials{}, err
	}
	field := func(key, def string) (string, error) {
		if key == "" {
			key = def
		}
		if key == "" {
			return "", nil
		}
		v, ok := data[key].(string)
		if !ok {
			return "", errors.Errorf("KV secret %s/%s has no string field %q", mount, p.ref.Path, key)
		}
		return v, nil
	}
	c := aws.Credentials{Source: "Vault KV", CanExpire: true, Expires: p.now().Add(p.refresh)}
	if c.AccessKeyID, err = field(p.ref.AccessKeyIDKey, "access_key_id"); err != nil {
		return aws.Credentials{}, err
	}
	if c.SecretAccessKey, err = field(p.ref.SecretAccessKeyKey, "secret_access_key"); err != nil {
		return aws.Credentials{}, err
	}
	if c.SessionToken, err = field(p.ref.SessionTokenKey, ""); err != nil {
		return aws.Credentials{}, err
	}
	return c, nil
}

// Close holds nothing to release: a KV secret is not leased.
func (p *vaultKV) Close(context.Context) error { return nil }

// A lease is credentials minted by the AWS secrets engine.
type lease struct {
	creds     aws.Credentials
	id        string
	duration  time.Duration // as first granted; renewals ask for as much again
	end       time.Time
	renewable bool
	// generation is the Vault client's login generation at minting: Vault revokes an iam_user lease together
	// with the token that created it.
	generation uint64
}

// vaultEngine mints credentials with Vault's AWS secrets engine.
//
// The SDK's credentials cache calls Retrieve when the credentials it holds reach the expiry given here: two
// thirds of the way to the end of the lease (or, for an iam_user lease, to the end of the Vault token it dies
// with, when that comes first). Retrieve then hands out the same key with a new expiry if the lease still has
// time, renews a renewable lease, or mints new credentials — revoking the old lease, so replaced IAM users do not
// linger until their TTL. Credentials AWS refused are never handed out again.
//
// No lock is held while Vault is asked: the address may be a tenant's tarpit. One refresh runs at a time, shared
// by whoever asks meanwhile, and each caller waits for it only as long as its own context allows; Close does not
// wait for it.
type vaultEngine struct {
	client      *vault.Client
	ref         v1alpha1.VaultAWSSecretsEngine
	sessionName string
	now         func() time.Time
	// revoke releases a replaced lease; it runs in the background so the request waiting for credentials does
	// not wait for Vault to delete an IAM user.
	revoke func(l *lease)
	statusKeeper

	flight  singleflight.Group
	refused atomic.Bool

	mu     sync.Mutex // guards cur and closed, never held during a Vault call
	cur    *lease
	closed bool
}

// Refused is called when AWS refused the current credentials: the next Retrieve mints new ones.
func (p *vaultEngine) Refused() { p.refused.Store(true) }

// Retrieve returns usable credentials; see vaultEngine.
func (p *vaultEngine) Retrieve(ctx context.Context) (aws.Credentials, error) {
	// The refresh outlives a caller that gives up (others may be waiting for it); each Vault call in it is bounded
	// by the Vault client's own timeouts.
	ch := p.flight.DoChan("", func() (any, error) { return p.retrieve(context.WithoutCancel(ctx)) })
	select {
	case r := <-ch:
		if r.Err != nil {
			return aws.Credentials{}, r.Err
		}
		return r.Val.(aws.Credentials), nil //nolint:forcetypeassert // retrieve returns only aws.Credentials.
	case <-ctx.Done():
		return aws.Credentials{}, cleanerr.New("Vault did not answer in time: the request for AWS credentials is still running", ctx.Err())
	}
}

// retrieve is Retrieve's one refresh at a time.
func (p *vaultEngine) retrieve(ctx context.Context) (aws.Credentials, error) {
	if err := p.client.EnsureToken(ctx); err != nil {
		p.failed(err)
		return aws.Credentials{}, err
	}
	now := p.now()
	p.mu.Lock()
	l := p.cur
	p.mu.Unlock()
	if l != nil && !p.refused.Load() && p.alive(l) {
		if l.end.Sub(now) > l.duration/3 {
			return p.hand(l, now), nil
		}
		if l.renewable {
			// Vault caps a renewal at the lease's max TTL: a lease renewed for less than half its first term is
			// near its end and is replaced instead.
			d, err := p.client.RenewLease(ctx, l.id, l.duration)
			if err == nil && d >= l.duration/2 {
				// A lease is never changed once stored (Close reads it without the flight): the renewal replaces it.
				renewed := *l
				renewed.end = now.Add(d)
				p.store(&renewed)
				p.update(func(s *CredentialStatus) { s.LastRenewal, s.ExpiresAt, s.Err = now, renewed.end, "" })
				return p.hand(&renewed, now), nil
			}
		}
	}
	l, err := p.mint(ctx)
	if err != nil {
		p.failed(err)
		return aws.Credentials{}, err
	}
	old := p.store(l)
	p.refused.Store(false)
	p.update(func(s *CredentialStatus) {
		*s = CredentialStatus{Kind: p.ref.CredentialType, LastIssued: now, ExpiresAt: l.end}
	})
	if old != nil && old.renewable && p.revoke != nil {
		p.revoke(old)
	}
	return p.hand(l, now), nil
}

// store makes l the current lease and returns the lease it replaced, to be revoked. Once the engine is closed it
// keeps nothing: l itself is returned, as Close did not see it.
func (p *vaultEngine) store(l *lease) *lease {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return l
	}
	old := p.cur
	p.cur = l
	return old
}

// alive reports whether the lease can still be in force: an iam_user lease dies with the token that minted it.
func (p *vaultEngine) alive(l *lease) bool {
	return !l.renewable || l.generation == p.client.Generation()
}

// hand returns the lease's credentials, set to expire two thirds of the way to the end of their usable life.
func (p *vaultEngine) hand(l *lease, now time.Time) aws.Credentials {
	end := l.end
	if l.renewable {
		if t := p.client.Status().ExpiresAt; !t.IsZero() && t.Before(end) {
			end = t
		}
	}
	c := l.creds
	c.CanExpire = true
	c.Expires = now.Add(max(end.Sub(now)*2/3, time.Second))
	return c
}

func (p *vaultEngine) mint(ctx context.Context) (*lease, error) {
	params := map[string]any{}
	if p.ref.CredentialType == "assumed_role" {
		params["role_session_name"] = p.sessionName
		if p.ref.RoleSessionName != nil {
			params["role_session_name"] = *p.ref.RoleSessionName
		}
		if p.ref.RoleARN != nil {
			params["role_arn"] = *p.ref.RoleARN
		}
	}
	if p.ref.TTL != nil {
		params["ttl"] = *p.ref.TTL
	}
	s, err := p.client.MintAWS(ctx, mountOr(p.ref.Mount, "aws"), p.ref.Role, p.ref.CredentialType, params)
	if err != nil {
		return nil, err
	}
	str := func(k string) string { v, _ := s.Data[k].(string); return v }
	c := aws.Credentials{
		AccessKeyID: str("access_key"), SecretAccessKey: str("secret_key"), SessionToken: str("security_token"),
		Source: "Vault AWS secrets engine",
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return nil, errors.Errorf("Vault's AWS secrets engine role %s returned no access key", p.ref.Role)
	}
	d := time.Duration(s.LeaseDuration) * time.Second
	if d <= 0 {
		// Vault always leases engine credentials; a lease without a duration is kept for an hour at most.
		d = time.Hour
	}
	return &lease{creds: c, id: s.LeaseID, duration: d, end: p.now().Add(d), renewable: s.Renewable && s.LeaseID != "", generation: p.client.Generation()}, nil
}

// Close revokes the current lease, if it is renewable (an IAM user; STS credentials cannot be revoked). A lease
// minted after it is revoked as it is stored.
func (p *vaultEngine) Close(ctx context.Context) error {
	p.mu.Lock()
	l := p.cur
	p.cur, p.closed = nil, true
	p.mu.Unlock()
	if l == nil || !l.renewable {
		return nil
	}
	return p.client.RevokeLease(ctx, l.id)
}
