// Package credentials resolves a managed resource's ProviderConfig reference into cloud settings, in one place
// for every kind. It enforces tenancy (a namespaced ProviderConfig uses only its own namespace's Secrets and never
// the provider's own identity) and caches what it builds, so that a steady-state reconcile makes no credential
// fetch and builds no SDK client.
package credentials

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"golang.org/x/oauth2"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	awsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws"
	gcpclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp"
)

// A Resolver resolves ProviderConfig references. It is safe for concurrent use by every controller.
type Resolver struct {
	// kube reads ProviderConfigs and ClusterProviderConfigs, normally from the manager's cache.
	kube client.Reader
	// secrets reads Secrets (and, for Vault's Kubernetes auth, service accounts) straight from the API server (the
	// manager's API reader), so the provider starts no cluster-wide Secret informer and holds no Secret it does not use.
	secrets client.Reader
	// tokens requests service account tokens (TokenRequest) for Vault's Kubernetes auth, and reviews them.
	tokens client.Client
	// vaultTenancy are the administrator's rules for namespaced configs' Vault connections.
	vaultTenancy VaultTenancy
	// allowedEndpoints are the endpoints namespaced configs may name (--allowed-endpoint).
	allowedEndpoints []EndpointPattern
	// newAWSConfig builds an SDK configuration; tests replace it to count builds.
	newAWSConfig func(context.Context, awsclient.Settings) (aws.Config, error)
	// gcpDefault finds application default credentials; tests replace it.
	gcpDefault func(context.Context) (oauth2.TokenSource, error)
	// gcpTransport carries impersonation's IAM Credentials API calls; nil is the default (tests replace it).
	gcpTransport http.RoundTripper

	// readOnly builds accounts whose clients can only read (WithReadOnlyClients).
	readOnly bool

	// log records what happens off the reconcile path: revocations and their failures. Never a secret.
	log logging.Logger
	// listeners are told when what a config's status shows changed (a login, a renewal, a failure).
	lmu       sync.Mutex
	listeners []func(ConfigRef)

	secretCache secretCache

	mu       sync.Mutex
	accounts map[accountKey]account
	vaults   map[string]*vaultConn
}

// NewResolver returns a Resolver that reads configs with kube and Secrets with secrets, and requests service
// account tokens with tokens.
func NewResolver(kube, secrets client.Reader, tokens client.Client) *Resolver {
	return &Resolver{
		kube: kube, secrets: secrets, tokens: tokens, newAWSConfig: awsclient.NewConfig, gcpDefault: gcpclient.Default,
		log:      logging.NewNopLogger(),
		accounts: map[accountKey]account{}, vaults: map[string]*vaultConn{},
	}
}

// WithReadOnlyClients makes every account the resolver builds one whose service clients can only read: an AWS
// configuration that refuses every request that is not a read, and a GCP account whose clients are built with the
// same guard (GCPAccount.ReadOnly). plan --refresh resolves with it; the provider never does.
func (r *Resolver) WithReadOnlyClients() { r.readOnly = true }

// A config is a ProviderConfig or ClusterProviderConfig, reduced to what resolution needs.
type config struct {
	kind       string
	namespace  string // empty for a ClusterProviderConfig
	name       string
	uid        types.UID
	generation int64
	deleting   bool // its deletion bumped its generation, not a spec change
	spec       v1alpha1.ProviderConfigSpec
}

func (c config) String() string {
	if c.namespace == "" {
		return fmt.Sprintf("%s %s", c.kind, c.name)
	}
	return fmt.Sprintf("%s %s/%s", c.kind, c.namespace, c.name)
}

// ref names the config.
func (c config) ref() ConfigRef { return ConfigRef{Kind: c.kind, Namespace: c.namespace, Name: c.name} }

// version identifies this generation of this config.
func (c config) version() string { return fmt.Sprintf("%s/%d", c.uid, c.generation) }

