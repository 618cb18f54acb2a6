//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ddbv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/dynamodb/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

func directDDB() *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{Region: "eu-west-1", BaseEndpoint: aws.String(moto.URL), Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

func table(ns, name string, mutate ...func(*ddbv1alpha1.Table)) *ddbv1alpha1.Table {
	t := &ddbv1alpha1.Table{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: ddbv1alpha1.TableSpec{ForProvider: ddbv1alpha1.TableParameters{
			Region: "eu-west-1", HashKey: "pk", RangeKey: ptr.To("sk"), BillingMode: "PROVISIONED",
			ProvisionedThroughput: &ddbv1alpha1.Throughput{ReadCapacityUnits: 5, WriteCapacityUnits: 5},
			AttributeDefinitions:  []ddbv1alpha1.AttributeDefinition{{Name: "pk", Type: "S"}, {Name: "sk", Type: "S"}, {Name: "user", Type: "S"}, {Name: "kind", Type: "S"}},
		}},
	}
	for _, m := range mutate {
		m(t)
	}
	return t
}

func newTable() *ddbv1alpha1.Table { return &ddbv1alpha1.Table{} }

func getTable(t *testing.T, ns, name string) *ddbv1alpha1.Table {
	return getMR(t, ns, name, newTable())
}

func waitTable(t *testing.T, ns, name, what string, ok func(*ddbv1alpha1.Table) (bool, string)) *ddbv1alpha1.Table {
	t.Helper()
	return waitMR(t, ns, name, what, newTable, ok)
}

// tableSettled: Ready, Synced, nothing left to change.
func tableSettled(tb *ddbv1alpha1.Table) (bool, string) {
	ok, why := readySynced(tb)
	return ok && len(tb.Status.AtProvider.PendingChanges) == 0, fmt.Sprintf("%s pending=%v", why, tb.Status.AtProvider.PendingChanges)
}

func updateTable(t *testing.T, ns, name string, mutate func(*ddbv1alpha1.Table)) {
	t.Helper()
	updateMR(t, ns, name, newTable, mutate)
}

func cloudIndexes(t *testing.T, name string) []string {
	t.Helper()
	out, err := directDDB().DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, g := range out.Table.GlobalSecondaryIndexes {
		n = append(n, aws.ToString(g.IndexName))
	}
	sort.Strings(n)
	return n
}

// A Table's life: created with a GSI, an LSI, a stream and its tags in one call, then TTL and point-in-time
// recovery; no writes in sync; index changes one per UpdateTable, removals first; deletion protection honoured.
func TestTableLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ns := namespace(t)
	name := "events-" + suffix()
	tb := table(ns, name, func(tb *ddbv1alpha1.Table) {
		p := &tb.Spec.ForProvider
		p.GlobalSecondaryIndexes = []ddbv1alpha1.GlobalSecondaryIndex{{IndexName: "byUser", HashKey: "user", Projection: ddbv1alpha1.Projection{Type: "ALL"}, ProvisionedThroughput: &ddbv1alpha1.Throughput{ReadCapacityUnits: 1, WriteCapacityUnits: 1}}}
		p.LocalSecondaryIndexes = []ddbv1alpha1.LocalSecondaryIndex{{IndexName: "byKind", RangeKey: "kind", Projection: ddbv1alpha1.Projection{Type: "KEYS_ONLY"}}}
		p.TimeToLive = &ddbv1alpha1.TimeToLive{AttributeName: "expiresAt", Enabled: true}
		p.PointInTimeRecovery = ptr.To(true)
		p.StreamViewType = ptr.To("NEW_IMAGE")
		p.DeletionProtection = ptr.To(true)
		p.Tags = map[string]string{"team": "events"}
	})
	tb.Spec.WriteConnectionSecretToReference = &xpv2.LocalSecretReference{Name: name + "-conn"}
	create(t, tb)
	got := waitTable(t, ns, name, "settled", tableSettled)
	if n := proxy.Count("CreateTable", name); n != 1 {
		t.Errorf("CreateTable calls: want 1, got %d", n)
	}
	ttl, err := directDDB().DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
	if err != nil || string(ttl.TimeToLiveDescription.TimeToLiveStatus) != "ENABLED" || aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "expiresAt" {
		t.Errorf("TTL in moto: %+v %v", ttl, err)
	}
	backups, err := directDDB().DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(name)})
	if err != nil || string(backups.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus) != "ENABLED" {
		t.Errorf("point-in-time recovery in moto: %v", err)
	}
	if got.Status.AtProvider.StreamARN == "" || got.Status.AtProvider.ARN == "" {
		t.Errorf("status.atProvider: %+v", got.Status.AtProvider)
	}
	conn := &corev1.Secret{}
	eventually(t, "the connection secret", func() (bool, string) {
		err := kube.Get(ctx, client.ObjectKey{Namespace: ns, Name: name + "-conn"}, conn)
		return err == nil && string(conn.Data["tableName"]) == name && string(conn.Data["streamArn"]) == got.Status.AtProvider.StreamARN, fmt.Sprint(err)
	})

	// In sync: no writes.
	writes := func() int {
		n := 0
		for _, op := range []string{"UpdateTable", "UpdateTimeToLive", "UpdateContinuousBackups", "TagResource", "UntagResource"} {
			n += proxy.Count(op, name)
		}
		return n
	}
	describes, w0 := proxy.Count("DescribeTable", name), writes()
	updates := proxy.Count("UpdateTable", name)
	eventually(t, "two more polls", func() (bool, string) { return proxy.Count("DescribeTable", name)-describes >= 2, "" })
	if n := writes() - w0; n != 0 {
		t.Errorf("writes while in sync: %d", n)
	}

	// Replace index byUser by byKindGSI and raise the table's throughput: three changes, three UpdateTable calls,
	// each with one change, the removal first.
	updateTable(t, ns, name, func(tb *ddbv1alpha1.Table) {
		p := &tb.Spec.ForProvider
		p.ProvisionedThroughput = &ddbv1alpha1.Throughput{ReadCapacityUnits: 10, WriteCapacityUnits: 5}
		p.GlobalSecondaryIndexes = []ddbv1alpha1.GlobalSecondaryIndex{{IndexName: "byKindGSI", HashKey: "kind", Projection: ddbv1alpha1.Projection{Type: "KEYS_ONLY"}, ProvisionedThroughput: &ddbv1alpha1.Throughput{ReadCapacityUnits: 1, WriteCapacityUnits: 1}}}
	})
	waitTable(t, ns, name, "settled after the index change", func(tb *ddbv1alpha1.Table) (bool, string) {
		ok, why := tableSettled(tb)
		return ok && tb.Generation == tb.GetCondition(xpv2.TypeSynced).ObservedGeneration, why
	})
	if idx := cloudIndexes(t, name); strings.Join(idx, ",") != "byKindGSI" {
		t.Errorf("indexes in moto: %v", idx)
	}
	calls := proxy.Calls(func(c harness.Call) bool { return c.Operation == "UpdateTable" && c.Bucket == name })[updates:]
	var kinds []string
	for _, c := range calls {
		var in struct {
			ProvisionedThroughput       any
			GlobalSecondaryIndexUpdates []map[string]any
		}
		_ = json.Unmarshal(c.Body, &in)
		n := 0
		if in.ProvisionedThroughput != nil {
			n++
			kinds = append(kinds, "throughput")
		}
		for _, u := range in.GlobalSecondaryIndexUpdates {
			for k := range u {
				n++
				kinds = append(kinds, k)
			}
		}
		if n != 1 {
			t.Errorf("an UpdateTable with %d changes: %s", n, c.Body)
		}
	}
	if strings.Join(kinds, ",") != "throughput,Delete,Create" {
		t.Errorf("UpdateTable changes in order: %v, want throughput, Delete, Create", kinds)
	}

	// Deletion protection: the delete waits for the spec to turn it off.
	if err := kube.Delete(ctx, getTable(t, ns, name)); err != nil {
		t.Fatal(err)
	}
	waitTable(t, ns, name, "refusing to delete", func(tb *ddbv1alpha1.Table) (bool, string) {
		s := tb.GetCondition(xpv2.TypeSynced)
		return strings.Contains(s.Message, "has deletion protection"), s.Message
	})
	updateTable(t, ns, name, func(tb *ddbv1alpha1.Table) { tb.Spec.ForProvider.DeletionProtection = ptr.To(false) })
	eventually(t, "Table gone", func() (bool, string) {
		err := kube.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &ddbv1alpha1.Table{})
		return kerrors.IsNotFound(err), fmt.Sprint(err)
	})
}

