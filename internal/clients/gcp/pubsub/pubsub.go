// Package pubsub is the narrow Pub/Sub admin interface the Topic controller uses, and its client.
package pubsub

import (
	"context"

	pubsub "cloud.google.com/go/pubsub/v2/apiv1"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/googleapis/gax-go/v2"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	gcpclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// TopicAPI is what the Topic controller calls.
type TopicAPI interface {
	GetTopic(ctx context.Context, req *pubsubpb.GetTopicRequest, opts ...gax.CallOption) (*pubsubpb.Topic, error)
	CreateTopic(ctx context.Context, req *pubsubpb.Topic, opts ...gax.CallOption) (*pubsubpb.Topic, error)
	UpdateTopic(ctx context.Context, req *pubsubpb.UpdateTopicRequest, opts ...gax.CallOption) (*pubsubpb.Topic, error)
	DeleteTopic(ctx context.Context, req *pubsubpb.DeleteTopicRequest, opts ...gax.CallOption) error
}

// Topics returns the account's Pub/Sub topic admin client, built once per account (it holds a connection, closed
// with the account).
func Topics(ctx context.Context, acct *credentials.GCPAccount) (TopicAPI, error) {
	return credentials.GCPClient(acct, "pubsub/topics", func(a *credentials.GCPAccount) (*pubsub.TopicAdminClient, error) {
		// The connection outlives this reconcile.
		c, err := pubsub.NewTopicAdminClient(context.WithoutCancel(ctx), gcpclient.GRPCOptions("pubsub", a.TokenSource, a.Endpoints.PubSub)...)
		return c, errors.Wrap(err, "cannot connect to Pub/Sub")
	})
}
