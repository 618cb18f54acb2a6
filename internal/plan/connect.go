package plan

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stateful-dev/provider-stateful/apis"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
	"github.com/stateful-dev/provider-stateful/internal/kube"
)

// ClusterConfig reads a kubeconfig as kubectl does: the file named (else $KUBECONFIG, else ~/.kube/config, else the
// in-cluster config), at the context named (else its current one). It also returns the context's namespace
// ("default" when it names none): where apply puts a manifest that names no namespace.
func ClusterConfig(kubeconfig, kubecontext string) (*rest.Config, string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubecontext})
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, "", fmt.Errorf("cannot read the kubeconfig: %w", err)
	}
	ns, _, err := cc.Namespace()
	if err != nil {
		return nil, "", fmt.Errorf("cannot read the kubeconfig's namespace: %w", err)
	}
	// client-go's default (5 requests a second) would hold back the discovery and the LISTs of eight kinds, sent
	// at once: a command's burst, as kubectl allows.
	cfg.QPS, cfg.Burst = 50, 100
	cfg.UserAgent = "provider-stateful-plan"
	return cfg, ns, nil
}

// NewLister is a client that lists the provider's kinds as unstructured objects (it asks discovery once per API
// group, to find each kind's resource).
func NewLister(cfg *rest.Config) (Lister, error) {
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		return nil, fmt.Errorf("cannot make a client of the cluster: %w", err)
	}
	return c, nil
}

// NewRefreshEnv is what plan --refresh reads the cloud with, for the cluster at cfg: ProviderConfigs and Secrets
// read as the provider reads them (allowed: the endpoints a namespaced config may name, the provider's
// --allowed-endpoint), through a Kubernetes client that refuses every write (kube.ReadOnly), into accounts whose
// cloud clients refuse every call that is not a read (credentials.Resolver.WithReadOnlyClients). Close releases what
// the accounts hold: connections, and credentials minted by Vault.
func NewRefreshEnv(cfg *rest.Config, allowed []credentials.EndpointPattern) (*managedkind.RefreshEnv, func(context.Context), error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, nil, err
	}
	if err := apis.AddToScheme(s); err != nil {
		return nil, nil, err
	}
	c, err := client.New(cfg, client.Options{Scheme: s})
	if err != nil {
		return nil, nil, fmt.Errorf("cannot make a client of the cluster: %w", err)
	}
	ro := kube.ReadOnly(c)
	creds := credentials.NewResolver(ro, ro, ro)
	creds.WithReadOnlyClients()
	creds.WithAllowedEndpoints(allowed)
	return &managedkind.RefreshEnv{Creds: creds, Kube: ro}, creds.Close, nil
}
