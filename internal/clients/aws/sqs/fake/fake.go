// Package fake is a hand-written fake of the provider's SQS interface, for unit tests: one function field per method.
package fake

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	sqsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws/sqs"
)

var _ sqsclient.API = (*SQS)(nil)

// SQS answers each call with its function field; a nil field panics, so a test states every call it expects.
type SQS struct {
	MockGetQueueUrl        func(*sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) //nolint:revive // The SDK's name.
	MockCreateQueue        func(*sqs.CreateQueueInput) (*sqs.CreateQueueOutput, error)
	MockDeleteQueue        func(*sqs.DeleteQueueInput) (*sqs.DeleteQueueOutput, error)
	MockGetQueueAttributes func(*sqs.GetQueueAttributesInput) (*sqs.GetQueueAttributesOutput, error)
	MockSetQueueAttributes func(*sqs.SetQueueAttributesInput) (*sqs.SetQueueAttributesOutput, error)
	MockListQueueTags      func(*sqs.ListQueueTagsInput) (*sqs.ListQueueTagsOutput, error)
	MockTagQueue           func(*sqs.TagQueueInput) (*sqs.TagQueueOutput, error)
	MockUntagQueue         func(*sqs.UntagQueueInput) (*sqs.UntagQueueOutput, error)
}

func (f *SQS) GetQueueUrl( //nolint:revive // The SDK's name.
	_ context.Context, in *sqs.GetQueueUrlInput, _ ...func(*sqs.Options),
) (*sqs.GetQueueUrlOutput, error) {
	return f.MockGetQueueUrl(in)
}

func (f *SQS) CreateQueue(_ context.Context, in *sqs.CreateQueueInput, _ ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error) {
	return f.MockCreateQueue(in)
}

func (f *SQS) DeleteQueue(_ context.Context, in *sqs.DeleteQueueInput, _ ...func(*sqs.Options)) (*sqs.DeleteQueueOutput, error) {
	return f.MockDeleteQueue(in)
}

func (f *SQS) GetQueueAttributes(_ context.Context, in *sqs.GetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	return f.MockGetQueueAttributes(in)
}

func (f *SQS) SetQueueAttributes(_ context.Context, in *sqs.SetQueueAttributesInput, _ ...func(*sqs.Options)) (*sqs.SetQueueAttributesOutput, error) {
	return f.MockSetQueueAttributes(in)
}

func (f *SQS) ListQueueTags(_ context.Context, in *sqs.ListQueueTagsInput, _ ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error) {
	return f.MockListQueueTags(in)
}

func (f *SQS) TagQueue(_ context.Context, in *sqs.TagQueueInput, _ ...func(*sqs.Options)) (*sqs.TagQueueOutput, error) {
	return f.MockTagQueue(in)
}

func (f *SQS) UntagQueue(_ context.Context, in *sqs.UntagQueueInput, _ ...func(*sqs.Options)) (*sqs.UntagQueueOutput, error) {
	return f.MockUntagQueue(in)
}
