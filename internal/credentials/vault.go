package credentials

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/vault"
)

// kvRefresh is how long static credentials read from Vault KV are used before they are read again, so that a
// rotated key is picked up without a Vault read per reconcile.
const kvRefresh = 5 * time.Minute

// A vaultConn is a config's Vault client and the stamp of the settings it was built from.
type vaultConn struct {
	client *vault.Client
	stamp  string
}

// vault returns the config's Vault client, built once and rebuilt only when the config's generation or the
// content of a Secret it references (token, CA bundle) changes.
func (r *Resolver) vault(ctx context.Context, pc config) (*vault.Client, string, error) {
	v := pc.spec.Vault
	if v == nil {
		return nil, "", errors.Errorf("%s has no vault section", pc)
	}
	s := vault.Settings{Address: v.Address}
	if v.Namespace != nil {
		s.Namespace = *v.Namespace
	}
	if v.CABundle != nil {
		ca, err := r.readSecretKey(ctx, pc, *v.CABundle)
		if err != nil {
			return nil, "", err
		}
		s.CABundle = []byte(ca)
	}
	secretID := ""
	switch a := v.Auth; {
	case a.Token != nil:
		t, err := r.readSecretKey(ctx, pc, a.Token.SecretRef)
		if err != nil {
			return nil, "", err
		}
		s.Token = t
	case a.Kubernetes != nil:
		jwt, err := r.serviceAccountToken(pc, a.Kubernetes)
		if err != nil {
			return nil, "", err
		}
		s.Login = vault.KubernetesLogin(mountOr(a.Kubernetes.Mount, "kubernetes"), a.Kubernetes.Role, jwt)
	case a.AppRole != nil:
		id, err := r.readSecretKey(ctx, pc, a.AppRole.SecretIDRef)
		if err != nil {
			return nil, "", err
		}
		secretID = id
		s.Login = vault.AppRoleLogin(mountOr(a.AppRole.Mount, "approle"), a.AppRole.RoleID, id)
	default:
		return nil, "", errors.Errorf("%s: vault.auth names no method", pc)
	}

	stamp := fingerprint(string(pc.uid), fmt.Sprint(pc.generation), s.Address, s.Namespace, string(s.CABundle), s.Token, secretID)
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.vaults[pc.key()]; ok && c.stamp == stamp {
		return c.client, stamp, nil
	}
	c, err := vault.New(s)
	if err != nil {
		return nil, "", errors.Wrapf(err, "%s", pc)
	}
	r.vaults[pc.key()] = &vaultConn{client: c, stamp: stamp}
	return c, stamp, nil
}

// ownServiceAccountToken is where the kubelet mounts the provider pod's own service account token.
const ownServiceAccountToken = "/var/run/secrets/kubernetes.io/serviceaccount/token"

// serviceAccountToken returns a function that gets a fresh token for the service account Kubernetes auth logs in
// as. A namespaced config can only name a service account of its own namespace, so a tenant authenticates to
// Vault as itself; a cluster config names one, or uses the provider pod's own (re-read at each login, since the
// kubelet rotates it).
func (r *Resolver) serviceAccountToken(pc config, k *v1alpha1.VaultKubernetesAuth) (func(context.Context) (string, error), error) {
	sa := k.ServiceAccount
	switch {
	case sa == nil && pc.namespace != "":
		return nil, errors.Errorf("%s: vault.auth.kubernetes needs a serviceAccount of namespace %s", pc, pc.namespace)
	case sa == nil:
		return func(context.Context) (string, error) {
			b, err := os.ReadFile(ownServiceAccountToken)
			if err != nil {
				return "", errors.Wrap(err, "no serviceAccount is set and the provider's own token cannot be read")
			}
			return string(b), nil
		}, nil
	case pc.namespace != "" && sa.Namespace != "" && sa.Namespace != pc.namespace:
		return nil, errors.Errorf("%s cannot authenticate as service account %s/%s: a namespaced ProviderConfig uses service accounts of its own namespace only", pc, sa.Namespace, sa.Name)
	}
	ns := sa.Namespace
	if pc.namespace != "" {
		ns = pc.namespace
	}
	if ns == "" {
		return nil, errors.Errorf("%s: vault.auth.kubernetes.serviceAccount needs a namespace", pc)
	}
	return func(ctx context.Context) (string, error) { return r.requestToken(ctx, ns, sa.Name, k.Audiences) }, nil
}

