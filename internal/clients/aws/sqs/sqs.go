// Package sqs is the provider's narrow view of the SQS API: the calls the Queue controller makes, in the SDK's own
// signatures, so that *sqs.Client satisfies it and unit tests can use a hand-written fake.
package sqs

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	awsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws"
)

// API lists the SQS operations the provider uses.
type API interface {
	GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
	CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, opts ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error)
	DeleteQueue(ctx context.Context, in *sqs.DeleteQueueInput, opts ...func(*sqs.Options)) (*sqs.DeleteQueueOutput, error)
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	SetQueueAttributes(ctx context.Context, in *sqs.SetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error)
	ListQueueTags(ctx context.Context, in *sqs.ListQueueTagsInput, opts ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error)
	TagQueue(ctx context.Context, in *sqs.TagQueueInput, opts ...func(*sqs.Options)) (*sqs.TagQueueOutput, error)
	UntagQueue(ctx context.Context, in *sqs.UntagQueueInput, opts ...func(*sqs.Options)) (*sqs.UntagQueueOutput, error)
}

var _ API = (*sqs.Client)(nil)

// New returns an SQS client for region.
func New(cfg aws.Config, region string) *sqs.Client {
	return sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.Region = region })
}

// IsNotFound reports whether err says the queue does not exist. SQS answers over its JSON protocol with the
// error type, or with the query protocol's code when it sends the query-compatible header.
func IsNotFound(err error) bool {
	switch awsclient.ErrorCode(err) {
	case "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue":
		return true
	}
	return false
}

// IsDeletedRecently reports whether err says a queue of this name was deleted less than 60 seconds ago.
func IsDeletedRecently(err error) bool {
	switch awsclient.ErrorCode(err) {
	case "QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently":
		return true
	}
	return false
}

// IsNameTaken reports whether err says a queue of this name exists with other attributes.
func IsNameTaken(err error) bool {
	switch awsclient.ErrorCode(err) {
	case "QueueNameExists", "QueueAlreadyExists":
		return true
	}
	return false
}
