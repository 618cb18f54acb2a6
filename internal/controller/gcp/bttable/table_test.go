package bttable

import (
	"context"
	"strings"
	"testing"

	"cloud.google.com/go/bigtable/admin/apiv2/adminpb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/bigtable/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/awstest"
	btclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/bigtable"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/bigtable/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

func newTable(mutate ...func(*v1alpha1.Table)) *v1alpha1.Table {
	t := &v1alpha1.Table{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "events", UID: "uid-1",
		Annotations: map[string]string{"crossplane.io/external-name": "events"}}}
	t.Spec.ForProvider.Instance = "main-instance"
	for _, m := range mutate {
		m(t)
	}
	return t
}

func ext(f *fake.Tables) *external {
	return &external{Conn: kindtest.Conn(Kind(), btclient.TableAPI(f), &credentials.GCPAccount{ProjectID: "p"})}
}

const fullName = "projects/p/instances/main-instance/tables/events"

func TestObserveOwnership(t *testing.T) {
	cases := map[string]struct {
		reason string
		cr     *v1alpha1.Table
		getErr error
		exists bool
		errHas string
	}{
		"Missing": {reason: "NotFound is the only way to not exist.", cr: newTable(), getErr: status.Error(codes.NotFound, "no table")},
		"Outage":  {reason: "Any other error is an error, cleaned.", cr: newTable(), getErr: status.Error(codes.Unavailable, "down"), errHas: "Unavailable: down"},
		"NotMade": {reason: "A table this Table did not make (no claim says so) is not taken without adoptExisting.", cr: newTable(), errHas: "set spec.adoptExisting"},
		"Adopted": {reason: "With adoptExisting it is managed.", cr: newTable(func(t *v1alpha1.Table) { t.Spec.AdoptExisting = ptr.To(true) }), exists: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := &fake.Tables{MockGetTable: func(*adminpb.GetTableRequest) (*adminpb.Table, error) {
				return &adminpb.Table{Name: fullName}, tc.getErr
			}}
			o, err := ext(f).Observe(context.Background(), tc.cr)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("%s\nwant an error with %q, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.ResourceExists != tc.exists {
				t.Errorf("%s\nexists: %t", tc.reason, o.ResourceExists)
			}
		})
	}
}

func TestUpdateOrder(t *testing.T) {
	cr := newTable(func(t *v1alpha1.Table) {
		t.Spec.AdoptExisting = ptr.To(true)
		t.Spec.ForProvider.DeletionProtection = ptr.To(false)
		t.Spec.ForProvider.ColumnFamilies = []v1alpha1.ColumnFamily{{Name: "new"}, {Name: "old", Drop: ptr.To(true)}}
	})
	table := &adminpb.Table{Name: fullName, DeletionProtection: true, ColumnFamilies: map[string]*adminpb.ColumnFamily{"old": {}}}
	var protection []bool
	var modified []*adminpb.ModifyColumnFamiliesRequest
	e := ext(&fake.Tables{
		MockGetTable: func(*adminpb.GetTableRequest) (*adminpb.Table, error) { return table, nil },
		MockUpdateDeletionProtection: func(_ string, on bool) error {
			protection = append(protection, on)
			return nil
		},
		MockModifyColumnFamilies: func(r *adminpb.ModifyColumnFamiliesRequest) (*adminpb.Table, error) {
			modified = append(modified, r)
			return table, nil
		},
	})
	if o, err := e.Observe(context.Background(), cr); err != nil || o.ResourceUpToDate {
		t.Fatalf("observe: %v %v", o, err)
	}
	if _, err := e.Update(context.Background(), cr); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]bool{false}, protection); diff != "" {
		t.Errorf("protection: -want, +got:\n%s", diff)
	}
	if len(modified) != 1 || len(modified[0].GetModifications()) != 2 {
		t.Fatalf("both family changes in one ModifyColumnFamilies: %v", modified)
	}
	if m := modified[0].GetModifications(); m[0].GetId() != "new" || m[0].GetCreate() == nil || m[1].GetId() != "old" || !m[1].GetDrop() {
		t.Errorf("modifications in the spec's order: %v", m)
	}
}

