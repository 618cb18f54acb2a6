// Package config reconciles ProviderConfigs and ClusterProviderConfigs: it counts their users, blocks the
// deletion of one that is in use, reports the state of its Vault connection, and releases what a deleted one
// held in Vault.
package config

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/providerconfig"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/kube"
)

// Setup registers the ProviderConfig and ClusterProviderConfig controllers.
//
// Both count ProviderConfigUsages: crossplane-runtime's usage tracker writes a namespaced usage, labelled with the
// config's kind and name, whichever kind a managed resource references. A ClusterProviderConfig's usages are
// listed across all namespaces.
func Setup(mgr ctrl.Manager, o managedkind.Options) error {
	for _, c := range []struct {
		gk     string
		gvk    resource.ProviderConfigKinds
		obj    client.Object
		kind   string
		newObj func() (client.Object, *v1alpha1.ProviderConfigSpec, *v1alpha1.ProviderConfigStatus)
	}{
		{
			v1alpha1.ProviderConfigGroupKind, kinds(v1alpha1.ProviderConfigGroupVersionKind),
			&v1alpha1.ProviderConfig{}, v1alpha1.ProviderConfigKind,
			func() (client.Object, *v1alpha1.ProviderConfigSpec, *v1alpha1.ProviderConfigStatus) {
				pc := &v1alpha1.ProviderConfig{}
				return pc, &pc.Spec, &pc.Status
			},
		},
		{
			v1alpha1.ClusterProviderConfigGroupKind, kinds(v1alpha1.ClusterProviderConfigGroupVersionKind),
			&v1alpha1.ClusterProviderConfig{}, v1alpha1.ClusterProviderConfigKind,
			func() (client.Object, *v1alpha1.ProviderConfigSpec, *v1alpha1.ProviderConfigStatus) {
				pc := &v1alpha1.ClusterProviderConfig{}
				return pc, &pc.Spec, &pc.Status
			},
		},
	} {
		name := providerconfig.ControllerName(c.gk)
		r := &statusReconciler{
			usage: providerconfig.NewReconciler(mgr, c.gvk,
				providerconfig.WithLogger(o.Logger.WithValues("controller", name)),
				providerconfig.WithRecorder(managedkind.Recorder(mgr, name))),
			kube: mgr.GetClient(), creds: o.Credentials, kind: c.kind, newObj: c.newObj, managed: o.ManagedKinds,
			settle: newSettle(settleInterval),
		}
		newConfig := func() client.Object { return c.obj.DeepCopyObject().(client.Object) } //nolint:forcetypeassert // c.obj is a config kind.
		err := ctrl.NewControllerManagedBy(mgr).
			Named(name).
			WithOptions(o.ControllerOptions()).
			For(c.obj).
			Watches(&v1alpha1.ProviderConfigUsage{}, &resource.EnqueueRequestForProviderConfig{Kind: c.kind}).
			WatchesRawSource(source.Channel(changes(o.Credentials, c.kind), &handler.EnqueueRequestForObject{})).
			// Not behind the global rate limiter: a config's reconciles are spaced by settle and must not take
			// the managed resources' budget in a burst.
			// A tenant's config the cache keeps as a stub (its metadata too large) is never handed to the
			// reconciler, which would write it back without what the stub dropped: see kube.
			Complete(kube.SkipOversized(r, mgr.GetCache(), mgr.GetClient(), newConfig))
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
