package managedkind

import (
	"k8s.io/apimachinery/pkg/runtime"
)

// A Deletion is what deleting a managed resource does to its cloud resource, as far as the resource's spec tells:
// what the change-impact plan says of a resource a change removes. The cloud resource's own state (objects in a
// bucket, protection turned on outside the provider) may decide the rest, and What says so where it can.
type Deletion struct {
	// Deletes is false when the spec keeps the delete from happening: a decision it has not made (an RDS instance's
	// final snapshot), protection it turns on.
	Deletes bool
	// What says what happens.
	What string
}

// DeletionOf is what deleting the resource obj (its unstructured content) does, by the kind's Deletion; false when
// the kind declares none.
func (k Kind[T, Acct, API]) DeletionOf(obj map[string]any) (Deletion, bool, error) {
	if k.Deletion == nil {
		return Deletion{}, false, nil
	}
	cr := k.Object.DeepCopyObject().(T) //nolint:forcetypeassert // Object is a T.
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj, cr); err != nil {
		return Deletion{}, false, err
	}
	return k.Deletion(cr), true, nil
}

// Protected is the Deletion of a resource whose delete deletion protection holds back, as the spec's
// deletionProtection (protection) says: unset, the cloud resource's own setting decides; true, nothing is
// deleted; false, the delete turns protection off first. noun names the resource ("table"), what is what goes
// with it ("table and its items").
func Protected(protection *bool, noun, what string) Deletion {
	switch {
	case protection == nil:
		return Deletion{Deletes: true, What: "deletes the " + what + "; refused while the " + noun + "'s own deletion protection is on"}
	case *protection:
		return Deletion{What: "refused while spec.forProvider.deletionProtection is true: the " + noun + " stays"}
	}
	return Deletion{Deletes: true, What: "turns the " + noun + "'s deletion protection off, then deletes the " + what}
}
