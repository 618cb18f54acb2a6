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

// The DBInstance and Table tests every AWS kind has: drift reverted with an event, the namespace-collision guard,
// ObserveOnly import without a write.

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

func TestDBInstanceDriftCollisionImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := namespace(t), namespace(t)
	name := "shared-" + suffix()
	create(t, dbInstance(a, name, func(db *rdsv1alpha1.DBInstance) {
		db.Spec.ForProvider.BackupRetentionPeriod = ptr.To(int32(7))
		db.Spec.ForProvider.FinalSnapshot = &rdsv1alpha1.FinalSnapshot{Skip: ptr.To(true)}
	}))
	waitDB(t, a, name, "Ready", dbReady)

	// Drift: a change made in the console is reverted, and said so.
	if _, err := directRDS().ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(name), BackupRetentionPeriod: aws.Int32(1), ApplyImmediately: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the backup retention reverted in moto", func() (bool, string) {
		out, err := directRDS().DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(name)})
		if err != nil {
			return false, err.Error()
		}
		return aws.ToInt32(out.DBInstances[0].BackupRetentionPeriod) == 7, fmt.Sprint(aws.ToInt32(out.DBInstances[0].BackupRetentionPeriod))
	})
	driftEvent(t, a, name, "backupRetentionPeriod")

	// RDS refusing a modification (InvalidDBInstanceState, injected): a clear condition, then the retry succeeds.
	proxy.Respond("ModifyDBInstance", name, 400, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidDBInstanceState</Code><Message>Instance is not in available state.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`, 1)
	updateDB(t, a, name, func(db *rdsv1alpha1.DBInstance) { db.Spec.ForProvider.BackupRetentionPeriod = ptr.To(int32(14)) })
	waitDB(t, a, name, "saying it cannot modify now", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		return syncError("cannot be modified in its current state: retrying once it is available")(db.GetCondition(xpv2.TypeSynced))
	})
	waitDB(t, a, name, "Ready after the retry", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		ok, why := dbReady(db)
		return ok && db.GetCondition(xpv2.TypeSynced).ObservedGeneration == db.Generation, why
	})

	// Collision: team-b's DBInstance of the same identifier is refused; team-a's instance is untouched.
	create(t, dbInstance(b, name))
	waitDB(t, b, name, "refused", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		return syncError("belongs to DBInstance " + a + "/" + name)(db.GetCondition(xpv2.TypeSynced))
	})

	// Import: an instance made outside Crossplane, observed without a single write.
	legacy := "legacy-" + suffix()
	if _, err := directRDS().CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(legacy), Engine: aws.String("postgres"),
		DBInstanceClass: aws.String("db.t4g.micro"), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("app"), MasterUserPassword: aws.String("legacy-not-a-secret")}); err != nil {
		t.Fatal(err)
	}
	create(t, dbInstance(b, legacy, func(db *rdsv1alpha1.DBInstance) {
		db.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
		db.Spec.WriteConnectionSecretToReference = nil
	}))
	got := waitDB(t, b, legacy, "observed", dbReady)
	if got.Status.AtProvider.DBInstanceClass != "db.t4g.micro" {
		t.Errorf("observed: %+v", got.Status.AtProvider)
	}
	for _, op := range []string{"CreateDBInstance", "ModifyDBInstance", "AddTagsToResource", "RemoveTagsFromResource", "DeleteDBInstance"} {
		if n := proxy.Count(op, legacy); n != 0 {
			t.Errorf("ObserveOnly made %d %s calls", n, op)
		}
	}
}

func TestTableDriftCollisionImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := namespace(t), namespace(t)
	name := "shared-" + suffix()
	create(t, table(a, name, func(tb *ddbv1alpha1.Table) { tb.Spec.ForProvider.Tags = map[string]string{"team": "a"} }))
	got := waitTable(t, a, name, "settled", tableSettled)

	// Drift: throughput and tags changed behind the provider's back are reverted, with an event.
	if _, err := directDDB().UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(name), ProvisionedThroughput: &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := directDDB().TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: aws.String(got.Status.AtProvider.ARN), Tags: []ddbtypes.Tag{{Key: aws.String("intruder"), Value: aws.String("x")}}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "throughput and tags reverted in moto", func() (bool, string) {
		out, err := directDDB().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			return false, err.Error()
		}
		tags, err := directDDB().ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: out.Table.TableArn})
		if err != nil {
			return false, err.Error()
		}
		for _, tg := range tags.Tags {
			if aws.ToString(tg.Key) == "intruder" {
				return false, "intruder tag still there"
			}
		}
		return aws.ToInt64(out.Table.ProvisionedThroughput.ReadCapacityUnits) == 5, fmt.Sprint(aws.ToInt64(out.Table.ProvisionedThroughput.ReadCapacityUnits))
	})
	driftEvent(t, a, name, "provisionedThroughput")

	// Collision.
	create(t, table(b, name))
	waitTable(t, b, name, "refused", func(tb *ddbv1alpha1.Table) (bool, string) {
		return syncError("belongs to Table " + a + "/" + name)(tb.GetCondition(xpv2.TypeSynced))
	})

	// Import: a table made outside Crossplane, observed without a write.
	legacy := "legacy-" + suffix()
	if _, err := directDDB().CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(legacy), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}}}); err != nil {
		t.Fatal(err)
	}
	create(t, table(b, legacy, func(tb *ddbv1alpha1.Table) {
		tb.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
		tb.Spec.ForProvider.RangeKey, tb.Spec.ForProvider.BillingMode, tb.Spec.ForProvider.ProvisionedThroughput = nil, "PAY_PER_REQUEST", nil
	}))
	waitTable(t, b, legacy, "observed", tableSettled)
	for _, op := range []string{"CreateTable", "UpdateTable", "TagResource", "UntagResource", "DeleteTable"} {
		if n := proxy.Count(op, legacy); n != 0 {
			t.Errorf("ObserveOnly made %d %s calls", n, op)
		}
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
