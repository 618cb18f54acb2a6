package plan

import (
	"fmt"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
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
