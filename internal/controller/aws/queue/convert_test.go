package queue

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
)

func TestDesiredAttributes(t *testing.T) {
	cases := map[string]struct {
		reason string
		p      v1alpha1.QueueParameters
		want   map[string]string
		create map[string]string
		errHas string
	}{
		"Unset": {reason: "Nothing set, nothing managed.", want: map[string]string{}, create: map[string]string{}},
		"Numbers": {
			reason: "Integers as SQS spells them.",
			p:      v1alpha1.QueueParameters{DelaySeconds: ptr.To(int32(5)), VisibilityTimeout: ptr.To(int32(0))},
			want:   map[string]string{"DelaySeconds": "5", "VisibilityTimeout": "0"},
			create: map[string]string{"DelaySeconds": "5", "VisibilityTimeout": "0"},
		},
		"FIFO": {
			reason: "FifoQueue is a create-time attribute only.",
			p:      v1alpha1.QueueParameters{FIFOQueue: ptr.To(true), ContentBasedDeduplication: ptr.To(false), DeduplicationScope: ptr.To("queue")},
			want:   map[string]string{"ContentBasedDeduplication": "false", "DeduplicationScope": "queue"},
			create: map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "false", "DeduplicationScope": "queue"},
		},
		"SSESQS": {
			reason: "SQS-managed encryption clears a KMS key; the empty value is not sent at create.",
			p:      v1alpha1.QueueParameters{ServerSideEncryption: &v1alpha1.QueueEncryption{Type: "SQS"}},
			want:   map[string]string{"SqsManagedSseEnabled": "true", "KmsMasterKeyId": ""},
			create: map[string]string{"SqsManagedSseEnabled": "true"},
		},
		"SSEKMS": {
			reason: "A KMS key with its reuse period.",
			p:      v1alpha1.QueueParameters{ServerSideEncryption: &v1alpha1.QueueEncryption{Type: "KMS", KMSKeyID: ptr.To("alias/aws/sqs"), DataKeyReusePeriodSeconds: ptr.To(int32(300))}},
			want:   map[string]string{"KmsMasterKeyId": "alias/aws/sqs", "KmsDataKeyReusePeriodSeconds": "300"},
			create: map[string]string{"KmsMasterKeyId": "alias/aws/sqs", "KmsDataKeyReusePeriodSeconds": "300"},
		},
		"Redrive": {
			reason: "The redrive policies as JSON.",
			p: v1alpha1.QueueParameters{
				RedrivePolicy:      &v1alpha1.RedrivePolicy{DeadLetterTargetARN: ptr.To("arn:aws:sqs:eu-west-1:1:dlq"), MaxReceiveCount: 3},
				RedriveAllowPolicy: &v1alpha1.RedriveAllowPolicy{RedrivePermission: "denyAll"},
			},
			want: map[string]string{
				"RedrivePolicy":      `{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:1:dlq","maxReceiveCount":3}`,
				"RedriveAllowPolicy": `{"redrivePermission":"denyAll"}`,
			},
			create: map[string]string{
				"RedrivePolicy":      `{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:1:dlq","maxReceiveCount":3}`,
				"RedriveAllowPolicy": `{"redrivePermission":"denyAll"}`,
			},
		},
		"UnresolvedTarget": {
			reason: "A reference not resolved yet is a clear error, not an empty ARN sent to SQS.",
			p:      v1alpha1.QueueParameters{RedrivePolicy: &v1alpha1.RedrivePolicy{MaxReceiveCount: 3}},
			errHas: "the dead-letter target's ARN is not known yet",
		},
		"BadPolicy": {
			reason: "An invalid policy is refused before any call.",
			p:      v1alpha1.QueueParameters{Policy: ptr.To("{not json")},
			errHas: "spec.forProvider.policy is not a valid policy document",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := desiredAttributes(tc.p)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("%s\nwant error containing %q, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\ndesiredAttributes: -want +got:\n%s", tc.reason, diff)
			}
			c, _ := createAttributes(tc.p)
			if diff := cmp.Diff(tc.create, c); diff != "" {
				t.Errorf("%s\ncreateAttributes: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestAttributeDiff(t *testing.T) {
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["sqs:SendMessage"],"Resource":"*"}]}`
	cases := map[string]struct {
		reason            string
		desired, observed map[string]string
		want              []string
		wantSent          map[string]string
	}{
		"InSync": {reason: "Equal values.", desired: map[string]string{"DelaySeconds": "5"}, observed: map[string]string{"DelaySeconds": "5", "Other": "x"}},
		"Changed": {
			reason: "A changed value differs; unmanaged attributes never do.", desired: map[string]string{"DelaySeconds": "5", "VisibilityTimeout": "30"},
			observed: map[string]string{"DelaySeconds": "0", "VisibilityTimeout": "30", "Other": "x"}, want: []string{"delaySeconds"},
		},
		"PolicySemantic": {
			reason:  "A policy SQS reformats (single-element arrays collapsed, keys reordered) is the same policy.",
			desired: map[string]string{"Policy": policy}, observed: map[string]string{"Policy": `{"Statement":[{"Resource":"*","Action":"sqs:SendMessage","Principal":"*","Effect":"Allow"}],"Version":"2012-10-17"}`},
		},
		"PolicyRemoved": {reason: "A policy removed behind our back differs.", desired: map[string]string{"Policy": policy}, observed: map[string]string{}, want: []string{"policy"}},
		"NoPolicyEmpty": {
			reason:  `policy: "" on a queue without a policy is in sync: SQS reports no Policy attribute, and empty and absent agree.`,
			desired: map[string]string{"Policy": ""}, observed: map[string]string{},
		},
		"NoPolicyWanted": {reason: `policy: "" removes a policy the queue has.`, desired: map[string]string{"Policy": ""}, observed: map[string]string{"Policy": policy}, want: []string{"policy"}},
		"RedriveNumberOrString": {
			reason:   "maxReceiveCount may come back as a number or a string.",
			desired:  map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:d","maxReceiveCount":3}`},
			observed: map[string]string{"RedrivePolicy": `{"maxReceiveCount":"3","deadLetterTargetArn":"arn:d"}`},
		},
		"RedriveAllowOrder": {
			reason:   "Source queue ARNs are a set.",
			desired:  map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"byQueue","sourceQueueArns":["arn:a","arn:b"]}`},
			observed: map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"byQueue","sourceQueueArns":["arn:b","arn:a"]}`},
		},
		"Booleans": {
			reason:   "Booleans compare without case, and an unreported false is false.",
			desired:  map[string]string{"ContentBasedDeduplication": "true", "SqsManagedSseEnabled": "false"},
			observed: map[string]string{"ContentBasedDeduplication": "True"},
		},
		"KMSKeyCleared": {
			reason: "A KMS key to clear is in sync when SQS reports none.", desired: map[string]string{"KmsMasterKeyId": ""}, observed: map[string]string{},
		},
		"Sorted": {
			reason: "Drift names the spec's fields, sorted, so event messages are stable.", desired: map[string]string{"VisibilityTimeout": "1", "DelaySeconds": "1"},
			want: []string{"delaySeconds", "visibilityTimeout"},
		},
		"EncryptionGroup": {
			reason:   "Three SQS attributes are one spec field, named once; a change sends all three (switching to SQS-managed keys clears the KMS key).",
			desired:  map[string]string{"SqsManagedSseEnabled": "true", "KmsMasterKeyId": ""},
			observed: map[string]string{"SqsManagedSseEnabled": "false", "KmsMasterKeyId": "alias/k"},
			want:     []string{"serverSideEncryption"}, wantSent: map[string]string{"SqsManagedSseEnabled": "true", "KmsMasterKeyId": ""},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := diff(tc.desired, tc.observed)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got.Fields(), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("%s\ndiff: -want +got:\n%s", tc.reason, d)
			}
			if tc.wantSent != nil {
				if d := cmp.Diff(tc.wantSent, setAttributes(got)); d != "" {
					t.Errorf("%s\nsent: -want +got:\n%s", tc.reason, d)
				}
			}
		})
	}
}

func TestObservation(t *testing.T) {
	got := observation("https://q/1/orders", map[string]string{
		"QueueArn": "arn:q", "VisibilityTimeout": "30", "ApproximateNumberOfMessages": "7", "LastModifiedTimestamp": "1",
		"Policy": `{ "Version": "2012-10-17", "Statement": [] }`,
	}, map[string]string{"a": "b"})
	want := v1alpha1.QueueObservation{
		URL: "https://q/1/orders", ARN: "arn:q", Attributes: map[string]string{"VisibilityTimeout": "30"},
		Policy: `{"Statement":[],"Version":"2012-10-17"}`, Tags: map[string]string{"a": "b"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Message counts and timestamps stay out of status (they change without a spec change), the policy is canonical: -want +got:\n%s", diff)
	}
}
