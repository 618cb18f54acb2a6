package credentials

import (
	"context"
	"os"
	"strconv"

	"golang.org/x/oauth2"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	gcpclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp"
)

const cloudGCP cloud = "gcp"

// A GCPAccount is a resolved GCP section of a ProviderConfig: the project, a token source that caches and
// refreshes tokens, the endpoint overrides, the labelling rules, and the clients built from it so far — which
// hold connections, and are closed with the account.
type GCPAccount struct {
	// ProjectID is the project the managed resources live in.
	ProjectID string
	// TokenSource authorises requests.
	TokenSource oauth2.TokenSource
	// Endpoints are the endpoint overrides; the zero value means Google Cloud's.
	Endpoints v1alpha1.GCPEndpoints
	// DefaultLabels are added to every labelled resource.
	DefaultLabels map[string]string
	// IgnoreLabelPrefixes are the label prefixes never touched; it always includes "goog-".
	IgnoreLabelPrefixes []string
	// Shared is true for a ClusterProviderConfig's account: the platform's identity, serving many namespaces. What
	// a resource names beyond itself (a topic to subscribe to, a service account to act as) is then checked against
	// what its namespace made, not left to the identity's IAM rights.
	Shared bool
	// Reach is what resources may name through the config that the provider does not make (KMS keys, Bigtable
	// instances); nil for a namespaced config.
	Reach *Reach
	// ReadOnly says the account's clients must be built to only read (plan --refresh): every client constructor
	// takes it, and then refuses every call that is not a read before it is sent.
	ReadOnly bool

	stamp  string // see fingerprint
	config string // see builtFrom
	// cancel ends the context the token source makes its requests with: it lives as long as the account.
	cancel context.CancelFunc
	vault  *vaultGCP

	clients clientCache
}

func (a *GCPAccount) fingerprint() string { return a.stamp }
func (a *GCPAccount) builtFrom() string   { return a.config }

func (a *GCPAccount) vaultStatus() *CredentialStatus {
	if a.vault == nil {
		return nil
	}
	s := a.vault.Status()
	return &s
}

// close closes every client built from the account and ends its token source's context.
func (a *GCPAccount) close(context.Context) error {
	err := a.clients.closeAll()
	a.cancel()
	return err
}

// GCP resolves the GCP section of the config mg references. It is rebuilt only when the config's UID or
// generation, or the content of the Secret or file it reads a key from, changes.
func (r *Resolver) GCP(ctx context.Context, mg resource.ModernManaged) (*GCPAccount, error) {
	pc, err := r.getConfig(ctx, mg)
	if err != nil {
		return nil, err
	}
	a, err := r.resolveGCP(ctx, pc)
	if last, ok := lastForDeletion[*GCPAccount](r, cloudGCP, pc, mg, err); ok {
		return last, nil
	}
	return a, err
}

// gcpSource is what a GCP section's credentials resolved to before a token source is built: the key read (for a
// Secret or a file), or the Vault token source.
type gcpSource struct {
	key        []byte
	vault      *vaultGCP
	stamp      string
	useDefault bool
}

func (r *Resolver) gcpCredentials(ctx context.Context, pc config, c v1alpha1.GCPCredentials) (gcpSource, error) {
	if err := checkSource(pc, "gcp", string(c.Source)); err != nil {
		return gcpSource{}, err
	}
	switch c.Source {
	case v1alpha1.GCPCredentialsSecret:
		if c.SecretRef == nil {
			return gcpSource{}, errors.Errorf("%s: gcp credentials source Secret needs a secretRef", pc)
		}
		key, err := r.readSecretKey(ctx, pc, *c.SecretRef)
		return gcpSource{key: []byte(key), stamp: key}, err
	case v1alpha1.GCPCredentialsFilesystem:
		if c.Filesystem == nil {
			return gcpSource{}, errors.Errorf("%s: gcp credentials source Filesystem needs a filesystem path", pc)
		}
		key, err := os.ReadFile(c.Filesystem.Path)
		if err != nil {
			return gcpSource{}, errors.Errorf("%s: cannot read the key file %s", pc, c.Filesystem.Path)
		}
		return gcpSource{key: key, stamp: string(key)}, nil
	case v1alpha1.GCPCredentialsInjectedIdentity:
		return gcpSource{useDefault: true}, nil
	case v1alpha1.GCPCredentialsVault:
		vc, stamp, err := r.vault(ctx, pc)
		if err != nil {
			return gcpSource{}, err
		}
		ref := pc.ref()
		v, err := gcpFromVault(vc, c.Vault, gcpclient.KeyPolicy{GoogleTokenURIOnly: pc.namespace != ""}, func() { r.notify(ref) })
		if err != nil {
			return gcpSource{}, errors.Wrapf(err, "%s", pc)
		}
		return gcpSource{vault: v, stamp: stamp}, nil
	default:
		return gcpSource{}, errors.Errorf("%s: unknown gcp credentials source %q", pc, c.Source)
	}
}

