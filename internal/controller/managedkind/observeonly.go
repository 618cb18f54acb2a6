package managedkind

import (
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

// reportWouldChange sets WouldChange on a resource whose management policies only observe: which fields the
// provider would change if it were allowed to write (the change list's names, never values), or that it would
// change none — what a team checks before granting writes to an import, or before promoting a cluster rebuilt
// from Git with Observe. Once writes are allowed again a condition set before says so; a resource that never only
// observed gets none (no status write for it).
func reportWouldChange(cr resource.Managed, upToDate bool, diff string) {
	if !OnlyObserves(cr.GetManagementPolicies()) {
		if cr.GetCondition(v1alpha1.TypeWouldChange).Status != corev1.ConditionUnknown {
			cr.SetConditions(wouldChange(corev1.ConditionFalse, v1alpha1.ReasonWritesAllowed,
				"spec.managementPolicies allow writes: the provider brings the cloud resource to the spec"))
		}
		return
	}
	if upToDate || diff == "" {
		cr.SetConditions(wouldChange(corev1.ConditionFalse, v1alpha1.ReasonInSync,
			"the cloud resource matches the spec: allowing writes would change nothing"))
		return
	}
	cr.SetConditions(wouldChange(corev1.ConditionTrue, v1alpha1.ReasonDiffers,
		"spec.managementPolicies only observe; with writes allowed the provider would change: "+strings.Join(strings.Split(diff, "; "), ", ")))
}

func wouldChange(s corev1.ConditionStatus, r xpv2.ConditionReason, msg string) xpv2.Condition {
	return xpv2.Condition{Type: v1alpha1.TypeWouldChange, Status: s, Reason: r, Message: msg, LastTransitionTime: metav1.Now()}
}
