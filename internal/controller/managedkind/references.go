package managedkind

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// A namespacedResolver resolves a managed resource's references (crossplane-runtime's generated resolvers) with a
// client that reads only the resource's own namespace.
//
// NOTE: a NamespacedReference and a NamespacedSelector carry an optional namespace, and the runtime's resolver
// follows it: a Queue of team-a naming deadLetterTargetRef {name: orders, namespace: team-b} would read team-b's
// Queue from the provider's cluster-wide cache and send its dead letters there. The CRDs refuse the field; this is
// the provider's own check, whatever the CRD says.
type namespacedResolver struct{ c client.Client }

// NewNamespacedResolver returns a reference resolver confined to each managed resource's namespace.
func NewNamespacedResolver(c client.Client) managed.ReferenceResolver {
	return namespacedResolver{c: c}
}

func (r namespacedResolver) ResolveReferences(ctx context.Context, mg resource.Managed) error {
	return managed.NewAPISimpleReferenceResolver(inNamespace{Client: r.c, ns: mg.GetNamespace()}).ResolveReferences(ctx, mg)
}

// inNamespace refuses reads of any namespace but ns. Writes pass: the runtime's resolver only patches the managed
// resource itself.
type inNamespace struct {
	client.Client
	ns string
}

func (c inNamespace) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if key.Namespace != c.ns {
		return c.refuse(key.Namespace)
	}
	return c.Client.Get(ctx, key, obj, opts...)
}

func (c inNamespace) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	if lo := (&client.ListOptions{}).ApplyOptions(opts); lo.Namespace != c.ns {
		return c.refuse(lo.Namespace)
	}
	return c.Client.List(ctx, list, opts...)
}

func (c inNamespace) refuse(ns string) error {
	if ns == "" {
		ns = "every namespace"
	}
	return errors.Errorf("a reference or selector may only name managed resources of namespace %s, not of %s", c.ns, ns)
}
