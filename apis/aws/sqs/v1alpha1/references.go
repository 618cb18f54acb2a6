package v1alpha1

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/reference"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// QueueARN extracts a Queue's ARN from its status, for references to it (a dead-letter target). Empty until the
// referenced Queue has been observed, which keeps the reference unresolved until then.
func QueueARN() reference.ExtractValueFn {
	return func(mg resource.Managed) string {
		q, ok := mg.(*Queue)
		if !ok {
			return ""
		}
		return q.Status.AtProvider.ARN
	}
}
