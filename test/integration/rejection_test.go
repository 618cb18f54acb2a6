//go:build integration

package integration

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	sqsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

// observeRetries counts the reconciles that stopped at the recorded rejection: the Warning events the runtime
// records for each (aggregated by the event correlator into one event with a count).
func observeRetries(t *testing.T, ns, name string) int32 {
	t.Helper()
	l := &corev1.EventList{}
	if err := kube.List(context.Background(), l, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	n := int32(0)
	for _, e := range l.Items {
		if e.InvolvedObject.Name == name && e.Reason == "CannotObserveExternalResource" {
			n += max(e.Count, 1)
		}
	}
	return n
}

func rejected[T managedObj](mg T) (bool, string) {
	c := mg.GetCondition(apisv1alpha1.TypeInputRejected)
	return c.Status == corev1.ConditionTrue && c.ObservedGeneration == mg.GetGeneration(), fmt.Sprintf("%s %q", c.Status, c.Message)
}

// T16: a create AWS rejects as invalid input is sent once for its generation — the resource then says so in a
// condition of its own and further reconciles stop before the cloud — and the next spec change retries at once.
func TestRejectedCreateIsTerminalUntilTheSpecChanges(t *testing.T) {
	ns, name := namespace(t), "rejected-"+suffix()
	proxy.Respond("CreateBucket", name, http.StatusBadRequest, "<Error><Code>InvalidArgument</Code><Message>Invalid argument for this account.</Message></Error>", -1)
	defer proxy.ClearFaults()
	create(t, bucket(ns, name))
	waitMR(t, ns, name, "rejected", func() *s3v1alpha1.Bucket { return &s3v1alpha1.Bucket{} }, rejected[*s3v1alpha1.Bucket])
	eventually(t, "two more reconciles", func() (bool, string) { n := observeRetries(t, ns, name); return n >= 2, fmt.Sprint(n) })
	if n := proxy.Count("CreateBucket", name); n != 1 {
		t.Errorf("CreateBucket calls for a rejected generation: want 1, got %d", n)
	}
	if s := get(t, ns, name).GetCondition(xpv2.TypeSynced); s.Status != corev1.ConditionFalse {
		t.Errorf("Synced is %s while the spec is rejected", s.Status)
	}

	// A spec change is tried at once; once AWS accepts, the resource is Ready and the rejection superseded.
	update(t, ns, name, func(b *s3v1alpha1.Bucket) { b.Spec.ForProvider.Tags = map[string]string{"try": "2"} })
	eventually(t, "the changed spec tried", func() (bool, string) { n := proxy.Count("CreateBucket", name); return n == 2, fmt.Sprint(n) })
	proxy.ClearFaults()
	update(t, ns, name, func(b *s3v1alpha1.Bucket) { b.Spec.ForProvider.Tags = map[string]string{"try": "3"} })
	// NOTE: the runtime requeues a successful create with the resource's failure backoff (capped at 60 s), so
	// Ready can take one backoff period after the retries above.
	var b *s3v1alpha1.Bucket
	eventuallyWithin(t, 150*time.Second, "Bucket Ready after the accepted spec", func() (bool, string) {
		b = get(t, ns, name)
		return readySynced(b)
	})
	if c := b.GetCondition(apisv1alpha1.TypeInputRejected); c.Status != corev1.ConditionFalse {
		t.Errorf("after an accepted spec the rejection condition is %s", c.Status)
	}
}

// The same for an update: a SetQueueAttributes SQS rejects is sent once for its generation.
func TestRejectedUpdateIsTerminalUntilTheSpecChanges(t *testing.T) {
	ns, name := namespace(t), "rejected-q-"+suffix()
	create(t, queue(ns, name))
	waitQueue(t, ns, name, queueReady)
	proxy.Respond("SetQueueAttributes", name, http.StatusBadRequest, `{"__type":"com.amazonaws.sqs#InvalidAttributeValue","message":"Invalid value for the parameter VisibilityTimeout."}`, -1)
	defer proxy.ClearFaults()
	before := proxy.Count("SetQueueAttributes", name)
	updateQueue(t, ns, name, func(q *sqsv1alpha1.Queue) { q.Spec.ForProvider.VisibilityTimeout = ptr.To(int32(120)) })
	waitMR(t, ns, name, "rejected", newQueue, rejected[*sqsv1alpha1.Queue])
	eventually(t, "two more reconciles", func() (bool, string) { n := observeRetries(t, ns, name); return n >= 2, fmt.Sprint(n) })
	if n := proxy.Count("SetQueueAttributes", name) - before; n != 1 {
		t.Errorf("SetQueueAttributes calls for a rejected generation: want 1, got %d", n)
	}
}
