package table

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/dynamodb/v1alpha1"
)

// describedAs is the table DynamoDB describes after the create in: ACTIVE, the billing mode summarised, indexes
// in another order, and — under autoscaling — capacity the autoscaler raised.
func describedAs(in *dynamodb.CreateTableInput, raise int64) *types.TableDescription {
	d := &types.TableDescription{TableStatus: types.TableStatusActive, KeySchema: in.KeySchema, DeletionProtectionEnabled: in.DeletionProtectionEnabled,
		BillingModeSummary: &types.BillingModeSummary{BillingMode: in.BillingMode}, StreamSpecification: in.StreamSpecification}
	if in.TableClass != "" {
		d.TableClassSummary = &types.TableClassSummary{TableClass: in.TableClass}
	}
	if t := in.ProvisionedThroughput; t != nil {
		d.ProvisionedThroughput = &types.ProvisionedThroughputDescription{ReadCapacityUnits: aws.Int64(aws.ToInt64(t.ReadCapacityUnits) + raise), WriteCapacityUnits: t.WriteCapacityUnits}
	}
	if s := in.SSESpecification; s != nil && aws.ToBool(s.Enabled) {
		d.SSEDescription = &types.SSEDescription{Status: types.SSEStatusEnabled, SSEType: types.SSETypeKms, KMSMasterKeyArn: aws.String("arn:aws:kms:eu-west-1:123456789012:key/" + aws.ToString(s.KMSMasterKeyId))}
	}
	for _, g := range in.GlobalSecondaryIndexes {
		gd := types.GlobalSecondaryIndexDescription{IndexName: g.IndexName, IndexStatus: types.IndexStatusActive, KeySchema: g.KeySchema, Projection: g.Projection}
		if t := g.ProvisionedThroughput; t != nil {
			gd.ProvisionedThroughput = &types.ProvisionedThroughputDescription{ReadCapacityUnits: t.ReadCapacityUnits, WriteCapacityUnits: t.WriteCapacityUnits}
		}
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, gd)
	}
	slices.Reverse(d.GlobalSecondaryIndexes)
	return d
}

// FuzzInSyncAfterCreate: the table a spec creates, described back by DynamoDB, has nothing left to change.
func FuzzInSyncAfterCreate(f *testing.F) {
	f.Add(true, int64(5), int64(5), false, int64(0), uint8(1), uint8(2), true, "byUser", "NEW_IMAGE")
	f.Add(false, int64(0), int64(0), true, int64(7), uint8(0), uint8(0), false, "", "")
	f.Fuzz(func(t *testing.T, provisioned bool, read, write int64, autoscaled bool, raise int64, sse, class uint8, protect bool, index, stream string) {
		p := v1alpha1.TableParameters{HashKey: "pk", AttributeDefinitions: []v1alpha1.AttributeDefinition{{Name: "pk", Type: "S"}, {Name: "user", Type: "S"}},
			DeletionProtection: ptr.To(protect)}
		if provisioned {
			p.BillingMode = "PROVISIONED"
			p.ProvisionedThroughput = &v1alpha1.Throughput{ReadCapacityUnits: 1 + max(read, -read)%1000, WriteCapacityUnits: 1 + max(write, -write)%1000, Autoscaled: ptr.To(autoscaled)}
		}
		if !autoscaled || !provisioned {
			raise = 0
		}
		raise = max(raise, -raise) % 1000
		if index != "" {
			g := v1alpha1.GlobalSecondaryIndex{IndexName: index, HashKey: "user", Projection: v1alpha1.Projection{Type: "INCLUDE", NonKeyAttributes: []string{"b", "a"}}}
			if provisioned {
				g.ProvisionedThroughput = &v1alpha1.Throughput{ReadCapacityUnits: 1, WriteCapacityUnits: 1}
			}
			p.GlobalSecondaryIndexes = []v1alpha1.GlobalSecondaryIndex{g}
		}
		switch sse % 3 {
		case 1:
			p.ServerSideEncryption = &v1alpha1.TableEncryption{Type: "AWS_MANAGED"}
		case 2:
			p.ServerSideEncryption = &v1alpha1.TableEncryption{Type: "KMS", KMSKeyID: ptr.To("1234abcd")}
		}
		if class%2 == 1 {
			p.TableClass = ptr.To("STANDARD_INFREQUENT_ACCESS")
		}
		for _, v := range []string{"", "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"} {
			if stream == v {
				p.StreamViewType = ptr.To(v)
			}
		}
		cs, err := diff("t", p, observed{Table: describedAs(createInput("t", p, nil), raise)})
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 0 {
			t.Fatalf("the table the spec created still differs in %v", cs.Fields())
		}
	})
}
