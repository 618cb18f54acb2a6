package dbinstance

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	kfake "sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/awstest"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
)

// TestFieldsDeclareChanges holds the change list to the field table: every name Observe reports as differing
// (its Diff, which is also what the drift event and the update name) is a field the table declares, so a change
// the table cannot explain fails here.
func TestFieldsDeclareChanges(t *testing.T) {
	if err := fields.Check(); err != nil {
		t.Fatal(err)
	}
	// The password is rotated when the Secret's differs from the one the connection Secret records.
	rotated := func(d *v1alpha1.DBInstance) {
		d.Spec.WriteConnectionSecretToReference = &xpv2.LocalSecretReference{Name: "conn"}
	}
	secrets := func(cr *v1alpha1.DBInstance) []client.Object {
		return []client.Object{
			&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "pw"}, Data: map[string][]byte{"password": []byte("the-new-password")}},
			&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "conn",
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "rds.aws.stateful.dev/v1alpha1", Kind: "DBInstance", Name: cr.Name, UID: cr.UID, Controller: ptr.To(true)}}},
				Data: map[string][]byte{ConnPassword: []byte("applied-before")}},
		}
	}
	cases := map[string]struct {
		reason string
		cr     *v1alpha1.DBInstance
		inst   types.DBInstance
		kube   func(*v1alpha1.DBInstance) []client.Object
		want   []string
	}{
		"Compute": {
			reason: "A new major version, class and Multi-AZ are three changes of one ModifyDBInstance.",
			cr: db(func(d *v1alpha1.DBInstance) {
				d.Spec.ForProvider.EngineVersion, d.Spec.ForProvider.DBInstanceClass, d.Spec.ForProvider.MultiAZ = ptr.To("17"), "db.t4g.small", ptr.To(true)
			}),
			inst: instance(), want: []string{"engineVersion", "dbInstanceClass", "multiAZ"},
		},
		"Storage": {
			reason: "Every storage setting is named as its field.",
			cr: db(func(d *v1alpha1.DBInstance) {
				p := &d.Spec.ForProvider
				p.AllocatedStorage, p.StorageType, p.IOPS = ptr.To(int32(50)), ptr.To("gp3"), ptr.To(int32(3000))
				p.StorageThroughput, p.MaxAllocatedStorage = ptr.To(int32(500)), ptr.To(int32(100))
			}),
			inst: instance(func(i *types.DBInstance) { i.StorageType = aws.String("gp2") }),
			want: []string{"allocatedStorage", "storageType", "iops", "storageThroughput", "maxAllocatedStorage"},
		},
		"Network": {
			reason: "Port, public access, parameter group and security groups.",
			cr: db(func(d *v1alpha1.DBInstance) {
				p := &d.Spec.ForProvider
				p.Port, p.PubliclyAccessible, p.DBParameterGroupName, p.VPCSecurityGroupIDs = ptr.To(int32(5433)), ptr.To(true), ptr.To("pg16"), []string{"sg-1"}
			}),
			inst: instance(), want: []string{"port", "publiclyAccessible", "dbParameterGroupName", "vpcSecurityGroupIDs"},
		},
		"BackupsAndWindows": {
			reason: "Backups, the windows and deletion protection.",
			cr: db(func(d *v1alpha1.DBInstance) {
				p := &d.Spec.ForProvider
				p.BackupRetentionPeriod, p.PreferredBackupWindow = ptr.To(int32(7)), ptr.To("02:00-03:00")
				p.PreferredMaintenanceWindow, p.DeletionProtection = ptr.To("Sun:03:00-Sun:04:00"), ptr.To(true)
			}),
			inst: instance(), want: []string{"backupRetentionPeriod", "preferredBackupWindow", "preferredMaintenanceWindow", "deletionProtection"},
		},
		"Tags": {
			reason: "A tag change names its keys under tags.",
			cr:     db(func(d *v1alpha1.DBInstance) { d.Spec.ForProvider.Tags = map[string]string{"team": "a"} }),
			inst:   instance(), want: []string{"tags[team]"},
		},
		"Password": {
			reason: "A rotation names the field the user wrote, masterPasswordSecretRef (the password itself is never named).",
			cr:     db(rotated), inst: instance(), kube: secrets,
			want: []string{"masterPasswordSecretRef"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			kb := kfake.NewClientBuilder().WithScheme(clientgoscheme.Scheme)
			if tc.kube != nil {
				kb = kb.WithObjects(tc.kube(tc.cr)...)
			}
			var modified []*rds.ModifyDBInstanceInput
			e := newExternal(rdsWith(tc.inst, &modified), kb.Build())
			got, err := e.Observe(context.Background(), tc.cr)
			if err != nil {
				t.Fatalf("%s\nObserve: %v", tc.reason, err)
			}
			names := kindtest.DiffNames(got.Diff)
			if d := cmp.Diff(tc.want, names); d != "" {
				t.Errorf("%s\nObserve's change names: -want +got:\n%s", tc.reason, d)
			}
			kindtest.Declared(t, fields, names)
		})
	}
}

