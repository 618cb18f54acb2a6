package config

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/providerconfig"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// blockedRecheck is how often a deleted config whose managed resources still exist is checked again.
const blockedRecheck = 5 * time.Second

// liveUsers counts the managed resources that still reference the config — whatever their usages say. Of a
// ClusterProviderConfig (namespace ""), only those of namespaces it serves (sel, its allowedNamespaces) count: the
// others can never use it — the provider lets them go without a cloud call when they are deleted — so they must
// not keep it from being deleted either.
//
// NOTE: crossplane-runtime lets a config go once its ProviderConfigUsages are gone. When a namespace is deleted,
// the namespace controller deletes the usages (they have no finalizer) together with the config, while the
// managed resources wait on their finalizers for the provider to delete what they manage — which it cannot do
// without their config. Counting the resources themselves keeps the config until the last one is gone.
func (s *statusReconciler) liveUsers(ctx context.Context, kind, namespace, name string, sel *v1alpha1.NamespaceSelection) (int, error) {
	served := map[string]bool{}
	n := 0
	for _, newList := range s.managed {
		l := newList()
		var opts []client.ListOption
		if namespace != "" {
			opts = append(opts, client.InNamespace(namespace))
		}
		if err := s.kube.List(ctx, l, opts...); err != nil {
			if meta.IsNoMatchError(err) {
				continue // The kind's CRD is not installed: nothing of it can use the config.
			}
			return 0, err
		}
		for _, mg := range l.GetItems() {
			if !references(mg, kind, name) {
				continue
			}
			ok, seen := served[mg.GetNamespace()]
			if !seen && namespace == "" {
				var err error
				if ok, err = credentials.Serves(ctx, s.kube, sel, mg.GetNamespace()); err != nil && !credentials.IsNotServed(err) {
					return 0, err
				}
				served[mg.GetNamespace()] = ok
			}
			if ok || namespace != "" {
				n++
			}
		}
	}
	return n, nil
}

// references reports whether mg uses the config; a managed resource without a reference uses
// ClusterProviderConfig/default.
func references(mg resource.Managed, kind, name string) bool {
	r, ok := mg.(interface {
		GetProviderConfigReference() *xpv2.ProviderConfigReference
	})
	if !ok {
		return false
	}
	ref := r.GetProviderConfigReference()
	if ref == nil {
		return kind == v1alpha1.ClusterProviderConfigKind && name == "default"
	}
	return ref.Kind == kind && ref.Name == name
}

// blocked is the Terminating condition of a deleted config that managed resources still use.
func blocked(users int) xpv2.Condition {
	return providerconfig.Terminating().WithMessage(fmt.Sprintf("Blocking deletion while %d managed resource(s) still use it", users))
}
