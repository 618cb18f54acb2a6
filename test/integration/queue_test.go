//go:build integration

package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sqsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// directSQS talks to moto without the proxy, to change queues behind the provider's back uncounted.
func directSQS() *sqs.Client {
	return sqs.New(sqs.Options{Region: "eu-west-1", BaseEndpoint: aws.String(moto.URL), Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

func queue(ns, name string, mutate ...func(*sqsv1alpha1.Queue)) *sqsv1alpha1.Queue {
	q := &sqsv1alpha1.Queue{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       sqsv1alpha1.QueueSpec{ForProvider: sqsv1alpha1.QueueParameters{Region: "eu-west-1"}},
	}
	for _, m := range mutate {
		m(q)
	}
	return q
}

func newQueue() *sqsv1alpha1.Queue { return &sqsv1alpha1.Queue{} }

func getQueue(t *testing.T, ns, name string) *sqsv1alpha1.Queue {
	return getMR(t, ns, name, newQueue())
}

func waitQueue(t *testing.T, ns, name string, ok func(*sqsv1alpha1.Queue) (bool, string)) *sqsv1alpha1.Queue {
	t.Helper()
	return waitMR(t, ns, name, "", newQueue, ok)
}

func queueReady(q *sqsv1alpha1.Queue) (bool, string) { return readySynced(q) }

func queueSyncError(want string) func(*sqsv1alpha1.Queue) (bool, string) {
	return func(q *sqsv1alpha1.Queue) (bool, string) { return syncError(want)(q.GetCondition(xpv2.TypeSynced)) }
}

func updateQueue(t *testing.T, ns, name string, mutate func(*sqsv1alpha1.Queue)) {
	t.Helper()
	updateMR(t, ns, name, newQueue, mutate)
}

func deleteQueueAndWait(t *testing.T, ns, name string) {
	t.Helper()
	if err := kube.Delete(context.Background(), getQueue(t, ns, name)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Queue "+name+" gone", func() (bool, string) {
		err := kube.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &sqsv1alpha1.Queue{})
		return kerrors.IsNotFound(err), fmt.Sprint(err)
	})
}

func cloudQueue(t *testing.T, name string) (attrs, tags map[string]string) {
	t.Helper()
	ctx := context.Background()
	c := directSQS()
	u, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("queue %s: %v", name, err)
	}
	a, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: u.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := c.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: u.QueueUrl})
	if err != nil {
		t.Fatal(err)
	}
	return a.Attributes, tg.Tags
}

func cloudQueueURL(t *testing.T, name string) *string {
	t.Helper()
	u, err := directSQS().GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return u.QueueUrl
}

const queuePolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Own","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sqs:SendMessage","Resource":"*"}]}`