// While DynamoDB reports the table UPDATING (moto never does: the proxy rewrites its answers), nothing is sent
// and the Table, usable throughout, stays Ready with the state in the message; once ACTIVE, the change goes out.
func TestTableUpdatingWaits(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	name := "busy-" + suffix()
	create(t, table(ns, name))
	waitTable(t, ns, name, "settled", tableSettled)
	active := regexp.MustCompile(`"TableStatus":\s*"ACTIVE"`)
	proxy.Rewrite("DescribeTable", name, 4, func(status int, body []byte) (int, []byte) {
		return status, active.ReplaceAll(body, []byte(`"TableStatus": "UPDATING"`))
	})
	updateTable(t, ns, name, func(tb *ddbv1alpha1.Table) {
		tb.Spec.ForProvider.ProvisionedThroughput = &ddbv1alpha1.Throughput{ReadCapacityUnits: 7, WriteCapacityUnits: 7}
	})
	waitTable(t, ns, name, "Ready while UPDATING", func(tb *ddbv1alpha1.Table) (bool, string) {
		r := tb.GetCondition(xpv2.TypeReady)
		return r.Reason == xpv2.ReasonAvailable && strings.Contains(r.Message, "UPDATING") && tb.Status.AtProvider.Status == "UPDATING", string(r.Reason) + " " + r.Message
	})
	if n := proxy.Count("UpdateTable", name); n != 0 {
		t.Errorf("UpdateTable while UPDATING: %d", n)
	}
	waitTable(t, ns, name, "settled with the change", func(tb *ddbv1alpha1.Table) (bool, string) {
		ok, why := tableSettled(tb)
		return ok && proxy.Count("UpdateTable", name) == 1, why
	})
}

