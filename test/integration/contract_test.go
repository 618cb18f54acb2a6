//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ddbv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/dynamodb/v1alpha1"
	rdsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	sqsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	btv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/bigtable/v1alpha1"
	pubsubv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	gcsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// A kindContract is what the contract test needs to know of one kind. Every kind joins the same scenarios (the
// reliability plan's T13, the adoption and import rules, drift and the namespace-collision guard); a new kind —
// the GCP ones next — joins by adding a row.
type kindContract struct {
	kind   string
	newObj func() managedObj
	// minimal is the smallest spec the kind accepts for the cloud resource name, usable as created (T13).
	minimal func(ns, name string) managedObj
	// rich sets every field group the kind manages (that moto reports back), in the spellings users write.
	rich func(t *testing.T, ns, name string) managedObj
	// poll is the read operation every reconcile makes: n of them is n polls.
	poll string
	// full makes, behind the provider's back, a resource on which every optional field the kind manages is set.
	full func(t *testing.T, name string)
	// config is the resource's configuration as the cloud reports it, tags left out: equal before and after means
	// nothing was changed.
	config func(t *testing.T, name string) string
	// tagWrites are the operations that write tags: adopting writes the ownership tags, and nothing else; tags
	// reads the resource's tags.
	tagWrites []string
	tags      func(t *testing.T, name string) map[string]string
	// withDriftField sets the field drift changes; drift changes it behind the provider's back, and reverted says
	// when it is back. driftField is its name in the spec, as the drift event must say it.
	withDriftField func(managedObj)
	drift          func(t *testing.T, name string)
	reverted       func(t *testing.T, name string) (bool, string)
	driftField     string
	// wire counts the calls the provider sends for the kind (the HTTP recording proxy when nil), and key is what it
	// knows a resource by (the name itself when nil: a GCP resource's full name).
	wire func() wireCounter
	key  func(name string) string
	// marker spells the ownership marker (AWS tags when nil).
	marker *managedkind.Marker
	// run names the kind's subtests when its kind is not unique across clouds (kind when empty).
	run string
	// claimKind is set (Kind.group) for a kind whose cloud resources carry no marker (tags is nil): whose a
	// resource is, is its claim's holder.
	claimKind string
	// updateOp is the operation that reverts the drift field, as the kind's wire counts it; ignoreUpdate makes the
	// next n of them about key answer success without reaching the cloud — a cloud that silently ignores the
	// update — for UpdateLoopStopped.
	updateOp     string
	ignoreUpdate func(wire wireCounter, key string, n int)
}

// respondOK is an ignoreUpdate of a kind behind the HTTP recording proxy: op answered 200 with body.
func respondOK(op, body string) func(wireCounter, string, int) {
	return func(w wireCounter, key string, n int) { w.(*harness.Proxy).Respond(op, key, http.StatusOK, body, n) }
}

// answerOK is an ignoreUpdate of a kind behind the gRPC forwarder: op answered OK with an empty message.
func answerOK(op string) func(wireCounter, string, int) {
	return func(w wireCounter, key string, n int) { w.(*harness.GRPCProxy).Answer(op, key, n) }
}

func (k kindContract) name() string {
	if k.run != "" {
		return k.run
	}
	return k.kind
}

// owner is the namespace that owns the cloud resource name: its ownership tags', or its claim holder's.
func (k kindContract) owner(t *testing.T, name string) string {
	t.Helper()
	if k.claimKind == "" {
		return k.tags(t, name)[k.mark().NamespaceKey]
	}
	leases := &coordinationv1.LeaseList{}
	if err := kube.List(context.Background(), leases, client.MatchingLabels{managedkind.LabelClaim: "true"}); err != nil {
		t.Fatal(err)
	}
	for _, l := range leases.Items {
		if strings.HasSuffix(l.Annotations[managedkind.AnnotationScope], "|"+name) && l.Annotations[managedkind.AnnotationKind] == k.claimKind {
			return l.Annotations[managedkind.AnnotationNamespace]
		}
	}
	return ""
}

// A wireCounter counts the calls a provider sends: harness.Proxy (HTTP) or harness.GRPCProxy.
type wireCounter interface {
	Calls(match func(harness.Call) bool) []harness.Call
	Count(op, name string) int
	Mutating(name string) []harness.Call
}

func (k kindContract) w() wireCounter {
	if k.wire != nil {
		return k.wire()
	}
	return proxy
}

// at is the wire's name of the resource name, watched on a gRPC forwarder.
func (k kindContract) at(name string) string {
	if k.key == nil {
		return name
	}
	n := k.key(name)
	if g, ok := k.w().(*harness.GRPCProxy); ok {
		g.Watch(n)
	}
	return n
}

func (k kindContract) mark() managedkind.Marker {
	if k.marker != nil {
		return *k.marker
	}
	return managedkind.AWSTags
}

// waitPolls waits until n more reconciles have read the resource name.
func (k kindContract) waitPolls(t *testing.T, name string, n int) {
	t.Helper()
	w, at := k.w(), k.at(name)
	start := w.Count(k.poll, at)
	eventually(t, fmt.Sprintf("%d more polls", n), func() (bool, string) {
		got := w.Count(k.poll, at) - start
		return got >= n, fmt.Sprint(got)
	})
}

func adopt(mg managedObj) {
	switch o := mg.(type) {
	case *s3v1alpha1.Bucket:
		o.Spec.AdoptExisting = ptr.To(true)
	case *sqsv1alpha1.Queue:
		o.Spec.AdoptExisting = ptr.To(true)
	case *ddbv1alpha1.Table:
		o.Spec.AdoptExisting = ptr.To(true)
	case *rdsv1alpha1.DBInstance:
		o.Spec.AdoptExisting = ptr.To(true)
	case *pubsubv1alpha1.Topic:
		o.Spec.AdoptExisting = ptr.To(true)
	case *pubsubv1alpha1.Subscription:
		o.Spec.AdoptExisting = ptr.To(true)
	case *btv1alpha1.Table:
		o.Spec.AdoptExisting = ptr.To(true)
	case *gcsv1alpha1.Bucket:
		o.Spec.AdoptExisting = ptr.To(true)
	}
}

// wouldChange is true when mg's WouldChange condition has status s and a message holding msg.
func wouldChange(s corev1.ConditionStatus, msg string) func(managedObj) (bool, string) {
	return func(mg managedObj) (bool, string) {
		c := mg.GetCondition(v1alpha1.TypeWouldChange)
		return c.Status == s && strings.Contains(c.Message, msg), string(c.Status) + ": " + c.Message
	}
}