// A Queue's whole life: created with its attributes, policy, encryption and tags in one call; no writes while in
// sync; a spec change applied; a change behind the provider's back reverted with an event; deleted.
func TestQueueLifecycle(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	name := "orders-" + suffix()
	q := queue(ns, name, func(q *sqsv1alpha1.Queue) {
		p := &q.Spec.ForProvider
		p.VisibilityTimeout, p.MessageRetentionPeriod, p.DelaySeconds = ptr.To(int32(45)), ptr.To(int32(86400)), ptr.To(int32(5))
		p.ServerSideEncryption = &sqsv1alpha1.QueueEncryption{Type: "SQS"}
		// Pretty-printed: the provider compares policies by meaning, not by text.
		p.Policy = ptr.To(strings.ReplaceAll(queuePolicy, ",", ",\n  "))
		p.Tags = map[string]string{"team": "orders"}
	})
	q.Spec.WriteConnectionSecretToReference = &xpv2.LocalSecretReference{Name: name + "-conn"}
	create(t, q)
	got := waitQueue(t, ns, name, queueReady)
	if n := proxy.Count("CreateQueue", name); n != 1 {
		t.Errorf("CreateQueue calls: want 1, got %d", n)
	}
	attrs, tags := cloudQueue(t, name)
	if attrs["VisibilityTimeout"] != "45" || attrs["MessageRetentionPeriod"] != "86400" || attrs["DelaySeconds"] != "5" || !strings.EqualFold(attrs["SqsManagedSseEnabled"], "true") {
		t.Errorf("attributes in moto: %v", attrs)
	}
	if tags["team"] != "orders" || tags["stateful.dev/namespace"] != ns || tags["stateful.dev/name"] != name || tags["managed-by"] != "provider-stateful" {
		t.Errorf("tags in moto: %v", tags)
	}
	if got.Status.AtProvider.ARN == "" || got.Status.AtProvider.URL == "" || got.Status.AtProvider.Policy == "" {
		t.Errorf("status.atProvider: %+v", got.Status.AtProvider)
	}
	conn := &corev1.Secret{}
	eventually(t, "the connection secret", func() (bool, string) {
		err := kube.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name + "-conn"}, conn)
		return err == nil && string(conn.Data["url"]) == got.Status.AtProvider.URL && string(conn.Data["arn"]) == got.Status.AtProvider.ARN, fmt.Sprint(err)
	})

	// In sync: polls write nothing.
	gets := proxy.Count("GetQueueAttributes", name)
	eventually(t, "two more polls", func() (bool, string) { return proxy.Count("GetQueueAttributes", name)-gets >= 2, "" })
	for _, op := range []string{"SetQueueAttributes", "TagQueue", "UntagQueue", "CreateQueue"} {
		if n := proxy.Count(op, name); op != "CreateQueue" && n != 0 || op == "CreateQueue" && n != 1 {
			t.Errorf("%s calls while in sync: %d", op, n)
		}
	}

	// A spec change.
	updateQueue(t, ns, name, func(q *sqsv1alpha1.Queue) { q.Spec.ForProvider.VisibilityTimeout = ptr.To(int32(90)) })
	eventually(t, "the new visibility timeout in moto", func() (bool, string) {
		a, _ := cloudQueue(t, name)
		return a["VisibilityTimeout"] == "90", a["VisibilityTimeout"]
	})

	// Drift: attributes and tags changed behind the provider's back are reverted, with an event.
	ctx := context.Background()
	url := cloudQueueURL(t, name)
	if _, err := directSQS().SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: url, Attributes: map[string]string{"DelaySeconds": "0", "Policy": ""}}); err != nil {
		t.Fatal(err)
	}
	if _, err := directSQS().TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: url, Tags: map[string]string{"intruder": "yes", "team": "hacked"}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "drift reverted", func() (bool, string) {
		a, tg := cloudQueue(t, name)
		_, intruder := tg["intruder"]
		return a["DelaySeconds"] == "5" && a["Policy"] != "" && tg["team"] == "orders" && !intruder, fmt.Sprint(a["DelaySeconds"], tg)
	})
	eventually(t, "a drift event", func() (bool, string) {
		for _, e := range events(t, ns, name) {
			if strings.HasPrefix(e, "DriftReverted: ") && strings.Contains(e, "delaySeconds") && !strings.Contains(e, "DelaySeconds") && strings.Contains(e, "intruder") {
				return true, ""
			}
		}
		return false, strings.Join(events(t, ns, name), " | ")
	})

	deleteQueueAndWait(t, ns, name)
	if _, err := directSQS().GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)}); err == nil {
		t.Errorf("the queue is still in moto")
	}
}

