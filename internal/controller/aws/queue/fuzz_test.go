package queue

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/policy"
)

func bounded(n, limit int32) *int32 {
	if n < 0 {
		n = -n
	}
	return ptr.To(n % (limit + 1))
}

// FuzzAttributesInSync: a spec applied to SQS and read back the way SQS reports it (the policy re-serialised,
// maxReceiveCount as a string, booleans capitalised, source ARNs in another order) compares equal — and so does
// the spec compared with itself.
func FuzzAttributesInSync(f *testing.F) {
	f.Add(int32(5), int32(2048), int32(86400), int32(60), int32(10), true, int32(3), "arn:a,arn:b", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*"}}`)
	f.Add(int32(0), int32(1024), int32(60), int32(0), int32(0), false, int32(1), "", ``)
	f.Fuzz(func(t *testing.T, delay, maxSize, retention, visibility, wait int32, dedup bool, maxReceive int32, sources, doc string) {
		p := v1alpha1.QueueParameters{
			DelaySeconds: bounded(delay, 900), MaximumMessageSize: bounded(maxSize, 262144), MessageRetentionPeriod: bounded(retention, 1209600),
			VisibilityTimeout: bounded(visibility, 43200), ReceiveMessageWaitTimeSeconds: bounded(wait, 20), ContentBasedDeduplication: ptr.To(dedup),
			RedrivePolicy:        &v1alpha1.RedrivePolicy{DeadLetterTargetARN: ptr.To("arn:aws:sqs:eu-west-1:123456789012:dlq"), MaxReceiveCount: *bounded(maxReceive, 1000) + 1},
			ServerSideEncryption: &v1alpha1.QueueEncryption{Type: kmsTypeSQS},
		}
		if sources != "" {
			p.RedriveAllowPolicy = &v1alpha1.RedriveAllowPolicy{RedrivePermission: "byQueue", SourceQueueARNs: strings.Split(sources, ",")}
		}
		if _, err := policy.Normalize(doc); err == nil {
			p.Policy = ptr.To(doc)
		}
		desired, err := desiredAttributes(p)
		if err != nil {
			t.Fatal(err)
		}
		if cs, err := diff(desired, desired); err != nil || len(cs) != 0 {
			t.Fatalf("a spec differs from itself in %v (%v)", cs.Fields(), err)
		}

		got := map[string]string{}
		for k, v := range desired {
			got[k] = v
		}
		if doc := got[attrPolicy]; doc != "" {
			got[attrPolicy], _ = policy.Normalize(doc)
		} else {
			delete(got, attrPolicy) // SQS reports no Policy attribute for a queue without one
		}
		got[attrRedrive] = `{"maxReceiveCount":"` + strconv.Itoa(int(p.RedrivePolicy.MaxReceiveCount)) + `","deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123456789012:dlq"}`
		if p.RedriveAllowPolicy != nil {
			l := p.RedriveAllowPolicy.SourceQueueARNs
			rev := make([]string, 0, len(l))
			for i := len(l) - 1; i >= 0; i-- {
				rev = append(rev, l[i])
			}
			b, _ := json.Marshal(map[string]any{"sourceQueueArns": rev, "redrivePermission": "byQueue"})
			got[attrRedriveAllow] = string(b)
		}
		got[attrContentDedup] = strings.ToUpper(got[attrContentDedup][:1]) + got[attrContentDedup][1:]
		delete(got, attrKMSKey) // cleared: SQS reports none
		if cs, err := diff(desired, got); err != nil || len(cs) != 0 {
			t.Fatalf("applied and read back, the spec still differs in %v (%v)", cs.Fields(), err)
		}
	})
}
