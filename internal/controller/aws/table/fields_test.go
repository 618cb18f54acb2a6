package table

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/dynamodb/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/awstest"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/dynamodb/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// TestFieldsDeclareChanges holds the change list to the field table: every name Observe reports as differing (its
// Diff, which is also status.atProvider.pendingChanges and what the drift event names) is a field the table
// declares, so a change the table cannot explain fails here.
func TestFieldsDeclareChanges(t *testing.T) {
	if err := fields.Check(); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		reason string
		p      func(*v1alpha1.TableParameters)
		want   []string
	}{
		"Capacity": {
			reason: "A switch to on-demand is one change.",
			p:      func(p *v1alpha1.TableParameters) { p.BillingMode, p.ProvisionedThroughput = "PAY_PER_REQUEST", nil },
			want:   []string{"billingMode"},
		},
		"Throughput": {
			reason: "New table capacity.",
			p:      func(p *v1alpha1.TableParameters) { p.ProvisionedThroughput.ReadCapacityUnits = 10 },
			want:   []string{"provisionedThroughput"},
		},
		"Indexes": {
			reason: "An index removed and one added: every index change is under globalSecondaryIndexes.",
			p: func(p *v1alpha1.TableParameters) {
				p.GlobalSecondaryIndexes = []v1alpha1.GlobalSecondaryIndex{{IndexName: "byKind", HashKey: "kind", Projection: v1alpha1.Projection{Type: "KEYS_ONLY"}}}
			},
			want: []string{"globalSecondaryIndexes[byUser]-", "globalSecondaryIndexes[byKind]+"},
		},
		"IndexThroughput": {
			reason: "An index's capacity is named under its index.",
			p: func(p *v1alpha1.TableParameters) {
				p.GlobalSecondaryIndexes[0].ProvisionedThroughput = &v1alpha1.Throughput{ReadCapacityUnits: 3, WriteCapacityUnits: 1}
			},
			want: []string{"globalSecondaryIndexes[byUser].provisionedThroughput"},
		},
		"TableSettings": {
			reason: "Class, deletion protection and encryption.",
			p: func(p *v1alpha1.TableParameters) {
				p.TableClass, p.DeletionProtection = ptr.To("STANDARD_INFREQUENT_ACCESS"), ptr.To(true)
				p.ServerSideEncryption = &v1alpha1.TableEncryption{Type: "AWS_MANAGED"}
			},
			want: []string{"tableClass", "deletionProtection", "serverSideEncryption"},
		},
		"Stream": {
			reason: "A stream change names the field the user wrote, streamViewType.",
			p:      func(p *v1alpha1.TableParameters) { p.StreamViewType = ptr.To("NEW_IMAGE") },
			want:   []string{"streamViewType"},
		},
		"TTLAndPITR": {
			reason: "Time to live and point-in-time recovery, through their own APIs.",
			p: func(p *v1alpha1.TableParameters) {
				p.TimeToLive, p.PointInTimeRecovery = &v1alpha1.TimeToLive{AttributeName: "exp", Enabled: true}, ptr.To(true)
			},
			want: []string{"timeToLive", "pointInTimeRecovery"},
		},
		"Tags": {
			reason: "A tag change names its keys under tags.",
			p:      func(p *v1alpha1.TableParameters) { p.Tags = map[string]string{"team": "a"} },
			want:   []string{"tags[team]"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cr := tbl()
			tc.p(&cr.Spec.ForProvider)
			e := newExternal(bare(described(), ownTags()), &credentials.AWSAccount{})
			got, err := e.Observe(context.Background(), cr)
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

// TestRefusedFieldsAreThoseTheCodeRefuses holds the table's Refused fields to what the code refuses: diff for a
// table with another key schema (TestFieldTables holds them to the CRD's immutability rules, self == oldSelf).
func TestRefusedFieldsAreThoseTheCodeRefuses(t *testing.T) {
	cases := map[string]struct {
		reason string
		p      func(*v1alpha1.TableParameters)
		field  string
	}{
		"HashKey":  {reason: "Another partition key.", p: func(p *v1alpha1.TableParameters) { p.HashKey = "user" }, field: "hashKey"},
		"RangeKey": {reason: "A sort key the table lacks.", p: func(p *v1alpha1.TableParameters) { p.RangeKey = aws.String("kind") }, field: "rangeKey"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := spec()
			tc.p(&p)
			if _, err := diff("t", p, observed{Table: described()}); err == nil || !strings.Contains(err.Error(), "keys cannot change") {
				t.Errorf("%s\ndiff: want the error that keys cannot change, got %v", tc.reason, err)
			}
			if f, ok := fields.Lookup(tc.field); !ok || f.Effect != managedkind.Refused {
				t.Errorf("%s\n%s, which diff refuses to change: want declared %q, got %+v", tc.reason, tc.field, managedkind.Refused, f)
			}
		})
	}
}

// bare is a fake DynamoDB holding one table as described, tagged tags, with time to live and point-in-time
// recovery off.
func bare(d *types.TableDescription, tags []types.Tag) *fake.DynamoDB {
	ddb := table(d, [][]types.Tag{tags}, nil)
	ddb.MockDescribeTimeToLive = func(*dynamodb.DescribeTimeToLiveInput) (*dynamodb.DescribeTimeToLiveOutput, error) {
		return &dynamodb.DescribeTimeToLiveOutput{TimeToLiveDescription: &types.TimeToLiveDescription{TimeToLiveStatus: types.TimeToLiveStatusDisabled}}, nil
	}
	ddb.MockDescribeContinuousBackups = func(*dynamodb.DescribeContinuousBackupsInput) (*dynamodb.DescribeContinuousBackupsOutput, error) {
		return &dynamodb.DescribeContinuousBackupsOutput{ContinuousBackupsDescription: &types.ContinuousBackupsDescription{
			PointInTimeRecoveryDescription: &types.PointInTimeRecoveryDescription{PointInTimeRecoveryStatus: types.PointInTimeRecoveryStatusDisabled}}}, nil
	}
	return ddb
}

// TestUnsetIsUnmanaged holds Observe to the table's Compare and Unset columns (kindtest.Unmanaged): a provisioned
// table whose every setting, index and tag differs from the spec's and from DynamoDB's defaults, and a switch to
// on-demand (which carries the capacity with it, so it is a spec of its own).
func TestUnsetIsUnmanaged(t *testing.T) {
	full := spec()
	full.Region, full.RangeKey = "eu-west-1", nil
	full.ProvisionedThroughput = &v1alpha1.Throughput{ReadCapacityUnits: 10, WriteCapacityUnits: 10}
	full.GlobalSecondaryIndexes[0].ProvisionedThroughput = &v1alpha1.Throughput{ReadCapacityUnits: 3, WriteCapacityUnits: 3}
	full.GlobalSecondaryIndexes = append(full.GlobalSecondaryIndexes,
		v1alpha1.GlobalSecondaryIndex{IndexName: "byKind", HashKey: "kind", Projection: v1alpha1.Projection{Type: "KEYS_ONLY"}})
	full.LocalSecondaryIndexes = []v1alpha1.LocalSecondaryIndex{{IndexName: "byTime", RangeKey: "kind", Projection: v1alpha1.Projection{Type: "ALL"}}}
	full.StreamViewType, full.TableClass, full.DeletionProtection = ptr.To("NEW_IMAGE"), ptr.To("STANDARD"), ptr.To(false)
	full.ServerSideEncryption = &v1alpha1.TableEncryption{Type: "OWNED"}
	full.TimeToLive, full.PointInTimeRecovery = &v1alpha1.TimeToLive{AttributeName: "exp", Enabled: false}, ptr.To(false)
	full.Tags = map[string]string{"team": "a"}
	onDemand := full
	onDemand.BillingMode = "PAY_PER_REQUEST"

	cloud := func() *fake.DynamoDB {
		d := described()
		d.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages}
		d.TableClassSummary = &types.TableClassSummary{TableClass: types.TableClassStandardInfrequentAccess}
		d.DeletionProtectionEnabled = aws.Bool(true)
		d.SSEDescription = &types.SSEDescription{Status: types.SSEStatusEnabled, KMSMasterKeyArn: aws.String("arn:aws:kms:eu-west-1:1:key/k")}
		ddb := table(d, [][]types.Tag{append(ownTags(), tagOf("team", "b"))}, nil)
		ddb.MockDescribeTimeToLive = func(*dynamodb.DescribeTimeToLiveInput) (*dynamodb.DescribeTimeToLiveOutput, error) {
			return &dynamodb.DescribeTimeToLiveOutput{TimeToLiveDescription: &types.TimeToLiveDescription{
				TimeToLiveStatus: types.TimeToLiveStatusEnabled, AttributeName: aws.String("exp")}}, nil
		}
		ddb.MockDescribeContinuousBackups = func(*dynamodb.DescribeContinuousBackupsInput) (*dynamodb.DescribeContinuousBackupsOutput, error) {
			return &dynamodb.DescribeContinuousBackupsOutput{ContinuousBackupsDescription: &types.ContinuousBackupsDescription{
				PointInTimeRecoveryDescription: &types.PointInTimeRecoveryDescription{PointInTimeRecoveryStatus: types.PointInTimeRecoveryStatusEnabled}}}, nil
		}
		return ddb
	}
	kindtest.Unmanaged(t, fields, func(p v1alpha1.TableParameters) ([]string, error) {
		cr := tbl()
		cr.Spec.ForProvider = p
		o, err := newExternal(cloud(), &credentials.AWSAccount{}).Observe(context.Background(), cr)
		return kindtest.DiffNames(o.Diff), err
	}, full, onDemand)
}

// TestTerminalErrors holds the table's terminal errors to what the kind classifies as rejected input.
func TestTerminalErrors(t *testing.T) {
	kindtest.Terminal(t, fields, Kind().Rejects, func(code string) error {
		return awstest.APIError("Update", http.StatusBadRequest, code, "refused")
	})
}