// Invalid Tables are refused by the CRD.
func TestTableCRDValidation(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	for _, tc := range []struct {
		name, want string
		tb         *ddbv1alpha1.Table
	}{
		{"ProvisionedWithoutThroughput", "billingMode PROVISIONED needs provisionedThroughput", table(ns, "t1-"+suffix(), func(tb *ddbv1alpha1.Table) { tb.Spec.ForProvider.ProvisionedThroughput = nil })},
		{"HashKeyUndefined", "hashKey must be one of attributeDefinitions", table(ns, "t2-"+suffix(), func(tb *ddbv1alpha1.Table) { tb.Spec.ForProvider.HashKey = "missing" })},
		{"IncludeWithoutAttributes", "nonKeyAttributes go with projection type INCLUDE", table(ns, "t3-"+suffix(), func(tb *ddbv1alpha1.Table) {
			tb.Spec.ForProvider.GlobalSecondaryIndexes = []ddbv1alpha1.GlobalSecondaryIndex{{IndexName: "i", HashKey: "user", Projection: ddbv1alpha1.Projection{Type: "INCLUDE"}}}
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := kube.Create(context.Background(), tc.tb)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want a refusal containing %q, got %v", tc.want, err)
			}
		})
	}
	name := "t4-" + suffix()
	create(t, table(ns, name))
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		tb := getTable(t, ns, name)
		tb.Spec.ForProvider.HashKey = "user"
		return kube.Update(context.Background(), tb)
	})
	if err == nil || !strings.Contains(err.Error(), "hashKey is immutable") {
		t.Errorf("a key change must be refused: %v", err)
	}
}

