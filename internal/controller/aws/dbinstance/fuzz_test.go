package dbinstance

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
)

// FuzzInSyncAfterRDS: a spec applied to RDS and read back after RDS did what it does on its own (an automatic
// minor upgrade, storage autoscaling under maxAllocatedStorage, the maintenance window lower-cased, security
// groups in another order) has nothing to modify; a version below the spec's is an upgrade to make.
func FuzzInSyncAfterRDS(f *testing.F) {
	f.Add(true, uint8(16), uint8(4), uint8(4), int32(20), int32(14), int32(100), "Sun:03:00-Sun:03:30", "sg-1,sg-2")
	f.Add(false, uint8(8), uint8(35), uint8(1), int32(100), int32(0), int32(0), "mon:01:00-mon:02:00", "")
	f.Fuzz(func(t *testing.T, postgres bool, major, minor, upgrade uint8, storage, grown, maxStorage int32, window, groups string) {
		engine, version, running, older := "mysql", fmt.Sprintf("8.0.%d", minor), fmt.Sprintf("8.0.%d", int(minor)+int(upgrade)), ""
		if postgres {
			engine, version, running = "postgres", fmt.Sprintf("%d.%d", major, minor), fmt.Sprintf("%d.%d", major, int(minor)+int(upgrade))
			if minor > 0 {
				older = fmt.Sprintf("%d.%d", major, minor-1)
			}
		}
		storage = 20 + abs(storage)%1000
		p := v1alpha1.DBInstanceParameters{
			Engine: engine, EngineVersion: ptr.To(version), DBInstanceClass: "db.t4g.micro", AllocatedStorage: ptr.To(storage),
			PreferredMaintenanceWindow: ptr.To(window),
		}
		got := storage
		if maxStorage != 0 {
			p.MaxAllocatedStorage = ptr.To(storage + abs(maxStorage)%1000)
			got = storage + abs(grown)%(*p.MaxAllocatedStorage-storage+1)
		}
		if groups != "" {
			p.VPCSecurityGroupIDs = strings.Split(groups, ",")
		}
		o := types.DBInstance{
			Engine: aws.String(engine), EngineVersion: aws.String(running), AutoMinorVersionUpgrade: aws.Bool(true), DBInstanceClass: aws.String("db.t4g.micro"),
			AllocatedStorage: aws.Int32(got), MaxAllocatedStorage: p.MaxAllocatedStorage, PreferredMaintenanceWindow: aws.String(strings.ToLower(window)),
		}
		rev := slices.Clone(p.VPCSecurityGroupIDs)
		slices.Reverse(rev)
		for _, g := range rev {
			o.VpcSecurityGroups = append(o.VpcSecurityGroups, types.VpcSecurityGroupMembership{VpcSecurityGroupId: aws.String(g), Status: aws.String("active")})
		}
		if cs := diff(p, o); len(cs) != 0 {
			t.Fatalf("after RDS's own changes the spec still differs in %v", cs.Fields())
		}
		if older != "" {
			o.EngineVersion = aws.String(older)
			if cs := diff(p, o); !slices.Equal(cs.Fields(), []string{"engineVersion"}) {
				t.Fatalf("running %s under a spec of %s: want an upgrade, got %v", older, version, cs.Fields())
			}
		}
	})
}

func abs(n int32) int32 {
	if n < 0 {
		if n == -n { // math.MinInt32
			return 0
		}
		return -n
	}
	return n
}
