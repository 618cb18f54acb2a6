package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

const region = "eu-west-1"

// A kind is one managed resource kind in a burst: its manifest, how the proxy names its cloud calls, and the
// floor — the fewest SDK calls that do what the provider does for a minimal spec, under the managed reconciler's
// protocol (a read that finds nothing, the create, a read that confirms it, one call per sub-configuration the
// spec sets).
type kind struct {
	name string
	gvk  schema.GroupVersionKind
	// spec is spec.forProvider of a minimal resource; every one carries tag bench=s1 (S4 drifts it).
	spec func(name string) map[string]any
	// creates are the proxy's names of the operations that create the cloud resource.
	creates []string
	// pollOp is the read every observation of this kind makes once: how often it is seen is how often the
	// resource is polled.
	pollOp string
	// remove deletes the cloud resource (the floor's, after it is measured).
	remove func(ctx context.Context, c *clouds, name string) error
	// floor makes the cloud resource name with the fewest calls.
	floor func(ctx context.Context, c *clouds, name string) error
	// drift changes the resource behind the provider's back; drifted reports whether it still differs.
	drift   func(ctx context.Context, c *clouds, name string) error
	drifted func(ctx context.Context, c *clouds, name string) (bool, error)
	// list names the cloud resources of this kind whose name starts with prefix (leaks after a delete).
	list func(ctx context.Context, c *clouds, prefix string) ([]string, error)
}

// clouds are plain SDK clients, straight to moto (to drift and to count leaks: not through the proxy) or
// through the proxy (the floor, counted like the provider).
type clouds struct {
	s3  *s3.Client
	sqs *sqs.Client
}

func newClouds(endpoint string) *clouds {
	cfg := aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider("AKIALOCALSTACKEXAMPLE", "local-stack-not-a-secret", ""),
	}
	return &clouds{
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.BaseEndpoint, o.UsePathStyle = aws.String(endpoint), true
		}),
		sqs: sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(endpoint) }),
	}
}

var benchTags = map[string]any{"bench": "s1"}

var bucketKind = kind{
	name: "bucket", gvk: schema.GroupVersionKind{Group: "s3.aws.stateful.dev", Version: "v1alpha1", Kind: "Bucket"},
	spec:    func(string) map[string]any { return map[string]any{"region": region, "tags": benchTags} },
	creates: []string{"CreateBucket"}, pollOp: "HeadBucket",
	remove: func(ctx context.Context, c *clouds, name string) error {
		_, err := c.s3.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &name})
		return err
	},
	floor: func(ctx context.Context, c *clouds, name string) error {
		if _, err := c.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &name}); err == nil {
			return fmt.Errorf("bucket %s exists before the floor run", name)
		}
		if _, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name, CreateBucketConfiguration: &s3types.CreateBucketConfiguration{
			LocationConstraint: s3types.BucketLocationConstraint(region),
		}}); err != nil {
			return err
		}
		// The spec's tags: S3's CreateBucket takes none, so one PutBucketTagging.
		if _, err := c.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: &name, Tagging: &s3types.Tagging{
			TagSet: []s3types.Tag{{Key: aws.String("bench"), Value: aws.String("s1")}},
		}}); err != nil {
			return err
		}
		_, err := c.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &name})
		return err
	},
	drift: func(ctx context.Context, c *clouds, name string) error {
		t, err := c.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: &name})
		if err != nil {
			return err
		}
		for i := range t.TagSet {
			if aws.ToString(t.TagSet[i].Key) == "bench" {
				t.TagSet[i].Value = aws.String("drifted")
			}
		}
		_, err = c.s3.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: &name, Tagging: &s3types.Tagging{TagSet: t.TagSet}})
		return err
	},
	drifted: func(ctx context.Context, c *clouds, name string) (bool, error) {
		t, err := c.s3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: &name})
		if err != nil {
			return true, err
		}
		for _, tag := range t.TagSet {
			if aws.ToString(tag.Key) == "bench" {
				return aws.ToString(tag.Value) != "s1", nil
			}
		}
		return true, nil
	},
	list: func(ctx context.Context, c *clouds, prefix string) ([]string, error) {
		out, err := c.s3.ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil {
			return nil, err
		}
		var names []string
		for _, b := range out.Buckets {
			if strings.HasPrefix(aws.ToString(b.Name), prefix) {
				names = append(names, aws.ToString(b.Name))
			}
		}
		return names, nil
	},
}

var queueKind = kind{
	name: "queue", gvk: schema.GroupVersionKind{Group: "sqs.aws.stateful.dev", Version: "v1alpha1", Kind: "Queue"},
	spec:    func(string) map[string]any { return map[string]any{"region": region, "tags": benchTags} },
	creates: []string{"CreateQueue"}, pollOp: "GetQueueAttributes",
	remove: func(ctx context.Context, c *clouds, name string) error {
		u, err := c.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: &name})
		if err != nil {
			return err
		}
		_, err = c.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: u.QueueUrl})
		return err
	},
	floor: func(ctx context.Context, c *clouds, name string) error {
		if _, err := c.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: &name}); err == nil {
			return fmt.Errorf("queue %s exists before the floor run", name)
		}
		// CreateQueue takes the tags.
		out, err := c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name, Tags: map[string]string{"bench": "s1"}})
		if err != nil {
			return err
		}
		_, err = c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl:       out.QueueUrl,
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll},
		})
		return err
	},
	drift: func(ctx context.Context, c *clouds, name string) error {
		u, err := c.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: &name})
		if err != nil {
			return err
		}
		_, err = c.sqs.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: u.QueueUrl, Tags: map[string]string{"bench": "drifted"}})
		return err
	},
	drifted: func(ctx context.Context, c *clouds, name string) (bool, error) {
		u, err := c.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: &name})
		if err != nil {
			return true, err
		}
		t, err := c.sqs.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: u.QueueUrl})
		if err != nil {
			return true, err
		}
		return t.Tags["bench"] != "s1", nil
	},
	list: func(ctx context.Context, c *clouds, prefix string) ([]string, error) {
		var names []string
		p := sqs.NewListQueuesPaginator(c.sqs, &sqs.ListQueuesInput{QueueNamePrefix: &prefix})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, u := range out.QueueUrls {
				names = append(names, u[strings.LastIndexByte(u, '/')+1:])
			}
		}
		return names, nil
	},
}

// errNotReady is returned when resources do not become Ready in time.
var errNotReady = errors.New("not every resource became Ready in time")
