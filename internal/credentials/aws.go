package credentials

import (
	"context"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	awsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws"
)

// An AWSAccount is a resolved AWS section of a ProviderConfig: an SDK configuration with cached credentials, the
// config's tagging rules, and the SDK clients built from it so far.
type AWSAccount struct {
	// Config signs requests; its credential provider caches and refreshes credentials.
	Config aws.Config
	// Endpoint is the endpoint override, if any.
	Endpoint *v1alpha1.AWSEndpoint
	// DefaultTags are added to every taggable resource.
	DefaultTags map[string]string
	// IgnoreTagPrefixes are the tag prefixes never touched; it always includes "aws:".
	IgnoreTagPrefixes []string
	// Shared is true for a ClusterProviderConfig's account: the platform's identity, serving many namespaces. What
	// a resource names beyond itself (a dead-letter queue) is then checked against what its namespace made.
	Shared bool
	// Reach is what resources may name through the config that the provider does not make (KMS keys, RDS
	// groups); nil for a namespaced config.
	Reach *Reach

	stamp   string // see fingerprint
	config  string // see builtFrom
	clients clientCache
	// vault supplies the credentials when they come from Vault; nil otherwise.
	vault vaultAWS

	roleARN   string // the assumed role, if any
	idMu      sync.Mutex
	accountID string // see AccountID
}

// AWS resolves the AWS section of the config mg references. It is rebuilt only when the config's UID or
// generation, or the content of the Secret it references, changes.
func (r *Resolver) AWS(ctx context.Context, mg resource.ModernManaged) (*AWSAccount, error) {
	pc, err := r.getConfig(ctx, mg)
	if err != nil {
		return nil, err
	}
	a, err := r.resolveAWS(ctx, pc)
	if last, ok := lastForDeletion[*AWSAccount](r, cloudAWS, pc, mg, err); ok {
		return last, nil
	}
	return a, err
}

func (r *Resolver) resolveAWS(ctx context.Context, pc config) (*AWSAccount, error) {
	spec := pc.spec.AWS
	if spec == nil {
		return nil, errors.Errorf("%s has no aws section", pc)
	}

	s := awsclient.Settings{
		Source: spec.Credentials.Source, Endpoint: spec.Endpoint, AssumeRole: spec.AssumeRole, Filesystem: spec.Credentials.Filesystem, ReadOnly: r.readOnly,
	}
	if err := checkTenancy(pc, spec.Credentials); err != nil {
		return nil, err
	}
	if err := r.checkEndpoints(pc, "aws"); err != nil {
		return nil, err
	}
	vaultStamp := ""
	var fromVault vaultAWS
	var err error
	switch s.Source {
	case v1alpha1.AWSCredentialsSecret:
		if s.Static, err = r.awsSecretKeys(ctx, pc, spec.Credentials.SecretRef); err != nil {
			return nil, err
		}
	case v1alpha1.AWSCredentialsVault:
		vc, stamp, err := r.vault(ctx, pc)
		if err != nil {
			return nil, err
		}
		ref := pc.ref()
		if fromVault, err = awsFromVault(vc, spec.Credentials.Vault, sessionNameFor(pc), func() { r.notify(ref) }); err != nil {
			return nil, errors.Wrapf(err, "%s", pc)
		}
		if e, ok := fromVault.(*vaultEngine); ok {
			e.revoke = func(l *lease) { r.revokeLease(ref, vc, l.id) }
		}
		s.Provider, vaultStamp = fromVault, stamp
	}

	key := pc.key()
	stamp := fingerprint(string(pc.uid), strconv.FormatInt(pc.generation, 10),
		s.Static.AccessKeyID, s.Static.SecretAccessKey, s.Static.SessionToken, vaultStamp)

	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := cachedLocked[*AWSAccount](r, cloudAWS, key); ok && old.fingerprint() == stamp {
		return old, nil
	}
	cfg, err := r.newAWSConfig(ctx, s)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot configure AWS from %s", pc)
	}
	a := &AWSAccount{
		Config:            cfg,
		Endpoint:          spec.Endpoint,
		DefaultTags:       spec.DefaultTags,
		IgnoreTagPrefixes: append([]string{"aws:"}, spec.IgnoreTagPrefixes...),
		Shared:            pc.namespace == "",
		Reach:             newAWSReach(pc, spec.AllowedReferences, spec.AllowedAdoptions),
		stamp:             stamp,
		config:            pc.version(),
		vault:             fromVault,
	}
	if spec.AssumeRole != nil {
		a.roleARN = spec.AssumeRole.RoleARN
	}
	r.replaceLocked(cloudAWS, pc, a)
	return a, nil
}

