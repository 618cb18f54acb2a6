//go:build integration

package integration

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"k8s.io/utils/ptr"

	pubsubv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	gcsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
)

// A create Google Cloud refuses as invalid input is sent once for its generation, as on AWS (T16): the resource
// says so in its InputRejected condition and further reconciles stop before the cloud. The Subscription is refused
// by pstest itself (a filter it cannot parse); fake-gcs-server refuses nothing the provider sends, so the
// recording proxy answers the bucket's insert as Cloud Storage does. bttest refuses no CreateTable and pstest no
// topic the provider sends (its bounds are checked before the call): their kinds are covered by unit tests
// (TestRefusedCreate in each kind's package).
func TestGCPRefusedCreateIsTerminal(t *testing.T) {
	t.Run("Subscription", func(t *testing.T) {
		t.Parallel()
		ns, name := namespace(t), "refused-"+suffix()
		topic := ensureTopic(subTopic(name), ns)
		pubsubProxy.Watch(subscriptionName(name))
		create(t, subscription(ns, name, func(s *pubsubv1alpha1.Subscription) {
			s.Spec.ForProvider.Topic = ptr.To(topic)
			s.Spec.ForProvider.Filter = ptr.To(`attributes.kind = `)
		}))
		mg := waitMR(t, ns, name, "rejected", func() *pubsubv1alpha1.Subscription { return &pubsubv1alpha1.Subscription{} }, rejected[*pubsubv1alpha1.Subscription])
		if _, msg := rejected(mg); !strings.Contains(msg, "InvalidArgument") {
			t.Errorf("the condition does not say what Pub/Sub answered: %s", msg)
		}
		eventually(t, "two more reconciles", func() (bool, string) { n := observeRetries(t, ns, name); return n >= 2, fmt.Sprint(n) })
		if n := pubsubProxy.Count("CreateSubscription", subscriptionName(name)); n != 1 {
			t.Errorf("CreateSubscription calls for a rejected generation: want 1, got %d", n)
		}
	})
	for name, tc := range map[string]struct {
		status        int
		body, message string
	}{
		"Bucket": {status: http.StatusBadRequest, message: "400: Invalid argument.",
			body: `{"error":{"code":400,"message":"Invalid argument.","errors":[{"message":"Invalid argument.","domain":"global","reason":"invalid"}]}}`},
		// An organisation policy's refusal is a 412 like a failed precondition; its message names the constraint.
		"BucketOrganisationPolicy": {status: http.StatusPreconditionFailed, message: "constraint constraints/storage.publicAccessPrevention forbids this bucket",
			body: `{"error":{"code":412,"message":"Request violates constraint 'constraints/storage.publicAccessPrevention'","errors":[{"message":"Request violates constraint 'constraints/storage.publicAccessPrevention'","domain":"global","reason":"conditionNotMet","locationType":"header","location":"If-Match"}]}}`},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ns, name := namespace(t), "refused-"+suffix()
			// Two answers, not a standing fault: a second insert would be refused too, and counted.
			gcsProxy.Respond("InsertBucket", name, tc.status, tc.body, 2)
			create(t, gcsBucket(ns, name))
			mg := waitMR(t, ns, name, "rejected", func() *gcsv1alpha1.Bucket { return &gcsv1alpha1.Bucket{} }, rejected[*gcsv1alpha1.Bucket])
			if _, msg := rejected(mg); !strings.Contains(msg, tc.message) {
				t.Errorf("the condition does not say %q: %s", tc.message, msg)
			}
			eventually(t, "two more reconciles", func() (bool, string) { n := observeRetries(t, ns, name); return n >= 2, fmt.Sprint(n) })
			if n := gcsProxy.Count("InsertBucket", name); n != 1 {
				t.Errorf("bucket inserts for a rejected generation: want 1, got %d", n)
			}
		})
	}
}
