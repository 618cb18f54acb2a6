package table

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/dynamodb/v1alpha1"
)

func spec() v1alpha1.TableParameters {
	return v1alpha1.TableParameters{
		HashKey: "pk", BillingMode: "PROVISIONED", ProvisionedThroughput: &v1alpha1.Throughput{ReadCapacityUnits: 5, WriteCapacityUnits: 5},
		AttributeDefinitions:   []v1alpha1.AttributeDefinition{{Name: "pk", Type: "S"}, {Name: "user", Type: "S"}, {Name: "kind", Type: "S"}},
		GlobalSecondaryIndexes: []v1alpha1.GlobalSecondaryIndex{{IndexName: "byUser", HashKey: "user", Projection: v1alpha1.Projection{Type: "ALL"}, ProvisionedThroughput: &v1alpha1.Throughput{ReadCapacityUnits: 1, WriteCapacityUnits: 1}}},
	}
}

func described() *types.TableDescription {
	return &types.TableDescription{
		TableStatus: "ACTIVE", KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		BillingModeSummary:    &types.BillingModeSummary{BillingMode: types.BillingModeProvisioned},
		ProvisionedThroughput: &types.ProvisionedThroughputDescription{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndexDescription{{
			IndexName: aws.String("byUser"), IndexStatus: "ACTIVE", KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("user"), KeyType: types.KeyTypeHash}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}, ProvisionedThroughput: &types.ProvisionedThroughputDescription{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)},
		}},
	}
}

