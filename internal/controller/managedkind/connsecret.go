package managedkind

import (
	"context"
	"sync"

	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// A SecretGuard keeps managed resources from writing their connection details into a Secret they do not control.
//
// NOTE: crossplane-runtime's connection publisher refuses an existing Secret without a controller reference only
// when it is not of type connection.crossplane.io/v1alpha1: one of that type that anyone in the namespace created
// by hand, or that an orphaned resource left, would be overwritten. The publisher cannot be replaced through the
// reconciler's public options, so the guard checks before Observe: a resource whose connection Secret exists and is
// controlled by another object (or by none) fails with a clear condition, and nothing is published.
//
// A Secret seen controlled by the resource is remembered (resource UID and Secret name), so steady state costs no
// extra request: the controller reference of a Secret can only be changed by someone who can write the Secret.
type SecretGuard struct {
	secrets client.Reader
	seen    sync.Map // uid/secret name → struct{}
}

// NewSecretGuard returns a guard that reads Secrets with r (the manager's API reader: Secrets are not cached).
func NewSecretGuard(r client.Reader) *SecretGuard { return &SecretGuard{secrets: r} }

// Check returns an error when mg's connection Secret exists and mg is not its controller.
func (g *SecretGuard) Check(ctx context.Context, mg resource.ModernManaged) error {
	ref := mg.GetWriteConnectionSecretToReference()
	if g == nil || ref == nil {
		return nil
	}
	key := string(mg.GetUID()) + "/" + ref.Name
	if meta.WasDeleted(mg) {
		// Nothing is published while deleting; the resource's entry goes with it.
		g.seen.Delete(key)
		return nil
	}
	if _, ok := g.seen.Load(key); ok {
		return nil
	}
	s := &corev1.Secret{}
	err := g.secrets.Get(ctx, types.NamespacedName{Namespace: mg.GetNamespace(), Name: ref.Name}, s)
	switch {
	case kerrors.IsNotFound(err):
		return nil
	case err != nil:
		return errors.Wrapf(err, "cannot read the connection Secret %s", ref.Name)
	}
	if c := metav1.GetControllerOf(s); c == nil || c.UID != mg.GetUID() {
		return errors.Errorf("Secret %s exists and is not this resource's connection Secret: refusing to write into it; "+
			"set spec.writeConnectionSecretToRef to a Secret that does not exist", ref.Name)
	}
	g.seen.Store(key, struct{}{})
	return nil
}