// requestToken asks the API server for a short-lived token of a service account (TokenRequest).
func (r *Resolver) requestToken(ctx context.Context, namespace, name string, audiences []string) (string, error) {
	tr := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{Audiences: audiences, ExpirationSeconds: ptr.To(int64(600))}}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}}
	if err := r.tokens.SubResource("token").Create(ctx, sa, tr); err != nil {
		return "", errors.Wrapf(err, "cannot request a token for service account %s/%s", namespace, name)
	}
	return tr.Status.Token, nil
}

func mountOr(m, def string) string {
	if m == "" {
		return def
	}
	return m
}

// awsFromVault returns the SDK credentials provider for an aws.credentials.vault block.
func awsFromVault(c *vault.Client, v *v1alpha1.AWSVaultCredentials, sessionName string) (aws.CredentialsProvider, error) {
	switch {
	case v == nil:
		return nil, errors.New("aws.credentials.source Vault needs aws.credentials.vault")
	case v.KV != nil:
		return &vaultKV{client: c, ref: *v.KV, refresh: kvRefresh, now: time.Now}, nil
	case v.SecretsEngine != nil:
		return &vaultEngine{client: c, ref: *v.SecretsEngine, sessionName: sessionName, now: time.Now}, nil
	default:
		return nil, errors.New("aws.credentials.vault names no credentials")
	}
}

// vaultKV reads a static access key from a KV v2 secret. It reports an expiry refresh from now, so the SDK's
// credentials cache reads it again after that — picking up a rotated key — and not on every request.
type vaultKV struct {
	client  *vault.Client
	ref     v1alpha1.VaultKVAWSCredentials
	refresh time.Duration
	now     func() time.Time
}

// Retrieve reads the secret.
func (p *vaultKV) Retrieve(ctx context.Context) (aws.Credentials, error) {
	mount := p.ref.Mount
	if mount == "" {
		mount = "secret"
	}
	data, err := p.client.ReadKV(ctx, mount, p.ref.Path)
	if err != nil {
		return aws.Credentials{}, err
	}
	field := func(key, def string, required bool) (string, error) {
		if key == "" {
			key = def
		}
		if key == "" {
			return "", nil
		}
		v, ok := data[key].(string)
		if !ok && required {
			return "", errors.Errorf("KV secret %s/%s has no string field %q", mount, p.ref.Path, key)
		}
		return v, nil
	}
	c := aws.Credentials{Source: "Vault KV", CanExpire: true, Expires: p.now().Add(p.refresh)}
	if c.AccessKeyID, err = field(p.ref.AccessKeyIDKey, "access_key_id", true); err != nil {
		return aws.Credentials{}, err
	}
	if c.SecretAccessKey, err = field(p.ref.SecretAccessKeyKey, "secret_access_key", true); err != nil {
		return aws.Credentials{}, err
	}
	if c.SessionToken, err = field(p.ref.SessionTokenKey, "", true); err != nil {
		return aws.Credentials{}, err
	}
	return c, nil
}

// vaultEngine mints credentials with Vault's AWS secrets engine. They are reported to expire when two thirds of
// their lifetime has passed, so the SDK's credentials cache mints new ones well before the old ones stop working,
// and not before: no Vault call per reconcile.
type vaultEngine struct {
	client      *vault.Client
	ref         v1alpha1.VaultAWSSecretsEngine
	sessionName string
	now         func() time.Time
}

// Retrieve mints credentials.
func (p *vaultEngine) Retrieve(ctx context.Context) (aws.Credentials, error) {
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
		return aws.Credentials{}, err
	}
	str := func(k string) string { v, _ := s.Data[k].(string); return v }
	c := aws.Credentials{AccessKeyID: str("access_key"), SecretAccessKey: str("secret_key"), SessionToken: str("security_token"), Source: "Vault AWS secrets engine"}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return aws.Credentials{}, errors.Errorf("Vault's AWS secrets engine role %s returned no access key", p.ref.Role)
	}
	if ttl := time.Duration(s.LeaseDuration) * time.Second; ttl > 0 {
		c.CanExpire, c.Expires = true, p.now().Add(ttl*2/3)
	}
	return c, nil
}

// sessionNameFor derives a role session name from a config, so that CloudTrail entries map back to it.
func sessionNameFor(pc config) string {
	n := "ps." + pc.kind + "." + pc.name
	if pc.namespace != "" {
		n = "ps." + pc.namespace + "." + pc.name
	}
	b := []byte(n)
	for i, ch := range b {
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.ContainsRune("_+=,.@-", rune(ch))) {
			b[i] = '-'
		}
	}
	if len(b) > 64 {
		b = b[:64]
	}
	return string(b)
}
