// Package fake is a hand-written TopicAPI and SubscriptionAPI for the controllers' unit tests: each method returns what the test
// sets and records its request. Integration tests use the real emulator (pstest) instead.
package fake

import (
	"context"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/googleapis/gax-go/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Topics is a fake TopicAPI.
type Topics struct {
	Topic *pubsubpb.Topic
	Err   map[string]error // by method

	Created *pubsubpb.Topic
	// Creates counts CreateTopic calls.
	Creates int
	Updated *pubsubpb.UpdateTopicRequest
	Deleted string
}

// GetTopic returns Topic.
func (f *Topics) GetTopic(_ context.Context, _ *pubsubpb.GetTopicRequest, _ ...gax.CallOption) (*pubsubpb.Topic, error) {
	return f.Topic, f.Err["GetTopic"]
}

// CreateTopic records the topic.
func (f *Topics) CreateTopic(_ context.Context, t *pubsubpb.Topic, _ ...gax.CallOption) (*pubsubpb.Topic, error) {
	f.Created = t
	f.Creates++
	return t, f.Err["CreateTopic"]
}

// UpdateTopic records the request.
func (f *Topics) UpdateTopic(_ context.Context, r *pubsubpb.UpdateTopicRequest, _ ...gax.CallOption) (*pubsubpb.Topic, error) {
	f.Updated = r
	return r.GetTopic(), f.Err["UpdateTopic"]
}

// DeleteTopic records the name.
func (f *Topics) DeleteTopic(_ context.Context, r *pubsubpb.DeleteTopicRequest, _ ...gax.CallOption) error {
	f.Deleted = r.GetTopic()
	return f.Err["DeleteTopic"]
}

// Subscriptions is a fake SubscriptionAPI. Topics answers GetTopic by full name (NotFound when absent).
type Subscriptions struct {
	Subscription *pubsubpb.Subscription
	Topics       map[string]*pubsubpb.Topic
	Err          map[string]error // by method

	Created *pubsubpb.Subscription
	// Creates counts CreateSubscription calls.
	Creates int
	Updated *pubsubpb.UpdateSubscriptionRequest
	Deleted string
	// TopicReads counts GetTopic calls.
	TopicReads int
}

// GetTopic returns the topic of that name.
func (f *Subscriptions) GetTopic(_ context.Context, r *pubsubpb.GetTopicRequest, _ ...gax.CallOption) (*pubsubpb.Topic, error) {
	f.TopicReads++
	if err := f.Err["GetTopic"]; err != nil {
		return nil, err
	}
	t, ok := f.Topics[r.GetTopic()]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "Resource not found (resource=%s).", r.GetTopic())
	}
	return t, nil
}

// GetSubscription returns Subscription.
func (f *Subscriptions) GetSubscription(_ context.Context, _ *pubsubpb.GetSubscriptionRequest, _ ...gax.CallOption) (*pubsubpb.Subscription, error) {
	return f.Subscription, f.Err["GetSubscription"]
}

// CreateSubscription records the subscription.
func (f *Subscriptions) CreateSubscription(_ context.Context, s *pubsubpb.Subscription, _ ...gax.CallOption) (*pubsubpb.Subscription, error) {
	f.Created = s
	f.Creates++
	return s, f.Err["CreateSubscription"]
}

// UpdateSubscription records the request.
func (f *Subscriptions) UpdateSubscription(_ context.Context, r *pubsubpb.UpdateSubscriptionRequest, _ ...gax.CallOption) (*pubsubpb.Subscription, error) {
	f.Updated = r
	return r.GetSubscription(), f.Err["UpdateSubscription"]
}

// DeleteSubscription records the name.
func (f *Subscriptions) DeleteSubscription(_ context.Context, r *pubsubpb.DeleteSubscriptionRequest, _ ...gax.CallOption) error {
	f.Deleted = r.GetSubscription()
	return f.Err["DeleteSubscription"]
}

// Masked returns current with the fields the update mask names taken from update, as Pub/Sub applies an
// UpdateTopic or UpdateSubscription: each path a top-level field, replaced whole, cleared when update leaves it
// unset. A path that names no field is an error, as Pub/Sub refuses it.
func Masked[M proto.Message](current, update M, paths []string) (M, error) {
	out, from := proto.Clone(current).(M), proto.Clone(update).ProtoReflect() //nolint:forcetypeassert // Clone keeps the type.
	to := out.ProtoReflect()
	for _, p := range paths {
		fd := to.Descriptor().Fields().ByName(protoreflect.Name(p))
		if fd == nil {
			return out, status.Errorf(codes.InvalidArgument, "invalid update_mask provided in the UpdateRequest: %q is not a field", p)
		}
		if from.Has(fd) {
			to.Set(fd, from.Get(fd))
		} else {
			to.Clear(fd)
		}
	}
	return out, nil
}