// drift accepts a resource whose Drift condition has status s, reason r and a message saying msg.
func drift(s corev1.ConditionStatus, r xpv2.ConditionReason, msg string) func(managedObj) (bool, string) {
	return func(mg managedObj) (bool, string) {
		c := mg.GetCondition(v1alpha1.TypeDrift)
		return c.Status == s && c.Reason == r && strings.Contains(c.Message, msg), fmt.Sprintf("Drift %s/%s: %s", c.Status, c.Reason, c.Message)
	}
}

func hasEvent(t *testing.T, ns, name, prefix string) bool {
	for _, e := range events(t, ns, name) {
		if strings.HasPrefix(e, prefix) {
			return true
		}
	}
	return false
}

func observeOnly(mg managedObj) {
	mg.(interface{ SetManagementPolicies(xpv2.ManagementPolicies) }).SetManagementPolicies(xpv2.ManagementPolicies{xpv2.ManagementActionObserve})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func jsonOf(v ...any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

var contracts = []kindContract{
	{
		kind: "Bucket", newObj: func() managedObj { return &s3v1alpha1.Bucket{} },
		minimal: func(ns, name string) managedObj { return bucket(ns, name) },
		rich: func(_ *testing.T, ns, name string) managedObj {
			return bucket(ns, name, func(b *s3v1alpha1.Bucket) {
				b.Spec.ForProvider = s3v1alpha1.BucketParameters{
					Region: "eu-west-1", Tags: map[string]string{"team": "a"}, Versioning: aws.String("Enabled"),
					ServerSideEncryption: &s3v1alpha1.ServerSideEncryption{Algorithm: "AES256", BucketKeyEnabled: ptr.To(false)},
					PublicAccessBlock:    &s3v1alpha1.PublicAccessBlock{BlockPublicACLs: ptr.To(true), IgnorePublicACLs: ptr.To(true), BlockPublicPolicy: ptr.To(true), RestrictPublicBuckets: ptr.To(false)},
					ObjectOwnership:      aws.String("BucketOwnerEnforced"),
					Lifecycle: &s3v1alpha1.Lifecycle{Rules: []s3v1alpha1.LifecycleRule{{ID: "tmp", Prefix: aws.String("tmp/"), ExpirationDays: aws.Int32(7),
						Transitions: []s3v1alpha1.Transition{{Days: 90, StorageClass: "GLACIER"}, {Days: 30, StorageClass: "STANDARD_IA"}}}}},
					CORS:   &s3v1alpha1.CORS{Rules: []s3v1alpha1.CORSRule{{AllowedMethods: []string{"PUT", "GET"}, AllowedOrigins: []string{"https://b.example", "https://a.example"}, MaxAgeSeconds: aws.Int32(600)}}},
					Policy: aws.String(policyFor(name, "s3:PutObject")),
				}
			})
		},
		poll: "HeadBucket", tagWrites: []string{"PutBucketTagging"}, tags: cloudTags,
		full: func(t *testing.T, name string) {
			ctx, b := context.Background(), aws.String(name)
			cloudCreate(t, name, map[string]string{"team": "legacy"})
			calls := []error{
				second(direct.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})),
				second(direct.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
					ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}}}}})),
				second(direct.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(policyFor(name, "s3:GetObject"))})),
				second(direct.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
					BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}})),
				second(direct.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &s3types.OwnershipControls{
					Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}}})),
				second(direct.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b, LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{
					Rules: []s3types.LifecycleRule{{ID: aws.String("expire"), Status: s3types.ExpirationStatusEnabled, Filter: &s3types.LifecycleRuleFilter{Prefix: aws.String("logs/")},
						Expiration: &s3types.LifecycleExpiration{Days: aws.Int32(30)}}}}})),
				second(direct.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &s3types.CORSConfiguration{CORSRules: []s3types.CORSRule{{
					AllowedMethods: []string{"GET"}, AllowedOrigins: []string{"https://example.com"}}}}})),
			}
			for _, err := range calls {
				if err != nil {
					t.Fatal(err)
				}
			}
		},
		config: func(_ *testing.T, name string) string {
			ctx, b := context.Background(), aws.String(name)
			v := must(direct.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b}))
			e := must(direct.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b}))
			p := must(direct.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b}))
			pab := must(direct.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b}))
			o := must(direct.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b}))
			l := must(direct.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b}))
			c := must(direct.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b}))
			return jsonOf(v.Status, e.ServerSideEncryptionConfiguration, aws.ToString(p.Policy), pab.PublicAccessBlockConfiguration, o.OwnershipControls, l.Rules, c.CORSRules)
		},
		withDriftField: func(mg managedObj) { mg.(*s3v1alpha1.Bucket).Spec.ForProvider.Versioning = aws.String("Enabled") },
		drift: func(t *testing.T, name string) {
			if _, err := direct.PutBucketVersioning(context.Background(), &s3.PutBucketVersioningInput{Bucket: aws.String(name), VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}}); err != nil {
				t.Fatal(err)
			}
		},
		reverted: func(_ *testing.T, name string) (bool, string) {
			v, err := direct.GetBucketVersioning(context.Background(), &s3.GetBucketVersioningInput{Bucket: aws.String(name)})
			if err != nil {
				return false, err.Error()
			}
			return v.Status == s3types.BucketVersioningStatusEnabled, string(v.Status)
		},
		driftField: "versioning",
		updateOp:   "PutBucketVersioning", ignoreUpdate: respondOK("PutBucketVersioning", ""),
	},
	{
		kind: "Queue", newObj: func() managedObj { return &sqsv1alpha1.Queue{} },
		minimal: func(ns, name string) managedObj { return queue(ns, name) },
		rich: func(t *testing.T, ns, name string) managedObj {
			// The dead-letter queue is one a Queue of the namespace made: through the shared config no other is allowed.
			dlq := name + "-dlq"
			if _, err := directSQS().CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(dlq),
				Tags: managedkind.AWSTags.Tags(&metav1.ObjectMeta{Namespace: ns, Name: dlq, UID: "made-by-the-test"})}); err != nil {
				t.Fatal(err)
			}
			// NOTE: redriveAllowPolicy is left out: moto stores it but never reports it (see the README).
			return queue(ns, name, func(q *sqsv1alpha1.Queue) {
				q.Spec.ForProvider = sqsv1alpha1.QueueParameters{
					Region: "eu-west-1", Tags: map[string]string{"team": "a"}, DelaySeconds: ptr.To(int32(5)), MaximumMessageSize: ptr.To(int32(2048)),
					MessageRetentionPeriod: ptr.To(int32(86400)), VisibilityTimeout: ptr.To(int32(45)), ReceiveMessageWaitTimeSeconds: ptr.To(int32(20)),
					ServerSideEncryption: &sqsv1alpha1.QueueEncryption{Type: "SQS"},
					Policy:               aws.String(denyInsecure("arn:aws:sqs:eu-west-1:123456789012:"+name, "sqs:*")),
					RedrivePolicy:        &sqsv1alpha1.RedrivePolicy{DeadLetterTargetARN: aws.String("arn:aws:sqs:eu-west-1:123456789012:" + dlq), MaxReceiveCount: 4},
				}
			})
		},
		poll: "ListQueueTags", tagWrites: []string{"TagQueue"},
		tags: func(t *testing.T, name string) map[string]string { _, tags := cloudQueue(t, name); return tags },
		full: func(t *testing.T, name string) {
			_, err := directSQS().CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Tags: map[string]string{"team": "legacy"}, Attributes: map[string]string{
				"DelaySeconds": "5", "MaximumMessageSize": "2048", "MessageRetentionPeriod": "86400", "VisibilityTimeout": "60", "ReceiveMessageWaitTimeSeconds": "10",
				"KmsMasterKeyId": "alias/aws/sqs", "KmsDataKeyReusePeriodSeconds": "600",
				"Policy":             `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sqs:SendMessage","Resource":"*"}]}`,
				"RedriveAllowPolicy": `{"redrivePermission":"denyAll"}`,
			}})
			if err != nil {
				t.Fatal(err)
			}
		},
		config: func(t *testing.T, name string) string {
			a, _ := cloudQueue(t, name)
			for _, k := range []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed", "LastModifiedTimestamp"} {
				delete(a, k)
			}
			return jsonOf(a)
		},
		withDriftField: func(mg managedObj) { mg.(*sqsv1alpha1.Queue).Spec.ForProvider.VisibilityTimeout = ptr.To(int32(30)) },
		drift: func(t *testing.T, name string) {
			if _, err := directSQS().SetQueueAttributes(context.Background(), &sqs.SetQueueAttributesInput{QueueUrl: cloudQueueURL(t, name), Attributes: map[string]string{"VisibilityTimeout": "99"}}); err != nil {
				t.Fatal(err)
			}
		},
		reverted: func(t *testing.T, name string) (bool, string) {
			a, _ := cloudQueue(t, name)
			return a["VisibilityTimeout"] == "30", a["VisibilityTimeout"]
		},
		driftField: "visibilityTimeout",
		updateOp:   "SetQueueAttributes", ignoreUpdate: respondOK("SetQueueAttributes", "{}"),
	},
	{
		kind: "Table", newObj: func() managedObj { return &ddbv1alpha1.Table{} },
		minimal: func(ns, name string) managedObj {
			return &ddbv1alpha1.Table{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: ddbv1alpha1.TableSpec{ForProvider: ddbv1alpha1.TableParameters{
				Region: "eu-west-1", HashKey: "pk", AttributeDefinitions: []ddbv1alpha1.AttributeDefinition{{Name: "pk", Type: "S"}},
			}}}
		},
		rich: func(_ *testing.T, ns, name string) managedObj {
			return table(ns, name, func(tb *ddbv1alpha1.Table) {
				p := &tb.Spec.ForProvider
				p.Tags = map[string]string{"team": "a"}
				p.GlobalSecondaryIndexes = []ddbv1alpha1.GlobalSecondaryIndex{{IndexName: "byUser", HashKey: "user", RangeKey: ptr.To("kind"),
					Projection:            ddbv1alpha1.Projection{Type: "INCLUDE", NonKeyAttributes: []string{"b", "a"}},
					ProvisionedThroughput: &ddbv1alpha1.Throughput{ReadCapacityUnits: 2, WriteCapacityUnits: 2}}}
				p.StreamViewType, p.TableClass, p.DeletionProtection = ptr.To("NEW_AND_OLD_IMAGES"), ptr.To("STANDARD"), ptr.To(false)
				p.ServerSideEncryption = &ddbv1alpha1.TableEncryption{Type: "AWS_MANAGED"}
				p.TimeToLive, p.PointInTimeRecovery = &ddbv1alpha1.TimeToLive{AttributeName: "expiresAt", Enabled: true}, ptr.To(true)
			})
		},
		poll: "DescribeTable", tagWrites: []string{"TagResource"}, tags: tableTags,
		full: func(t *testing.T, name string) {
			ctx, s := context.Background(), ddbtypes.ScalarAttributeTypeS
			_, err := directDDB().CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: ddbtypes.BillingModeProvisioned,
				ProvisionedThroughput: &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(3), WriteCapacityUnits: aws.Int64(3)},
				AttributeDefinitions:  []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: s}, {AttributeName: aws.String("user"), AttributeType: s}},
				KeySchema:             []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
				GlobalSecondaryIndexes: []ddbtypes.GlobalSecondaryIndex{{IndexName: aws.String("byUser"),
					KeySchema:             []ddbtypes.KeySchemaElement{{AttributeName: aws.String("user"), KeyType: ddbtypes.KeyTypeHash}},
					Projection:            &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeAll},
					ProvisionedThroughput: &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}}},
				StreamSpecification: &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewImage},
				SSESpecification:    &ddbtypes.SSESpecification{Enabled: aws.Bool(true), SSEType: ddbtypes.SSETypeKms},
				TableClass:          ddbtypes.TableClassStandardInfrequentAccess,
				Tags:                []ddbtypes.Tag{{Key: aws.String("team"), Value: aws.String("legacy")}},
			})
			if err == nil {
				_, err = directDDB().UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(name), TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: aws.String("expiresAt"), Enabled: aws.Bool(true)}})
			}
			if err == nil {
				_, err = directDDB().UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String(name), PointInTimeRecoverySpecification: &ddbtypes.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}})
			}
			if err != nil {
				t.Fatal(err)
			}
		},
		config: func(_ *testing.T, name string) string {
			ctx, n := context.Background(), aws.String(name)
			d := must(directDDB().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: n})).Table
			ttl := must(directDDB().DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: n})).TimeToLiveDescription
			pitr := must(directDDB().DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: n})).ContinuousBackupsDescription
			var idx []string
			for _, g := range d.GlobalSecondaryIndexes {
				idx = append(idx, aws.ToString(g.IndexName)+fmt.Sprint(aws.ToInt64(g.ProvisionedThroughput.ReadCapacityUnits)))
			}
			return jsonOf(d.BillingModeSummary, aws.ToInt64(d.ProvisionedThroughput.ReadCapacityUnits), aws.ToInt64(d.ProvisionedThroughput.WriteCapacityUnits),
				idx, d.StreamSpecification, d.SSEDescription, d.TableClassSummary, aws.ToBool(d.DeletionProtectionEnabled), ttl, pitr.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus)
		},
		withDriftField: func(mg managedObj) {
			mg.(*ddbv1alpha1.Table).Spec.ForProvider.ProvisionedThroughput = &ddbv1alpha1.Throughput{ReadCapacityUnits: 5, WriteCapacityUnits: 5}
		},
		drift: func(t *testing.T, name string) {
			if _, err := directDDB().UpdateTable(context.Background(), &dynamodb.UpdateTableInput{TableName: aws.String(name), BillingMode: ddbtypes.BillingModeProvisioned,
				ProvisionedThroughput: &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}}); err != nil {
				t.Fatal(err)
			}
		},
		reverted: func(_ *testing.T, name string) (bool, string) {
			d, err := directDDB().DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(name)})
			if err != nil {
				return false, err.Error()
			}
			r := aws.ToInt64(d.Table.ProvisionedThroughput.ReadCapacityUnits)
			return r == 5, fmt.Sprint(r)
		},
		driftField: "provisionedThroughput",
		updateOp:   "UpdateTable", ignoreUpdate: respondOK("UpdateTable", `{"TableDescription":{}}`),
	},
	{
		kind: "DBInstance", newObj: func() managedObj { return &rdsv1alpha1.DBInstance{} },
		minimal: func(ns, name string) managedObj {
			db := &rdsv1alpha1.DBInstance{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: rdsv1alpha1.DBInstanceSpec{ForProvider: rdsv1alpha1.DBInstanceParameters{
				Region: "eu-west-1", Engine: "postgres", DBInstanceClass: "db.t4g.micro", MasterUsername: "app",
				MasterPasswordSecretRef: rdsv1alpha1.PasswordSecretRef{Name: name + "-master", Generate: ptr.To(true)},
			}}}
			db.Spec.WriteConnectionSecretToReference = &xpv2.LocalSecretReference{Name: name + "-conn"}
			return db
		},
		rich: func(_ *testing.T, ns, name string) managedObj {
			return dbInstance(ns, name, func(db *rdsv1alpha1.DBInstance) {
				p := &db.Spec.ForProvider
				p.EngineVersion, p.DBInstanceClass, p.AllocatedStorage, p.MaxAllocatedStorage = ptr.To("16.3"), "db.t4g.small", ptr.To(int32(50)), ptr.To(int32(100))
				p.StorageType, p.Port, p.MultiAZ, p.PubliclyAccessible = ptr.To("gp3"), ptr.To(int32(5433)), ptr.To(true), ptr.To(false)
				p.BackupRetentionPeriod, p.PreferredBackupWindow = ptr.To(int32(5)), ptr.To("01:00-01:30")
				p.PreferredMaintenanceWindow = ptr.To("Sat:05:00-Sat:05:30") // RDS stores it lower-cased
				p.DeletionProtection, p.Tags = ptr.To(false), map[string]string{"team": "a"}
				p.FinalSnapshot = &rdsv1alpha1.FinalSnapshot{Skip: ptr.To(true)}
			})
		},
		poll: "DescribeDBInstances", tagWrites: []string{"AddTagsToResource"}, tags: dbTags,
		full: func(t *testing.T, name string) {
			_, err := directRDS().CreateDBInstance(context.Background(), &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(name), Engine: aws.String("postgres"),
				EngineVersion: aws.String("16.3"), DBInstanceClass: aws.String("db.t4g.micro"), AllocatedStorage: aws.Int32(50), MaxAllocatedStorage: aws.Int32(200),
				StorageType: aws.String("gp3"), MasterUsername: aws.String("app"), MasterUserPassword: aws.String("legacy-not-a-secret"), DBName: aws.String("legacy"),
				Port: aws.Int32(5433), MultiAZ: aws.Bool(true), PubliclyAccessible: aws.Bool(false), BackupRetentionPeriod: aws.Int32(9),
				PreferredBackupWindow: aws.String("01:00-01:30"), PreferredMaintenanceWindow: aws.String("sat:05:00-sat:05:30"), AutoMinorVersionUpgrade: aws.Bool(false),
				Tags: []rdstypes.Tag{{Key: aws.String("team"), Value: aws.String("legacy")}},
			})
			if err != nil {
				t.Fatal(err)
			}
		},
		config: func(_ *testing.T, name string) string {
			i := must(directRDS().DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(name)})).DBInstances[0]
			return jsonOf(i.EngineVersion, i.DBInstanceClass, i.AllocatedStorage, i.MaxAllocatedStorage, i.StorageType, i.DbInstancePort, i.MultiAZ, i.PubliclyAccessible,
				i.BackupRetentionPeriod, i.PreferredBackupWindow, i.PreferredMaintenanceWindow, i.AutoMinorVersionUpgrade, i.DeletionProtection, i.PendingModifiedValues)
		},
		withDriftField: func(mg managedObj) {
			mg.(*rdsv1alpha1.DBInstance).Spec.ForProvider.BackupRetentionPeriod = ptr.To(int32(7))
		},
		drift: func(t *testing.T, name string) {
			if _, err := directRDS().ModifyDBInstance(context.Background(), &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(name), BackupRetentionPeriod: aws.Int32(1), ApplyImmediately: aws.Bool(true)}); err != nil {
				t.Fatal(err)
			}
		},
		reverted: func(_ *testing.T, name string) (bool, string) {
			out, err := directRDS().DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(name)})
			if err != nil {
				return false, err.Error()
			}
			r := aws.ToInt32(out.DBInstances[0].BackupRetentionPeriod)
			return r == 7, fmt.Sprint(r)
		},
		driftField: "backupRetentionPeriod",
		updateOp:   "ModifyDBInstance",
		ignoreUpdate: respondOK("ModifyDBInstance", `<ModifyDBInstanceResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><ModifyDBInstanceResult><DBInstance>`+
			`</DBInstance></ModifyDBInstanceResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></ModifyDBInstanceResponse>`),
	},
}

