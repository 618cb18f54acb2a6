package v1alpha1

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/reference"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// TopicName extracts a Topic's full name from its status, for references to it (a Subscription's topic and
// dead-letter topic). Empty until the referenced Topic has been observed, which keeps the reference unresolved
// until then.
func TopicName() reference.ExtractValueFn {
	return func(mg resource.Managed) string {
		t, ok := mg.(*Topic)
		if !ok {
			return ""
		}
		return t.Status.AtProvider.Name
	}
}
