// Package webhook serves the provider's validating admission webhook. It denies nothing: every write the CRD
// allows is allowed — a webhook must never block a GitOps sync — and it answers Kubernetes admission warnings for
// the consequential ones, from each kind's field table (plan.Warnings): a change that restarts an instance now or
// in the maintenance window, one the provider will refuse, one that cannot be undone, list entries dropped, what
// deleting the resource does to the cloud resource. kubectl prints them, for dry runs too.
package webhook

import (
	"context"
	"net/http"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/stateful-dev/provider-stateful/internal/plan"
)

// Path is where the webhook is served; package/webhookconfigurations names it.
const Path = "/warnings"

// Warnings answers admission reviews of the provider's managed kinds with warnings, and allows every one.
type Warnings struct {
	Kinds plan.Kinds
}

// Handle allows req, with the warnings its update or delete deserves. An object it cannot read gets none: the
// CRD has already judged it, and a warning is never worth refusing a write.
func (w Warnings) Handle(_ context.Context, req admission.Request) admission.Response {
	allowed := admission.Allowed("")
	k, ok := w.Kinds[schema.GroupKind{Group: req.Kind.Group, Kind: req.Kind.Kind}]
	if !ok {
		return allowed
	}
	old, err := decode(req.OldObject.Raw)
	if err != nil || old == nil {
		return allowed
	}
	var cur *unstructured.Unstructured
	switch req.Operation {
	case admissionv1.Update:
		if cur, err = decode(req.Object.Raw); err != nil || cur == nil {
			return allowed
		}
	case admissionv1.Delete:
	default:
		return allowed
	}
	return allowed.WithWarnings(plan.Warnings(k, old, cur)...)
}

func decode(raw []byte) (*unstructured.Unstructured, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(raw); err != nil {
		return nil, err
	}
	return u, nil
}

// Handler is the webhook's HTTP handler.
func Handler(kinds plan.Kinds) http.Handler {
	return &admission.Webhook{Handler: Warnings{Kinds: kinds}}
}