func second[T any](_ T, err error) error { return err }

// contractFor returns the contract row of kind.
func contractFor(t *testing.T, kind string) kindContract {
	t.Helper()
	for _, k := range contracts {
		if k.name() == kind {
			return k
		}
	}
	t.Fatalf("no contract row for %s", kind)
	return kindContract{}
}

// waitPolls waits until n more reconciles have read the resource name.
func waitPolls(t *testing.T, op, name string, n int) {
	t.Helper()
	start := proxy.Count(op, name)
	eventually(t, fmt.Sprintf("%d more polls", n), func() (bool, string) {
		got := proxy.Count(op, name) - start
		return got >= n, fmt.Sprint(got)
	})
}

// updateEvents are the events that say the provider changed something.
func updateEvents(t *testing.T, ns, name string) []string {
	var out []string
	for _, e := range events(t, ns, name) {
		for _, r := range []string{string(managedkind.ReasonDrift), string(managedkind.ReasonChange)} {
			if strings.HasPrefix(e, r+": ") {
				out = append(out, e)
			}
		}
	}
	return out
}

func opsOf(calls []harness.Call) []string {
	out := make([]string, 0, len(calls))
	for _, c := range calls {
		out = append(out, c.Operation)
	}
	return out
}

// TestEveryKindHasAContract: a kind registered (controller.Kinds, its one registration) joins the contract table
// too, so no kind ships without the behaviours every kind promises.
func TestEveryKindHasAContract(t *testing.T) {
	covered := map[reflect.Type]bool{}
	for _, k := range contracts {
		covered[reflect.TypeOf(k.newObj())] = true
	}
	for _, k := range controller.Kinds() {
		if !covered[reflect.TypeOf(k.NewManaged())] {
			t.Errorf("%s is registered but has no row in the contract table (contracts)", k.GroupVersionKind())
		}
	}
}

