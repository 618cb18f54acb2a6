// Package pubsub is the narrow Pub/Sub admin interfaces the Topic and Subscription controllers use, their clients,
// and Pub/Sub's naming rules.
package pubsub

import (
	"context"

	pubsub "cloud.google.com/go/pubsub/v2/apiv1"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/googleapis/gax-go/v2"
	"golang.org/x/oauth2"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/bounded"
	gcpclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp"
)

// TopicAPI is what the Topic controller calls.
type TopicAPI interface {
	GetTopic(ctx context.Context, req *pubsubpb.GetTopicRequest, opts ...gax.CallOption) (*pubsubpb.Topic, error)
	CreateTopic(ctx context.Context, req *pubsubpb.Topic, opts ...gax.CallOption) (*pubsubpb.Topic, error)
	UpdateTopic(ctx context.Context, req *pubsubpb.UpdateTopicRequest, opts ...gax.CallOption) (*pubsubpb.Topic, error)
	DeleteTopic(ctx context.Context, req *pubsubpb.DeleteTopicRequest, opts ...gax.CallOption) error
}

// NewTopics connects a Pub/Sub topic admin client with ts to endpoint ep (nil: Google's); readOnly makes it refuse
// every call that is not a read (gcpclient.Guard). The client holds a connection: Close it when done.
func NewTopics(ctx context.Context, ts oauth2.TokenSource, ep *v1alpha1.GCPGRPCEndpoint, readOnly bool) (*Topics, error) {
	// The connection outlives the caller's context.
	c, err := pubsub.NewTopicAdminClient(context.WithoutCancel(ctx), gcpclient.Guard(readOnly, gcpclient.GRPCOptions("pubsub", ts, ep))...)
	if err != nil {
		return nil, errors.Wrap(err, "cannot connect to Pub/Sub")
	}
	return &Topics{boundedTopics: boundedTopics{c}, conn: c}, nil
}

// Topics is the topic admin client: every call bounded (boundedTopics).
type Topics struct {
	boundedTopics
	conn *pubsub.TopicAdminClient
}

// Close closes the connection.
func (t *Topics) Close() error { return t.conn.Close() }

// boundedTopics gives each call, its retries included, bounded.GRPCCallTimeout unless the caller's deadline is
// sooner. The generated client retries Unavailable until the context ends; its own timeout option (gax.WithTimeout)
// applies only to a context without a deadline, and a reconcile's always has one (a minute): a tarpit answering
// each attempt with Unavailable would hold the worker for all of it.
type boundedTopics struct{ TopicAPI }

func (b boundedTopics) GetTopic(ctx context.Context, req *pubsubpb.GetTopicRequest, opts ...gax.CallOption) (*pubsubpb.Topic, error) {
	return within(ctx, func(ctx context.Context) (*pubsubpb.Topic, error) {
		return b.TopicAPI.GetTopic(ctx, req, opts...)
	})
}

func (b boundedTopics) CreateTopic(ctx context.Context, req *pubsubpb.Topic, opts ...gax.CallOption) (*pubsubpb.Topic, error) {
	return within(ctx, func(ctx context.Context) (*pubsubpb.Topic, error) {
		return b.TopicAPI.CreateTopic(ctx, req, opts...)
	})
}

func (b boundedTopics) UpdateTopic(ctx context.Context, req *pubsubpb.UpdateTopicRequest, opts ...gax.CallOption) (*pubsubpb.Topic, error) {
	return within(ctx, func(ctx context.Context) (*pubsubpb.Topic, error) {
		return b.TopicAPI.UpdateTopic(ctx, req, opts...)
	})
}

func (b boundedTopics) DeleteTopic(ctx context.Context, req *pubsubpb.DeleteTopicRequest, opts ...gax.CallOption) error {
	_, err := within(ctx, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, b.TopicAPI.DeleteTopic(ctx, req, opts...)
	})
	return err
}

// within runs f, its retries included, with bounded.GRPCCallTimeout unless ctx's deadline is sooner. The context
// is cancelled only once f has returned: f's answer is already read by then.
func within[T any](ctx context.Context, f func(context.Context) (T, error)) (T, error) {
	ctx, cancel := bounded.WithTimeout(ctx, bounded.GRPCCallTimeout)
	defer cancel()
	return f(ctx)
}

