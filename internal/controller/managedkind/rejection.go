// A rejection makes input the cloud rejects terminal until the spec changes. A create or update the cloud
// refuses as invalid (a typed error code, never message text) is recorded with the generation it applies to; until
// the generation moves, Observe answers with the recorded error and no further call reaches the cloud. The next
// spec change retries at once.
//
// Conditions carry a LastTransitionTime (the CRD requires one); crossplane-runtime keeps the earlier time when a
// condition is set again unchanged, so a repeated rejection does not rewrite status.
//
// NOTE: crossplane-runtime persists different things on each error path. After a failed Create it writes the
// object's annotations (external-create-failed) with a full update whose answer replaces the status set inside
// Create; after a failed Update it writes only the status. So the record is both an annotation (survives the
// create path) and a condition of its own (survives the update path, and tells the user), and Observe reads both.

package managedkind

import (
	"strconv"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

const (
	// AnnotationRejectedGeneration is the generation whose spec the cloud rejected.
	AnnotationRejectedGeneration = "stateful.dev/rejected-generation"
	// AnnotationRejected is what the cloud said, cleaned (no request IDs, no credentials).
	AnnotationRejected = "stateful.dev/rejected"
)

// message is the text users see for a rejection.
func message(gen int64, cause string) string {
	return "the cloud rejected the spec of generation " + strconv.FormatInt(gen, 10) + " as invalid: " + cause + "; change the spec to retry"
}

// RecordRejection notes that the cloud rejected mg's current spec with err.
func RecordRejection(mg resource.Managed, err error) {
	gen := mg.GetGeneration()
	meta.AddAnnotations(mg, map[string]string{AnnotationRejectedGeneration: strconv.FormatInt(gen, 10), AnnotationRejected: err.Error()})
	mg.SetConditions(xpv2.Condition{
		Type: v1alpha1.TypeInputRejected, Status: corev1.ConditionTrue, Reason: v1alpha1.ReasonCloudRejected, LastTransitionTime: metav1.Now(),
		Message: message(gen, err.Error()), ObservedGeneration: gen,
	})
}

// Rejected returns the recorded rejection of mg's current spec, or nil. A rejection of an earlier generation is
// marked as superseded.
func Rejected(mg resource.Managed) error {
	gen := mg.GetGeneration()
	a := mg.GetAnnotations()
	if g, err := strconv.ParseInt(a[AnnotationRejectedGeneration], 10, 64); err == nil && g == gen {
		c := xpv2.Condition{
			Type: v1alpha1.TypeInputRejected, Status: corev1.ConditionTrue, Reason: v1alpha1.ReasonCloudRejected, LastTransitionTime: metav1.Now(),
			Message: message(gen, a[AnnotationRejected]), ObservedGeneration: gen,
		}
		mg.SetConditions(c)
		return errors.New(c.Message)
	}
	c := mg.GetCondition(v1alpha1.TypeInputRejected)
	switch {
	case c.Status != corev1.ConditionTrue:
		return nil
	case c.ObservedGeneration == gen:
		return errors.New(c.Message)
	default:
		mg.SetConditions(xpv2.Condition{
			Type: v1alpha1.TypeInputRejected, Status: corev1.ConditionFalse, Reason: v1alpha1.ReasonSpecChanged, LastTransitionTime: metav1.Now(),
			Message: "the spec changed since the cloud rejected it", ObservedGeneration: gen,
		})
		return nil
	}
}

// RecordDeleteRejection notes that the cloud refused to delete mg as its current spec asks, with err. A failed delete
// persists the status alone (crossplane-runtime writes nothing else), so the record is the condition alone.
func RecordDeleteRejection(mg resource.Managed, err error) {
	gen := mg.GetGeneration()
	mg.SetConditions(xpv2.Condition{
		Type: v1alpha1.TypeInputRejected, Status: corev1.ConditionTrue, Reason: v1alpha1.ReasonDeleteRefused, LastTransitionTime: metav1.Now(),
		Message: "the cloud refused the deletion the spec of generation " + strconv.FormatInt(gen, 10) + " asks for: " +
			err.Error() + "; change the spec to retry",
		ObservedGeneration: gen,
	})
}

// DeleteRejected returns the recorded refusal of mg's deletion as its current spec asks, or nil: the delete is not
// sent again until the spec changes. A rejected create or update never holds up a deletion.
func DeleteRejected(mg resource.Managed) error {
	c := mg.GetCondition(v1alpha1.TypeInputRejected)
	switch {
	case c.Status != corev1.ConditionTrue || c.Reason != v1alpha1.ReasonDeleteRefused:
		return nil
	case c.ObservedGeneration == mg.GetGeneration():
		return errors.New(c.Message)
	default:
		mg.SetConditions(xpv2.Condition{
			Type: v1alpha1.TypeInputRejected, Status: corev1.ConditionFalse, Reason: v1alpha1.ReasonSpecChanged, LastTransitionTime: metav1.Now(),
			Message: "the spec changed since the cloud refused the deletion", ObservedGeneration: mg.GetGeneration(),
		})
		return nil
	}
}
