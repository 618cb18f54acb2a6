// Package config reconciles ProviderConfigs and ClusterProviderConfigs: it counts their users and blocks the
// deletion of one that is in use.
package config

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/ratelimiter"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/providerconfig"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/setup"
)

// Setup registers the ProviderConfig and ClusterProviderConfig controllers.
//
// Both count ProviderConfigUsages: crossplane-runtime's usage tracker writes a namespaced usage, labelled with the
// config's kind and name, whichever kind a managed resource references. A ClusterProviderConfig's usages are
// listed across all namespaces.
func Setup(mgr ctrl.Manager, o setup.Options) error {
	for _, c := range []struct {
		gk   string
		gvk  resource.ProviderConfigKinds
		obj  client.Object
		kind string
	}{
		{v1alpha1.ProviderConfigGroupKind, kinds(v1alpha1.ProviderConfigGroupVersionKind), &v1alpha1.ProviderConfig{}, v1alpha1.ProviderConfigKind},
		{v1alpha1.ClusterProviderConfigGroupKind, kinds(v1alpha1.ClusterProviderConfigGroupVersionKind), &v1alpha1.ClusterProviderConfig{}, v1alpha1.ClusterProviderConfigKind},
	} {
		name := providerconfig.ControllerName(c.gk)
		r := providerconfig.NewReconciler(mgr, c.gvk,
			providerconfig.WithLogger(o.Logger.WithValues("controller", name)),
			providerconfig.WithRecorder(setup.Recorder(mgr, name)))
		err := ctrl.NewControllerManagedBy(mgr).
			Named(name).
			WithOptions(o.ControllerOptions()).
			For(c.obj).
			Watches(&v1alpha1.ProviderConfigUsage{}, &resource.EnqueueRequestForProviderConfig{Kind: c.kind}).
			Complete(ratelimiter.NewReconciler(name, r, o.GlobalRateLimiter))
		if err != nil {
			return err
		}
	}
	return nil
}

func kinds(config schema.GroupVersionKind) resource.ProviderConfigKinds {
	return resource.ProviderConfigKinds{
		Config:    config,
		Usage:     v1alpha1.ProviderConfigUsageGroupVersionKind,
		UsageList: v1alpha1.ProviderConfigUsageListGroupVersionKind,
	}
}
