//go:build integration

package integration

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigtable/admin/apiv2/adminpb"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/durationpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"

	btv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/bigtable/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/gcp/bttable"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

func btTableName(name string) string {
	return "projects/" + gcpProject + "/instances/" + btInstance + "/tables/" + name
}

func btTable(ns, name string, mutate ...func(*btv1alpha1.Table)) *btv1alpha1.Table {
	t := &btv1alpha1.Table{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	t.Spec.ForProvider.Instance = btInstance
	for _, m := range mutate {
		m(t)
	}
	return t
}

// cloudBTTable reads the table from bttest directly.
func cloudBTTable(t *testing.T, name string) *adminpb.Table {
	t.Helper()
	tb, err := directBigtable.GetTable(context.Background(), &adminpb.GetTableRequest{Name: btTableName(name)})
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func versionsRule(n int32) *adminpb.GcRule {
	return &adminpb.GcRule{Rule: &adminpb.GcRule_MaxNumVersions{MaxNumVersions: n}}
}

// The Bigtable Table's row of the contract every kind keeps (contract_test.go), against bttest through the counting
// gRPC forwarder. Bigtable tables carry no labels: whose a table is, is its claim's.
var bigtableContract = kindContract{
	kind: "Table", run: "BigtableTable", claimKind: "Table.bigtable.gcp.stateful.dev",
	newObj:  func() managedObj { return &btv1alpha1.Table{} },
	minimal: func(ns, name string) managedObj { return btTable(ns, name) },
	rich: func(_ *testing.T, ns, name string) managedObj {
		return btTable(ns, name, func(tb *btv1alpha1.Table) {
			tb.Spec.ForProvider.ColumnFamilies = []btv1alpha1.ColumnFamily{
				// The same rule the cloud stores as a union of an age in seconds and a version count.
				{Name: "d", GCRule: &btv1alpha1.GCRule{MaxVersions: ptr.To[int32](1), MaxAge: ptr.To("168h"), Mode: ptr.To("Union")}},
				{Name: "raw", GCRule: &btv1alpha1.GCRule{}},
				{Name: "meta"},
			}
			tb.Spec.ForProvider.SplitKeys = []string{"g", "p"}
			tb.Spec.ForProvider.DeletionProtection = ptr.To(false)
		})
	},
	poll: "GetTable",
	full: func(t *testing.T, name string) {
		_, err := directBigtable.CreateTable(context.Background(), &adminpb.CreateTableRequest{
			Parent: "projects/" + gcpProject + "/instances/" + btInstance, TableId: name,
			Table: &adminpb.Table{ColumnFamilies: map[string]*adminpb.ColumnFamily{
				"legacy": {GcRule: &adminpb.GcRule{Rule: &adminpb.GcRule_Intersection_{Intersection: &adminpb.GcRule_Intersection{Rules: []*adminpb.GcRule{
					versionsRule(3), {Rule: &adminpb.GcRule_MaxAge{MaxAge: durationpb.New(time.Hour)}},
				}}}}},
				"keep": {},
			}},
		})
		if err != nil {
			t.Fatal(err)
		}
	},
	config: func(t *testing.T, name string) string { return protojson.Format(cloudBTTable(t, name)) },
	withDriftField: func(mg managedObj) {
		mg.(*btv1alpha1.Table).Spec.ForProvider.ColumnFamilies = []btv1alpha1.ColumnFamily{{Name: "d", GCRule: &btv1alpha1.GCRule{MaxVersions: ptr.To[int32](2)}}}
	},
	drift: func(t *testing.T, name string) {
		if _, err := directBigtable.ModifyColumnFamilies(context.Background(), &adminpb.ModifyColumnFamiliesRequest{Name: btTableName(name),
			Modifications: []*adminpb.ModifyColumnFamiliesRequest_Modification{{Id: "d", Mod: &adminpb.ModifyColumnFamiliesRequest_Modification_Update{Update: &adminpb.ColumnFamily{GcRule: versionsRule(9)}}}},
		}); err != nil {
			t.Fatal(err)
		}
	},
	reverted: func(t *testing.T, name string) (bool, string) {
		d := bttable.Describe(cloudBTTable(t, name).GetColumnFamilies()["d"].GetGcRule())
		return d == "maxVersions=2", d
	},
	driftField: "columnFamilies[d].gcRule",
	updateOp:   "ModifyColumnFamilies", ignoreUpdate: answerOK("ModifyColumnFamilies"),
	wire: func() wireCounter { return bigtableProxy },
	key:  btTableName,
}

func init() { contracts = append(contracts, bigtableContract) }

// Families: one added, one dropped (after turning deletion protection off, which a drop needs), a family not
// listed kept with its data; a drop while protected is refused with what to change, before any call; a protected
// table's deletion waits until the spec turns protection off.
func TestBigtableFamiliesAndProtection(t *testing.T) {
	t.Parallel()
	ns, name := namespace(t), "families-"+suffix()
	at := btTableName(name)
	bigtableProxy.Watch(at)
	create(t, btTable(ns, name, func(tb *btv1alpha1.Table) {
		tb.Spec.ForProvider.DeletionProtection = ptr.To(true)
		tb.Spec.ForProvider.ColumnFamilies = []btv1alpha1.ColumnFamily{{Name: "old"}, {Name: "d"}}
	}))
	newObj := func() managedObj { return &btv1alpha1.Table{} }
	waitMR(t, ns, name, "Ready", newObj, readySynced[managedObj])
	// A family added behind the provider's back is not listed: it stays.
	if _, err := directBigtable.ModifyColumnFamilies(context.Background(), &adminpb.ModifyColumnFamiliesRequest{Name: at,
		Modifications: []*adminpb.ModifyColumnFamiliesRequest_Modification{{Id: "other", Mod: &adminpb.ModifyColumnFamiliesRequest_Modification_Create{Create: &adminpb.ColumnFamily{}}}}}); err != nil {
		t.Fatal(err)
	}
	edit := func(f func(*btv1alpha1.Table)) {
		t.Helper()
		if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			tb := getMR(t, ns, name, &btv1alpha1.Table{})
			f(tb)
			return kube.Update(context.Background(), tb)
		}); err != nil {
			t.Fatal(err)
		}
	}
	edit(func(tb *btv1alpha1.Table) {
		tb.Spec.ForProvider.ColumnFamilies = []btv1alpha1.ColumnFamily{{Name: "old", Drop: ptr.To(true)}, {Name: "d"}}
	})
	waitMR(t, ns, name, "refused", newObj, func(mg managedObj) (bool, string) {
		return syncError("set spec.forProvider.deletionProtection to false first")(mg.GetCondition(xpv2.TypeSynced))
	})
	if n := bigtableProxy.Count("ModifyColumnFamilies", at); n != 0 {
		t.Errorf("a refused drop sent ModifyColumnFamilies %d times", n)
	}
	edit(func(tb *btv1alpha1.Table) {
		tb.Spec.ForProvider.DeletionProtection = ptr.To(false)
		tb.Spec.ForProvider.ColumnFamilies = []btv1alpha1.ColumnFamily{{Name: "old", Drop: ptr.To(true)}, {Name: "d"}, {Name: "new"}}
	})
	eventually(t, "old dropped, new made, other kept", func() (bool, string) {
		fams := cloudBTTable(t, name).GetColumnFamilies()
		_, old := fams["old"]
		_, nw := fams["new"]
		_, other := fams["other"]
		return !old && nw && other, protojsonKeys(fams)
	})
	waitMR(t, ns, name, "Ready", newObj, readySynced[managedObj])

	// Protected again, then deleted: the delete waits for the spec.
	edit(func(tb *btv1alpha1.Table) { tb.Spec.ForProvider.DeletionProtection = ptr.To(true) })
	eventually(t, "protection on", func() (bool, string) { return cloudBTTable(t, name).GetDeletionProtection(), "" })
	if err := kube.Delete(context.Background(), btTable(ns, name)); err != nil {
		t.Fatal(err)
	}
	waitMR(t, ns, name, "delete refused", newObj, func(mg managedObj) (bool, string) {
		return syncError("has deletion protection")(mg.GetCondition(xpv2.TypeSynced))
	})
	if n := bigtableProxy.Count("DeleteTable", at); n != 0 {
		t.Errorf("a protected table got DeleteTable %d times", n)
	}
	edit(func(tb *btv1alpha1.Table) { tb.Spec.ForProvider.DeletionProtection = ptr.To(false) })
	eventually(t, "the table deleted", func() (bool, string) {
		_, err := directBigtable.GetTable(context.Background(), &adminpb.GetTableRequest{Name: at})
		return err != nil, ""
	})
}