func TestKindContract(t *testing.T) {
	t.Parallel()
	for _, k := range contracts {
		t.Run(k.name(), func(t *testing.T) {
			t.Parallel()

			// T13: a minimal spec, created; the cloud fills in its defaults. Once Ready: ten polls, no mutating call,
			// no update event, and the spec is the user's (generation 1).
			t.Run("MinimalSpecSettles", func(t *testing.T) {
				t.Parallel()
				ns, name := namespace(t), "min-"+suffix()
				create(t, k.minimal(ns, name))
				waitMR(t, ns, name, "Ready", k.newObj, readySynced[managedObj])
				mutating := len(k.w().Mutating(k.at(name)))
				before := getMR(t, ns, name, k.newObj()).GetResourceVersion()
				k.waitPolls(t, name, 10)
				if got := k.w().Mutating(k.at(name))[mutating:]; len(got) != 0 {
					t.Errorf("mutating calls after Ready: %v", opsOf(got))
				}
				if after := getMR(t, ns, name, k.newObj()).GetResourceVersion(); after != before {
					t.Errorf("the object was written while in sync: resourceVersion %s -> %s", before, after)
				}
				if evs := updateEvents(t, ns, name); len(evs) != 0 {
					t.Errorf("update events after a create: %v", evs)
				}
				if g := getMR(t, ns, name, k.newObj()).GetGeneration(); g != 1 {
					t.Errorf("generation %d: the provider wrote the spec", g)
				}
			})

			// Every field group set, in the spellings users write: once Ready, the cloud's own spelling of what it
			// stored is in sync — no mutating call, no update event over several polls.
			t.Run("EverySettingSettles", func(t *testing.T) {
				t.Parallel()
				ns, name := namespace(t), "rich-"+suffix()
				create(t, k.rich(t, ns, name))
				waitMR(t, ns, name, "Ready", k.newObj, readySynced[managedObj])
				mutating := len(k.w().Mutating(k.at(name)))
				k.waitPolls(t, name, 6)
				if got := k.w().Mutating(k.at(name))[mutating:]; len(got) != 0 {
					t.Errorf("mutating calls after Ready: %v", opsOf(got))
				}
				if evs := updateEvents(t, ns, name); len(evs) != 0 {
					t.Errorf("update events after a create: %v", evs)
				}
			})

			// Unset means unmanaged: a resource with every optional field set, adopted with a minimal spec, is only
			// tagged as the managed resource's own — its configuration is as it was, over several polls.
			t.Run("AdoptedWithMinimalSpecUnchanged", func(t *testing.T) {
				t.Parallel()
				ns, name := namespace(t), "adopt-"+suffix()
				k.full(t, name)
				before := k.config(t, name)
				mg := k.minimal(ns, name)
				if db, ok := mg.(*rdsv1alpha1.DBInstance); ok {
					// Without a connection Secret there is no password to set: adoption keeps the instance's.
					db.Spec.WriteConnectionSecretToReference = nil
				}
				// Not without asking: refused, untouched.
				create(t, mg)
				waitMR(t, ns, name, "refused", k.newObj, func(mg managedObj) (bool, string) {
					return syncError("already exists and was not created by this " + k.kind + ": set spec.adoptExisting")(mg.GetCondition(xpv2.TypeSynced))
				})
				if got := k.w().Mutating(k.at(name)); len(got) != 0 {
					t.Fatalf("mutating calls on a resource the %s may not take: %v", k.kind, opsOf(got))
				}
				updateMR(t, ns, name, k.newObj, func(mg managedObj) { adopt(mg) })
				waitMR(t, ns, name, "Ready", k.newObj, readySynced[managedObj])
				k.waitPolls(t, name, 4)
				for _, c := range k.w().Mutating(k.at(name)) {
					if !contains(k.tagWrites, c.Operation) {
						t.Errorf("adopting with a minimal spec sent %s: only the ownership tags may be written", c.Operation)
					}
				}
				if after := k.config(t, name); after != before {
					t.Errorf("the adopted resource changed:\nbefore %s\nafter  %s", before, after)
				}
				if k.claimKind != "" {
					if got := k.owner(t, name); got != ns {
						t.Errorf("the adopted resource's claim is held by %q, want %s", got, ns)
					}
				} else if tags := k.tags(t, name); tags["team"] != "legacy" || tags[k.mark().NamespaceKey] != ns {
					t.Errorf("adopting with no tags in the spec: other tools' tags are kept and the ownership tags added, got %v", tags)
				}
			})

			// With policies that only observe, the resource says what writes would change and changes nothing: in
			// sync first, then, drifted behind the provider's back, naming the drifted field; with writes allowed
			// again the drift is reverted and the condition says writes are allowed.
			t.Run("ObserveOnlyReport", func(t *testing.T) {
				t.Parallel()
				ns, name := namespace(t), "observed-"+suffix()
				mg := k.minimal(ns, name)
				k.withDriftField(mg)
				create(t, mg)
				waitMR(t, ns, name, "Ready", k.newObj, readySynced[managedObj])
				updateMR(t, ns, name, k.newObj, func(mg managedObj) { observeOnly(mg) })
				waitMR(t, ns, name, "reported in sync", k.newObj, wouldChange(corev1.ConditionFalse, "allowing writes would change nothing"))
				mutating := len(k.w().Mutating(k.at(name)))
				k.drift(t, name)
				waitMR(t, ns, name, "reported drifted", k.newObj, wouldChange(corev1.ConditionTrue, k.driftField))
				if got := k.w().Mutating(k.at(name))[mutating:]; len(got) != 0 {
					t.Errorf("a resource that only observes made mutating calls: %v", opsOf(got))
				}
				updateMR(t, ns, name, k.newObj, func(mg managedObj) {
					mg.(interface{ SetManagementPolicies(xpv2.ManagementPolicies) }).SetManagementPolicies(xpv2.ManagementPolicies{xpv2.ManagementActionAll})
				})
				eventually(t, k.driftField+" reverted once writes are allowed", func() (bool, string) { return k.reverted(t, name) })
				waitMR(t, ns, name, "reported writes allowed", k.newObj, wouldChange(corev1.ConditionFalse, "allow writes"))
			})

			// Drift held for review (annotation stateful.dev/drift: hold): drifted behind the provider's back, the
			// resource names the field with the spec's and the cloud's values and sends nothing over several polls;
			// approved with the condition's token, the drift is reverted, once, and the resource is in sync again.
			t.Run("DriftHeld", func(t *testing.T) {
				t.Parallel()
				ns, name := namespace(t), "held-"+suffix()
				mg := k.minimal(ns, name)
				k.withDriftField(mg)
				mg.SetAnnotations(map[string]string{v1alpha1.AnnotationDrift: v1alpha1.DriftHold})
				create(t, mg)
				waitMR(t, ns, name, "in sync, recorded", k.newObj, drift(corev1.ConditionFalse, v1alpha1.ReasonInSync, "matches generation 1"))
				mutating := len(k.w().Mutating(k.at(name)))
				k.drift(t, name)
				held := waitMR(t, ns, name, "holding the drift", k.newObj, drift(corev1.ConditionTrue, v1alpha1.ReasonDriftHeld, k.driftField+" (spec: "))
				k.waitPolls(t, name, 3)
				if got := k.w().Mutating(k.at(name))[mutating:]; len(got) != 0 {
					t.Errorf("held drift was written to: %v", opsOf(got))
				}
				if ok, _ := k.reverted(t, name); ok {
					t.Fatal("held drift was reverted without approval")
				}
				if c := held.GetCondition(v1alpha1.TypeDrift); strings.Contains(c.Message, "not reported in status.atProvider") {
					t.Errorf("the Drift condition does not say the cloud's value: %s", c.Message)
				}
				if !hasEvent(t, ns, name, string(managedkind.ReasonDriftHeld)+": ") {
					t.Errorf("no DriftHeld event: %v", events(t, ns, name))
				}
				token := strings.SplitN(strings.SplitN(held.GetCondition(v1alpha1.TypeDrift).Message, v1alpha1.AnnotationRevertDrift+"=", 2)[1], ";", 2)[0]
				updateMR(t, ns, name, k.newObj, func(mg managedObj) {
					a := mg.GetAnnotations()
					a[v1alpha1.AnnotationRevertDrift] = token
					mg.SetAnnotations(a)
				})
				eventually(t, k.driftField+" reverted once approved", func() (bool, string) { return k.reverted(t, name) })
				waitMR(t, ns, name, "in sync again", k.newObj, drift(corev1.ConditionFalse, v1alpha1.ReasonInSync, "matches generation 1"))
				reverting := len(k.w().Mutating(k.at(name)))
				k.waitPolls(t, name, 2)
				if got := k.w().Mutating(k.at(name))[reverting:]; len(got) != 0 {
					t.Errorf("mutating calls after the approved revert: %v", opsOf(got))
				}
				if evs := updateEvents(t, ns, name); len(evs) != 1 || !strings.Contains(evs[0], k.driftField) {
					t.Errorf("want one event reverting %s, got %v", k.driftField, evs)
				}
			})

			// The update-loop breaker (issue 26 §2): a cloud that silently ignores the update of the drifted field
			// (the proxy answers it with success and forwards nothing) gets it exactly the limit's number of times;
			// then writes stop, the condition names the field with the spec's and the cloud's values, and nothing
			// more is sent over several polls. A retry asked for by annotation resumes writes: the update reaches the
			// cloud and the field is reverted.
			t.Run("UpdateLoopStopped", func(t *testing.T) {
				t.Parallel()
				ns, name := namespace(t), "loop-"+suffix()
				mg := k.minimal(ns, name)
				k.withDriftField(mg)
				create(t, mg)
				waitMR(t, ns, name, "Ready", k.newObj, readySynced[managedObj])
				before := k.w().Count(k.updateOp, k.at(name))
				k.ignoreUpdate(k.w(), k.at(name), updateLoopLimit)
				k.drift(t, name)
				waitMR(t, ns, name, "writes stopped", k.newObj, func(mg managedObj) (bool, string) {
					c := mg.GetCondition(v1alpha1.TypeUpdateLoop)
					return c.Status == corev1.ConditionTrue && strings.Contains(c.Message, k.driftField+" (spec: "), c.Message
				})
				stopped := k.w().Count(k.updateOp, k.at(name))
				k.waitPolls(t, name, 3)
				if got := k.w().Count(k.updateOp, k.at(name)); got != stopped || stopped-before != updateLoopLimit {
					t.Errorf("%s sent %d times before the stop (want the limit, %d) and %d after it (want 0)", k.updateOp, stopped-before, updateLoopLimit, got-stopped)
				}
				if !hasEvent(t, ns, name, string(managedkind.ReasonUpdateLoop)+": ") {
					t.Errorf("no %s event: %v", managedkind.ReasonUpdateLoop, events(t, ns, name))
				}
				updateMR(t, ns, name, k.newObj, func(mg managedObj) {
					a := mg.GetAnnotations()
					if a == nil {
						a = map[string]string{}
					}
					a[v1alpha1.AnnotationRetryUpdates] = "1"
					mg.SetAnnotations(a)
				})
				eventually(t, k.driftField+" reverted once retried", func() (bool, string) { return k.reverted(t, name) })
				waitMR(t, ns, name, "writes resumed", k.newObj, func(mg managedObj) (bool, string) {
					c := mg.GetCondition(v1alpha1.TypeUpdateLoop)
					return c.Status == corev1.ConditionFalse, c.Message
				})
			})

			// Through the shared config, adopting or observing what the provider did not make is the administrator's
			// decision: without a rule of allowedAdoptions admitting the namespace and name, both are refused at
			// connect — no call about the resource reaches the cloud — and the admin's rule lets the adoption in.
			t.Run("AdoptionNeedsTheAdministrator", func(t *testing.T) {
				t.Parallel()
				ns, name := namespace(t), "taken-"+suffix()
				k.full(t, name)
				at := k.at(name)
				about := func(c harness.Call) bool { return c.Bucket == at }
				calls := len(k.w().Calls(about))
				refused := func(mg managedObj) (bool, string) {
					return syncError("allowedAdoptions." + adoptionList(mg) + " admits that name for namespace " + ns)(mg.GetCondition(xpv2.TypeSynced))
				}
				mg := k.minimal(ns, name)
				observeOnly(mg)
				if db, ok := mg.(*rdsv1alpha1.DBInstance); ok {
					db.Spec.WriteConnectionSecretToReference = nil
				}
				create(t, mg)
				waitMR(t, ns, name, "observing refused", k.newObj, refused)
				updateMR(t, ns, name, k.newObj, func(mg managedObj) {
					mg.(interface{ SetManagementPolicies(xpv2.ManagementPolicies) }).SetManagementPolicies(xpv2.ManagementPolicies{xpv2.ManagementActionAll})
					adopt(mg)
				})
				waitMR(t, ns, name, "adopting refused", k.newObj, func(mg managedObj) (bool, string) {
					if mg.GetCondition(xpv2.TypeSynced).ObservedGeneration < 2 {
						return false, "not yet reconciled at generation 2"
					}
					return refused(mg)
				})
				if got := k.w().Calls(about)[calls:]; len(got) != 0 {
					t.Fatalf("a refused adoption reached the cloud: %v", opsOf(got))
				}
				allowAdoption(t, ns, mg, name)
				waitMR(t, ns, name, "adopted", k.newObj, readySynced[managedObj])
				if got := k.owner(t, name); got != ns {
					t.Errorf("the adopted resource is owned by %q, want %s", got, ns)
				}
			})

			// Drift is reverted and the event names the spec's field; another namespace's managed resource of the
			// same name is refused without touching it; an ObserveOnly import writes nothing.
			t.Run("DriftCollisionImport", func(t *testing.T) {
				t.Parallel()
				a, b := namespace(t), namespace(t)
				name := "shared-" + suffix()
				mg := k.minimal(a, name)
				k.withDriftField(mg)
				create(t, mg)
				waitMR(t, a, name, "Ready", k.newObj, readySynced[managedObj])
				k.drift(t, name)
				eventually(t, k.driftField+" reverted", func() (bool, string) { return k.reverted(t, name) })
				driftEvent(t, a, name, k.driftField)

				mutating := len(k.w().Mutating(k.at(name)))
				create(t, k.minimal(b, name))
				waitMR(t, b, name, "refused", k.newObj, func(mg managedObj) (bool, string) {
					return syncError("belongs to " + k.kind + " " + a + "/" + name)(mg.GetCondition(xpv2.TypeSynced))
				})
				k.waitPolls(t, name, 2)
				deleteAndWait(t, b, name, k.newObj)
				for _, c := range k.w().Mutating(k.at(name))[mutating:] {
					t.Errorf("the colliding %s in %s made a %s call", k.kind, b, c.Operation)
				}
				if got := k.owner(t, name); got != a {
					t.Errorf("after the colliding %s was deleted, the resource of %s/%s is owned by %q", k.kind, a, name, got)
				}

				legacy := "legacy-" + suffix()
				k.full(t, legacy)
				imp := k.minimal(b, legacy)
				observeOnly(imp)
				if db, ok := imp.(*rdsv1alpha1.DBInstance); ok {
					db.Spec.WriteConnectionSecretToReference = nil
				}
				create(t, imp)
				waitMR(t, b, legacy, "observed", k.newObj, readySynced[managedObj])
				k.waitPolls(t, legacy, 2)
				if got := k.w().Mutating(k.at(legacy)); len(got) != 0 {
					t.Errorf("ObserveOnly made mutating calls: %v", opsOf(got))
				}
			})
		})
	}
}