// checkTenancy refuses what a namespaced ProviderConfig's AWS section may not do. The CRD refuses it too; this is
// the second line for objects written before the rule existed or with validation bypassed.
func checkTenancy(pc config, c v1alpha1.AWSCredentials) error {
	if err := checkSource(pc, "aws", string(c.Source)); err != nil {
		return err
	}
	if c.SecretRef != nil {
		_, err := secretNamespace(pc, c.SecretRef.Namespace)
		return err
	}
	return nil
}

func (r *Resolver) awsSecretKeys(ctx context.Context, pc config, ref *v1alpha1.AWSSecretCredentials) (awsclient.StaticKeys, error) {
	if ref == nil {
		return awsclient.StaticKeys{}, errors.Errorf("%s: credentials source Secret needs a secretRef", pc)
	}
	ns, err := secretNamespace(pc, ref.Namespace)
	if err != nil {
		return awsclient.StaticKeys{}, err
	}
	name := func(key, def string) string {
		if key == "" {
			return def
		}
		return key
	}
	idKey, secretKey, tokenKey := name(ref.AccessKeyIDKey, "access_key_id"), name(ref.SecretAccessKeyKey, "secret_access_key"), ref.SessionTokenKey
	data, err := r.readSecret(ctx, ns, ref.Name, idKey, secretKey, tokenKey)
	if err != nil {
		return awsclient.StaticKeys{}, err
	}
	get := func(key string, required bool) (string, error) {
		if key == "" {
			return "", nil
		}
		v, ok := data[key]
		if !ok && required {
			return "", errors.Errorf("Secret %s/%s has no key %q", ns, ref.Name, key)
		}
		return string(v), nil
	}
	var k awsclient.StaticKeys
	if k.AccessKeyID, err = get(idKey, true); err != nil {
		return k, err
	}
	if k.SecretAccessKey, err = get(secretKey, true); err != nil {
		return k, err
	}
	if k.SessionToken, err = get(tokenKey, true); err != nil {
		return k, err
	}
	return k, nil
}

func (a *AWSAccount) fingerprint() string { return a.stamp }
func (a *AWSAccount) builtFrom() string   { return a.config }

func (a *AWSAccount) vaultStatus() *CredentialStatus {
	if a.vault == nil {
		return nil
	}
	s := a.vault.Status()
	return &s
}

// close releases what the account holds in Vault.
func (a *AWSAccount) close(ctx context.Context) error {
	if a.vault == nil {
		return nil
	}
	return a.vault.Close(ctx)
}

// AccountID returns the AWS account the credentials act in, with the endpoint override when there is one (two
// moto servers are two accounts), for claims on cloud names. It is read once per account settings: from the
// assume-role ARN when there is one, else with sts:GetCallerIdentity. A failure is not remembered.
//
// No lock is held during the call: the endpoint may be a tenant's tarpit, and every reconcile of the account
// waiting on one lock would hold its worker (and all but one would escape the per-namespace cap's count of
// connections). Concurrent first calls each ask; they get the same answer.
func (a *AWSAccount) AccountID(ctx context.Context) (string, error) {
	a.idMu.Lock()
	known := a.accountID
	a.idMu.Unlock()
	if known != "" {
		return known, nil
	}
	id := ""
	if a.roleARN != "" {
		if parsed, err := arn.Parse(a.roleARN); err == nil {
			id = parsed.AccountID
		}
	}
	if id == "" {
		out, err := sts.NewFromConfig(a.Config).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return "", errors.Wrap(awsclient.Clean(err), "cannot tell which AWS account the credentials belong to")
		}
		id = aws.ToString(out.Account)
	}
	if a.Endpoint != nil && a.Endpoint.URL != "" {
		id += "@" + a.Endpoint.URL
	}
	a.idMu.Lock()
	a.accountID = id
	a.idMu.Unlock()
	return id, nil
}