func protojsonKeys(m map[string]*adminpb.ColumnFamily) string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return strings.Join(out, ",")
}

// A Bigtable table carries no marker, so its claim is what makes an adoption exclusive: of two Tables in two
// namespaces that both ask to adopt one table, the first holds it and the second is refused, naming the first.
func TestBigtableAdoptionIsExclusive(t *testing.T) {
	t.Parallel()
	a, b, name := namespace(t), namespace(t), "shared-legacy-"+suffix()
	bigtableContract.full(t, name)
	adopted := func(tb *btv1alpha1.Table) { tb.Spec.AdoptExisting = ptr.To(true) }
	newObj := func() managedObj { return &btv1alpha1.Table{} }
	create(t, btTable(a, name, adopted))
	waitMR(t, a, name, "Ready", newObj, readySynced[managedObj])
	create(t, btTable(b, name, adopted))
	waitMR(t, b, name, "refused", newObj, func(mg managedObj) (bool, string) {
		return syncError("Table " + a + "/" + name + " claims table")(mg.GetCondition(xpv2.TypeSynced))
	})
	if got := bigtableContract.owner(t, name); got != a {
		t.Errorf("the claim is held by %q, want %s", got, a)
	}
}

// Through a ClusterProviderConfig a Table may only be made in an instance the config's allowedReferences admit
// (the instance is not the provider's: any team's could be reached with the platform's identity).
func TestBigtableInstanceAllowed(t *testing.T) {
	t.Parallel()
	ns, name := namespace(t), "elsewhere-"+suffix()
	create(t, btTable(ns, name, func(tb *btv1alpha1.Table) { tb.Spec.ForProvider.Instance = "other-instance" }))
	waitMR(t, ns, name, "refused", func() managedObj { return &btv1alpha1.Table{} }, func(mg managedObj) (bool, string) {
		return syncError(`spec.forProvider.instance "other-instance" is not allowed through ClusterProviderConfig default: its spec.gcp.allowedReferences.bigtableInstances admits no such name`)(mg.GetCondition(xpv2.TypeSynced))
	})
	if calls := bigtableProxy.Calls(func(c harness.Call) bool { return bytes.Contains(c.Body, []byte("other-instance")) }); len(calls) != 0 {
		t.Errorf("a refused instance reached Bigtable: %d calls, first %s", len(calls), calls[0].Operation)
	}
}

