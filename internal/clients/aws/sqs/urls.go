package sqs

import (
	"context"
	"path"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// KnownURLs wraps api, one client per account and region, so that GetQueueUrl answers from memory for a queue
// it has already looked up or created: a queue's URL is its account and name, fixed for its life and for any
// queue made again under the same name, so every poll after the first saves a call. A call that says the queue
// does not exist, or its deletion, forgets the URL, and the next lookup asks SQS. A lookup in another account
// (QueueOwnerAWSAccountId) always asks. It holds one short string per queue it has seen.
func KnownURLs(api API) API {
	return &knownURLs{API: api, urls: map[string]string{}}
}

type knownURLs struct {
	API
	mu   sync.Mutex
	urls map[string]string // queue name -> URL
}

func (k *knownURLs) GetQueueUrl( //nolint:revive // The SDK's name.
	ctx context.Context, in *sqs.GetQueueUrlInput, opts ...func(*sqs.Options),
) (*sqs.GetQueueUrlOutput, error) {
	name := aws.ToString(in.QueueName)
	if in.QueueOwnerAWSAccountId == nil {
		k.mu.Lock()
		u, ok := k.urls[name]
		k.mu.Unlock()
		if ok {
			return &sqs.GetQueueUrlOutput{QueueUrl: aws.String(u)}, nil
		}
	}
	out, err := k.API.GetQueueUrl(ctx, in, opts...)
	if err == nil && in.QueueOwnerAWSAccountId == nil && out.QueueUrl != nil {
		k.remember(name, *out.QueueUrl)
	}
	return out, err
}

func (k *knownURLs) CreateQueue(ctx context.Context, in *sqs.CreateQueueInput, opts ...func(*sqs.Options)) (*sqs.CreateQueueOutput, error) {
	out, err := k.API.CreateQueue(ctx, in, opts...)
	if err == nil && out.QueueUrl != nil {
		k.remember(aws.ToString(in.QueueName), *out.QueueUrl)
	}
	return out, err
}

func (k *knownURLs) DeleteQueue(ctx context.Context, in *sqs.DeleteQueueInput, opts ...func(*sqs.Options)) (*sqs.DeleteQueueOutput, error) {
	out, err := k.API.DeleteQueue(ctx, in, opts...)
	if err == nil || IsNotFound(err) {
		k.forget(in.QueueUrl)
	}
	return out, err
}

func (k *knownURLs) GetQueueAttributes(
	ctx context.Context, in *sqs.GetQueueAttributesInput, opts ...func(*sqs.Options),
) (*sqs.GetQueueAttributesOutput, error) {
	out, err := k.API.GetQueueAttributes(ctx, in, opts...)
	k.forgetIfGone(in.QueueUrl, err)
	return out, err
}

func (k *knownURLs) SetQueueAttributes(
	ctx context.Context, in *sqs.SetQueueAttributesInput, opts ...func(*sqs.Options),
) (*sqs.SetQueueAttributesOutput, error) {
	out, err := k.API.SetQueueAttributes(ctx, in, opts...)
	k.forgetIfGone(in.QueueUrl, err)
	return out, err
}

func (k *knownURLs) ListQueueTags(ctx context.Context, in *sqs.ListQueueTagsInput, opts ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error) {
	out, err := k.API.ListQueueTags(ctx, in, opts...)
	k.forgetIfGone(in.QueueUrl, err)
	return out, err
}

func (k *knownURLs) TagQueue(ctx context.Context, in *sqs.TagQueueInput, opts ...func(*sqs.Options)) (*sqs.TagQueueOutput, error) {
	out, err := k.API.TagQueue(ctx, in, opts...)
	k.forgetIfGone(in.QueueUrl, err)
	return out, err
}

func (k *knownURLs) UntagQueue(ctx context.Context, in *sqs.UntagQueueInput, opts ...func(*sqs.Options)) (*sqs.UntagQueueOutput, error) {
	out, err := k.API.UntagQueue(ctx, in, opts...)
	k.forgetIfGone(in.QueueUrl, err)
	return out, err
}

func (k *knownURLs) remember(name, url string) {
	k.mu.Lock()
	k.urls[name] = url
	k.mu.Unlock()
}

func (k *knownURLs) forgetIfGone(url *string, err error) {
	if IsNotFound(err) {
		k.forget(url)
	}
}

// forget drops url. A queue URL ends in the queue's name (https://sqs.<region>.amazonaws.com/<account>/<name>).
func (k *knownURLs) forget(url *string) {
	u := aws.ToString(url)
	name := path.Base(u)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.urls[name] == u {
		delete(k.urls, name)
	}
}
