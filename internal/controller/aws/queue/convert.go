package queue

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"

	"github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/policy"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// Connection detail keys a Queue publishes.
const (
	ConnURL = "url"
	ConnARN = "arn"
)

// SQS attribute names.
const (
	attrFIFO            = "FifoQueue"
	attrDelay           = "DelaySeconds"
	attrMaxSize         = "MaximumMessageSize"
	attrRetention       = "MessageRetentionPeriod"
	attrVisibility      = "VisibilityTimeout"
	attrWait            = "ReceiveMessageWaitTimeSeconds"
	attrContentDedup    = "ContentBasedDeduplication"
	attrDedupScope      = "DeduplicationScope"
	attrThroughput      = "FifoThroughputLimit"
	attrSQSManagedSSE   = "SqsManagedSseEnabled"
	attrKMSKey          = "KmsMasterKeyId"
	attrKMSReuse        = "KmsDataKeyReusePeriodSeconds"
	attrPolicy          = "Policy"
	attrRedrive         = "RedrivePolicy"
	attrRedriveAllow    = "RedriveAllowPolicy"
	attrARN             = "QueueArn"
	attrCreated         = "CreatedTimestamp"
	attrLastModified    = "LastModifiedTimestamp"
	attrApproxMessages  = "ApproximateNumberOfMessages"
	attrApproxNotVis    = "ApproximateNumberOfMessagesNotVisible"
	attrApproxDelayed   = "ApproximateNumberOfMessagesDelayed"
	kmsTypeSQS, kmsType = "SQS", "KMS"
)

// specFields names, for drift events and diffs, the spec fields behind SQS attributes: a user reads the field
// they wrote, not SQS's spelling.
var specFields = map[string]string{
	attrDelay: "delaySeconds", attrMaxSize: "maximumMessageSize", attrRetention: "messageRetentionPeriod",
	attrVisibility: "visibilityTimeout", attrWait: "receiveMessageWaitTimeSeconds",
	attrContentDedup: "contentBasedDeduplication", attrDedupScope: "deduplicationScope", attrThroughput: "fifoThroughputLimit",
	attrSQSManagedSSE: "serverSideEncryption", attrKMSKey: "serverSideEncryption", attrKMSReuse: "serverSideEncryption",
	attrPolicy: "policy", attrRedrive: "redrivePolicy", attrRedriveAllow: "redriveAllowPolicy",
}

// fieldOf is the spec field behind SQS attribute a.
func fieldOf(a string) string {
	if f, ok := specFields[a]; ok {
		return f
	}
	return a
}

// desiredAttributes returns the attributes the spec manages, as SQS spells them. FifoQueue is left out: it is
// set at create and never changes (createAttributes adds it).
func desiredAttributes(p v1alpha1.QueueParameters) (map[string]string, error) {
	a := map[string]string{}
	putInt := func(k string, v *int32) {
		if v != nil {
			a[k] = strconv.Itoa(int(*v))
		}
	}
	putInt(attrDelay, p.DelaySeconds)
	putInt(attrMaxSize, p.MaximumMessageSize)
	putInt(attrRetention, p.MessageRetentionPeriod)
	putInt(attrVisibility, p.VisibilityTimeout)
	putInt(attrWait, p.ReceiveMessageWaitTimeSeconds)
	if p.ContentBasedDeduplication != nil {
		a[attrContentDedup] = strconv.FormatBool(*p.ContentBasedDeduplication)
	}
	if p.DeduplicationScope != nil {
		a[attrDedupScope] = *p.DeduplicationScope
	}
	if p.FIFOThroughputLimit != nil {
		a[attrThroughput] = *p.FIFOThroughputLimit
	}
	if e := p.ServerSideEncryption; e != nil {
		switch e.Type {
		case kmsTypeSQS:
			a[attrSQSManagedSSE], a[attrKMSKey] = "true", ""
		case kmsType:
			a[attrKMSKey] = ptr.Deref(e.KMSKeyID, "")
			putInt(attrKMSReuse, e.DataKeyReusePeriodSeconds)
		default: // None
			a[attrSQSManagedSSE], a[attrKMSKey] = "false", ""
		}
	}
	if p.Policy != nil {
		if _, err := policy.Normalize(*p.Policy); err != nil {
			return nil, errors.Wrap(err, "spec.forProvider.policy is not a valid policy document")
		}
		a[attrPolicy] = *p.Policy
	}
	if r := p.RedrivePolicy; r != nil {
		if ptr.Deref(r.DeadLetterTargetARN, "") == "" {
			return nil, errors.New("spec.forProvider.redrivePolicy: the dead-letter target's ARN is not known yet")
		}
		b, _ := json.Marshal(map[string]any{"deadLetterTargetArn": *r.DeadLetterTargetARN, "maxReceiveCount": r.MaxReceiveCount})
		a[attrRedrive] = string(b)
	}
	if r := p.RedriveAllowPolicy; r != nil {
		m := map[string]any{"redrivePermission": r.RedrivePermission}
		if len(r.SourceQueueARNs) > 0 {
			m["sourceQueueArns"] = r.SourceQueueARNs
		}
		b, _ := json.Marshal(m)
		a[attrRedriveAllow] = string(b)
	}
	return a, nil
}

