package managedkind

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// An Adoption is how a kind's resources ask to take over (spec.adoptExisting) or observe (ObserveOnly) a cloud
// resource the provider did not make, and which allowedAdoptions list of a ClusterProviderConfig must admit it.
//
// Through a shared config such a request acts with the platform's identity on something no marker says is the
// namespace's: the platform's own database, another team's unmarked queue. Once adopted, the resource carries the
// tenant's marker, and every other tenancy check (a topic, a dead-letter target, a log bucket) accepts it too. So
// adopting is an administrator's decision, made per namespace and name in the config.
type Adoption[T Managed] struct {
	// List is the allowedAdoptions list ("buckets", "queues", ...).
	List string
	// Requested returns spec.adoptExisting.
	Requested func(T) *bool
	// Name is the name the list's patterns match; the external name when nil.
	Name func(T) string
	// Caseless compares without case, for names the cloud treats so (RDS identifiers).
	Caseless bool
}

func (a Adoption[T]) wanted(cr T) bool {
	return (a.Requested != nil && ptr.Deref(a.Requested(cr), false)) || OnlyObserves(cr.GetManagementPolicies())
}

func (a Adoption[T]) of(cr T) credentials.Adoption {
	name := meta.GetExternalName(cr)
	if a.Name != nil {
		name = a.Name(cr)
	}
	return credentials.Adoption{List: a.List, Name: name, Caseless: a.Caseless}
}

// Admit runs on every connect, before any cloud call: a resource that asks to adopt or observe through a config
// that does not admit it is refused.
//
// Two are let through to Observe, where Adopt keeps the ownership rule from taking an unmarked resource:
//   - one that records a successful create of its own: what it made carries its marker, and switching it to
//     ObserveOnly (or setting adoptExisting on it) changes nothing of whose it is. The annotation is the tenant's
//     to write, which is why Observe checks again;
//   - one being deleted: refusing it would keep its finalizer for ever. Observe reports an unmarked resource gone,
//     so the runtime lets go of it without a delete.
func (a Adoption[T]) Admit(reach *credentials.Reach, cr T) error {
	if reach == nil || meta.WasDeleted(cr) || !a.wanted(cr) || !meta.GetExternalCreateSucceeded(cr).IsZero() {
		return nil
	}
	ad := a.of(cr)
	ok, err := reach.Adopts(cr.GetNamespace(), ad)
	if err != nil || ok {
		return err
	}
	return reach.AdoptionRefused(cr.GetNamespace(), ad)
}

// Adopt is what the ownership rule (Judge, Ownership.Apply) is given: whether cr may take an unmarked cloud resource. It
// asks for it (adoptExisting or ObserveOnly) and its config admits it.
func (a Adoption[T]) Adopt(reach *credentials.Reach, cr T) bool {
	if !a.wanted(cr) {
		return false
	}
	ok, err := reach.Adopts(cr.GetNamespace(), a.of(cr))
	return ok && err == nil
}