// continues reports whether an account built from version v was built from this config, at this generation or —
// when the config is being deleted, which bumps its generation — at an earlier one.
func (c config) continues(v string) bool {
	return v == c.version() || (c.deleting && strings.HasPrefix(v, string(c.uid)+"/"))
}

// key identifies the config in the caches.
func (c config) key() string { return c.ref().key() }

// secretNamespace decides where a Secret a config references is read from. A namespaced config reads only from
// its own namespace (an explicit other namespace is refused, the CRD refuses it too); a cluster config must say.
func secretNamespace(pc config, ns string) (string, error) {
	switch {
	case pc.namespace != "" && ns != "" && ns != pc.namespace:
		return "", errors.Errorf("%s cannot read a Secret in namespace %s: a namespaced ProviderConfig reads Secrets only from its own namespace", pc, ns)
	case pc.namespace != "":
		return pc.namespace, nil
	case ns == "":
		return "", errors.Errorf("%s: a Secret reference needs a namespace", pc)
	default:
		return ns, nil
	}
}

// readSecretKey returns one key of a Secret the config references.
func (r *Resolver) readSecretKey(ctx context.Context, pc config, sel v1alpha1.SecretKeySelector) (string, error) {
	ns, err := secretNamespace(pc, sel.Namespace)
	if err != nil {
		return "", err
	}
	data, err := r.readSecret(ctx, ns, sel.Name, sel.Key)
	if err != nil {
		return "", err
	}
	v, ok := data[sel.Key]
	if !ok {
		return "", errors.Errorf("Secret %s/%s has no key %q", ns, sel.Name, sel.Key)
	}
	return string(v), nil
}

// getConfig fetches the config mg references, and refuses it unless it serves mg's namespace. A missing
// reference means ClusterProviderConfig/default, the default the CRDs also apply — and is checked the same way.
func (r *Resolver) getConfig(ctx context.Context, mg resource.ModernManaged) (config, error) {
	ref := ConfigRef{Kind: v1alpha1.ClusterProviderConfigKind, Name: "default"}
	if r := mg.GetProviderConfigReference(); r != nil {
		ref.Kind, ref.Name = r.Kind, r.Name
	}
	if ref.Kind == v1alpha1.ProviderConfigKind {
		ref.Namespace = mg.GetNamespace()
	}
	pc, err := r.getConfigByRef(ctx, ref)
	if err != nil {
		return config{}, err
	}
	return pc, r.serves(ctx, pc, mg.GetNamespace())
}

// getConfigByRef fetches a config by name.
func (r *Resolver) getConfigByRef(ctx context.Context, ref ConfigRef) (config, error) {
	kind, name := ref.Kind, ref.Name
	switch kind {
	case v1alpha1.ProviderConfigKind:
		pc := &v1alpha1.ProviderConfig{}
		if err := r.kube.Get(ctx, types.NamespacedName{Namespace: ref.Namespace, Name: name}, pc); err != nil {
			return config{}, errors.Wrapf(err, "cannot get ProviderConfig %s/%s", ref.Namespace, name)
		}
		return config{
			kind: kind, namespace: pc.Namespace, name: pc.Name, uid: pc.UID, generation: pc.Generation,
			deleting: pc.DeletionTimestamp != nil, spec: pc.Spec,
		}, nil
	case v1alpha1.ClusterProviderConfigKind:
		cpc := &v1alpha1.ClusterProviderConfig{}
		if err := r.kube.Get(ctx, types.NamespacedName{Name: name}, cpc); err != nil {
			return config{}, errors.Wrapf(err, "cannot get ClusterProviderConfig %s", name)
		}
		return config{kind: kind, name: cpc.Name, uid: cpc.UID, generation: cpc.Generation, deleting: cpc.DeletionTimestamp != nil, spec: cpc.Spec}, nil
	default:
		return config{}, errors.Errorf("unsupported providerConfigRef kind %q: use ProviderConfig or ClusterProviderConfig", kind)
	}
}

// fingerprint hashes secret material so that a cache entry can tell when it changed without keeping it twice.
// The hash is never logged.
func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
