// Package fake is a hand-written fake of the provider's Pub/Sub interfaces, for unit tests: one function field per method.
// Integration tests use the real emulator (pstest) instead.
package fake

import (
	"context"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/googleapis/gax-go/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	pubsubclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/pubsub"
)

var (
	_ pubsubclient.TopicAPI        = (*Topics)(nil)
	_ pubsubclient.SubscriptionAPI = (*Subscriptions)(nil)
)

// Topics answers each call with its function field; a nil field panics, so a test states every call it expects.
type Topics struct {
	MockGetTopic    func(*pubsubpb.GetTopicRequest) (*pubsubpb.Topic, error)
	MockCreateTopic func(*pubsubpb.Topic) (*pubsubpb.Topic, error)
	MockUpdateTopic func(*pubsubpb.UpdateTopicRequest) (*pubsubpb.Topic, error)
	MockDeleteTopic func(*pubsubpb.DeleteTopicRequest) error
}

// GetTopic calls MockGetTopic.
func (f *Topics) GetTopic(_ context.Context, req *pubsubpb.GetTopicRequest, _ ...gax.CallOption) (*pubsubpb.Topic, error) {
	return f.MockGetTopic(req)
}

// CreateTopic calls MockCreateTopic.
func (f *Topics) CreateTopic(_ context.Context, req *pubsubpb.Topic, _ ...gax.CallOption) (*pubsubpb.Topic, error) {
	return f.MockCreateTopic(req)
}

// UpdateTopic calls MockUpdateTopic.
func (f *Topics) UpdateTopic(_ context.Context, req *pubsubpb.UpdateTopicRequest, _ ...gax.CallOption) (*pubsubpb.Topic, error) {
	return f.MockUpdateTopic(req)
}

// DeleteTopic calls MockDeleteTopic.
func (f *Topics) DeleteTopic(_ context.Context, req *pubsubpb.DeleteTopicRequest, _ ...gax.CallOption) error {
	return f.MockDeleteTopic(req)
}

// Subscriptions answers each call with its function field; a nil field panics, so a test states every call it
// expects.
type Subscriptions struct {
	MockGetTopic           func(*pubsubpb.GetTopicRequest) (*pubsubpb.Topic, error)
	MockGetSubscription    func(*pubsubpb.GetSubscriptionRequest) (*pubsubpb.Subscription, error)
	MockCreateSubscription func(*pubsubpb.Subscription) (*pubsubpb.Subscription, error)
	MockUpdateSubscription func(*pubsubpb.UpdateSubscriptionRequest) (*pubsubpb.Subscription, error)
	MockDeleteSubscription func(*pubsubpb.DeleteSubscriptionRequest) error
}

// GetTopic calls MockGetTopic.
func (f *Subscriptions) GetTopic(_ context.Context, req *pubsubpb.GetTopicRequest, _ ...gax.CallOption) (*pubsubpb.Topic, error) {
	return f.MockGetTopic(req)
}

// GetSubscription calls MockGetSubscription.
func (f *Subscriptions) GetSubscription(_ context.Context, req *pubsubpb.GetSubscriptionRequest, _ ...gax.CallOption) (*pubsubpb.Subscription, error) {
	return f.MockGetSubscription(req)
}

// CreateSubscription calls MockCreateSubscription.
func (f *Subscriptions) CreateSubscription(_ context.Context, req *pubsubpb.Subscription, _ ...gax.CallOption) (*pubsubpb.Subscription, error) {
	return f.MockCreateSubscription(req)
}

// UpdateSubscription calls MockUpdateSubscription.
func (f *Subscriptions) UpdateSubscription(_ context.Context, req *pubsubpb.UpdateSubscriptionRequest, _ ...gax.CallOption) (*pubsubpb.Subscription, error) {
	return f.MockUpdateSubscription(req)
}

// DeleteSubscription calls MockDeleteSubscription.
func (f *Subscriptions) DeleteSubscription(_ context.Context, req *pubsubpb.DeleteSubscriptionRequest, _ ...gax.CallOption) error {
	return f.MockDeleteSubscription(req)
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