// adoptionList is the allowedAdoptions list of mg's kind.
func adoptionList(mg managedObj) string {
	switch mg.(type) {
	case *s3v1alpha1.Bucket, *gcsv1alpha1.Bucket:
		return "buckets"
	case *sqsv1alpha1.Queue:
		return "queues"
	case *rdsv1alpha1.DBInstance:
		return "dbInstances"
	case *ddbv1alpha1.Table:
		return "tables"
	case *pubsubv1alpha1.Topic:
		return "topics"
	case *pubsubv1alpha1.Subscription:
		return "subscriptions"
	case *btv1alpha1.Table:
		return "bigtableTables"
	}
	panic(fmt.Sprintf("no adoption list for %T", mg))
}

// allowAdoption is the platform administrator's edit of the default config: namespace ns may adopt name (of mg's
// kind).
func allowAdoption(t *testing.T, ns string, mg managedObj, name string) {
	t.Helper()
	rule := v1alpha1.AdoptionRule{Namespaces: []string{ns}, Names: v1alpha1.AdoptionPatterns{name}}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		c := &v1alpha1.ClusterProviderConfig{}
		if err := kube.Get(context.Background(), client.ObjectKey{Name: "default"}, c); err != nil {
			return err
		}
		aws, gcp := c.Spec.AWS.AllowedAdoptions, c.Spec.GCP.AllowedAdoptions
		switch mg.(type) {
		case *s3v1alpha1.Bucket:
			aws.Buckets = append(aws.Buckets, rule)
		case *sqsv1alpha1.Queue:
			aws.Queues = append(aws.Queues, rule)
		case *rdsv1alpha1.DBInstance:
			aws.DBInstances = append(aws.DBInstances, rule)
		case *ddbv1alpha1.Table:
			aws.Tables = append(aws.Tables, rule)
		case *gcsv1alpha1.Bucket:
			gcp.Buckets = append(gcp.Buckets, rule)
		case *pubsubv1alpha1.Topic:
			gcp.Topics = append(gcp.Topics, rule)
		case *pubsubv1alpha1.Subscription:
			gcp.Subscriptions = append(gcp.Subscriptions, rule)
		case *btv1alpha1.Table:
			rule.Names = v1alpha1.AdoptionPatterns{btInstance + "/" + name}
			gcp.BigtableTables = append(gcp.BigtableTables, rule)
		}
		return kube.Update(context.Background(), c)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// deleteAndWait deletes ns/name and waits until it is gone.
func deleteAndWait(t *testing.T, ns, name string, newObj func() managedObj) {
	t.Helper()
	mg := newObj()
	mg.SetNamespace(ns)
	mg.SetName(name)
	if err := kube.Delete(context.Background(), mg); err != nil {
		t.Fatal(err)
	}
	eventually(t, ns+"/"+name+" gone", func() (bool, string) {
		err := kube.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, newObj())
		return kerrors.IsNotFound(err), fmt.Sprint(err)
	})
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// denyInsecure is a policy that denies plain-HTTP access to resource, with a boolean condition value.
func denyInsecure(resource, action string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"TLSOnly","Effect":"Deny","Principal":"*","Action":"` + action + `","Resource":"` + resource +
		`","Condition":{"Bool":{"aws:SecureTransport":false}}}]}`
}

// respell writes a policy document the way AWS may return it: keys in another order, whitespace, one statement as
// an object rather than a list, string sets as arrays, condition values as strings.
func respell(doc string) string {
	var m map[string]any
	if json.Unmarshal([]byte(doc), &m) != nil {
		return doc
	}
	if st, ok := m["Statement"].([]any); ok && len(st) == 1 {
		s := st[0].(map[string]any)
		for _, k := range []string{"Action", "Resource"} {
			if v, ok := s[k].(string); ok {
				s[k] = []any{v}
			}
		}
		if c, ok := s["Condition"].(map[string]any); ok {
			for _, ops := range c {
				for k, v := range ops.(map[string]any) {
					ops.(map[string]any)[k] = fmt.Sprint(v)
				}
			}
		}
		m["Statement"] = s
	}
	b, _ := json.MarshalIndent(m, "", "    ")
	return string(b)
}

// T14: a policy AWS returns respelled (reordered keys, whitespace, string vs array, boolean vs string) is in sync:
// no update over several polls. A real change is exactly one update.
func TestPolicyRespelledInSync(t *testing.T) {
	t.Parallel()
	cases := []struct {
		kind, read, write string
		obj               func(ns, name, doc string) managedObj
		newObj            func() managedObj
		setPolicy         func(mg managedObj, doc string)
		resource          func(name string) string
		respell           func(body []byte) []byte
	}{
		{
			kind: "Bucket", read: "GetBucketPolicy", write: "PutBucketPolicy", newObj: func() managedObj { return &s3v1alpha1.Bucket{} },
			obj: func(ns, name, doc string) managedObj {
				return bucket(ns, name, func(b *s3v1alpha1.Bucket) { b.Spec.ForProvider.Policy = aws.String(doc) })
			},
			setPolicy: func(mg managedObj, doc string) { mg.(*s3v1alpha1.Bucket).Spec.ForProvider.Policy = aws.String(doc) },
			resource:  func(name string) string { return "arn:aws:s3:::" + name + "/*" },
			respell:   func(body []byte) []byte { return []byte(respell(string(body))) },
		},
		{
			kind: "Queue", read: "GetQueueAttributes", write: "SetQueueAttributes", newObj: func() managedObj { return &sqsv1alpha1.Queue{} },
			obj: func(ns, name, doc string) managedObj {
				return queue(ns, name, func(q *sqsv1alpha1.Queue) { q.Spec.ForProvider.Policy = aws.String(doc) })
			},
			setPolicy: func(mg managedObj, doc string) { mg.(*sqsv1alpha1.Queue).Spec.ForProvider.Policy = aws.String(doc) },
			resource:  func(name string) string { return "arn:aws:sqs:eu-west-1:123456789012:" + name },
			respell: func(body []byte) []byte {
				var out map[string]map[string]string
				if json.Unmarshal(body, &out) != nil || out["Attributes"]["Policy"] == "" {
					return body
				}
				out["Attributes"]["Policy"] = respell(out["Attributes"]["Policy"])
				b, _ := json.Marshal(out)
				return b
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.kind, func(t *testing.T) {
			t.Parallel()
			ns, name := namespace(t), "respelled-"+suffix()
			create(t, tc.obj(ns, name, denyInsecure(tc.resource(name), "*")))
			waitMR(t, ns, name, "Ready", tc.newObj, readySynced[managedObj])
			writes := proxy.Count(tc.write, name)
			proxy.Rewrite(tc.read, name, -1, func(status int, body []byte) (int, []byte) { return status, tc.respell(body) })
			waitPolls(t, tc.read, name, 4)
			if n := proxy.Count(tc.write, name) - writes; n != 0 {
				t.Errorf("%d %s calls for a policy AWS only respelled", n, tc.write)
			}

			updateMR(t, ns, name, tc.newObj, func(mg managedObj) {
				tc.setPolicy(mg, denyInsecure(tc.resource(name), map[string]string{"Bucket": "s3:GetObject", "Queue": "sqs:SendMessage"}[tc.kind]))
			})
			eventually(t, "the changed policy sent", func() (bool, string) {
				n := proxy.Count(tc.write, name) - writes
				return n >= 1, fmt.Sprint(n)
			})
			waitPolls(t, tc.read, name, 4)
			if n := proxy.Count(tc.write, name) - writes; n != 1 {
				t.Errorf("a real policy change: want exactly 1 %s, got %d", tc.write, n)
			}
		})
	}
}
