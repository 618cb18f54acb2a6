package queue

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/awstest"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
)

// TestFieldsCoverChanges holds the change list to the field table: a change of each field that can change names a
// declared field, the one expected, so a change the table does not know fails here.
func TestFieldsCoverChanges(t *testing.T) {
	if err := fields.Check(); err != nil {
		t.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*"}]}`
	n := func(v int32) *int32 { return &v }
	cases := map[string]struct {
		reason   string
		p        v1alpha1.QueueParameters
		observed map[string]string
		want     []string
	}{
		"DelaySeconds":       {reason: "A number.", p: v1alpha1.QueueParameters{DelaySeconds: n(5)}, observed: map[string]string{"DelaySeconds": "0"}, want: []string{"delaySeconds"}},
		"MaximumMessageSize": {reason: "A number.", p: v1alpha1.QueueParameters{MaximumMessageSize: n(1024)}, observed: map[string]string{"MaximumMessageSize": "262144"}, want: []string{"maximumMessageSize"}},
		"Retention":          {reason: "A number.", p: v1alpha1.QueueParameters{MessageRetentionPeriod: n(60)}, observed: map[string]string{"MessageRetentionPeriod": "345600"}, want: []string{"messageRetentionPeriod"}},
		"Visibility":         {reason: "A number.", p: v1alpha1.QueueParameters{VisibilityTimeout: n(30)}, observed: map[string]string{"VisibilityTimeout": "0"}, want: []string{"visibilityTimeout"}},
		"WaitTime":           {reason: "A number.", p: v1alpha1.QueueParameters{ReceiveMessageWaitTimeSeconds: n(20)}, observed: map[string]string{"ReceiveMessageWaitTimeSeconds": "0"}, want: []string{"receiveMessageWaitTimeSeconds"}},
		"ContentDedup": {
			reason: "A boolean.", p: v1alpha1.QueueParameters{FIFOQueue: ptr.To(true), ContentBasedDeduplication: ptr.To(true)},
			observed: map[string]string{"ContentBasedDeduplication": "false"}, want: []string{"contentBasedDeduplication"},
		},
		"DedupScope": {
			reason: "An enum.", p: v1alpha1.QueueParameters{FIFOQueue: ptr.To(true), DeduplicationScope: ptr.To("messageGroup")},
			observed: map[string]string{"DeduplicationScope": "queue"}, want: []string{"deduplicationScope"},
		},
		"ThroughputLimit": {
			reason: "An enum.", p: v1alpha1.QueueParameters{FIFOQueue: ptr.To(true), FIFOThroughputLimit: ptr.To("perMessageGroupId")},
			observed: map[string]string{"FifoThroughputLimit": "perQueue"}, want: []string{"fifoThroughputLimit"},
		},
		"EncryptionToSQS": {
			reason:   "Two attributes behind one field, named once.",
			p:        v1alpha1.QueueParameters{ServerSideEncryption: &v1alpha1.QueueEncryption{Type: "SQS"}},
			observed: map[string]string{"SqsManagedSseEnabled": "false", "KmsMasterKeyId": "alias/k"}, want: []string{"serverSideEncryption"},
		},
		"EncryptionToKMS": {
			reason:   "A KMS key and its reuse period.",
			p:        v1alpha1.QueueParameters{ServerSideEncryption: &v1alpha1.QueueEncryption{Type: "KMS", KMSKeyID: ptr.To("alias/aws/sqs"), DataKeyReusePeriodSeconds: n(300)}},
			observed: map[string]string{"SqsManagedSseEnabled": "true"}, want: []string{"serverSideEncryption"},
		},
		"Policy": {reason: "A policy on a queue without one.", p: v1alpha1.QueueParameters{Policy: ptr.To(doc)}, want: []string{"policy"}},
		"Redrive": {
			reason:   "Another receive count.",
			p:        v1alpha1.QueueParameters{RedrivePolicy: &v1alpha1.RedrivePolicy{DeadLetterTargetARN: ptr.To("arn:aws:sqs:eu-west-1:1:dlq"), MaxReceiveCount: 5}},
			observed: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:1:dlq","maxReceiveCount":3}`}, want: []string{"redrivePolicy"},
		},
		"RedriveAllow": {
			reason: "A redrive-allow policy on a queue without one.",
			p:      v1alpha1.QueueParameters{RedriveAllowPolicy: &v1alpha1.RedriveAllowPolicy{RedrivePermission: "denyAll"}}, want: []string{"redriveAllowPolicy"},
		},
		"Everything": {
			reason: "Every attribute field on a queue that reports none, sorted.",
			p: v1alpha1.QueueParameters{
				FIFOQueue: ptr.To(true), DelaySeconds: n(5), MaximumMessageSize: n(1024), MessageRetentionPeriod: n(60), VisibilityTimeout: n(30),
				ReceiveMessageWaitTimeSeconds: n(20), ContentBasedDeduplication: ptr.To(true), DeduplicationScope: ptr.To("messageGroup"),
				FIFOThroughputLimit: ptr.To("perMessageGroupId"), ServerSideEncryption: &v1alpha1.QueueEncryption{Type: "SQS"}, Policy: ptr.To(doc),
				RedrivePolicy:      &v1alpha1.RedrivePolicy{DeadLetterTargetARN: ptr.To("arn:aws:sqs:eu-west-1:1:dlq"), MaxReceiveCount: 5},
				RedriveAllowPolicy: &v1alpha1.RedriveAllowPolicy{RedrivePermission: "denyAll"},
			},
			want: []string{
				"contentBasedDeduplication", "deduplicationScope", "delaySeconds", "fifoThroughputLimit", "maximumMessageSize", "messageRetentionPeriod",
				"policy", "receiveMessageWaitTimeSeconds", "redriveAllowPolicy", "redrivePolicy", "serverSideEncryption", "visibilityTimeout",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			desired, err := desiredAttributes(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			cs, err := diff(desired, tc.observed)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, kindtest.Declared(t, fields, cs.Fields())); d != "" {
				t.Errorf("%s\ndeclared fields of the changes: -want +got:\n%s", tc.reason, d)
			}
		})
	}

	// The diff Observe reports, tags included, split as the reconciler's is.
	t.Run("ObserveDiff", func(t *testing.T) {
		cr := q(func(q *v1alpha1.Queue) { q.Spec.ForProvider.Tags = map[string]string{} })
		e := newExternal(existing(map[string]string{"QueueArn": "arn", "VisibilityTimeout": "0"}, owned(map[string]string{"intruder": "x"})), acct())
		o, err := e.Observe(context.Background(), cr)
		if err != nil {
			t.Fatal(err)
		}
		names := strings.Split(o.Diff, "; ")
		if d := cmp.Diff([]string{"visibilityTimeout", "tags"}, kindtest.Declared(t, fields, names)); d != "" {
			t.Errorf("A changed attribute and an extra tag: declared fields of the diff: -want +got:\n%s", d)
		}
	})
}

// TestRefusedFields holds the table's refused fields to what the code refuses: a queue type Observe finds other than
// the spec's (TestFieldTables holds them to the CRD's immutable fields: the API server answers "region is
// immutable"; the code looks the queue up in whatever region the spec names).
func TestRefusedFields(t *testing.T) {
	fifo := func(c *v1alpha1.Queue) {
		c.Spec.ForProvider.FIFOQueue = ptr.To(true)
		meta.SetExternalName(c, "orders.fifo")
	}
	cases := map[string]struct {
		reason string
		field  string
		cr     *v1alpha1.Queue
		attrs  map[string]string
		errHas string
	}{
		"StandardOnFIFO": {
			reason: "A standard Queue finding a FIFO queue refuses it.",
			field:  "fifoQueue", cr: q(), attrs: map[string]string{"FifoQueue": "true"},
			errHas: "is FIFO=true and cannot change",
		},
		"FIFOOnStandard": {
			reason: "A FIFO Queue finding a standard queue refuses it.",
			field:  "fifoQueue", cr: q(fifo), attrs: map[string]string{},
			errHas: "is FIFO=false and cannot change",
		},
		"FIFOUnset": {
			reason: "fifoQueue removed from a FIFO queue's spec (the CRD lets an unset go) is refused before any call.",
			field:  "fifoQueue", cr: q(fifo, func(c *v1alpha1.Queue) { c.Spec.ForProvider.FIFOQueue = nil }), attrs: map[string]string{"FifoQueue": "true"},
			errHas: "ends in .fifo: set fifoQueue: true",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newExternal(existing(tc.attrs, owned(nil)), acct())
			if _, err := e.Observe(context.Background(), tc.cr); err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("%s\nObserve: want an error containing %q, got %v", tc.reason, tc.errHas, err)
			}
			if f, _ := fields.Lookup(tc.field); f.Effect != managedkind.Refused {
				t.Errorf("%s\n%s is declared %q, want %q", tc.reason, tc.field, f.Effect, managedkind.Refused)
			}
		})
	}
}

