package subscription

import (
	"context"
	"testing"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	gcpclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/pubsub/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/mr/mrtest"
)

// A create Pub/Sub refuses as invalid is sent once for its generation; a failure that may pass is retried.
// TestGCPRefusedCreateIsTerminal (integration) shows the same against pstest, which refuses a bad filter.
func TestRefusedCreate(t *testing.T) {
	cases := map[string]struct {
		reason      string
		err         error
		wantCreates int
	}{
		"InvalidArgument": {reason: "Input the cloud refuses is terminal until the spec changes: one create in ten reconciles.",
			err: status.Error(codes.InvalidArgument, "Invalid filter expression."), wantCreates: 1},
		"FailedPrecondition": {reason: "A state that can change without the spec (a key being enabled) is retried.",
			err: status.Error(codes.FailedPrecondition, "Cloud Pub/Sub did not have the necessary permissions on the key."), wantCreates: 10},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := &fake.Subscriptions{Topics: map[string]*pubsubpb.Topic{"projects/p/topics/orders": topicOf("projects/p/topics/orders", "team-a")},
				Err: map[string]error{"GetSubscription": status.Error(codes.NotFound, "no subscription"), "CreateSubscription": tc.err}}
			cr := newSub()
			_ = mrtest.Reconcile(context.Background(), mrtest.Claimed(v1alpha1.SubscriptionGroupVersionKind, ext(f, false), gcpclient.IsInvalidInput), cr, 10)
			if diff := cmp.Diff(tc.wantCreates, f.Creates); diff != "" {
				t.Errorf("%s\nCreateSubscription calls: -want +got:\n%s", tc.reason, diff)
			}
			if got := cr.GetCondition(apisv1alpha1.TypeInputRejected).Status == "True"; got != (tc.wantCreates == 1) {
				t.Errorf("%s\n%s: %v", tc.reason, apisv1alpha1.TypeInputRejected, cr.GetCondition(apisv1alpha1.TypeInputRejected))
			}
		})
	}
}
