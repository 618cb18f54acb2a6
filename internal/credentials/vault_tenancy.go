package credentials

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

// AnnotationVaultAuth opts a service account in to Vault's Kubernetes auth for the configs it lists, comma
// separated: "ProviderConfig/<name>" (a config of the service account's own namespace) or
// "ClusterProviderConfig/<name>". Without it the provider requests no token for the service account: a config
// must not be able to borrow the identity of any service account of its namespace.
const AnnotationVaultAuth = "stateful.dev/vault-auth"

// DefaultVaultAudience is the audience of the tokens the provider requests for Vault's Kubernetes auth when a
// config names none. The Vault role must check it (bound_audiences / audience).
const DefaultVaultAudience = "vault"

// VaultTenancy is what a platform administrator decides about Vault for namespaced ProviderConfigs, by flags.
type VaultTenancy struct {
	// InsecureAddresses are http:// addresses namespaced configs may use anyway: loopback only, for development
	// and tests. Every other address of a namespaced config must be https.
	InsecureAddresses []string
	// AllowedAddresses are Vault addresses namespaced configs may use, beside those an --allowed-endpoint pattern
	// admits (and the InsecureAddresses). Nothing else: a tenant's Vault address is the administrator's choice.
	AllowedAddresses []string
	// AllowedAudiences are the audiences namespaced configs may request service account tokens for (Vault's
	// Kubernetes auth); empty means DefaultVaultAudience only. A token for another audience (sts.amazonaws.com)
	// sent to an address of the tenant's could be used there as the service account.
	AllowedAudiences []string
	// ServiceAccount is the provider's own service account ("namespace/name"): a ClusterProviderConfig without a
	// serviceAccount logs in as it, with a token requested for Vault's audience, never its mounted API token.
	ServiceAccount string
}

// ValidateInsecureAddress checks an address given to allow http: it must be http:// on a loopback IP or
// localhost.
func ValidateInsecureAddress(a string) error {
	u, err := url.Parse(a)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return errors.Errorf("%q is not an http:// address", a)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); (ip == nil || !ip.IsLoopback()) && host != "localhost" {
		return errors.Errorf("%q is not a loopback address: only a Vault on this host may be reached without TLS", a)
	}
	return nil
}

// WithVaultTenancy sets the Vault rules for namespaced configs. Call it before the resolver is used.
func (r *Resolver) WithVaultTenancy(t VaultTenancy) { r.vaultTenancy = t }

func normalizeAddress(a string) string { return strings.TrimSuffix(a, "/") }

// checkVaultAddress refuses a namespaced config's Vault address unless it is https (or an http address the
// administrator allowed) and the administrator allows it: an --allowed-endpoint pattern admits it, or it is one of
// the AllowedAddresses or InsecureAddresses. The token a config's login sends — a service account token, an
// AppRole secret ID — goes to that address.
func (r *Resolver) checkVaultAddress(pc config, address string) error {
	if pc.namespace == "" {
		return nil
	}
	a := normalizeAddress(address)
	t := r.vaultTenancy
	same := func(x string) bool { return normalizeAddress(x) == a }
	insecure := slices.ContainsFunc(t.InsecureAddresses, same)
	if !strings.HasPrefix(a, "https://") && !insecure {
		return &NotAllowedError{msg: pc.String() + ": Vault address " + a + " is not https: a namespaced ProviderConfig talks to Vault only over TLS"}
	}
	if insecure || slices.ContainsFunc(t.AllowedAddresses, same) {
		return nil
	}
	if err := r.admitEndpoint(pc, endpoint{field: "vault.address", url: a}); err != nil {
		return &NotAllowedError{msg: pc.String() + ": Vault address " + a + " is not one the platform allows namespaced ProviderConfigs " +
			"to use (the provider's --allowed-endpoint or --vault-allowed-address)"}
	}
	return nil
}

// checkAudiences refuses, for a namespaced config, token audiences the administrator did not allow
// (--vault-allowed-audience, by default Vault's only). The provider mints the token and sends it to the config's
// Vault address; with an audience another service trusts (sts.amazonaws.com, for a cluster whose issuer AWS
// trusts) whoever receives it could act there as the service account.
func (r *Resolver) checkAudiences(pc config, k *v1alpha1.VaultKubernetesAuth) error {
	if pc.namespace == "" {
		return nil
	}
	allowed := r.vaultTenancy.AllowedAudiences
	if len(allowed) == 0 {
		allowed = []string{DefaultVaultAudience}
	}
	for _, a := range audiencesOf(k) {
		if !slices.Contains(allowed, a) {
			return &NotAllowedError{msg: fmt.Sprintf("%s: vault.auth.kubernetes.audiences: %q is not an audience the platform allows "+
				"namespaced ProviderConfigs to request tokens for (the provider's --vault-allowed-audience: %s)",
				pc, a, strings.Join(allowed, ", "))}
		}
	}
	return nil
}

// audiencesOf is the audiences a Kubernetes auth requests tokens for: its own, or Vault's.
func audiencesOf(k *v1alpha1.VaultKubernetesAuth) []string {
	if len(k.Audiences) == 0 {
		return []string{DefaultVaultAudience}
	}
	return k.Audiences
}

// optedIn checks that service account namespace/name lists the config in its AnnotationVaultAuth.
func (r *Resolver) optedIn(ctx context.Context, pc config, namespace, name string) error {
	sa := &corev1.ServiceAccount{}
	if err := r.secrets.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, sa); err != nil {
		return errors.Wrapf(err, "cannot get service account %s/%s", namespace, name)
	}
	want := pc.kind + "/" + pc.name
	for _, v := range strings.Split(sa.GetAnnotations()[AnnotationVaultAuth], ",") {
		if strings.TrimSpace(v) == want {
			return nil
		}
	}
	return errors.Errorf("service account %s/%s has not opted in to Vault logins for %s: annotate it %s=%s", namespace, name, pc, AnnotationVaultAuth, want)
}

// notAnAPIToken refuses a token the Kubernetes API server itself would accept: a token meant for Vault must be
// useless anywhere else, whatever audiences a config asks for.
func (r *Resolver) notAnAPIToken(ctx context.Context, token string, audiences []string) error {
	tr := &authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: token}}
	if err := r.tokens.Create(ctx, tr); err != nil {
		return errors.Wrap(err, "cannot check the requested token's audience")
	}
	if tr.Status.Authenticated {
		return errors.Errorf("a token for audiences %v is accepted by the Kubernetes API server: "+
			"set vault.auth.kubernetes.audiences to Vault's own audience", audiences)
	}
	return nil
}