// Invalid tables are refused by the CRD, with a message that says why.
func TestBigtableTableCRDValidation(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	for _, tc := range []struct {
		name, want string
		tb         *btv1alpha1.Table
	}{
		{"ModeWithOneBound", "mode combines maxVersions and maxAge", btTable(ns, "mode-"+suffix(), func(tb *btv1alpha1.Table) {
			tb.Spec.ForProvider.ColumnFamilies = []btv1alpha1.ColumnFamily{{Name: "d", GCRule: &btv1alpha1.GCRule{MaxVersions: ptr.To[int32](1), Mode: ptr.To("Union")}}}
		})},
		{"BothBoundsNoMode", "mode combines maxVersions and maxAge", btTable(ns, "nomode-"+suffix(), func(tb *btv1alpha1.Table) {
			tb.Spec.ForProvider.ColumnFamilies = []btv1alpha1.ColumnFamily{{Name: "d", GCRule: &btv1alpha1.GCRule{MaxVersions: ptr.To[int32](1), MaxAge: ptr.To("1h")}}}
		})},
		{"DropWithRule", "a family to drop has no gcRule", btTable(ns, "drop-"+suffix(), func(tb *btv1alpha1.Table) {
			tb.Spec.ForProvider.ColumnFamilies = []btv1alpha1.ColumnFamily{{Name: "d", Drop: ptr.To(true), GCRule: &btv1alpha1.GCRule{}}}
		})},
		{"BadInstance", "spec.forProvider.instance", btTable(ns, "inst-"+suffix(), func(tb *btv1alpha1.Table) { tb.Spec.ForProvider.Instance = "Bad_Instance" })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := kube.Create(context.Background(), tc.tb)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want a refusal containing %q, got %v", tc.want, err)
			}
		})
	}
	name := "immutable-" + suffix()
	create(t, btTable(ns, name, func(tb *btv1alpha1.Table) { tb.Spec.ForProvider.SplitKeys = []string{"m"} }))
	for field, edit := range map[string]func(*btv1alpha1.Table){
		"instance is immutable":  func(tb *btv1alpha1.Table) { tb.Spec.ForProvider.Instance = "other-instance" },
		"splitKeys is immutable": func(tb *btv1alpha1.Table) { tb.Spec.ForProvider.SplitKeys = []string{"n"} },
	} {
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			tb := getMR(t, ns, name, &btv1alpha1.Table{})
			edit(tb)
			return kube.Update(context.Background(), tb)
		})
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("want %q, got %v", field, err)
		}
	}
}
