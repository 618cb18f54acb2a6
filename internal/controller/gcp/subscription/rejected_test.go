package subscription

import (
	"testing"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/pubsub/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
)

// A create Pub/Sub refuses as invalid is sent once for its generation; a failure that may pass is retried.
// TestGCPRefusedCreateIsTerminal (integration) shows the same against pstest, which refuses a bad filter.
func TestRefusedCreate(t *testing.T) {
	kindtest.Refused(t, "CreateSubscription calls", map[string]kindtest.Refusal{
		"InvalidArgument": {Reason: "Input the cloud refuses is terminal until the spec changes: one create in ten reconciles.",
			Err: status.Error(codes.InvalidArgument, "Invalid filter expression."), WantCreates: 1},
		"FailedPrecondition": {Reason: "A state that can change without the spec (a key being enabled) is retried.",
			Err: status.Error(codes.FailedPrecondition, "Cloud Pub/Sub did not have the necessary permissions on the key."), WantCreates: 10},
	}, func(refusal error) (managed.TypedExternalClient[*v1alpha1.Subscription], *v1alpha1.Subscription, func() int) {
		creates := 0
		f := &fake.Subscriptions{
			MockGetSubscription: func(*pubsubpb.GetSubscriptionRequest) (*pubsubpb.Subscription, error) {
				return nil, status.Error(codes.NotFound, "no subscription")
			},
			MockCreateSubscription: func(*pubsubpb.Subscription) (*pubsubpb.Subscription, error) {
				creates++
				return nil, refusal
			},
		}
		return kindtest.Leased(v1alpha1.SubscriptionGroupVersionKind, ext(f, false), Kind().Rejects), newSub(), func() int { return creates }
	})
}
