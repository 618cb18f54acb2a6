package dbinstance

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	kfake "sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/rds/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// db returns team-a/orders: postgres 16.4 on db.t4g.micro, no connection Secret (so no password is compared).
func db(m ...func(*v1alpha1.DBInstance)) *v1alpha1.DBInstance {
	cr := &v1alpha1.DBInstance{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "orders", UID: "uid-a", Generation: 1}}
	cr.Spec.ForProvider = v1alpha1.DBInstanceParameters{Region: "eu-west-1", Engine: "postgres", EngineVersion: ptr.To("16.4"), DBInstanceClass: "db.t4g.micro", MasterUsername: "app"}
	cr.Spec.ForProvider.MasterPasswordSecretRef = v1alpha1.PasswordSecretRef{Name: "pw", Key: "password"}
	meta.SetExternalName(cr, "orders")
	for _, f := range m {
		f(cr)
	}
	return cr
}

func instance(m ...func(*types.DBInstance)) types.DBInstance {
	var tags []types.Tag
	tags = append(tags, tagList(managedkind.AWSTags.Tags(db()))...)
	i := types.DBInstance{
		DBInstanceIdentifier: aws.String("orders"), DBInstanceArn: aws.String("arn:aws:rds:eu-west-1:123456789012:db:orders"), DBInstanceStatus: aws.String("available"),
		Engine: aws.String("postgres"), EngineVersion: aws.String("16.4"), DBInstanceClass: aws.String("db.t4g.micro"), AllocatedStorage: aws.Int32(20),
		AutoMinorVersionUpgrade: aws.Bool(true), TagList: tags,
	}
	for _, f := range m {
		f(&i)
	}
	return i
}

// rdsWith answers DescribeDBInstances with i and records every ModifyDBInstance.
func rdsWith(i types.DBInstance, modified *[]*rds.ModifyDBInstanceInput) *fake.RDS {
	return &fake.RDS{
		MockDescribeDBInstances: func(*rds.DescribeDBInstancesInput) (*rds.DescribeDBInstancesOutput, error) {
			return &rds.DescribeDBInstancesOutput{DBInstances: []types.DBInstance{i}}, nil
		},
		MockModifyDBInstance: func(in *rds.ModifyDBInstanceInput) (*rds.ModifyDBInstanceOutput, error) {
			*modified = append(*modified, in)
			return &rds.ModifyDBInstanceOutput{}, nil
		},
	}
}

func TestObserveAndUpdate(t *testing.T) {
	cases := map[string]struct {
		reason     string
		cr         *v1alpha1.DBInstance
		inst       types.DBInstance
		upToDate   bool
		diff       string
		ready      xpv2.Condition
		errHas     string
		wantModify []*rds.ModifyDBInstanceInput
	}{
		"InSyncAfterAutoUpgrade": {
			reason: "RDS moved 16.4 to 16.8 and storage autoscaling grew the disk: nothing to send.",
			cr: db(func(d *v1alpha1.DBInstance) {
				d.Spec.ForProvider.AllocatedStorage, d.Spec.ForProvider.MaxAllocatedStorage = ptr.To(int32(20)), ptr.To(int32(100))
			}),
			inst: instance(func(i *types.DBInstance) {
				i.EngineVersion, i.AllocatedStorage, i.MaxAllocatedStorage = aws.String("16.8"), aws.Int32(31), aws.Int32(100)
			}),
			upToDate: true, ready: xpv2.Available(),
		},
		"ClassChanged": {
			reason: "A changed class is one ModifyDBInstance carrying only the class.",
			cr:     db(func(d *v1alpha1.DBInstance) { d.Spec.ForProvider.DBInstanceClass = "db.t4g.small" }),
			inst:   instance(), diff: "dbInstanceClass", ready: xpv2.Available(),
			wantModify: []*rds.ModifyDBInstanceInput{{DBInstanceIdentifier: aws.String("orders"), DBInstanceClass: aws.String("db.t4g.small")}},
		},
		"BusyIsNotChanged": {
			reason:   "An instance backing up serves traffic (Ready) but takes no modification: nothing is compared or sent.",
			cr:       db(func(d *v1alpha1.DBInstance) { d.Spec.ForProvider.DBInstanceClass = "db.t4g.small" }),
			inst:     instance(func(i *types.DBInstance) { i.DBInstanceStatus = aws.String("backing-up") }),
			upToDate: true, ready: readyFor("backing-up"),
		},
		"EngineChanged": {
			reason: "The engine of an instance cannot change: an error, no modification.",
			cr:     db(func(d *v1alpha1.DBInstance) { d.Spec.ForProvider.Engine = "mysql" }),
			inst:   instance(), errHas: "the engine cannot change",
		},
		"OtherOwner": {
			reason: "An instance tagged for a DBInstance of another namespace is never compared or changed.",
			cr:     db(func(d *v1alpha1.DBInstance) { d.Namespace = "team-b" }),
			inst:   instance(), errHas: "belongs to DBInstance team-a/orders",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var modified []*rds.ModifyDBInstanceInput
			e := newExternal(rdsWith(tc.inst, &modified), kfake.NewClientBuilder().WithScheme(clientgoscheme.Scheme).Build())
			got, err := e.Observe(context.Background(), tc.cr)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("%s\nwant error containing %q, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\nObserve: %v", tc.reason, err)
			}
			if got.ResourceUpToDate != tc.upToDate || got.Diff != tc.diff {
				t.Errorf("%s\nObserve: up to date %t diff %q, want %t %q", tc.reason, got.ResourceUpToDate, got.Diff, tc.upToDate, tc.diff)
			}
			if d := cmp.Diff(tc.ready, tc.cr.GetCondition(xpv2.TypeReady), cmpopts.IgnoreFields(xpv2.Condition{}, "LastTransitionTime")); d != "" {
				t.Errorf("%s\nReady: -want +got:\n%s", tc.reason, d)
			}
			if !got.ResourceUpToDate {
				if _, err := e.Update(context.Background(), tc.cr); err != nil {
					t.Fatalf("%s\nUpdate: %v", tc.reason, err)
				}
			}
			if d := cmp.Diff(tc.wantModify, modified, cmpopts.IgnoreUnexported(rds.ModifyDBInstanceInput{})); d != "" {
				t.Errorf("%s\nModifyDBInstance: -want +got:\n%s", tc.reason, d)
			}
		})
	}
}

