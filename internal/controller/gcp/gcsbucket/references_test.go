package gcsbucket

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// References names what allowedReferences must admit through a shared config; a field left out would go unchecked.
func TestReferences(t *testing.T) {
	cr := &v1alpha1.Bucket{}
	cr.Spec.ForProvider.DefaultKMSKeyName = ptr.To("projects/p/locations/eu/keyRings/team-a/cryptoKeys/k")
	want := []credentials.Reference{{List: "kmsKeys", Field: "spec.forProvider.defaultKMSKeyName", Value: "projects/p/locations/eu/keyRings/team-a/cryptoKeys/k"}}
	if diff := cmp.Diff(want, References(cr)); diff != "" {
		t.Errorf("References: -want +got:\n%s", diff)
	}
}
