package topic

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
// (Unit test: pstest refuses no topic the provider would send — the retention bounds are checked before the call.)
func TestRefusedCreate(t *testing.T) {
	kindtest.Refused(t, "CreateTopic calls", map[string]kindtest.Refusal{
		"InvalidArgument": {Reason: "Input the cloud refuses is terminal until the spec changes: one create in ten reconciles.",
			Err: status.Error(codes.InvalidArgument, "Invalid resource name given (name=projects/p/topics/orders)."), WantCreates: 1},
		"Unavailable": {Reason: "An outage is retried on every reconcile.", Err: status.Error(codes.Unavailable, "try again"), WantCreates: 10},
	}, func(refusal error) (managed.TypedExternalClient[*v1alpha1.Topic], *v1alpha1.Topic, func() int) {
		creates := 0
		f := &fake.Topics{
			MockGetTopic: func(*pubsubpb.GetTopicRequest) (*pubsubpb.Topic, error) {
				return nil, status.Error(codes.NotFound, "no topic")
			},
			MockCreateTopic: func(*pubsubpb.Topic) (*pubsubpb.Topic, error) {
				creates++
				return nil, refusal
			},
		}
		return kindtest.Leased(v1alpha1.TopicGroupVersionKind, ext(f), Kind().Rejects), newTopic(), func() int { return creates }
	})
}