// FIFO queues and dead letters: a FIFO queue with its FIFO attributes; a dead-letter queue found by reference
// (its ARN resolved from its status) and allowing only that source.
func TestQueueFIFOAndRedrive(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	fifo := "events-" + suffix() + ".fifo"
	create(t, queue(ns, fifo, func(q *sqsv1alpha1.Queue) {
		p := &q.Spec.ForProvider
		p.FIFOQueue, p.ContentBasedDeduplication = ptr.To(true), ptr.To(true)
		p.DeduplicationScope, p.FIFOThroughputLimit = ptr.To("messageGroup"), ptr.To("perMessageGroupId")
	}))
	waitQueue(t, ns, fifo, queueReady)
	attrs, _ := cloudQueue(t, fifo)
	if !strings.EqualFold(attrs["FifoQueue"], "true") || !strings.EqualFold(attrs["ContentBasedDeduplication"], "true") || attrs["FifoThroughputLimit"] != "perMessageGroupId" {
		t.Errorf("FIFO attributes in moto: %v", attrs)
	}

	dlq, src := "dlq-"+suffix(), "src-"+suffix()
	create(t, queue(ns, src, func(q *sqsv1alpha1.Queue) {
		q.Spec.ForProvider.RedrivePolicy = &sqsv1alpha1.RedrivePolicy{DeadLetterTargetRef: &xpv2.NamespacedReference{Name: dlq}, MaxReceiveCount: 3}
	}))
	// The source waits for its dead-letter queue to exist.
	waitQueue(t, ns, src, func(q *sqsv1alpha1.Queue) (bool, string) {
		s := q.GetCondition(xpv2.TypeSynced)
		return s.Status == corev1.ConditionFalse, s.Message
	})
	create(t, queue(ns, dlq))
	d := waitQueue(t, ns, dlq, queueReady)
	s := waitQueue(t, ns, src, queueReady)
	if got := *s.Spec.ForProvider.RedrivePolicy.DeadLetterTargetARN; got != d.Status.AtProvider.ARN {
		t.Errorf("the reference resolved to %q, want the dead-letter queue's ARN %q", got, d.Status.AtProvider.ARN)
	}
	attrs, _ = cloudQueue(t, src)
	if !strings.Contains(attrs["RedrivePolicy"], d.Status.AtProvider.ARN) {
		t.Errorf("RedrivePolicy in moto: %q", attrs["RedrivePolicy"])
	}
	updateQueue(t, ns, dlq, func(q *sqsv1alpha1.Queue) {
		q.Spec.ForProvider.RedriveAllowPolicy = &sqsv1alpha1.RedriveAllowPolicy{RedrivePermission: "byQueue", SourceQueueARNs: []string{s.Status.AtProvider.ARN}}
	})
	// NOTE: moto 5 stores RedriveAllowPolicy but never reports it, so the request the provider sent is checked
	// instead; the comparison of SQS's answer is unit-tested (convert_test.go).
	eventually(t, "the redrive-allow policy sent", func() (bool, string) {
		for _, c := range proxy.Calls(func(c harness.Call) bool { return c.Operation == "SetQueueAttributes" && c.Bucket == dlq }) {
			if strings.Contains(string(c.Body), `\"redrivePermission\":\"byQueue\"`) && strings.Contains(string(c.Body), s.Status.AtProvider.ARN) {
				return true, ""
			}
		}
		return false, ""
	})
}

// Creating a queue within 60 s of deleting one of its name: SQS answers QueueDeletedRecently (injected here);
// the Queue says so in a stable condition, retries with backoff rather than in a hot loop, and is created after.
func TestQueueDeletedRecently(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	name := "recent-" + suffix()
	const window = 20 * time.Second
	proxy.RespondFor("CreateQueue", name, 400, `{"__type":"com.amazonaws.sqs#QueueDeletedRecently","message":"You must wait 60 seconds after deleting a queue before you can create another with the same name."}`, window)
	start := time.Now()
	create(t, queue(ns, name))
	waitQueue(t, ns, name, queueSyncError("deleted less than 60 seconds ago and SQS refuses the name until then"))
	eventually(t, "the injected window over", func() (bool, string) { return time.Since(start) > window, "" })
	refused := proxy.Count("CreateQueue", name)
	// Exponential backoff from 1 s over 20 s is about 5 attempts; a hot loop would be hundreds.
	if refused > 8 {
		t.Errorf("CreateQueue attempts during a %s QueueDeletedRecently window: %d (want backoff, not a hot loop)", window, refused)
	}
	// NOTE: after five refused creates the controller's per-resource backoff is near its 60 s cap, and a Ready
	// condition has been seen to lag a successful create by one backoff period: allow two.
	eventuallyWithin(t, 2*waitTimeout, "Queue "+name+" Ready", func() (bool, string) { return queueReady(getQueue(t, ns, name)) })
}

