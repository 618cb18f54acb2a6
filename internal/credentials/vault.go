package credentials

import (
	"context"
	"fmt"
	"strings"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/vault"
)

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
	if err := r.checkVaultAddress(pc, v.Address); err != nil {
		return nil, "", err
	}
	ref := pc.ref()
	s := vault.Settings{Address: v.Address, OnChange: func() { r.notify(ref) }}
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
		s.Token, s.Method = t, "token"
	case a.Kubernetes != nil:
		jwt, err := r.serviceAccountToken(pc, a.Kubernetes)
		if err != nil {
			return nil, "", err
		}
		s.Login, s.Method = vault.KubernetesLogin(mountOr(a.Kubernetes.Mount, "kubernetes"), a.Kubernetes.Role, jwt), "kubernetes"
	case a.AppRole != nil:
		id, err := r.readSecretKey(ctx, pc, a.AppRole.SecretIDRef)
		if err != nil {
			return nil, "", err
		}
		secretID = id
		s.Login, s.Method = vault.AppRoleLogin(mountOr(a.AppRole.Mount, "approle"), a.AppRole.RoleID, id), "appRole"
	default:
		return nil, "", errors.Errorf("%s: vault.auth names no method", pc)
	}

	stamp := fingerprint(string(pc.uid), fmt.Sprint(pc.generation), s.Address, s.Namespace, string(s.CABundle), s.Token, secretID)
	r.mu.Lock()
	defer r.mu.Unlock()
	old, ok := r.vaults[pc.key()]
	if ok && old.stamp == stamp {
		return old.client, stamp, nil
	}
	c, err := vault.New(s)
	if err != nil {
		return nil, "", errors.Wrapf(err, "%s", pc)
	}
	r.vaults[pc.key()] = &vaultConn{client: c, stamp: stamp}
	if old != nil {
		// Credentials minted through the old connection are revoked through it first (see AWS), so it closes later.
		r.retireAfter(retiredConnGrace, ref, old.client.Close)
	}
	return c, stamp, nil
}

// serviceAccountToken returns a function that gets a fresh token for the service account Kubernetes auth logs in
// as, requested (TokenRequest) for Vault's audience — never the API server's, so the token is useless to whoever
// receives it anywhere but Vault. A namespaced config can only name a service account of its own namespace, so a
// tenant authenticates to Vault as itself; a cluster config names one, or uses the provider's own. A named service
// account takes part only when it opted in (AnnotationVaultAuth), checked at every login.
func (r *Resolver) serviceAccountToken(pc config, k *v1alpha1.VaultKubernetesAuth) (func(context.Context) (string, error), error) {
	if err := r.checkAudiences(pc, k); err != nil {
		return nil, err
	}
	audiences := audiencesOf(k)
	sa := k.ServiceAccount
	switch {
	case sa == nil && pc.namespace != "":
		return nil, errors.Errorf("%s: vault.auth.kubernetes needs a serviceAccount of namespace %s", pc, pc.namespace)
	case sa == nil:
		ns, name, ok := strings.Cut(r.vaultTenancy.ServiceAccount, "/")
		if !ok || ns == "" || name == "" {
			return nil, errors.Errorf("%s: no serviceAccount is set and the provider's own service account is unknown (--service-account)", pc)
		}
		// The provider's own identity, which only a cluster administrator's config can use: no opt-in.
		return func(ctx context.Context) (string, error) { return r.requestToken(ctx, ns, name, audiences) }, nil
	case pc.namespace != "" && sa.Namespace != "" && sa.Namespace != pc.namespace:
		return nil, errors.Errorf("%s cannot authenticate as service account %s/%s: "+
			"a namespaced ProviderConfig uses service accounts of its own namespace only", pc, sa.Namespace, sa.Name)
	}
	ns := sa.Namespace
	if pc.namespace != "" {
		ns = pc.namespace
	}
	if ns == "" {
		return nil, errors.Errorf("%s: vault.auth.kubernetes.serviceAccount needs a namespace", pc)
	}
	return func(ctx context.Context) (string, error) {
		if err := r.optedIn(ctx, pc, ns, sa.Name); err != nil {
			return "", err
		}
		return r.requestToken(ctx, ns, sa.Name, audiences)
	}, nil
}

// requestToken asks the API server for a short-lived token of a service account (TokenRequest) for audiences, and
// makes sure the API server itself would not accept it.
func (r *Resolver) requestToken(ctx context.Context, namespace, name string, audiences []string) (string, error) {
	tr := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{Audiences: audiences, ExpirationSeconds: ptr.To(int64(600))}}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}}
	if err := r.tokens.SubResource("token").Create(ctx, sa, tr); err != nil {
		return "", errors.Wrapf(err, "cannot request a token for service account %s/%s", namespace, name)
	}
	if err := r.notAnAPIToken(ctx, tr.Status.Token, audiences); err != nil {
		return "", err
	}
	return tr.Status.Token, nil
}

func mountOr(m, def string) string {
	if m == "" {
		return def
	}
	return m
}

// sessionNameFor derives a role session name from a config, so that CloudTrail entries map back to it.
func sessionNameFor(pc config) string {
	n := "ps." + pc.kind + "." + pc.name
	if pc.namespace != "" {
		n = "ps." + pc.namespace + "." + pc.name
	}
	b := []byte(n)
	for i, ch := range b {
		if !sessionNameChar(ch) {
			b[i] = '-'
		}
	}
	if len(b) > 64 {
		b = b[:64]
	}
	return string(b)
}

// sessionNameChar reports whether a role session name may hold ch.
func sessionNameChar(ch byte) bool {
	return ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.ContainsRune("_+=,.@-", rune(ch))
}
