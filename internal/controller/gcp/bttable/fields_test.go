package bttable

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/bigtable/admin/apiv2/adminpb"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/bigtable/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/bigtable/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
)

// TestFieldsDeclareChanges holds the change list to the table: a family added, a rule changed, a family dropped
// and the deletion protection each resolve to a declared field.
func TestFieldsDeclareChanges(t *testing.T) {
	observed := &adminpb.Table{Name: "projects/p/instances/i/tables/t", ColumnFamilies: map[string]*adminpb.ColumnFamily{
		"d":      {GcRule: union(age(7*24*time.Hour), versions(1))},
		"legacy": {GcRule: versions(3)},
	}, DeletionProtection: true}
	cases := map[string]struct {
		reason string
		p      v1alpha1.TableParameters
		want   []string
	}{
		"Families": {
			reason: "Protection off first, then a new family, a changed rule and a drop: the families are one group.",
			p: v1alpha1.TableParameters{DeletionProtection: ptr.To(false), ColumnFamilies: []v1alpha1.ColumnFamily{
				{Name: "new", GCRule: &v1alpha1.GCRule{MaxVersions: ptr.To[int32](2)}},
				{Name: "d", GCRule: &v1alpha1.GCRule{}},
				{Name: "legacy", Drop: ptr.To(true)},
			}},
			want: []string{"deletionProtection", "columnFamilies", "columnFamilies", "columnFamilies"},
		},
		"SplitKeys": {
			reason: "Split keys are used at creation only: they never show as a change.",
			p:      v1alpha1.TableParameters{SplitKeys: []string{"g", "p"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			l, err := Changes(tc.p, observed)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, kindtest.Declared(t, fields, l.Fields()), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\ndeclared fields of the changes: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
	if f, _ := fields.Lookup("columnFamilies[legacy]-"); f.Effect != managedkind.Irreversible {
		t.Errorf("dropping a family is declared %q: it deletes the family's data", f.Effect)
	}
}

// FuzzFieldsDeclareChanges: from a table made from any spec, whatever Changes asks to bring it to any other spec is
// declared.
func FuzzFieldsDeclareChanges(f *testing.F) {
	f.Add([]byte{}, []byte{})
	f.Add(bytes.Repeat([]byte{3}, 20), bytes.Repeat([]byte{1}, 20))
	f.Add([]byte{1, 2, 0, 0, 0, 1, 2, 0, 0, 0, 1}, []byte{2, 3, 1, 1, 0, 3, 2, 2, 1, 3, 1, 1, 1})
	f.Fuzz(func(t *testing.T, wantSpec, otherSpec []byte) {
		want, other := fuzzSpec(wantSpec), fuzzSpec(otherSpec)
		req, err := CreateRequest("projects/p/instances/main-instance", "events", other)
		if err != nil {
			return
		}
		l, err := Changes(want, asBigtable(req))
		if err != nil {
			return
		}
		kindtest.Declared(t, fields, l.Fields())
	})
}

// TestFieldsRefused: the fields declared Refused are exactly the instance and the split keys, which the CRD keeps
// immutable (TestFieldTables holds the two to each other); a drop under deletion protection is refused too, but only
// until the protection is off: the families stay changeable.
func TestFieldsRefused(t *testing.T) {
	protected := &adminpb.Table{ColumnFamilies: map[string]*adminpb.ColumnFamily{"legacy": {}}, DeletionProtection: true}
	_, err := Changes(v1alpha1.TableParameters{ColumnFamilies: []v1alpha1.ColumnFamily{{Name: "legacy", Drop: ptr.To(true)}}}, protected)
	if err == nil || !strings.Contains(err.Error(), "set spec.forProvider.deletionProtection to false first") {
		t.Errorf("a drop under protection: want the refusal, got %v", err)
	}
	if diff := cmp.Diff([]string{"instance", "splitKeys"}, kindtest.RefusedPaths(fields)); diff != "" {
		t.Errorf("refused fields: -immutable +declared:\n%s", diff)
	}
}

// TestUnsetIsUnmanaged holds Observe to the table's Compare and Unset columns (kindtest.Unmanaged): an adopted table
// whose family rule and deletion protection differ from the spec's and from Bigtable's defaults.
func TestUnsetIsUnmanaged(t *testing.T) {
	full := v1alpha1.TableParameters{
		Instance:           "main-instance",
		ColumnFamilies:     []v1alpha1.ColumnFamily{{Name: "cf", GCRule: &v1alpha1.GCRule{MaxVersions: ptr.To(int32(1))}}},
		DeletionProtection: ptr.To(false), SplitKeys: []string{"m"},
	}
	cloud := &adminpb.Table{Name: fullName, DeletionProtection: true, ColumnFamilies: map[string]*adminpb.ColumnFamily{
		"cf": {GcRule: &adminpb.GcRule{Rule: &adminpb.GcRule_MaxNumVersions{MaxNumVersions: 3}}},
	}}
	kindtest.Unmanaged(t, fields, func(p v1alpha1.TableParameters) ([]string, error) {
		cr := newTable(func(t *v1alpha1.Table) {
			t.Spec.AdoptExisting = ptr.To(true)
			t.Spec.ForProvider = p
		})
		f := &fake.Tables{MockGetTable: func(*adminpb.GetTableRequest) (*adminpb.Table, error) { return cloud, nil }}
		o, err := ext(f).Observe(context.Background(), cr)
		return kindtest.DiffNames(o.Diff), err
	}, full)
}

// TestTerminalErrors holds the table's terminal errors to what the kind classifies as rejected input: a
// FailedPrecondition as Bigtable sends it about the request's own fields, with a BadRequest detail.
func TestTerminalErrors(t *testing.T) {
	kindtest.Terminal(t, fields, Kind().Rejects, func(code string) error {
		if code != codes.FailedPrecondition.String() {
			return kindtest.GRPCStatus(code)
		}
		s, err := status.New(codes.FailedPrecondition, "refused").WithDetails(&errdetails.BadRequest{
			FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "modifications", Description: "refused"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return s.Err()
	})
}