// Invalid queues are refused by the CRD, with a message that says why.
func TestQueueCRDValidation(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	for _, tc := range []struct {
		name, want string
		q          *sqsv1alpha1.Queue
	}{
		{"PolicyNotJSON", "policy must be a JSON object", queue(ns, "badpolicy-"+suffix(), func(q *sqsv1alpha1.Queue) { q.Spec.ForProvider.Policy = ptr.To("allow everyone") })},
		{"FIFOAttributesOnStandard", "apply to FIFO queues only", queue(ns, "std-"+suffix(), func(q *sqsv1alpha1.Queue) { q.Spec.ForProvider.ContentBasedDeduplication = ptr.To(true) })},
		{"RedriveWithoutTarget", "set deadLetterTargetARN, deadLetterTargetRef or deadLetterTargetSelector", queue(ns, "nodlq-"+suffix(), func(q *sqsv1alpha1.Queue) {
			q.Spec.ForProvider.RedrivePolicy = &sqsv1alpha1.RedrivePolicy{MaxReceiveCount: 3}
		})},
		{"RefIntoAnotherNamespace", "namespace must be omitted: a reference resolves in the resource's own namespace", queue(ns, "xref-"+suffix(), func(q *sqsv1alpha1.Queue) {
			q.Spec.ForProvider.RedrivePolicy = &sqsv1alpha1.RedrivePolicy{MaxReceiveCount: 3, DeadLetterTargetRef: &xpv2.NamespacedReference{Name: "dlq", Namespace: "other"}}
		})},
		{"SelectorIntoAnotherNamespace", "namespace must be omitted: a selector resolves in the resource's own namespace", queue(ns, "xsel-"+suffix(), func(q *sqsv1alpha1.Queue) {
			q.Spec.ForProvider.RedrivePolicy = &sqsv1alpha1.RedrivePolicy{MaxReceiveCount: 3, DeadLetterTargetSelector: &xpv2.NamespacedSelector{Namespace: "other"}}
		})},
		{"KMSWithoutKey", "type KMS needs kmsKeyID", queue(ns, "kms-"+suffix(), func(q *sqsv1alpha1.Queue) {
			q.Spec.ForProvider.ServerSideEncryption = &sqsv1alpha1.QueueEncryption{Type: "KMS"}
		})},
		{"ByQueueWithoutSources", "sourceQueueARNs is required with redrivePermission byQueue", queue(ns, "allow-"+suffix(), func(q *sqsv1alpha1.Queue) {
			q.Spec.ForProvider.RedriveAllowPolicy = &sqsv1alpha1.RedriveAllowPolicy{RedrivePermission: "byQueue"}
		})},
		{"Retention", "spec.forProvider.messageRetentionPeriod", queue(ns, "ret-"+suffix(), func(q *sqsv1alpha1.Queue) { q.Spec.ForProvider.MessageRetentionPeriod = ptr.To(int32(10)) })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := kube.Create(context.Background(), tc.q)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want a refusal containing %q, got %v", tc.want, err)
			}
		})
	}
	// The region cannot change.
	name := "region-" + suffix()
	create(t, queue(ns, name))
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		q := getQueue(t, ns, name)
		q.Spec.ForProvider.Region = "us-east-1"
		return kube.Update(context.Background(), q)
	})
	if err == nil || !strings.Contains(err.Error(), "region is immutable") {
		t.Errorf("a region change must be refused: %v", err)
	}
}

