package readonly_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/go-cmp/cmp"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	awsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws"
	s3client "github.com/stateful-dev/provider-stateful/internal/clients/aws/s3"
	sqsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws/sqs"
	"github.com/stateful-dev/provider-stateful/internal/clients/readonly"
)

// outcome is what became of one call: whether the server received it, and whether the guard refused it.
type outcome struct {
	Sent    bool
	Refused bool
}

// server counts what it receives; a test compares the count before and after each call.
type server struct {
	*httptest.Server
	n atomic.Int64
}

func newServer(t *testing.T, body string) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.n.Add(1)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

// run makes the call and says what became of it. The answer's content does not matter: an SDK that cannot read
// the test server's empty answer still sent the request.
func (s *server) run(call func() error) outcome {
	before := s.n.Load()
	err := call()
	var refused *readonly.RefusedError
	return outcome{Sent: s.n.Load() > before, Refused: errors.As(err, &refused)}
}

// awsConfig is the configuration the provider builds for a Secret's keys, read-only as plan --refresh builds it,
// with one attempt per call (a refused call is never retried anyway; a read the test server answers oddly need
// not be).
func awsConfig(t *testing.T, url string) aws.Config {
	t.Helper()
	cfg, err := awsclient.NewConfig(context.Background(), awsclient.Settings{
		Source:   v1alpha1.AWSCredentialsSecret,
		Static:   awsclient.StaticKeys{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"},
		Endpoint: &v1alpha1.AWSEndpoint{URL: url},
		ReadOnly: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	return cfg
}

var (
	sent    = outcome{Sent: true}
	refused = outcome{Refused: true}
)

// Every operation the AWS kinds call, through the SDK's own clients: each read the kinds' Observe uses reaches the
// server, and each write is refused before it leaves the process (the server never sees it).
func TestAWSOperations(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t, "{}")
	cfg := awsConfig(t, srv.URL)
	b := aws.String("b")
	s3c := s3client.New(cfg, "us-east-1", true)
	sqsc := sqsclient.New(cfg, "us-east-1")
	rdsc := rds.NewFromConfig(cfg, func(o *rds.Options) { o.Region = "us-east-1" })
	ddb := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.Region = "us-east-1" })
	q := aws.String("http://sqs/000000000000/q")
	tbl := aws.String("t")
	arn := aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/t")
	db := aws.String("db")

	cases := map[string]struct {
		reason string
		call   func() error
		want   outcome
	}{
		// S3: REST, judged by method.
		"S3HeadBucket":       {reason: "HEAD reads", call: func() error { _, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b}); return err }, want: sent},
		"S3GetBucketTagging": {reason: "GET reads", call: func() error { _, err := s3c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b}); return err }, want: sent},
		"S3GetBucketVersioning": {reason: "GET reads", call: func() error {
			_, err := s3c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
			return err
		}, want: sent},
		"S3GetBucketEncryption": {reason: "GET reads", call: func() error {
			_, err := s3c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
			return err
		}, want: sent},
		"S3GetPublicAccessBlock": {reason: "GET reads", call: func() error {
			_, err := s3c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
			return err
		}, want: sent},
		"S3GetBucketOwnershipControls": {reason: "GET reads", call: func() error {
			_, err := s3c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
			return err
		}, want: sent},
		"S3GetBucketLifecycleConfiguration": {reason: "GET reads", call: func() error {
			_, err := s3c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
			return err
		}, want: sent},
		"S3GetBucketCors":   {reason: "GET reads", call: func() error { _, err := s3c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b}); return err }, want: sent},
		"S3GetBucketPolicy": {reason: "GET reads", call: func() error { _, err := s3c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b}); return err }, want: sent},
		"S3ListObjectVersions": {reason: "a list is a GET", call: func() error {
			_, err := s3c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: b})
			return err
		}, want: sent},
		"S3CreateBucket": {reason: "PUT writes", call: func() error { _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}); return err }, want: refused},
		"S3PutBucketTagging": {reason: "PUT writes", call: func() error {
			_, err := s3c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
			return err
		}, want: refused},
		"S3PutBucketVersioning": {reason: "PUT writes", call: func() error {
			_, err := s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &s3types.VersioningConfiguration{}})
			return err
		}, want: refused},
		"S3PutBucketPolicy": {reason: "PUT writes", call: func() error {
			_, err := s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String("{}")})
			return err
		}, want: refused},
		"S3DeleteBucketCors": {reason: "DELETE writes", call: func() error {
			_, err := s3c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: b})
			return err
		}, want: refused},
		"S3DeleteBucket": {reason: "DELETE writes", call: func() error { _, err := s3c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b}); return err }, want: refused},
		"S3DeleteObjects": {reason: "a POST writes", call: func() error {
			_, err := s3c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: aws.String("k")}}}})
			return err
		}, want: refused},

		// SQS: JSON protocol, judged by X-Amz-Target.
		"SQSGetQueueUrl": {reason: "Get reads", call: func() error {
			_, err := sqsc.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("q")})
			return err
		}, want: sent},
		"SQSGetQueueAttributes": {reason: "Get reads", call: func() error {
			_, err := sqsc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q})
			return err
		}, want: sent},
		"SQSListQueueTags": {reason: "List reads", call: func() error { _, err := sqsc.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: q}); return err }, want: sent},
		"SQSCreateQueue": {reason: "Create writes", call: func() error {
			_, err := sqsc.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")})
			return err
		}, want: refused},
		"SQSSetQueueAttributes": {reason: "Set writes", call: func() error {
			_, err := sqsc.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: q, Attributes: map[string]string{"VisibilityTimeout": "1"}})
			return err
		}, want: refused},
		"SQSTagQueue": {reason: "Tag writes", call: func() error {
			_, err := sqsc.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: q, Tags: map[string]string{"a": "b"}})
			return err
		}, want: refused},
		"SQSUntagQueue": {reason: "Untag writes", call: func() error {
			_, err := sqsc.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: q, TagKeys: []string{"a"}})
			return err
		}, want: refused},
		"SQSDeleteQueue": {reason: "Delete writes", call: func() error { _, err := sqsc.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: q}); return err }, want: refused},

		// RDS: query protocol, judged by the form's Action.
		"RDSDescribeDBInstances": {reason: "Describe reads", call: func() error {
			_, err := rdsc.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: db})
			return err
		}, want: sent},
		"RDSCreateDBInstance": {reason: "Create writes", call: func() error {
			_, err := rdsc.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: db, DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("postgres")})
			return err
		}, want: refused},
		"RDSModifyDBInstance": {reason: "Modify writes", call: func() error {
			_, err := rdsc.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: db})
			return err
		}, want: refused},
		"RDSAddTagsToResource": {reason: "AddTags writes", call: func() error {
			_, err := rdsc.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: arn, Tags: []rdstypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, want: refused},
		"RDSRemoveTagsFromResource": {reason: "RemoveTags writes", call: func() error {
			_, err := rdsc.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: arn, TagKeys: []string{"a"}})
			return err
		}, want: refused},
		"RDSDeleteDBInstance": {reason: "Delete writes", call: func() error {
			_, err := rdsc.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: db})
			return err
		}, want: refused},

		// DynamoDB: JSON protocol.
		"DynamoDBDescribeTable": {reason: "Describe reads", call: func() error {
			_, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: tbl})
			return err
		}, want: sent},
		"DynamoDBDescribeTimeToLive": {reason: "Describe reads", call: func() error {
			_, err := ddb.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: tbl})
			return err
		}, want: sent},
		"DynamoDBDescribeContinuousBackups": {reason: "Describe reads", call: func() error {
			_, err := ddb.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: tbl})
			return err
		}, want: sent},
		"DynamoDBListTagsOfResource": {reason: "List reads", call: func() error {
			_, err := ddb.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: arn})
			return err
		}, want: sent},
		"DynamoDBUpdateTable": {reason: "Update writes", call: func() error {
			_, err := ddb.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: tbl})
			return err
		}, want: refused},
		"DynamoDBUpdateTimeToLive": {reason: "Update writes", call: func() error {
			_, err := ddb.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: tbl, TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: aws.String("ttl"), Enabled: aws.Bool(true)}})
			return err
		}, want: refused},
		"DynamoDBTagResource": {reason: "Tag writes", call: func() error {
			_, err := ddb.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: arn, Tags: []ddbtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, want: refused},
		"DynamoDBDeleteTable": {reason: "Delete writes", call: func() error {
			_, err := ddb.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: tbl})
			return err
		}, want: refused},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, srv.run(tc.call)); diff != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// The provider's own configuration (not ReadOnly) is unguarded: a write is sent.
func TestAWSProviderUnguarded(t *testing.T) {
	srv := newServer(t, "{}")
	cfg, err := awsclient.NewConfig(context.Background(), awsclient.Settings{
		Source: v1alpha1.AWSCredentialsSecret, Static: awsclient.StaticKeys{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"},
		Endpoint: &v1alpha1.AWSEndpoint{URL: srv.URL},
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
	c := sqsclient.New(cfg, "us-east-1")
	got := srv.run(func() error {
		_, err := c.SetQueueAttributes(context.Background(), &sqs.SetQueueAttributesInput{QueueUrl: aws.String("http://sqs/q"), Attributes: map[string]string{"A": "1"}})
		return err
	})
	if diff := cmp.Diff(sent, got); diff != "" {
		t.Errorf("the provider's client sends its writes: -want, +got:\n%s", diff)
	}
}
