package credentials

import (
	"context"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"

	"github.com/stateful-dev/provider-stateful/internal/clients/vault"
)

// A ConfigRef names a ProviderConfig (with its namespace) or a ClusterProviderConfig.
type ConfigRef struct {
	Kind      string
	Namespace string
	Name      string
}

func (c ConfigRef) key() string { return c.Kind + "/" + c.Namespace + "/" + c.Name }

// releaseTimeout bounds the revocation of what a changed, deleted or shut-down config held in Vault.
const releaseTimeout = 30 * time.Second

// retiredConnGrace is how long a replaced Vault connection stays open, so that the leases minted through it can
// be revoked through it.
const retiredConnGrace = 10 * time.Second

// OnChange registers fn to be told when what a config's status shows changes. fn must not block.
func (r *Resolver) OnChange(fn func(ConfigRef)) {
	r.lmu.Lock()
	defer r.lmu.Unlock()
	r.listeners = append(r.listeners, fn)
}

func (r *Resolver) notify(ref ConfigRef) {
	r.lmu.Lock()
	ls := r.listeners
	r.lmu.Unlock()
	for _, fn := range ls {
		fn(ref)
	}
}

// WithLogger sets the logger for what happens off the reconcile path. Call it before the resolver is used.
func (r *Resolver) WithLogger(l logging.Logger) { r.log = l }

// retire runs the release functions in order, in the background, logging failures.
func (r *Resolver) retire(ref ConfigRef, release ...func(context.Context) error) {
	r.retireAfter(0, ref, release...)
}

func (r *Resolver) retireAfter(delay time.Duration, ref ConfigRef, release ...func(context.Context) error) {
	go func() {
		time.Sleep(delay)
		ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
		defer cancel()
		r.release(ctx, ref.key(), release...)
	}()
}

func (r *Resolver) release(ctx context.Context, config string, release ...func(context.Context) error) {
	for _, f := range release {
		if err := f(ctx); err != nil {
			r.log.Info("Cannot release credentials held in Vault; they expire at the end of their TTL", "config", config, "error", err.Error())
		}
	}
}

// revokeLease revokes a replaced lease in the background.
func (r *Resolver) revokeLease(ref ConfigRef, c *vault.Client, id string) {
	r.retire(ref, func(ctx context.Context) error { return c.RevokeLease(ctx, id) })
	r.log.Debug("Revoking replaced Vault lease", "config", ref.key())
}

// Forget drops what the resolver holds for a deleted config and releases it in Vault: its leases are revoked and
// a token it logged in for is revoked.
func (r *Resolver) Forget(ref ConfigRef) {
	r.mu.Lock()
	accounts := r.takeAccountsLocked(ref.key())
	v := r.vaults[ref.key()]
	delete(r.vaults, ref.key())
	r.mu.Unlock()
	var release []func(context.Context) error
	for _, a := range accounts {
		release = append(release, a.close)
	}
	if v != nil {
		release = append(release, v.client.Close)
	}
	if len(release) > 0 {
		r.retire(ref, release...)
	}
}

// Close releases everything every config holds in Vault, for a provider shutting down: a restarted provider mints
// new credentials, so the old ones would only linger until their TTL.
func (r *Resolver) Close(ctx context.Context) {
	r.secretCache.stopWatches()
	r.mu.Lock()
	accounts, vaults := r.accounts, r.vaults
	r.accounts, r.vaults = map[accountKey]account{}, map[string]*vaultConn{}
	r.mu.Unlock()
	// Leases first, through the connections that minted them; then the connections.
	for k, a := range accounts {
		r.release(ctx, k.config, a.close)
	}
	for k, v := range vaults {
		r.release(ctx, k, v.client.Close)
	}
}

// A ConfigStatus is what the resolver knows about a config's Vault connection and the credentials read through
// it. It holds no secret.
type ConfigStatus struct {
	// Vault is the token state; nil until the connection was first used.
	Vault *vault.Status
	// AWS is the state of AWS credentials from Vault; nil until a managed resource used them.
	AWS *CredentialStatus
	// GCP is the state of Google Cloud credentials from Vault; nil until a managed resource used them.
	GCP *CredentialStatus
}

// Status returns what the resolver knows about the config now.
func (r *Resolver) Status(ref ConfigRef) ConfigStatus {
	r.mu.Lock()
	aws, hasAWS := cachedLocked[*AWSAccount](r, cloudAWS, ref.key())
	gcp, hasGCP := cachedLocked[*GCPAccount](r, cloudGCP, ref.key())
	v := r.vaults[ref.key()]
	r.mu.Unlock()
	var s ConfigStatus
	if v != nil {
		vs := v.client.Status()
		s.Vault = &vs
	}
	if hasAWS {
		s.AWS = aws.vaultStatus()
	}
	if hasGCP {
		s.GCP = gcp.vaultStatus()
	}
	return s
}

// CheckVault connects the config to Vault and makes sure it holds a token (logging in if it has none), so that a
// config's status shows whether its Vault auth works before any managed resource uses it. It makes no request
// while the token is valid. A config without a vault section is not checked.
func (r *Resolver) CheckVault(ctx context.Context, ref ConfigRef) error {
	pc, err := r.getConfigByRef(ctx, ref)
	if err != nil {
		return err
	}
	if pc.spec.Vault == nil {
		return nil
	}
	c, _, err := r.vault(ctx, pc)
	if err != nil {
		return err
	}
	return c.EnsureToken(ctx)
}