func TestChanges(t *testing.T) {
	cases := map[string]struct {
		reason string
		p      func(*v1alpha1.TableParameters)
		o      func(*observed)
		want   []string
		errHas string
	}{
		"InSync": {reason: "Nothing to do.", p: func(*v1alpha1.TableParameters) {}},
		"ReplaceIndexAndThroughput": {
			reason: "Throughput first, then the removal, then the addition: one change per UpdateTable.",
			p: func(p *v1alpha1.TableParameters) {
				p.ProvisionedThroughput = &v1alpha1.Throughput{ReadCapacityUnits: 10, WriteCapacityUnits: 5}
				p.GlobalSecondaryIndexes = []v1alpha1.GlobalSecondaryIndex{{IndexName: "byKind", HashKey: "kind", Projection: v1alpha1.Projection{Type: "KEYS_ONLY"}}}
			},
			want: []string{"provisionedThroughput", "globalSecondaryIndexes[byUser]-", "globalSecondaryIndexes[byKind]+"},
		},
		"IndexThroughput": {
			reason: "An index's throughput is updated in place.",
			p: func(p *v1alpha1.TableParameters) {
				p.GlobalSecondaryIndexes[0].ProvisionedThroughput = &v1alpha1.Throughput{ReadCapacityUnits: 3, WriteCapacityUnits: 1}
			},
			want: []string{"globalSecondaryIndexes[byUser].provisionedThroughput"},
		},
		"IndexKeysChanged": {
			reason: "An index's keys cannot change in place: a clear error, not a delete.",
			p:      func(p *v1alpha1.TableParameters) { p.GlobalSecondaryIndexes[0].HashKey = "kind" },
			errHas: `index "byUser" of table "t" cannot change its keys or projection`,
		},
		"TTLAndPITR": {
			reason: "TTL and point-in-time recovery have their own APIs, after the table changes.",
			p: func(p *v1alpha1.TableParameters) {
				p.TimeToLive, p.PointInTimeRecovery, p.StreamViewType = &v1alpha1.TimeToLive{AttributeName: "exp", Enabled: true}, ptr.To(true), ptr.To("NEW_IMAGE")
			},
			o: func(o *observed) {
				o.TTL = &types.TimeToLiveDescription{TimeToLiveStatus: types.TimeToLiveStatusDisabled}
				o.PITR = &types.PointInTimeRecoveryDescription{PointInTimeRecoveryStatus: types.PointInTimeRecoveryStatusDisabled}
			},
			want: []string{"streamViewType", "timeToLive", "pointInTimeRecovery"},
		},
		"TTLEnabling": {
			reason: "A TTL being enabled counts as enabled.",
			p: func(p *v1alpha1.TableParameters) {
				p.TimeToLive = &v1alpha1.TimeToLive{AttributeName: "exp", Enabled: true}
			},
			o: func(o *observed) {
				o.TTL = &types.TimeToLiveDescription{TimeToLiveStatus: types.TimeToLiveStatusEnabling, AttributeName: aws.String("exp")}
			},
		},
		"OnDemand": {
			reason: "A switch to on-demand is one change.",
			p:      func(p *v1alpha1.TableParameters) { p.BillingMode, p.ProvisionedThroughput = "PAY_PER_REQUEST", nil },
			want:   []string{"billingMode"},
		},
		"BillingModeUnset": {
			reason: "An unset billing mode is not managed: a PROVISIONED table stays PROVISIONED (no CRD default switches it).",
			p:      func(p *v1alpha1.TableParameters) { p.BillingMode, p.ProvisionedThroughput = "", nil },
		},
		"BillingModeUnsetThroughputSet": {
			reason: "Throughput given without a billing mode is managed on a PROVISIONED table.",
			p: func(p *v1alpha1.TableParameters) {
				p.BillingMode, p.ProvisionedThroughput = "", &v1alpha1.Throughput{ReadCapacityUnits: 7, WriteCapacityUnits: 5}
			},
			want: []string{"provisionedThroughput"},
		},
		"AutoscaledAbove": {
			reason: "Application Auto Scaling raised the capacity: in sync with a spec that lets it own throughput (a floor).",
			p: func(p *v1alpha1.TableParameters) {
				p.ProvisionedThroughput = &v1alpha1.Throughput{ReadCapacityUnits: 2, WriteCapacityUnits: 5, Autoscaled: ptr.To(true)}
				p.GlobalSecondaryIndexes[0].ProvisionedThroughput.Autoscaled = ptr.To(true)
			},
			o: func(o *observed) {
				o.Table.GlobalSecondaryIndexes[0].ProvisionedThroughput = &types.ProvisionedThroughputDescription{ReadCapacityUnits: aws.Int64(9), WriteCapacityUnits: aws.Int64(1)}
			},
		},
		"AutoscaledBelowFloor": {
			reason: "Below the floor, capacity is raised — only where it is below.",
			p: func(p *v1alpha1.TableParameters) {
				p.ProvisionedThroughput = &v1alpha1.Throughput{ReadCapacityUnits: 2, WriteCapacityUnits: 8, Autoscaled: ptr.To(true)}
			},
			want: []string{"provisionedThroughput"},
		},
		"IndexesUnset": {
			reason: "Unset indexes are not managed: the table's index stays.",
			p:      func(p *v1alpha1.TableParameters) { p.GlobalSecondaryIndexes = nil },
		},
		"IndexesNone": {
			reason: "An empty list says no index: the table's index is removed.",
			p:      func(p *v1alpha1.TableParameters) { p.GlobalSecondaryIndexes = []v1alpha1.GlobalSecondaryIndex{} },
			want:   []string{"globalSecondaryIndexes[byUser]-"},
		},
		"KeysChanged": {
			reason: "A table's keys never change.",
			p:      func(p *v1alpha1.TableParameters) { p.HashKey = "user" },
			errHas: "keys cannot change",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := spec()
			tc.p(&p)
			o := observed{Table: described()}
			if tc.o != nil {
				tc.o(&o)
			}
			got, err := diff("t", p, o)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("%s\nwant error containing %q, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range got {
				if r := c.Request.Table; r != nil && len(r.GlobalSecondaryIndexUpdates) > 1 {
					t.Errorf("%s\n%s carries %d index updates", tc.reason, c.Field, len(r.GlobalSecondaryIndexUpdates))
				}
			}
			if d := cmp.Diff(tc.want, got.Fields(), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("%s\nchanges: -want +got:\n%s", tc.reason, d)
			}
		})
	}
}

