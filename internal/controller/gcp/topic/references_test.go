package topic

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// References names what allowedReferences must admit through a shared config; a field left out would go unchecked.
func TestReferences(t *testing.T) {
	cr := &v1alpha1.Topic{}
	cr.Spec.ForProvider.KMSKeyName = ptr.To("projects/p/locations/eu/keyRings/team-a/cryptoKeys/k")
	want := []credentials.Reference{{List: "kmsKeys", Field: "spec.forProvider.kmsKeyName", Value: "projects/p/locations/eu/keyRings/team-a/cryptoKeys/k"}}
	if diff := cmp.Diff(want, References(cr)); diff != "" {
		t.Errorf("References: -want +got:\n%s", diff)
	}
}
