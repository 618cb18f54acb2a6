// Package fake is a hand-written TopicAPI for the Topic controller's unit tests: each method returns what the test
// sets and records its request. Integration tests use the real emulator (pstest) instead.
package fake

import (
	"context"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/googleapis/gax-go/v2"
)

// Topics is a fake TopicAPI.
type Topics struct {
	Topic *pubsubpb.Topic
	Err   map[string]error // by method

	Created *pubsubpb.Topic
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
