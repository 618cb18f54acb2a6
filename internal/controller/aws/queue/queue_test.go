package queue

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/awstest"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/sqs/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

const url = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders"

func acct() *credentials.AWSAccount {
	return &credentials.AWSAccount{DefaultTags: map[string]string{"managed-by": "ps"}, IgnoreTagPrefixes: []string{"aws:"}}
}

// q returns team-a/orders in eu-west-1 with a 30 s visibility timeout.
func q(m ...func(*v1alpha1.Queue)) *v1alpha1.Queue {
	cr := &v1alpha1.Queue{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "orders", UID: "uid-a", Generation: 1},
		Spec:       v1alpha1.QueueSpec{ForProvider: v1alpha1.QueueParameters{Region: "eu-west-1", VisibilityTimeout: ptr.To(int32(30))}},
	}
	meta.SetExternalName(cr, "orders")
	for _, f := range m {
		f(cr)
	}
	return cr
}

func owned(extra map[string]string) map[string]string {
	out := map[string]string{managedkind.AWSTags.NamespaceKey: "team-a", managedkind.AWSTags.NameKey: "orders", managedkind.AWSTags.UIDKey: "uid-a", managedkind.AWSTags.InstallationKey: "default", "managed-by": "ps"}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// existing is a fake queue with attrs and tags.
func existing(attrs, tags map[string]string) *fake.SQS {
	return &fake.SQS{
		MockGetQueueUrl: func(*sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) {
			return &sqs.GetQueueUrlOutput{QueueUrl: aws.String(url)}, nil
		},
		MockListQueueTags: func(*sqs.ListQueueTagsInput) (*sqs.ListQueueTagsOutput, error) {
			return &sqs.ListQueueTagsOutput{Tags: tags}, nil
		},
		MockGetQueueAttributes: func(*sqs.GetQueueAttributesInput) (*sqs.GetQueueAttributesOutput, error) {
			return &sqs.GetQueueAttributesOutput{Attributes: attrs}, nil
		},
	}
}

func missing(err error) *fake.SQS {
	return &fake.SQS{MockGetQueueUrl: func(*sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) { return nil, err }}
}

func TestObserve(t *testing.T) {
	inSync := map[string]string{"QueueArn": "arn:aws:sqs:eu-west-1:123456789012:orders", "VisibilityTimeout": "30"}
	cases := map[string]struct {
		reason string
		cr     *v1alpha1.Queue
		sqs    *fake.SQS
		want   managed.ExternalObservation
		errHas string
	}{
		"BadName": {
			reason: "A name SQS would refuse fails before any call.",
			cr:     q(func(c *v1alpha1.Queue) { meta.SetExternalName(c, "my.orders") }), sqs: &fake.SQS{},
			errHas: "may only contain letters, digits, hyphens and underscores",
		},
		"NotFound": {
			reason: "Only SQS's 'does not exist' means absent.",
			cr:     q(), sqs: missing(awstest.APIError("GetQueueUrl", 400, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")),
			want: managed.ExternalObservation{ResourceExists: false},
		},
		"GoneSinceLookup": {
			reason: "A URL known from an earlier poll whose queue has gone since: absent, not an error.",
			cr:     q(), sqs: func() *fake.SQS {
				f := existing(inSync, nil)
				f.MockListQueueTags = func(*sqs.ListQueueTagsInput) (*sqs.ListQueueTagsOutput, error) {
					return nil, awstest.APIError("ListQueueTags", 400, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
				}
				return f
			}(),
			want: managed.ExternalObservation{ResourceExists: false},
		},
		"Outage": {
			reason: "Anything else is an error, without request IDs.",
			cr:     q(), sqs: missing(awstest.APIError("GetQueueUrl", 500, "InternalError", "We encountered an internal error.")),
			errHas: "cannot look up the queue: GetQueueUrl: InternalError: We encountered an internal error.",
		},
		"OwnedByOther": {
			reason: "A queue tagged for team-b/orders is never team-a's.",
			cr:     q(), sqs: existing(inSync, map[string]string{managedkind.AWSTags.NamespaceKey: "team-b", managedkind.AWSTags.NameKey: "orders"}),
			errHas: "belongs to Queue team-b/orders",
		},
		"NotOurs": {
			reason: "An untagged queue is not taken without adoptExisting.",
			cr:     q(), sqs: existing(inSync, nil),
			errHas: "set spec.adoptExisting",
		},
		"FIFOMismatch": {
			reason: "A standard Queue cannot manage a FIFO queue.",
			cr:     q(), sqs: existing(map[string]string{"FifoQueue": "true"}, owned(nil)),
			errHas: "is FIFO=true and cannot change",
		},
		"InSync": {
			reason: "Equal attributes and tags: up to date, with url and arn as connection details.",
			cr:     q(), sqs: existing(inSync, owned(map[string]string{"aws:cloudformation:stack-name": "x"})),
			want: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: connectionDetails(url, "arn:aws:sqs:eu-west-1:123456789012:orders")},
		},
		"UnsetTagsUnmanaged": {
			reason: "A spec without tags leaves other tools' tags alone: only the ownership and default tags are managed.",
			cr:     q(), sqs: existing(map[string]string{"QueueArn": "arn", "VisibilityTimeout": "30"}, owned(map[string]string{"team": "legacy"})),
			want: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: connectionDetails(url, "arn")},
		},
		"Drift": {
			reason: "A changed attribute and an extra tag (the spec says tags: {}, no tags of its own) differ, and the diff names both.",
			cr:     q(func(q *v1alpha1.Queue) { q.Spec.ForProvider.Tags = map[string]string{} }), sqs: existing(map[string]string{"QueueArn": "arn", "VisibilityTimeout": "0"}, owned(map[string]string{"intruder": "x"})),
			want: managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: false, ConnectionDetails: connectionDetails(url, "arn"), Diff: "visibilityTimeout; tags[intruder]"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newExternal(tc.sqs, acct())
			got, err := e.Observe(context.Background(), tc.cr)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) || strings.Contains(err.Error(), "REQ-") {
					t.Fatalf("%s\nObserve: want error containing %q, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\nObserve: %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nObserve: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestCreate(t *testing.T) {
	cases := map[string]struct {
		reason string
		err    error
		errHas string
	}{
		"Created": {reason: "Attributes and ownership tags go in one CreateQueue."},
		"DeletedRecently": {
			reason: "QueueDeletedRecently is a stable, explained error; the runtime backs off.",
			err:    awstest.APIError("CreateQueue", 400, "AWS.SimpleQueueService.QueueDeletedRecently", "You must wait 60 seconds after deleting a queue before you can create another with the same name."),
			errHas: `a queue named "orders" was deleted less than 60 seconds ago and SQS refuses the name until then: retrying with backoff`,
		},
		"NameTaken": {
			reason: "A same-named queue with other attributes is not this Queue's.",
			err:    awstest.APIError("CreateQueue", 400, "QueueNameExists", "A queue already exists with the same name and a different value for attribute VisibilityTimeout"),
			errHas: `a queue named "orders" exists with other attributes and was not created by this Queue: set spec.adoptExisting to take it over, or choose another name`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var in *sqs.CreateQueueInput
			e := newExternal(&fake.SQS{MockCreateQueue: func(i *sqs.CreateQueueInput) (*sqs.CreateQueueOutput, error) {
				in = i
				if tc.err != nil {
					return nil, tc.err
				}
				return &sqs.CreateQueueOutput{QueueUrl: aws.String(url)}, nil
			}}, acct())
			_, err := e.Create(context.Background(), q(func(c *v1alpha1.Queue) { c.Spec.ForProvider.Tags = map[string]string{"team": "a"} }))
			if tc.errHas != "" {
				if err == nil || err.Error() != tc.errHas {
					t.Fatalf("%s\nCreate: want %q, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(owned(map[string]string{"team": "a"}), in.Tags); diff != "" {
				t.Errorf("%s\ntags: -want +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(map[string]string{"VisibilityTimeout": "30"}, in.Attributes); diff != "" {
				t.Errorf("%s\nattributes: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	var set map[string]string
	var tagged map[string]string
	var untagged []string
	f := existing(map[string]string{"VisibilityTimeout": "0", "DelaySeconds": "9"}, owned(map[string]string{"intruder": "x", "aws:keep": "y"}))
	f.MockSetQueueAttributes = func(i *sqs.SetQueueAttributesInput) (*sqs.SetQueueAttributesOutput, error) {
		set = i.Attributes
		return &sqs.SetQueueAttributesOutput{}, nil
	}
	f.MockTagQueue = func(i *sqs.TagQueueInput) (*sqs.TagQueueOutput, error) {
		tagged = i.Tags
		return &sqs.TagQueueOutput{}, nil
	}
	f.MockUntagQueue = func(i *sqs.UntagQueueInput) (*sqs.UntagQueueOutput, error) {
		untagged = i.TagKeys
		return &sqs.UntagQueueOutput{}, nil
	}
	rec := &awstest.Recorder{}
	e := newExternal(f, acct())
	e.Record = rec
	cr := q(func(c *v1alpha1.Queue) { c.Spec.ForProvider.Tags = map[string]string{"team": "a"} })
	if _, err := e.Observe(context.Background(), cr); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Update(context.Background(), cr); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"VisibilityTimeout": "30"}, set); diff != "" {
		t.Errorf("Only the managed attributes that differ are set (DelaySeconds is not managed): -want +got:\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"team": "a"}, tagged); diff != "" {
		t.Errorf("Missing tags are added: -want +got:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"intruder"}, untagged, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Extra tags are removed, aws: ones kept: -want +got:\n%s", diff)
	}
	if len(rec.Events) != 1 || rec.Events[0].Reason != managedkind.ReasonChange {
		t.Errorf("one ApplyingSpecChange event for a never-synced Queue, got %+v", rec.Events)
	}
}

func TestDelete(t *testing.T) {
	for name, tc := range map[string]struct {
		reason string
		err    error
		errHas string
	}{
		"Deleted":     {reason: "Deleted."},
		"AlreadyGone": {reason: "Gone already is done.", err: awstest.APIError("DeleteQueue", 400, "QueueDoesNotExist", "The specified queue does not exist.")},
		"Outage":      {reason: "An outage keeps the finalizer.", err: awstest.APIError("DeleteQueue", 500, "InternalError", "x"), errHas: "cannot delete the queue: DeleteQueue: InternalError"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newExternal(&fake.SQS{MockDeleteQueue: func(i *sqs.DeleteQueueInput) (*sqs.DeleteQueueOutput, error) {
				if aws.ToString(i.QueueUrl) != url {
					t.Errorf("DeleteQueue of %q, want the observed URL", aws.ToString(i.QueueUrl))
				}
				return &sqs.DeleteQueueOutput{}, tc.err
			}}, nil)
			e.url = url
			_, err := e.Delete(context.Background(), q())
			if tc.errHas == "" && err != nil || tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)) {
				t.Errorf("%s\nDelete: want %q, got %v", tc.reason, tc.errHas, err)
			}
		})
	}
}

func TestDeadLetterTargetTenancy(t *testing.T) {
	const dlq = "arn:aws:sqs:eu-west-1:123456789012:orders-dlq"
	tagsOf := func(ns string) map[string]string {
		return managedkind.AWSTags.Tags(&metav1.ObjectMeta{Namespace: ns, Name: "orders-dlq", UID: "uid-dlq"})
	}
	withDLQ := func(target string) func(*v1alpha1.Queue) {
		return func(c *v1alpha1.Queue) {
			c.Spec.ForProvider.RedrivePolicy = &v1alpha1.RedrivePolicy{DeadLetterTargetARN: ptr.To(target), MaxReceiveCount: 3}
		}
	}
	cases := map[string]struct {
		reason    string
		shared    bool
		target    string
		dlqTags   map[string]string
		errHas    string
		wantOwner string // the account the lookup names
	}{
		"Namespaced": {
			reason: "With a namespaced config the tenant's own credentials decide: no lookup.",
			target: dlq, dlqTags: tagsOf("team-b"),
		},
		"SharedOwnNamespace": {
			reason: "Through a shared config, a queue of the resource's namespace is admitted.",
			shared: true, target: dlq, dlqTags: tagsOf("team-a"), wantOwner: "123456789012",
		},
		"SharedOtherNamespace": {
			reason: "Through a shared config, another namespace's queue is refused before the create.",
			shared: true, target: dlq, dlqTags: tagsOf("team-b"), wantOwner: "123456789012",
			errHas: "is not a Queue of namespace team-a",
		},
		"SharedUntagged": {
			reason: "A queue no Queue made is refused too.",
			shared: true, target: dlq, dlqTags: map[string]string{}, wantOwner: "123456789012",
			errHas: "is not a Queue of namespace team-a",
		},
		"SharedOtherRegion": {
			reason: "A target in another region is refused without a lookup: a same-named queue here is not it.",
			shared: true, target: "arn:aws:sqs:us-east-1:123456789012:orders-dlq", dlqTags: tagsOf("team-a"),
			errHas: "is in us-east-1",
		},
		"SharedNotAnARN": {
			reason: "A target that is not an SQS ARN is refused.",
			shared: true, target: "orders-dlq", errHas: "is not an SQS queue ARN",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var owner string
			created := false
			f := &fake.SQS{
				MockGetQueueUrl: func(i *sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) {
					owner = aws.ToString(i.QueueOwnerAWSAccountId)
					return &sqs.GetQueueUrlOutput{QueueUrl: aws.String("https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dlq")}, nil
				},
				MockListQueueTags: func(*sqs.ListQueueTagsInput) (*sqs.ListQueueTagsOutput, error) {
					return &sqs.ListQueueTagsOutput{Tags: tc.dlqTags}, nil
				},
				MockCreateQueue: func(*sqs.CreateQueueInput) (*sqs.CreateQueueOutput, error) {
					created = true
					return &sqs.CreateQueueOutput{QueueUrl: aws.String(url)}, nil
				},
			}
			a := acct()
			a.Shared = tc.shared
			_, err := newExternal(f, a).Create(context.Background(), q(withDLQ(tc.target)))
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Errorf("%s\nCreate: want an error containing %q, got %v", tc.reason, tc.errHas, err)
				}
				if created {
					t.Errorf("%s\nthe queue was created with a refused dead-letter target", tc.reason)
				}
			} else if err != nil || !created {
				t.Errorf("%s\nCreate: created %t, %v", tc.reason, created, err)
			}
			if diff := cmp.Diff(tc.wantOwner, owner); diff != "" {
				t.Errorf("%s\nthe lookup's owner account: -want +got:\n%s", tc.reason, diff)
			}
		})
	}

	// The target is checked before SetQueueAttributes on every update: when it changes, and when only another
	// field does (the target may have changed hands since the create).
	for what, attrs := range map[string]map[string]string{
		"a new target":        {"VisibilityTimeout": "30"},
		"an unchanged target": {"VisibilityTimeout": "0", "RedrivePolicy": `{"deadLetterTargetArn":"` + dlq + `","maxReceiveCount":3}`},
	} {
		t.Run("Update with "+what, func(t *testing.T) { refusedUpdate(t, attrs, tagsOf("team-b"), withDLQ(dlq)) })
	}
}

// refusedUpdate observes a queue with attrs through a shared config, whose dead-letter queue carries dlqTags, and
// wants Update to refuse the target before any write.
func refusedUpdate(t *testing.T, attrs, dlqTags map[string]string, withDLQ func(*v1alpha1.Queue)) {
	t.Helper()
	f := existing(attrs, owned(nil))
	f.MockListQueueTags = func(i *sqs.ListQueueTagsInput) (*sqs.ListQueueTagsOutput, error) {
		if aws.ToString(i.QueueUrl) == url {
			return &sqs.ListQueueTagsOutput{Tags: owned(nil)}, nil
		}
		return &sqs.ListQueueTagsOutput{Tags: dlqTags}, nil
	}
	f.MockGetQueueUrl = func(i *sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) {
		if aws.ToString(i.QueueName) == "orders" {
			return &sqs.GetQueueUrlOutput{QueueUrl: aws.String(url)}, nil
		}
		return &sqs.GetQueueUrlOutput{QueueUrl: aws.String(url + "-dlq")}, nil
	}
	f.MockSetQueueAttributes = func(*sqs.SetQueueAttributesInput) (*sqs.SetQueueAttributesOutput, error) {
		t.Error("SetQueueAttributes was sent with another namespace's dead-letter queue")
		return &sqs.SetQueueAttributesOutput{}, nil
	}
	a := acct()
	a.Shared = true
	e := newExternal(f, a)
	cr := q(withDLQ)
	if o, err := e.Observe(context.Background(), cr); err != nil || o.ResourceUpToDate {
		t.Fatalf("Observe: up to date %t, %v", o.ResourceUpToDate, err)
	}
	if _, err := e.Update(context.Background(), cr); err == nil || !strings.Contains(err.Error(), "is not a Queue of namespace team-a") {
		t.Errorf("Update: want the dead-letter target refused, got %v", err)
	}
}
