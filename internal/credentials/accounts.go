package credentials

import (
	"context"

	kerrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// An account is one cloud section of a resolved config — AWS today, each cloud its own type — cached by the
// resolver until the config's generation or the credentials it read change, and closed when it is replaced, its
// config goes, or the provider stops.
type account interface {
	// fingerprint identifies what it was built from: the config's UID and generation and the credentials read.
	fingerprint() string
	// builtFrom is the config version (UID and generation) it was built from.
	builtFrom() string
	// close releases what it holds: leases in Vault, SDK clients' connections.
	close(ctx context.Context) error
	// vaultStatus is the state of the credentials it reads from Vault; nil when it reads none.
	vaultStatus() *CredentialStatus
}

// A cloud names an account's cloud in the cache.
type cloud string

const cloudAWS cloud = "aws"

// clouds are the clouds an account can be cached for.
var clouds = []cloud{cloudAWS, cloudGCP}

type accountKey struct {
	cloud  cloud
	config string
}

// cachedLocked returns the account of cloud c cached for the config key, if it is an A. r.mu must be held.
func cachedLocked[A account](r *Resolver, c cloud, key string) (A, bool) {
	a, ok := r.accounts[accountKey{c, key}].(A)
	return a, ok
}

// cached is cachedLocked, taking r.mu.
func cached[A account](r *Resolver, c cloud, key string) (A, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return cachedLocked[A](r, c, key)
}

// replaceLocked caches a as pc's account of cloud c; the account it replaces is released now, not at its
// credentials' TTL (an IAM user in Vault, a connection). r.mu must be held.
func (r *Resolver) replaceLocked(c cloud, pc config, a account) {
	k := accountKey{c, pc.key()}
	old := r.accounts[k]
	r.accounts[k] = a
	if old != nil {
		r.retire(pc.ref(), old.close)
	}
}

// takeAccounts removes and returns every cloud's account of the config key. r.mu must be held.
func (r *Resolver) takeAccountsLocked(key string) []account {
	var out []account
	for _, c := range clouds {
		k := accountKey{c, key}
		if a, ok := r.accounts[k]; ok {
			out = append(out, a)
			delete(r.accounts, k)
		}
	}
	return out
}

// lastForDeletion returns the account of cloud c that pc last resolved to, for a managed resource being deleted
// whose config's Secret is gone (err is NotFound): deleting a namespace deletes its Secrets, its ProviderConfig
// and its managed resources together, and the resources still need credentials to delete what they manage. Only
// an account built from this config (this generation, or an earlier one when the config is being deleted) is
// returned.
func lastForDeletion[A account](r *Resolver, c cloud, pc config, mg resource.Managed, err error) (A, bool) {
	var none A
	if err == nil || !meta.WasDeleted(mg) || !kerrors.IsNotFound(err) {
		return none, false
	}
	last, ok := cached[A](r, c, pc.key())
	if !ok || !pc.continues(last.builtFrom()) {
		return none, false
	}
	return last, true
}