func TestCreateInputDefinitions(t *testing.T) {
	p := spec()
	p.AttributeDefinitions = append(p.AttributeDefinitions, v1alpha1.AttributeDefinition{Name: "unused", Type: "N"})
	in := createInput("t", p, map[string]string{"b": "2", "a": "1"})
	var names []string
	for _, d := range in.AttributeDefinitions {
		names = append(names, aws.ToString(d.AttributeName))
	}
	if d := cmp.Diff([]string{"pk", "user"}, names); d != "" {
		t.Errorf("Only the attributes that are keys of the table or its indexes are defined (DynamoDB refuses others): -want +got:\n%s", d)
	}
	if aws.ToString(in.Tags[0].Key) != "a" {
		t.Errorf("Tags are sorted, so the request is stable")
	}
}

func TestSameSSE(t *testing.T) {
	on := &types.SSEDescription{Status: types.SSEStatusEnabled, SSEType: types.SSETypeKms, KMSMasterKeyArn: aws.String("arn:aws:kms:eu-west-1:1:key/abc")}
	cases := map[string]struct {
		w    v1alpha1.TableEncryption
		d    *types.SSEDescription
		same bool
	}{
		"OwnedDefault": {w: v1alpha1.TableEncryption{Type: "OWNED"}, same: true},
		"OwnedButKMS":  {w: v1alpha1.TableEncryption{Type: "OWNED"}, d: on, same: false},
		"AWSManaged":   {w: v1alpha1.TableEncryption{Type: "AWS_MANAGED"}, d: on, same: true},
		"KMSByID":      {w: v1alpha1.TableEncryption{Type: "KMS", KMSKeyID: ptr.To("abc")}, d: on, same: true},
		"KMSOtherKey":  {w: v1alpha1.TableEncryption{Type: "KMS", KMSKeyID: ptr.To("def")}, d: on, same: false},
		"KMSAlias":     {w: v1alpha1.TableEncryption{Type: "KMS", KMSKeyID: ptr.To("alias/tables")}, d: on, same: true},
		"KMSButOwned":  {w: v1alpha1.TableEncryption{Type: "KMS", KMSKeyID: ptr.To("abc")}, same: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := sameSSE(tc.w, tc.d); got != tc.same {
				t.Errorf("sameSSE(%+v): want %t", tc.w, tc.same)
			}
		})
	}
}

func TestTargetThroughputKeepsWhatTheAutoscalerRaised(t *testing.T) {
	got := targetThroughput(&v1alpha1.Throughput{ReadCapacityUnits: 2, WriteCapacityUnits: 8, Autoscaled: ptr.To(true)},
		&types.ProvisionedThroughputDescription{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)})
	if r, w := aws.ToInt64(got.ReadCapacityUnits), aws.ToInt64(got.WriteCapacityUnits); r != 5 || w != 8 {
		t.Errorf("targetThroughput: read %d write %d, want 5 (the autoscaler's, above the floor) and 8 (the floor)", r, w)
	}
}

func TestCreateBillingMode(t *testing.T) {
	cases := map[string]struct {
		reason string
		p      v1alpha1.TableParameters
		want   string
	}{
		"Given":      {reason: "The spec's mode.", p: v1alpha1.TableParameters{BillingMode: "PROVISIONED", ProvisionedThroughput: &v1alpha1.Throughput{}}, want: "PROVISIONED"},
		"Throughput": {reason: "Throughput without a mode means PROVISIONED.", p: v1alpha1.TableParameters{ProvisionedThroughput: &v1alpha1.Throughput{}}, want: "PROVISIONED"},
		"Nothing":    {reason: "Neither: on-demand.", want: "PAY_PER_REQUEST"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, createBillingMode(tc.p)); diff != "" {
				t.Errorf("%s\ncreateBillingMode: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