// createAttributes are the attributes CreateQueue sends: the desired ones, FifoQueue for a FIFO queue, and none of
// the empty values that only serve to switch something off.
func createAttributes(p v1alpha1.QueueParameters) (map[string]string, error) {
	a, err := desiredAttributes(p)
	if err != nil {
		return nil, err
	}
	for k, v := range a {
		if v == "" {
			delete(a, k)
		}
	}
	if ptr.Deref(p.FIFOQueue, false) {
		a[attrFIFO] = "true"
	}
	return a, nil
}

// changes is the Queue's change list: each spec field that differs with the SQS attributes that set it, all sent
// in one SetQueueAttributes.
type changes = managedkind.Changes[map[string]string]

// diff lists, sorted by spec field, the fields whose desired attributes differ from the observed ones. Policies
// are compared by meaning, booleans and numbers by value; an attribute SQS does not report counts as empty. A
// field that differs sends every attribute behind it (switching to SQS-managed encryption also clears the KMS key).
func diff(desired, observed map[string]string) (changes, error) {
	differs := map[string]bool{}
	for k, want := range desired {
		same, err := sameAttribute(k, want, observed[k])
		if err != nil {
			return nil, err
		}
		if !same {
			differs[fieldOf(k)] = true
		}
	}
	fields := make([]string, 0, len(differs))
	for f := range differs {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	var out changes
	for _, f := range fields {
		attrs := map[string]string{}
		for k, v := range desired {
			if fieldOf(k) == f {
				attrs[k] = v
			}
		}
		out.Add(f, attrs)
	}
	return out, nil
}

// setAttributes merges the changes into the one map SetQueueAttributes takes.
func setAttributes(cs changes) map[string]string {
	out := map[string]string{}
	for _, r := range cs.Requests() {
		for k, v := range r {
			out[k] = v
		}
	}
	return out
}

func sameAttribute(k, want, got string) (bool, error) {
	switch k {
	case attrPolicy:
		if want == "" || got == "" {
			// SQS reports no Policy attribute for a queue without one: policy "" (no policy) and absent agree.
			return want == got, nil
		}
		return policy.Equal(want, got)
	case attrRedrive, attrRedriveAllow:
		return sameJSON(want, got), nil
	case attrContentDedup, attrSQSManagedSSE:
		return strings.EqualFold(want, got) || (want == "false" && got == ""), nil
	default:
		return want == got, nil
	}
}

// sameJSON compares two small JSON objects by the string form of their values, since SQS may report
// maxReceiveCount as a number or a string, and with the ARN lists in any order.
func sameJSON(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	var ma, mb map[string]any
	if json.Unmarshal([]byte(a), &ma) != nil || json.Unmarshal([]byte(b), &mb) != nil || len(ma) != len(mb) {
		return false
	}
	for k, va := range ma {
		vb, ok := mb[k]
		if !ok || flat(va) != flat(vb) {
			return false
		}
	}
	return true
}

func flat(v any) string {
	if l, ok := v.([]any); ok {
		s := make([]string, 0, len(l))
		for _, x := range l {
			s = append(s, fmt.Sprint(x))
		}
		sort.Strings(s)
		return strings.Join(s, ",")
	}
	return fmt.Sprint(v)
}

// observation is the queue as SQS reports it.
func observation(url string, attrs, tags map[string]string) v1alpha1.QueueObservation {
	o := v1alpha1.QueueObservation{URL: url, ARN: attrs[attrARN], Tags: tags, Attributes: map[string]string{}}
	for k, v := range attrs {
		switch k {
		case attrPolicy:
			if n, err := policy.Normalize(v); err == nil {
				v = n
			}
			o.Policy = v
		case attrRedrive:
			o.RedrivePolicy = v
		case attrRedriveAllow:
			o.RedriveAllowPolicy = v
		case attrARN, attrApproxMessages, attrApproxNotVis, attrApproxDelayed, attrLastModified, attrCreated:
			// The ARN has its own field; the message counts and timestamps change on their own, and a status that
			// changes on every poll is an API write on every poll.
		default:
			o.Attributes[k] = v
		}
	}
	return o
}

func connectionDetails(url, arn string) managed.ConnectionDetails {
	return managed.ConnectionDetails{ConnURL: []byte(url), ConnARN: []byte(arn)}
}

// References lists what the Queue names that the provider does not make: its KMS key. (A dead-letter queue is
// one the provider makes: see admitDeadLetterTarget.)
func References(cr *v1alpha1.Queue) []credentials.Reference {
	if e := cr.Spec.ForProvider.ServerSideEncryption; e != nil {
		return []credentials.Reference{{List: "kmsKeys", Field: "spec.forProvider.serverSideEncryption.kmsKeyID", Value: ptr.Deref(e.KMSKeyID, "")}}
	}
	return nil
}

// deletion is what deleting the Queue does.
func deletion(*v1alpha1.Queue) managedkind.Deletion {
	return managedkind.Deletion{Deletes: true, What: "deletes the queue and the messages in it"}
}