func (r *Resolver) resolveGCP(ctx context.Context, pc config) (*GCPAccount, error) {
	spec := pc.spec.GCP
	if spec == nil {
		return nil, errors.Errorf("%s has no gcp section", pc)
	}
	if err := gcpclient.ValidLabels(spec.DefaultLabels); err != nil {
		return nil, errors.Wrapf(err, "%s: gcp.defaultLabels", pc)
	}
	if err := r.checkEndpoints(pc, "gcp"); err != nil {
		return nil, err
	}
	src, err := r.gcpCredentials(ctx, pc, spec.Credentials)
	if err != nil {
		return nil, err
	}
	key := pc.key()
	stamp := fingerprint(string(pc.uid), strconv.FormatInt(pc.generation, 10), src.stamp)

	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := cachedLocked[*GCPAccount](r, cloudGCP, key); ok && old.fingerprint() == stamp {
		return old, nil
	}
	// Token requests outlive this reconcile: they run in the account's own context, ended when it is closed.
	actx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if src.vault != nil {
		src.vault.ctx = actx
	}
	ts, err := r.gcpTokenSource(actx, pc, spec, src)
	if err != nil {
		cancel()
		return nil, err
	}
	a := &GCPAccount{
		ProjectID:           spec.ProjectID,
		TokenSource:         oauth2.ReuseTokenSource(nil, ts),
		DefaultLabels:       spec.DefaultLabels,
		IgnoreLabelPrefixes: append([]string{"goog-"}, spec.IgnoreLabelPrefixes...),
		Shared:              pc.kind == v1alpha1.ClusterProviderConfigKind,
		Reach:               newGCPReach(pc, spec.AllowedReferences, spec.AllowedAdoptions),
		stamp:               stamp,
		config:              pc.version(),
		cancel:              cancel,
		vault:               src.vault,
		ReadOnly:            r.readOnly,
	}
	if spec.Endpoints != nil {
		a.Endpoints = *spec.Endpoints
	}
	r.replaceLocked(cloudGCP, pc, a)
	return a, nil
}

// gcpTokenSource builds the token source of a GCP section, impersonating its target when it names one.
func (r *Resolver) gcpTokenSource(ctx context.Context, pc config, spec *v1alpha1.GCPConfig, src gcpSource) (oauth2.TokenSource, error) {
	var ts oauth2.TokenSource
	var err error
	switch {
	case src.vault != nil:
		ts = src.vault
	case src.useDefault:
		ts, err = r.gcpDefault(ctx)
	default:
		ts, err = gcpclient.FromKey(ctx, src.key, gcpclient.KeyPolicy{GoogleTokenURIOnly: pc.namespace != ""})
	}
	if err != nil {
		return nil, errors.Wrapf(err, "%s", pc)
	}
	if i := spec.Impersonate; i != nil {
		ts, err = gcpclient.Impersonate(ctx, ts, gcpclient.Impersonation{Target: i.TargetServiceAccount, Delegates: i.Delegates, Transport: r.gcpTransport})
		if err != nil {
			return nil, errors.Wrapf(err, "%s", pc)
		}
	}
	return ts, nil
}