func TestCreateAlreadyExists(t *testing.T) {
	f := &fake.Tables{MockCreateTable: func(*adminpb.CreateTableRequest) (*adminpb.Table, error) {
		return nil, status.Error(codes.AlreadyExists, "exists")
	}}
	if _, err := ext(f).Create(context.Background(), newTable()); err == nil || !strings.Contains(err.Error(), "set spec.adoptExisting") {
		t.Errorf("a name taken by a table this Table did not make: %v", err)
	}
	var created *adminpb.CreateTableRequest
	f = &fake.Tables{MockCreateTable: func(r *adminpb.CreateTableRequest) (*adminpb.Table, error) {
		created = r
		return r.GetTable(), nil
	}}
	_, err := ext(f).Create(context.Background(), newTable())
	if err != nil || created.GetParent() != "projects/p/instances/main-instance" || created.GetTableId() != "events" {
		t.Errorf("create: %v %v", created, err)
	}
}

func TestDeleteProtected(t *testing.T) {
	protected := &adminpb.Table{Name: fullName, DeletionProtection: true}
	cases := map[string]struct {
		reason         string
		spec           *bool
		wantProtection []bool
		wantDeleted    string
		errHas         string
	}{
		"Refused":     {reason: "A protected table is not deleted while the spec keeps protection.", errHas: "set spec.forProvider.deletionProtection to false first"},
		"TurnedOff":   {reason: "A spec that turned protection off has it applied first; the delete follows.", spec: ptr.To(false), wantProtection: []bool{false}},
		"Unprotected": {reason: "An unprotected table is deleted.", wantDeleted: fullName},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var protection []bool
			var deleted string
			e := ext(&fake.Tables{
				MockUpdateDeletionProtection: func(_ string, on bool) error {
					protection = append(protection, on)
					return nil
				},
				MockDeleteTable: func(r *adminpb.DeleteTableRequest) error {
					deleted = r.GetName()
					return nil
				},
			})
			e.observed = protected
			if tc.wantDeleted != "" {
				e.observed = &adminpb.Table{Name: fullName}
			}
			_, err := e.Delete(context.Background(), newTable(func(t *v1alpha1.Table) { t.Spec.ForProvider.DeletionProtection = tc.spec }))
			if tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)) {
				t.Errorf("%s\nwant %q, got %v", tc.reason, tc.errHas, err)
			}
			if tc.errHas == "" && err != nil {
				t.Errorf("%s\n%v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.wantProtection, protection); diff != "" {
				t.Errorf("%s\nprotection: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantDeleted, deleted); diff != "" {
				t.Errorf("%s\ndeleted: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// A Table whose lease was lost (a cluster rebuilt from Git) that is deleted lets go of its table without a delete
// call, and says so in a warning event: never silently.
func TestDeleteWithoutClaimLeavesTableAndSaysSo(t *testing.T) {
	cr := newTable(func(t *v1alpha1.Table) { now := metav1.Now(); t.SetDeletionTimestamp(&now) })
	f := &fake.Tables{MockGetTable: func(*adminpb.GetTableRequest) (*adminpb.Table, error) { return &adminpb.Table{Name: fullName}, nil }}
	rec := &awstest.Recorder{}
	e := ext(f)
	e.Record = rec
	o, err := e.Observe(context.Background(), cr)
	if err != nil || o.ResourceExists {
		t.Fatalf("Observe: want the table reported gone, got exists=%t, %v", o.ResourceExists, err)
	}
	if len(rec.Events) != 1 || rec.Events[0].Reason != "LeftInPlace" || !strings.Contains(rec.Events[0].Message, `table "`+fullName+`" is left in place`) {
		t.Errorf("want one LeftInPlace warning naming the table, got %+v", rec.Events)
	}
}