// TestUnsetIsUnmanaged holds Observe to the table's Compare and Unset columns (kindtest.Unmanaged): a FIFO queue
// whose every attribute and tag differs from the spec's and from SQS's defaults.
func TestUnsetIsUnmanaged(t *testing.T) {
	n := func(v int32) *int32 { return &v }
	full := v1alpha1.QueueParameters{
		Region: "eu-west-1", FIFOQueue: ptr.To(true), DelaySeconds: n(5), MaximumMessageSize: n(1024), MessageRetentionPeriod: n(60),
		VisibilityTimeout: n(60), ReceiveMessageWaitTimeSeconds: n(20), ContentBasedDeduplication: ptr.To(false),
		DeduplicationScope: ptr.To("queue"), FIFOThroughputLimit: ptr.To("perQueue"),
		ServerSideEncryption: &v1alpha1.QueueEncryption{Type: "SQS"},
		Policy:               ptr.To(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*"}]}`),
		RedrivePolicy:        &v1alpha1.RedrivePolicy{DeadLetterTargetARN: ptr.To("arn:aws:sqs:eu-west-1:1:dlq.fifo"), MaxReceiveCount: 5},
		RedriveAllowPolicy:   &v1alpha1.RedriveAllowPolicy{RedrivePermission: "denyAll"},
		Tags:                 map[string]string{"team": "a"},
	}
	cloud := map[string]string{
		"QueueArn": "arn:aws:sqs:eu-west-1:1:orders.fifo", "FifoQueue": "true", "DelaySeconds": "10", "MaximumMessageSize": "2048",
		"MessageRetentionPeriod": "120", "VisibilityTimeout": "45", "ReceiveMessageWaitTimeSeconds": "5", "ContentBasedDeduplication": "true",
		"DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId", "SqsManagedSseEnabled": "false", "KmsMasterKeyId": "alias/k",
		"Policy":             `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","Resource":"*"}]}`,
		"RedrivePolicy":      `{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:1:dlq.fifo","maxReceiveCount":3}`,
		"RedriveAllowPolicy": `{"redrivePermission":"allowAll"}`,
	}
	kindtest.Unmanaged(t, fields, func(p v1alpha1.QueueParameters) ([]string, error) {
		cr := q(func(c *v1alpha1.Queue) {
			c.Spec.ForProvider = p
			meta.SetExternalName(c, "orders.fifo")
		})
		o, err := newExternal(existing(cloud, owned(map[string]string{"team": "b"})), acct()).Observe(context.Background(), cr)
		return kindtest.DiffNames(o.Diff), err
	}, full)
}

// TestTerminalErrors holds the table's terminal errors to what the kind classifies as rejected input.
func TestTerminalErrors(t *testing.T) {
	kindtest.Terminal(t, fields, Kind().Rejects, func(code string) error {
		return awstest.APIError("Update", http.StatusBadRequest, code, "refused")
	})
}
