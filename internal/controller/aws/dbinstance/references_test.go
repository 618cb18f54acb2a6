package dbinstance

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// References names what allowedReferences must admit through a shared config; a field left out would go unchecked.
func TestReferences(t *testing.T) {
	cr := &v1alpha1.DBInstance{}
	p := &cr.Spec.ForProvider
	p.KMSKeyID, p.DBSubnetGroupName, p.DBParameterGroupName, p.VPCSecurityGroupIDs = ptr.To("alias/team-a/db"), ptr.To("team-a_db"), ptr.To("team-a_pg"), []string{"sg-1", "sg-2"}
	want := []credentials.Reference{
		{List: "kmsKeys", Field: "spec.forProvider.kmsKeyID", Value: "alias/team-a/db"},
		{List: "dbSubnetGroups", Field: "spec.forProvider.dbSubnetGroupName", Value: "team-a_db", Caseless: true},
		{List: "dbParameterGroups", Field: "spec.forProvider.dbParameterGroupName", Value: "team-a_pg", Caseless: true},
		{List: "securityGroups", Field: "spec.forProvider.vpcSecurityGroupIDs[0]", Value: "sg-1", Caseless: true},
		{List: "securityGroups", Field: "spec.forProvider.vpcSecurityGroupIDs[1]", Value: "sg-2", Caseless: true},
	}
	if diff := cmp.Diff(want, References(cr)); diff != "" {
		t.Errorf("References: -want +got:\n%s", diff)
	}
}