func TestUpdateInvalidState(t *testing.T) {
	e := newExternal(&fake.RDS{MockModifyDBInstance: func(*rds.ModifyDBInstanceInput) (*rds.ModifyDBInstanceOutput, error) {
		return nil, &smithy.GenericAPIError{Code: "InvalidDBInstanceState", Message: "Instance is not available. RequestId: R-42"}
	}}, nil)
	e.inst = instance()
	cr := db(func(d *v1alpha1.DBInstance) { d.Spec.ForProvider.DBInstanceClass = "db.t4g.small" })
	e.changed = diff(cr.Spec.ForProvider, e.inst)
	_, err := e.Update(context.Background(), cr)
	if err == nil || !strings.Contains(err.Error(), "retrying once it is available") || strings.Contains(err.Error(), "R-42") {
		t.Errorf("RDS refusing a modification in the instance's state: want a retryable message without the request ID, got %v", err)
	}
}

func TestDelete(t *testing.T) {
	cases := map[string]struct {
		reason     string
		cr         *v1alpha1.DBInstance
		inst       types.DBInstance
		errHas     string
		wantDelete *rds.DeleteDBInstanceInput
		wantModify bool
	}{
		"NoSnapshotDecision": {
			reason: "Without spec.forProvider.finalSnapshot the provider does not guess what happens to the data: no call.",
			cr:     db(), inst: instance(), errHas: "finalSnapshot says what happens to its data",
		},
		"Protected": {
			reason: "Deletion protection is respected: no call.",
			cr: db(func(d *v1alpha1.DBInstance) {
				d.Spec.ForProvider.FinalSnapshot = &v1alpha1.FinalSnapshot{Skip: ptr.To(true)}
			}),
			inst: instance(func(i *types.DBInstance) { i.DeletionProtection = aws.Bool(true) }), errHas: "has deletion protection",
		},
		"ProtectionTurnedOff": {
			reason: "A spec that turned protection off is applied first (the runtime sends no update to a resource being deleted).",
			cr: db(func(d *v1alpha1.DBInstance) {
				d.Spec.ForProvider.FinalSnapshot, d.Spec.ForProvider.DeletionProtection = &v1alpha1.FinalSnapshot{Skip: ptr.To(true)}, ptr.To(false)
			}),
			inst: instance(func(i *types.DBInstance) { i.DeletionProtection = aws.Bool(true) }), wantModify: true,
		},
		"Snapshot": {
			reason: "A snapshot identifier takes a final snapshot.",
			cr: db(func(d *v1alpha1.DBInstance) {
				d.Spec.ForProvider.FinalSnapshot = &v1alpha1.FinalSnapshot{Identifier: ptr.To("orders-final")}
			}),
			inst:       instance(),
			wantDelete: &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("orders"), FinalDBSnapshotIdentifier: aws.String("orders-final"), SkipFinalSnapshot: aws.Bool(false)},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var deleted *rds.DeleteDBInstanceInput
			modified := false
			e := newExternal(&fake.RDS{
				MockDeleteDBInstance: func(in *rds.DeleteDBInstanceInput) (*rds.DeleteDBInstanceOutput, error) {
					deleted = in
					return &rds.DeleteDBInstanceOutput{}, nil
				},
				MockModifyDBInstance: func(*rds.ModifyDBInstanceInput) (*rds.ModifyDBInstanceOutput, error) {
					modified = true
					return &rds.ModifyDBInstanceOutput{}, nil
				},
			}, nil)
			e.inst = tc.inst
			_, err := e.Delete(context.Background(), tc.cr)
			if (tc.errHas == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.errHas)) {
				t.Fatalf("%s\nDelete: want error %q, got %v", tc.reason, tc.errHas, err)
			}
			if d := cmp.Diff(tc.wantDelete, deleted, cmpopts.IgnoreUnexported(rds.DeleteDBInstanceInput{})); d != "" {
				t.Errorf("%s\nDeleteDBInstance: -want +got:\n%s", tc.reason, d)
			}
			if modified != tc.wantModify {
				t.Errorf("%s\nModifyDBInstance sent: %t, want %t", tc.reason, modified, tc.wantModify)
			}
		})
	}
}

