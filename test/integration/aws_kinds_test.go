//go:build integration

package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	ddbv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/dynamodb/v1alpha1"
	rdsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
)

// DBInstance tests beyond the contract every kind joins (contract_test.go).

func directRDS() *rds.Client {
	return rds.New(rds.Options{Region: "eu-west-1", BaseEndpoint: aws.String(moto.URL), Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

func driftEvent(t *testing.T, ns, name, field string) {
	t.Helper()
	eventually(t, "a drift event naming "+field, func() (bool, string) {
		for _, e := range events(t, ns, name) {
			if strings.HasPrefix(e, "DriftReverted: ") && strings.Contains(e, field) {
				return true, ""
			}
		}
		return false, strings.Join(events(t, ns, name), " | ")
	})
}

func syncError(want string) func(s xpv2.Condition) (bool, string) {
	return func(s xpv2.Condition) (bool, string) {
		return s.Status == corev1.ConditionFalse && strings.Contains(s.Message, want), s.Message
	}
}

// RDS refusing a modification (InvalidDBInstanceState, injected): a clear condition, then the retry succeeds.
func TestDBInstanceInvalidStateRetried(t *testing.T) {
	t.Parallel()
	ns, name := namespace(t), "state-"+suffix()
	create(t, dbInstance(ns, name, func(db *rdsv1alpha1.DBInstance) {
		db.Spec.ForProvider.BackupRetentionPeriod = ptr.To(int32(7))
		db.Spec.ForProvider.FinalSnapshot = &rdsv1alpha1.FinalSnapshot{Skip: ptr.To(true)}
	}))
	waitDB(t, ns, name, "Ready", dbReady)
	proxy.Respond("ModifyDBInstance", name, 400, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidDBInstanceState</Code><Message>Instance is not in available state.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`, 1)
	updateDB(t, ns, name, func(db *rdsv1alpha1.DBInstance) { db.Spec.ForProvider.BackupRetentionPeriod = ptr.To(int32(14)) })
	// The refusal is said where it lasts: the Synced condition carries it only until the retry (a second later)
	// succeeds, and a poll of the object can miss that window; the event the runtime records with the same text
	// stays.
	eventually(t, "saying it cannot modify now", func() (bool, string) {
		evs := events(t, ns, name)
		for _, e := range evs {
			if strings.HasPrefix(e, "CannotUpdateExternalResource: ") && strings.Contains(e, "cannot be modified in its current state: retrying once it is available") {
				return true, ""
			}
		}
		return false, strings.Join(evs, "; ")
	})
	waitDB(t, ns, name, "Ready after the retry", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		ok, why := dbReady(db)
		return ok && db.GetCondition(xpv2.TypeSynced).ObservedGeneration == db.Generation, why
	})
	if n := proxy.Count("ModifyDBInstance", name); n != 2 {
		t.Errorf("ModifyDBInstance calls: want the refused one and its retry, got %d", n)
	}
}

// Every DBInstance field group the spec can change after create reaches RDS, one ModifyDBInstance for all.
func TestDBInstanceFieldGroups(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ns := namespace(t)
	name := "groups-" + suffix()
	create(t, dbInstance(ns, name, func(db *rdsv1alpha1.DBInstance) {
		db.Spec.ForProvider.FinalSnapshot = &rdsv1alpha1.FinalSnapshot{Skip: ptr.To(true)}
	}))
	waitDB(t, ns, name, "Ready", dbReady)
	updateDB(t, ns, name, func(db *rdsv1alpha1.DBInstance) {
		p := &db.Spec.ForProvider
		p.AllocatedStorage, p.MaxAllocatedStorage = ptr.To(int32(40)), ptr.To(int32(100))
		p.BackupRetentionPeriod, p.PreferredBackupWindow = ptr.To(int32(3)), ptr.To("02:00-02:30")
		p.PreferredMaintenanceWindow = ptr.To("Mon:04:00-Mon:04:30")
		p.MultiAZ, p.PubliclyAccessible = ptr.To(true), ptr.To(false)
		p.Tags = map[string]string{"team": "x"}
	})
	waitDB(t, ns, name, "settled after the change", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		ok, why := dbReady(db)
		return ok && db.GetCondition(xpv2.TypeSynced).ObservedGeneration == db.Generation, why
	})
	out, err := directRDS().DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	i := out.DBInstances[0]
	got := fmt.Sprintf("%d %d %d %s %s %t", aws.ToInt32(i.AllocatedStorage), aws.ToInt32(i.MaxAllocatedStorage), aws.ToInt32(i.BackupRetentionPeriod), aws.ToString(i.PreferredBackupWindow), aws.ToString(i.PreferredMaintenanceWindow), aws.ToBool(i.MultiAZ))
	if got != "40 100 3 02:00-02:30 mon:04:00-mon:04:30 true" {
		t.Errorf("in moto: %s", got)
	}
	if n := proxy.Count("ModifyDBInstance", name); n != 1 {
		t.Errorf("ModifyDBInstance calls for one spec change: want 1, got %d", n)
	}
	if n := proxy.Count("AddTagsToResource", name); n != 1 {
		t.Errorf("AddTagsToResource calls: want 1, got %d", n)
	}
}

// Every Table field group the spec can change after create reaches DynamoDB, one change per call.
func TestTableFieldGroups(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ns := namespace(t)
	name := "groups-" + suffix()
	create(t, table(ns, name, func(tb *ddbv1alpha1.Table) {
		p := &tb.Spec.ForProvider
		p.StreamViewType, p.TimeToLive, p.PointInTimeRecovery = ptr.To("KEYS_ONLY"), &ddbv1alpha1.TimeToLive{AttributeName: "exp", Enabled: true}, ptr.To(true)
	}))
	waitTable(t, ns, name, "settled", tableSettled)
	updateTable(t, ns, name, func(tb *ddbv1alpha1.Table) {
		p := &tb.Spec.ForProvider
		p.BillingMode, p.ProvisionedThroughput = "PAY_PER_REQUEST", nil
		p.StreamViewType = ptr.To("")
		p.TimeToLive = &ddbv1alpha1.TimeToLive{AttributeName: "exp", Enabled: false}
		p.PointInTimeRecovery = ptr.To(false)
		p.DeletionProtection = ptr.To(true)
	})
	got := waitTable(t, ns, name, "settled after the change", func(tb *ddbv1alpha1.Table) (bool, string) {
		ok, why := tableSettled(tb)
		return ok && tb.GetCondition(xpv2.TypeSynced).ObservedGeneration == tb.Generation, why
	})
	d, err := directDDB().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Table.BillingModeSummary == nil || d.Table.BillingModeSummary.BillingMode != ddbtypes.BillingModePayPerRequest || !aws.ToBool(d.Table.DeletionProtectionEnabled) ||
		(d.Table.StreamSpecification != nil && aws.ToBool(d.Table.StreamSpecification.StreamEnabled)) {
		t.Errorf("in moto: billing %+v, deletion protection %v, stream %+v", d.Table.BillingModeSummary, aws.ToBool(d.Table.DeletionProtectionEnabled), d.Table.StreamSpecification)
	}
	if got.Status.AtProvider.TimeToLive != "DISABLED" || got.Status.AtProvider.PointInTime != "DISABLED" {
		t.Errorf("TTL %q and point-in-time recovery %q after the change", got.Status.AtProvider.TimeToLive, got.Status.AtProvider.PointInTime)
	}
	// One change per call: billing, deletion protection, stream — three UpdateTable calls.
	if n := proxy.Count("UpdateTable", name); n != 3 {
		t.Errorf("UpdateTable calls: want 3 (one per change), got %d", n)
	}
	updateTable(t, ns, name, func(tb *ddbv1alpha1.Table) { tb.Spec.ForProvider.DeletionProtection = ptr.To(false) })
}
