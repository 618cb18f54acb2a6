package table

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/aws/dynamodb/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/dynamodb/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

const arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"

func tbl() *v1alpha1.Table {
	cr := &v1alpha1.Table{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "orders", UID: "uid-a", Generation: 1},
		Spec:       v1alpha1.TableSpec{ForProvider: spec()},
	}
	cr.Spec.ForProvider.Region = "eu-west-1"
	meta.SetExternalName(cr, "orders")
	return cr
}

func ownTags() []types.Tag {
	var out []types.Tag
	for k, v := range managedkind.AWSTags.Tags(tbl()) {
		out = append(out, tagOf(k, v))
	}
	return out
}

// table is a fake DynamoDB holding one table as described, answering ListTagsOfResource with pages.
func table(d *types.TableDescription, pages [][]types.Tag, tagErr error) *fake.DynamoDB {
	d.TableArn = aws.String(arn)
	return &fake.DynamoDB{
		MockDescribeTable: func(*dynamodb.DescribeTableInput) (*dynamodb.DescribeTableOutput, error) {
			return &dynamodb.DescribeTableOutput{Table: d}, nil
		},
		MockListTagsOfResource: func(in *dynamodb.ListTagsOfResourceInput) (*dynamodb.ListTagsOfResourceOutput, error) {
			if tagErr != nil {
				return nil, tagErr
			}
			i := 0
			if in.NextToken != nil {
				i = int(aws.ToString(in.NextToken)[0] - '0')
			}
			out := &dynamodb.ListTagsOfResourceOutput{Tags: pages[i]}
			if i+1 < len(pages) {
				out.NextToken = aws.String(string(rune('0' + i + 1)))
			}
			return out, nil
		},
	}
}

func TestObserve(t *testing.T) {
	notFound := &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "Requested resource not found"}
	backfilling := described()
	backfilling.GlobalSecondaryIndexes[0].IndexStatus, backfilling.GlobalSecondaryIndexes[0].Backfilling = types.IndexStatusCreating, aws.Bool(true)
	paged := described()
	backfilling2 := described()
	backfilling2.GlobalSecondaryIndexes[0].IndexStatus, backfilling2.GlobalSecondaryIndexes[0].Backfilling = types.IndexStatusCreating, aws.Bool(true)
	creating := described()
	creating.TableStatus = types.TableStatusCreating
	updating, archived := described(), described()
	updating.TableStatus, archived.TableStatus = types.TableStatusUpdating, types.TableStatusArchived
	cases := map[string]struct {
		reason    string
		ddb       *fake.DynamoDB
		want      managed.ExternalObservation
		ready     xpv2.Condition
		errHas    string
		creating  bool // the Table is still Creating (a new table)
		wantOwner bool // Delete may go ahead
	}{
		"IndexBackfilling": {
			reason: "A table whose new index is backfilling (hours) serves traffic: it is Ready, says why changes wait, and sends none.",
			ddb:    table(backfilling, [][]types.Tag{ownTags()}, nil),
			want:   managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: connectionDetails("orders", backfilling)},
			ready:  xpv2.Available().WithMessage("index byUser is CREATING (backfilling): further changes wait until it is ACTIVE"), wantOwner: true,
		},
		"NewTableIndexBuilding": {
			reason: "A new table whose index is still being built is not Ready yet: its TTL and point-in-time recovery wait for the index.",
			ddb:    table(backfilling2, [][]types.Tag{ownTags()}, nil), creating: true,
			want:  managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: connectionDetails("orders", backfilling2)},
			ready: xpv2.Creating().WithMessage("index byUser is CREATING (backfilling): further changes wait until it is ACTIVE"), wantOwner: true,
		},
		"Updating": {
			reason: "A Ready table DynamoDB is changing (throughput, stream, replicas) serves traffic: Ready, with the state in the message; no change is sent.",
			ddb:    table(updating, [][]types.Tag{ownTags()}, nil),
			want:   managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: connectionDetails("orders", updating)},
			ready:  xpv2.Available().WithMessage("the table is UPDATING: it serves reads and writes; further changes wait until it is ACTIVE"), wantOwner: true,
		},
		"Archived": {
			reason: "An archived table is not being created: Unavailable, with what to do.",
			ddb:    table(archived, [][]types.Tag{ownTags()}, nil),
			want:   managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: connectionDetails("orders", archived)},
			ready:  xpv2.Unavailable().WithMessage("the table is ARCHIVED: its KMS key was unusable for seven days and DynamoDB removed the table, keeping a backup; make the key usable, restore the backup (DescribeTable's ArchivalSummary names it) into a table of another name, or delete this Table"), wantOwner: true,
		},
		"TagsOnSecondPage": {
			reason: "Ownership tags on a later page of ListTagsOfResource still make the table this Table's.",
			ddb:    table(paged, [][]types.Tag{{tagOf("aws:cloudformation:stack-name", "s")}, ownTags()}, nil),
			want:   managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: connectionDetails("orders", paged)},
			ready:  xpv2.Available(), wantOwner: true,
		},
		"TagsUnreadableWhileCreating": {
			reason: "DynamoDB refuses ListTagsOfResource while a table is being created: whose it is is not judged — no write, no details, no delete — until it is ACTIVE.",
			ddb:    table(creating, nil, notFound),
			want:   managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			ready:  xpv2.Creating().WithMessage("the table is CREATING: whose it is is known once it is ACTIVE and its tags can be read"),
		},
		"TagsUnreadableWhileActive": {
			reason: "An ACTIVE table whose tags cannot be read is an error, never a guess.",
			ddb:    table(described(), nil, notFound),
			errHas: "cannot read the table's tags",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newExternal(tc.ddb, &credentials.AWSAccount{IgnoreTagPrefixes: []string{"aws:"}})
			cr := tbl()
			if tc.creating {
				cr.SetConditions(xpv2.Creating())
			}
			got, err := e.Observe(context.Background(), cr)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("%s\nwant error containing %q, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\nObserve: %v", tc.reason, err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("%s\nObserve: -want +got:\n%s", tc.reason, d)
			}
			if d := cmp.Diff(tc.ready, cr.GetCondition(xpv2.TypeReady), cmpIgnoreTime); d != "" {
				t.Errorf("%s\nReady: -want +got:\n%s", tc.reason, d)
			}
			// The fake has no DeleteTable: a delete that goes ahead panics unless it is expected.
			deleted := false
			tc.ddb.MockDeleteTable = func(*dynamodb.DeleteTableInput) (*dynamodb.DeleteTableOutput, error) {
				deleted = true
				return &dynamodb.DeleteTableOutput{}, nil
			}
			_, derr := e.Delete(context.Background(), cr)
			if tc.wantOwner != (derr == nil && deleted) {
				t.Errorf("%s\nDelete: owner known %t, but deleted %t (%v)", tc.reason, tc.wantOwner, deleted, derr)
			}
		})
	}
}