// Unset means unmanaged: a PROVISIONED table with an index, adopted by a Table whose spec names only its keys,
// keeps its billing mode and its index — no UpdateTable over several polls (only the adoption's ownership tags
// are written) — and an explicit empty index list is what removes the index.
func TestTableAdoptedWithMinimalSpec(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ns, name := namespace(t), "adopt-min-"+suffix()
	contractFor(t, "Table").full(t, name) // PROVISIONED, with an index, TTL and point-in-time recovery
	create(t, &ddbv1alpha1.Table{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: ddbv1alpha1.TableSpec{AdoptExisting: ptr.To(true), ForProvider: ddbv1alpha1.TableParameters{
			Region: "eu-west-1", HashKey: "pk", AttributeDefinitions: []ddbv1alpha1.AttributeDefinition{{Name: "pk", Type: "S"}},
		}},
	})
	waitTable(t, ns, name, "adopted", tableSettled)
	if got := getTable(t, ns, name).Spec.ForProvider.BillingMode; got != "" {
		t.Errorf("the stored spec got a billing mode the user did not write: %q", got)
	}
	describes := proxy.Count("DescribeTable", name)
	eventually(t, "three more polls", func() (bool, string) { return proxy.Count("DescribeTable", name)-describes >= 3, "" })
	for _, op := range []string{"UpdateTable", "UpdateTimeToLive", "UpdateContinuousBackups", "UntagResource", "DeleteTable"} {
		if n := proxy.Count(op, name); n != 0 {
			t.Errorf("a minimal spec made %d %s calls on the adopted table", n, op)
		}
	}
	out, err := directDDB().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if m := out.Table.BillingModeSummary; (m != nil && m.BillingMode != ddbtypes.BillingModeProvisioned) || len(out.Table.GlobalSecondaryIndexes) != 1 {
		t.Errorf("the adopted table changed: billing %v, %d indexes", m, len(out.Table.GlobalSecondaryIndexes))
	}

	// "No index" is said explicitly, and survives the provider's writes of the object.
	updateTable(t, ns, name, func(tb *ddbv1alpha1.Table) {
		tb.Spec.ForProvider.GlobalSecondaryIndexes = []ddbv1alpha1.GlobalSecondaryIndex{}
	})
	eventually(t, "the index removed", func() (bool, string) {
		out, err := directDDB().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			return false, err.Error()
		}
		return len(out.Table.GlobalSecondaryIndexes) == 0, fmt.Sprint(len(out.Table.GlobalSecondaryIndexes), " indexes")
	})
	if got := getTable(t, ns, name).Spec.ForProvider.GlobalSecondaryIndexes; got == nil {
		t.Errorf("the explicit empty index list was dropped from the stored spec")
	}
}

// Throughput owned by Application Auto Scaling: capacity the autoscaler raised (the proxy reports 9 read units
// where the spec says 5) causes no UpdateTable over several polls.
func TestTableAutoscaledThroughputInSync(t *testing.T) {
	t.Parallel()
	ns, name := namespace(t), "autoscaled-"+suffix()
	create(t, table(ns, name, func(tb *ddbv1alpha1.Table) {
		tb.Spec.ForProvider.ProvisionedThroughput.Autoscaled = ptr.To(true)
		tb.Spec.ForProvider.GlobalSecondaryIndexes = nil
	}))
	waitTable(t, ns, name, "settled", tableSettled)
	readUnits := regexp.MustCompile(`("ProvisionedThroughput":\s*\{[^}]*"ReadCapacityUnits":\s*)5\b`)
	proxy.Rewrite("DescribeTable", name, -1, func(status int, body []byte) (int, []byte) {
		return status, readUnits.ReplaceAll(body, []byte("${1}9"))
	})
	describes := proxy.Count("DescribeTable", name)
	eventually(t, "three more polls", func() (bool, string) { return proxy.Count("DescribeTable", name)-describes >= 3, "" })
	if n := proxy.Count("UpdateTable", name); n != 0 {
		t.Errorf("UpdateTable calls against the autoscaler: %d", n)
	}
}

// Settings applied right after the create (TTL and point-in-time recovery have their own APIs) are not drift: the
// event says the new table was completed, and Ready waits until they are applied.
func TestTableCreateCompletionIsNotDrift(t *testing.T) {
	t.Parallel()
	ns, name := namespace(t), "complete-"+suffix()
	create(t, table(ns, name, func(tb *ddbv1alpha1.Table) {
		tb.Spec.ForProvider.TimeToLive = &ddbv1alpha1.TimeToLive{AttributeName: "expiresAt", Enabled: true}
		tb.Spec.ForProvider.PointInTimeRecovery = ptr.To(true)
	}))
	waitTable(t, ns, name, "settled", tableSettled)
	if n := proxy.Count("UpdateTimeToLive", name); n != 1 {
		t.Errorf("UpdateTimeToLive calls: want 1, got %d", n)
	}
	eventually(t, "a CompletingCreate event", func() (bool, string) {
		evs := events(t, ns, name)
		for _, e := range evs {
			if strings.HasPrefix(e, "CompletingCreate: ") {
				return true, ""
			}
		}
		return false, strings.Join(evs, " | ")
	})
	for _, e := range events(t, ns, name) {
		if strings.HasPrefix(e, "DriftReverted") {
			t.Errorf("settings applied right after the create were reported as drift: %s", e)
		}
	}
}
