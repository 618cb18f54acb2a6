//go:build e2e

package e2e

import (
	"context"
	"errors"
	"testing"

	"cloud.google.com/go/bigtable/admin/apiv2/adminpb"
	pubsub "cloud.google.com/go/pubsub/v2/apiv1"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/storage"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/stateful-dev/provider-stateful/internal/devstack/stack"
)

// topicClient talks to the stack's Pub/Sub emulator directly.
func topicClient(t *testing.T, s *stack.Stack) *pubsub.TopicAdminClient {
	t.Helper()
	c, err := pubsub.NewTopicAdminClient(context.Background(), option.WithEndpoint(s.PubSub.Addr), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// getTopic returns the examples' project's topic id, or nil when the emulator has none.
func getTopic(t *testing.T, c *pubsub.TopicAdminClient, id string) *pubsubpb.Topic {
	t.Helper()
	tp, err := c.GetTopic(context.Background(), &pubsubpb.GetTopicRequest{Topic: "projects/local-project/topics/" + id})
	if status.Code(err) == codes.NotFound {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

// subscriptionClient talks to the stack's Pub/Sub emulator directly.
func subscriptionClient(t *testing.T, s *stack.Stack) *pubsub.SubscriptionAdminClient {
	t.Helper()
	c, err := pubsub.NewSubscriptionAdminClient(context.Background(), option.WithEndpoint(s.PubSub.Addr), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// getSubscription returns the examples' project's subscription id, or nil when the emulator has none.
func getSubscription(t *testing.T, c *pubsub.SubscriptionAdminClient, id string) *pubsubpb.Subscription {
	t.Helper()
	sub, err := c.GetSubscription(context.Background(), &pubsubpb.GetSubscriptionRequest{Subscription: "projects/local-project/subscriptions/" + id})
	if status.Code(err) == codes.NotFound {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// bigtableClient talks to the stack's Bigtable emulator directly.
func bigtableClient(t *testing.T, s *stack.Stack) adminpb.BigtableTableAdminClient {
	t.Helper()
	conn, err := grpc.NewClient(s.Bigtable.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return adminpb.NewBigtableTableAdminClient(conn)
}

// getBigtable returns the examples' instance's table id, or nil when the emulator has none.
func getBigtable(t *testing.T, c adminpb.BigtableTableAdminClient, id string) *adminpb.Table {
	t.Helper()
	tb, err := c.GetTable(context.Background(), &adminpb.GetTableRequest{Name: "projects/local-project/instances/local-instance/tables/" + id})
	if status.Code(err) == codes.NotFound {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// gcsClient talks to the stack's Cloud Storage emulator directly.
func gcsClient(t *testing.T, s *stack.Stack) *storage.Client {
	t.Helper()
	c, err := storage.NewClient(context.Background(), option.WithEndpoint(s.Storage.URL+"/storage/v1/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// getGCSBucket returns the bucket's attributes, or nil when the emulator has no such bucket.
func getGCSBucket(t *testing.T, c *storage.Client, name string) *storage.BucketAttrs {
	t.Helper()
	a, err := c.Bucket(name).Attrs(context.Background())
	if errors.Is(err, storage.ErrBucketNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return a
}