// A password RDS would refuse never reaches RDS: the fake has no CreateDBInstance, so a call panics.
func TestCreateRefusesBadPasswordWithoutCall(t *testing.T) {
	cr := db()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "pw"}, Data: map[string][]byte{"password": []byte("has space in it")}}
	e := newExternal(&fake.RDS{}, kfake.NewClientBuilder().WithScheme(clientgoscheme.Scheme).WithObjects(s).Build())
	_, err := e.Create(context.Background(), cr)
	if err == nil || !strings.Contains(err.Error(), "contains a character RDS refuses") || strings.Contains(err.Error(), "has space in it") {
		t.Errorf("want the rule named and the password not, got %v", err)
	}
}

// A generated master password lives in Secrets, in etcd. When both are gone and the instance is this
// DBInstance's — a cluster rebuilt from Git — the provider does not reset a password it cannot prove it set: the
// instance keeps it, and a condition says what to do. Adopting an instance the provider never marked, or deleting
// only the password Secret, still has one generated and set.
func TestPasswordAfterRecovery(t *testing.T) {
	withSecrets := func(d *v1alpha1.DBInstance) {
		d.Spec.WriteConnectionSecretToReference = &xpv2.LocalSecretReference{Name: "conn"}
		d.Spec.ForProvider.MasterPasswordSecretRef.Generate = ptr.To(true)
	}
	conn := func(cr *v1alpha1.DBInstance) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "conn",
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "rds.aws.stateful.dev/v1alpha1", Kind: "DBInstance", Name: cr.Name, UID: cr.UID, Controller: ptr.To(true)}}},
			Data: map[string][]byte{ConnPassword: []byte("applied-before")}}
	}
	cases := map[string]struct {
		reason      string
		cr          *v1alpha1.DBInstance
		inst        types.DBInstance
		connSecret  bool
		wantReset   bool
		wantCondErr bool
	}{
		"RestoredFromGit": {
			reason: "The instance is this DBInstance's and neither Secret exists: no password is set, the condition says why.",
			cr:     db(withSecrets), inst: instance(), wantCondErr: true,
		},
		"FirstAdoption": {
			reason: "An unmarked instance adopted on request gets a generated password, as before.",
			cr:     db(withSecrets, func(d *v1alpha1.DBInstance) { d.Spec.AdoptExisting = ptr.To(true) }),
			inst:   instance(func(i *types.DBInstance) { i.TagList = nil }), wantReset: true,
		},
		"PasswordSecretDeleted": {
			reason: "Deleting only the password Secret, while the connection Secret records the applied one, asks for a new one.",
			cr:     db(withSecrets), inst: instance(), connSecret: true, wantReset: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			kb := kfake.NewClientBuilder().WithScheme(clientgoscheme.Scheme)
			if tc.connSecret {
				kb = kb.WithObjects(conn(tc.cr))
			}
			var modified []*rds.ModifyDBInstanceInput
			api := rdsWith(tc.inst, &modified)
			api.MockAddTagsToResource = func(*rds.AddTagsToResourceInput) (*rds.AddTagsToResourceOutput, error) {
				return &rds.AddTagsToResourceOutput{}, nil
			}
			e := newExternal(api, kb.Build())
			o, err := e.Observe(context.Background(), tc.cr)
			if err != nil {
				t.Fatalf("%s\nObserve: %v", tc.reason, err)
			}
			if !o.ResourceUpToDate {
				if _, err := e.Update(context.Background(), tc.cr); err != nil {
					t.Fatalf("%s\nUpdate: %v", tc.reason, err)
				}
			}
			reset := len(modified) > 0 && modified[0].MasterUserPassword != nil
			if reset != tc.wantReset {
				t.Errorf("%s\npassword set: want %t, got %t", tc.reason, tc.wantReset, reset)
			}
			c := tc.cr.GetCondition(TypeMasterPassword)
			if got := c.Status == corev1.ConditionFalse; got != tc.wantCondErr {
				t.Errorf("%s\nMasterPassword condition False: want %t, got %+v", tc.reason, tc.wantCondErr, c)
			}
			if tc.wantCondErr && (!strings.Contains(c.Message, "does not reset a password it cannot prove it set") || strings.Contains(c.Message, "applied-before")) {
				t.Errorf("%s\nthe condition says what to do, and no password: %q", tc.reason, c.Message)
			}
		})
	}
}