// TestRefusedFieldsAreThoseTheCodeRefuses holds the table's Refused fields to what the code refuses: Observe for an
// instance running another engine (TestFieldTables holds them to the CRD's immutability rules, self == oldSelf).
func TestRefusedFieldsAreThoseTheCodeRefuses(t *testing.T) {
	cr := db(func(d *v1alpha1.DBInstance) { d.Spec.ForProvider.Engine = "mysql" })
	var modified []*rds.ModifyDBInstanceInput
	e := newExternal(rdsWith(instance(), &modified), kfake.NewClientBuilder().WithScheme(clientgoscheme.Scheme).Build())
	if _, err := e.Observe(context.Background(), cr); err == nil || !strings.Contains(err.Error(), "the engine cannot change") {
		t.Errorf("an instance running another engine: want the error that the engine cannot change, got %v", err)
	}
	if f, ok := fields.Lookup("engine"); !ok || f.Effect != managedkind.Refused {
		t.Errorf("engine, which Observe refuses to change: want declared %q, got %+v", managedkind.Refused, f)
	}
}

// TestUnsetIsUnmanaged holds Observe to the table's Compare and Unset columns (kindtest.Unmanaged): an available
// instance whose every setting and tag differs from the spec's and from RDS's defaults.
func TestUnsetIsUnmanaged(t *testing.T) {
	full := db().Spec.ForProvider
	full.EngineVersion, full.DBInstanceClass, full.AllocatedStorage = ptr.To("17"), "db.r6g.large", ptr.To(int32(50))
	full.StorageType, full.IOPS, full.StorageThroughput, full.MaxAllocatedStorage = ptr.To("gp3"), ptr.To(int32(3000)), ptr.To(int32(500)), ptr.To(int32(100))
	full.DBName, full.Port, full.MultiAZ, full.PubliclyAccessible = ptr.To("app"), ptr.To(int32(5433)), ptr.To(false), ptr.To(false)
	full.BackupRetentionPeriod, full.PreferredBackupWindow = ptr.To(int32(7)), ptr.To("02:00-03:00")
	full.PreferredMaintenanceWindow, full.DeletionProtection = ptr.To("Sun:03:00-Sun:04:00"), ptr.To(false)
	full.DBParameterGroupName, full.DBSubnetGroupName, full.VPCSecurityGroupIDs = ptr.To("pg17"), ptr.To("private"), []string{"sg-1"}
	full.KMSKeyID, full.StorageEncrypted, full.ApplyImmediately = ptr.To("alias/rds"), ptr.To(true), ptr.To(true)
	full.Tags = map[string]string{"team": "a"}
	cloud := instance(func(i *types.DBInstance) {
		i.StorageType, i.Iops, i.StorageThroughput, i.MaxAllocatedStorage = aws.String("io1"), aws.Int32(1000), aws.Int32(125), aws.Int32(40)
		i.DbInstancePort, i.MultiAZ, i.PubliclyAccessible = aws.Int32(5439), aws.Bool(true), aws.Bool(true)
		i.BackupRetentionPeriod, i.PreferredBackupWindow, i.PreferredMaintenanceWindow = aws.Int32(3), aws.String("05:00-06:00"), aws.String("mon:05:00-mon:06:00")
		i.DeletionProtection, i.DBParameterGroups = aws.Bool(true), []types.DBParameterGroupStatus{{DBParameterGroupName: aws.String("custom-pg16")}}
		i.VpcSecurityGroups = []types.VpcSecurityGroupMembership{{VpcSecurityGroupId: aws.String("sg-0")}}
		i.TagList = append(i.TagList, types.Tag{Key: aws.String("team"), Value: aws.String("b")})
	})
	kindtest.Unmanaged(t, fields, func(p v1alpha1.DBInstanceParameters) ([]string, error) {
		var modified []*rds.ModifyDBInstanceInput
		e := newExternal(rdsWith(cloud, &modified), kfake.NewClientBuilder().WithScheme(clientgoscheme.Scheme).Build())
		o, err := e.Observe(context.Background(), db(func(d *v1alpha1.DBInstance) { d.Spec.ForProvider = p }))
		return kindtest.DiffNames(o.Diff), err
	}, full)
}

// TestTerminalErrors holds the table's terminal errors to what the kind classifies as rejected input.
func TestTerminalErrors(t *testing.T) {
	kindtest.Terminal(t, fields, Kind().Rejects, func(code string) error {
		return awstest.APIError("Update", http.StatusBadRequest, code, "refused")
	})
}