// policy: "" on a queue without a policy is in sync: no SetQueueAttributes and no drift event over several polls.
func TestQueueEmptyPolicyInSync(t *testing.T) {
	t.Parallel()
	ns, name := namespace(t), "nopolicy-"+suffix()
	create(t, queue(ns, name, func(q *sqsv1alpha1.Queue) { q.Spec.ForProvider.Policy = ptr.To("") }))
	waitQueue(t, ns, name, queueReady)
	polls := proxy.Count("GetQueueAttributes", name)
	eventually(t, "three more polls", func() (bool, string) { return proxy.Count("GetQueueAttributes", name)-polls >= 3, "" })
	if n := proxy.Count("SetQueueAttributes", name); n != 0 {
		t.Errorf("SetQueueAttributes calls for an empty policy on a queue without one: %d", n)
	}
	for _, e := range events(t, ns, name) {
		if strings.HasPrefix(e, "DriftReverted") {
			t.Errorf("a drift event for an empty policy: %s", e)
		}
	}
}

// The FIFO naming rule applies to the name actually used: a Queue "legacy" imports the FIFO queue "legacy.fifo"
// through its external name, and a FIFO Queue whose name lacks .fifo is refused by the provider, before any call.
func TestQueueFIFONameIsTheExternalName(t *testing.T) {
	t.Parallel()
	ns, base := namespace(t), "legacy-"+suffix()
	if _, err := directSQS().CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(base + ".fifo"), Attributes: map[string]string{"FifoQueue": "true"}}); err != nil {
		t.Fatal(err)
	}
	create(t, queue(ns, base, func(q *sqsv1alpha1.Queue) {
		q.SetAnnotations(map[string]string{"crossplane.io/external-name": base + ".fifo"})
		q.Spec.ForProvider.FIFOQueue = ptr.To(true)
		q.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
	}))
	waitQueue(t, ns, base, queueReady)

	wrong := "named-" + suffix()
	create(t, queue(ns, wrong, func(q *sqsv1alpha1.Queue) { q.Spec.ForProvider.FIFOQueue = ptr.To(true) }))
	waitQueue(t, ns, wrong, queueSyncError("must end in .fifo"))
	if n := proxy.Count("CreateQueue", wrong); n != 0 {
		t.Errorf("CreateQueue for a FIFO queue without .fifo: %d calls", n)
	}
}

// Through a ClusterProviderConfig (the platform's identity) a Queue may send dead letters only to a queue its own
// namespace's Queues made: another namespace's queue, named by its ARN, is refused before the create.
func TestQueueDeadLetterTenancy(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t)
	theirs := "theirs-" + suffix()
	out, err := directSQS().CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(theirs),
		Tags: managedkind.AWSTags.Tags(&metav1.ObjectMeta{Namespace: "team-b", Name: theirs, UID: "made-by-the-test"})})
	if err != nil {
		t.Fatal(err)
	}
	a, err := directSQS().GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	target := a.Attributes["QueueArn"]
	src := "src-" + suffix()
	create(t, queue(ns, src, func(q *sqsv1alpha1.Queue) {
		q.Spec.ForProvider.RedrivePolicy = &sqsv1alpha1.RedrivePolicy{DeadLetterTargetARN: ptr.To(target), MaxReceiveCount: 3}
	}))
	waitQueue(t, ns, src, func(q *sqsv1alpha1.Queue) (bool, string) {
		return syncError(`dead-letter queue "` + target + `" is not a Queue of namespace ` + ns)(q.GetCondition(xpv2.TypeSynced))
	})
	if calls := proxy.Calls(func(c harness.Call) bool { return c.Operation == "CreateQueue" && c.Bucket == src }); len(calls) != 0 {
		t.Errorf("the Queue was created with another namespace's dead-letter queue: %d CreateQueue calls", len(calls))
	}
}