// SubscriptionAPI is what the Subscription controller calls: the subscription admin calls, and GetTopic to check
// the topics a subscription names.
type SubscriptionAPI interface {
	GetTopic(ctx context.Context, req *pubsubpb.GetTopicRequest, opts ...gax.CallOption) (*pubsubpb.Topic, error)
	GetSubscription(ctx context.Context, req *pubsubpb.GetSubscriptionRequest, opts ...gax.CallOption) (*pubsubpb.Subscription, error)
	CreateSubscription(ctx context.Context, req *pubsubpb.Subscription, opts ...gax.CallOption) (*pubsubpb.Subscription, error)
	UpdateSubscription(ctx context.Context, req *pubsubpb.UpdateSubscriptionRequest, opts ...gax.CallOption) (*pubsubpb.Subscription, error)
	DeleteSubscription(ctx context.Context, req *pubsubpb.DeleteSubscriptionRequest, opts ...gax.CallOption) error
}

// subscriptions joins the two admin clients, each call bounded as boundedTopics' are.
type subscriptions struct {
	*pubsub.SubscriptionAdminClient
	topics TopicAPI
}

func (s subscriptions) GetTopic(ctx context.Context, req *pubsubpb.GetTopicRequest, opts ...gax.CallOption) (*pubsubpb.Topic, error) {
	return s.topics.GetTopic(ctx, req, opts...)
}

func (s subscriptions) GetSubscription(ctx context.Context, req *pubsubpb.GetSubscriptionRequest, opts ...gax.CallOption) (*pubsubpb.Subscription, error) {
	return within(ctx, func(ctx context.Context) (*pubsubpb.Subscription, error) {
		return s.SubscriptionAdminClient.GetSubscription(ctx, req, opts...)
	})
}

func (s subscriptions) CreateSubscription(ctx context.Context, req *pubsubpb.Subscription, opts ...gax.CallOption) (*pubsubpb.Subscription, error) {
	return within(ctx, func(ctx context.Context) (*pubsubpb.Subscription, error) {
		return s.SubscriptionAdminClient.CreateSubscription(ctx, req, opts...)
	})
}

func (s subscriptions) UpdateSubscription(
	ctx context.Context, req *pubsubpb.UpdateSubscriptionRequest, opts ...gax.CallOption,
) (*pubsubpb.Subscription, error) {
	return within(ctx, func(ctx context.Context) (*pubsubpb.Subscription, error) {
		return s.SubscriptionAdminClient.UpdateSubscription(ctx, req, opts...)
	})
}

func (s subscriptions) DeleteSubscription(ctx context.Context, req *pubsubpb.DeleteSubscriptionRequest, opts ...gax.CallOption) error {
	_, err := within(ctx, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.SubscriptionAdminClient.DeleteSubscription(ctx, req, opts...)
	})
	return err
}

// NewSubscriptions connects a Pub/Sub subscription admin client with ts to endpoint ep (nil: Google's); topics
// answers the topic reads a subscription needs; readOnly makes it refuse every call that is not a read. The client
// holds a connection: Close it when done.
func NewSubscriptions(ctx context.Context, ts oauth2.TokenSource, ep *v1alpha1.GCPGRPCEndpoint, readOnly bool) (*SubscriptionAdmin, error) {
	c, err := pubsub.NewSubscriptionAdminClient(context.WithoutCancel(ctx), gcpclient.Guard(readOnly, gcpclient.GRPCOptions("pubsub", ts, ep))...)
	if err != nil {
		return nil, errors.Wrap(err, "cannot connect to Pub/Sub")
	}
	return &SubscriptionAdmin{c: c}, nil
}

// SubscriptionAdmin is the subscription admin connection; With pairs it with a topic client into what the
// Subscription controller calls.
type SubscriptionAdmin struct {
	c *pubsub.SubscriptionAdminClient
}

// With returns the subscription client that reads topics through topics.
func (s *SubscriptionAdmin) With(topics TopicAPI) SubscriptionAPI {
	return subscriptions{SubscriptionAdminClient: s.c, topics: topics}
}

// Close closes the connection.
func (s *SubscriptionAdmin) Close() error { return s.c.Close() }
