package credentials

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

// A NotServedError says that a config does not serve a managed resource's namespace. The connector checks for it
// before tracking usage, so a refused resource leaves no usage record, and lets a refused resource being deleted
// go without touching the cloud.
type NotServedError struct{ msg string }

func (e *NotServedError) Error() string { return e.msg }

// IsNotServed reports whether err says a config does not serve the resource's namespace.
func IsNotServed(err error) bool {
	var ns *NotServedError
	return errors.As(err, &ns)
}

// Admit checks that the config mg references serves mg's namespace, without resolving any credentials. Connect
// calls it before anything else: a namespace a ClusterProviderConfig does not allow gets no usage record, no
// credentials and no cloud call.
func (r *Resolver) Admit(ctx context.Context, mg resource.ModernManaged) error {
	_, err := r.getConfig(ctx, mg)
	return err
}

// serves decides whether pc serves managed resources of namespace ns. A ProviderConfig serves only its own
// namespace (getConfig never looks one up elsewhere); a ClusterProviderConfig serves the namespaces its
// allowedNamespaces selects, or every namespace when that is unset.
//
// NOTE: the Namespace is read from the manager's cache: one informer of a small, cluster-scoped kind instead of a
// request per reconcile.
func (r *Resolver) serves(ctx context.Context, pc config, ns string) error {
	sel := pc.spec.AllowedNamespaces
	switch {
	case pc.namespace != "" && pc.namespace != ns:
		return &NotServedError{msg: pc.String() + " serves namespace " + pc.namespace + " only"}
	case pc.namespace != "" && sel != nil:
		// The CRD refuses this; a ProviderConfig cannot widen its reach.
		return &NotServedError{msg: pc.String() + ": allowedNamespaces applies to ClusterProviderConfigs only"}
	}
	ok, err := Serves(ctx, r.kube, sel, ns)
	switch {
	case err != nil && !IsNotServed(err):
		return errors.Wrap(err, pc.String())
	case err != nil:
		return &NotServedError{msg: pc.String() + " " + err.Error()}
	case ok:
		return nil
	}
	return &NotServedError{msg: pc.String() + " does not serve namespace " + ns + ": it is not in the config's allowedNamespaces; " +
		"use a ProviderConfig of the namespace, or ask a platform administrator to allow it"}
}

// Serves reports whether a ClusterProviderConfig whose allowedNamespaces is sel serves namespace ns: every
// namespace when sel is nil, else those it names and those whose labels its selector matches. The Namespace is
// read through kube only when the selector decides. An invalid selector serves nothing (a NotServedError).
func Serves(ctx context.Context, kube client.Reader, sel *v1alpha1.NamespaceSelection, ns string) (bool, error) {
	switch {
	case sel == nil:
		return true, nil
	case slices.Contains(sel.Names, ns):
		return true, nil
	case sel.Selector == nil:
		return false, nil
	}
	s, err := sel.Selector.AsSelector()
	if err != nil {
		return false, &NotServedError{msg: "has an invalid allowedNamespaces.selector: " + err.Error()}
	}
	n := &corev1.Namespace{}
	if err := kube.Get(ctx, types.NamespacedName{Name: ns}, n); err != nil {
		return false, errors.Wrapf(err, "cannot read namespace %s to check allowedNamespaces", ns)
	}
	return s.Matches(labels.Set(n.Labels)), nil
}

// Credential sources a namespaced config may use in any cloud's section: a Secret of its own namespace, or Vault.
// Every other source (the environment, a file, the pod's identity) is the provider's own identity.
const (
	sourceSecret = "Secret"
	sourceVault  = "Vault"
)

// checkSource refuses, for a namespaced config, a credentials source of a cloud section that is the provider's
// own identity: the same rule for every cloud.
func checkSource(pc config, section, source string) error {
	if pc.namespace == "" || source == sourceSecret || source == sourceVault {
		return nil
	}
	return errors.Errorf("%s cannot use %s credentials source %s: only a ClusterProviderConfig may use the provider's own identity", pc, section, source)
}