var cmpIgnoreTime = cmp.Comparer(func(_, _ metav1.Time) bool { return true })

// A change DynamoDB refuses because the table is busy is a clear retryable message; any other is wrapped with the
// field that failed.
func TestUpdateSendsFirstChangeOnly(t *testing.T) {
	var sent []*dynamodb.UpdateTableInput
	d := described()
	e := newExternal(&fake.DynamoDB{MockUpdateTable: func(in *dynamodb.UpdateTableInput) (*dynamodb.UpdateTableOutput, error) {
		sent = append(sent, in)
		return &dynamodb.UpdateTableOutput{}, nil
	}}, &credentials.AWSAccount{})
	e.obs = observed{Table: d}
	p := spec()
	p.ProvisionedThroughput = &v1alpha1.Throughput{ReadCapacityUnits: 10, WriteCapacityUnits: 10}
	p.DeletionProtection = aws.Bool(true)
	var err error
	if e.pending, err = diff("orders", p, e.obs); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Update(context.Background(), tbl()); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 || sent[0].ProvisionedThroughput == nil || sent[0].DeletionProtectionEnabled != nil {
		t.Errorf("DynamoDB takes one change per UpdateTable: want the throughput alone, got %d requests", len(sent))
	}

	e.API = &fake.DynamoDB{MockUpdateTable: func(*dynamodb.UpdateTableInput) (*dynamodb.UpdateTableOutput, error) {
		return nil, &smithy.GenericAPIError{Code: "ResourceInUseException", Message: "Attempt to change a resource which is still in use: RequestId: X-1"}
	}}
	_, err = e.Update(context.Background(), tbl())
	if err == nil || !strings.Contains(err.Error(), "provisionedThroughput follows once it is ACTIVE") || strings.Contains(err.Error(), "X-1") {
		t.Errorf("a busy table: want a retryable message naming the field, without the request ID; got %v", err)
	}
}
