package table

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/dynamodb/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// References names what allowedReferences must admit through a shared config; a field left out would go unchecked.
func TestReferences(t *testing.T) {
	cr := &v1alpha1.Table{}
	cr.Spec.ForProvider.ServerSideEncryption = &v1alpha1.TableEncryption{Type: "KMS", KMSKeyID: ptr.To("alias/team-a/t")}
	want := []credentials.Reference{{List: "kmsKeys", Field: "spec.forProvider.serverSideEncryption.kmsKeyID", Value: "alias/team-a/t"}}
	if diff := cmp.Diff(want, References(cr)); diff != "" {
		t.Errorf("References: -want +got:\n%s", diff)
	}
}
