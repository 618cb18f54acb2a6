package sqs_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	sqsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws/sqs"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/sqs/fake"
)

func TestKnownURLs(t *testing.T) {
	const url = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders"
	gone := &smithy.GenericAPIError{Code: "AWS.SimpleQueueService.NonExistentQueue", Message: "The specified queue does not exist."}
	var lookups int
	f := &fake.SQS{
		MockGetQueueUrl: func(*sqs.GetQueueUrlInput) (*sqs.GetQueueUrlOutput, error) {
			lookups++
			return &sqs.GetQueueUrlOutput{QueueUrl: aws.String(url)}, nil
		},
		MockCreateQueue: func(*sqs.CreateQueueInput) (*sqs.CreateQueueOutput, error) {
			return &sqs.CreateQueueOutput{QueueUrl: aws.String(url)}, nil
		},
		MockDeleteQueue:        func(*sqs.DeleteQueueInput) (*sqs.DeleteQueueOutput, error) { return &sqs.DeleteQueueOutput{}, nil },
		MockGetQueueAttributes: func(*sqs.GetQueueAttributesInput) (*sqs.GetQueueAttributesOutput, error) { return nil, gone },
		MockListQueueTags: func(*sqs.ListQueueTagsInput) (*sqs.ListQueueTagsOutput, error) {
			return &sqs.ListQueueTagsOutput{}, nil
		},
	}
	api := sqsclient.KnownURLs(f)
	ctx := context.Background()
	lookup := func(in *sqs.GetQueueUrlInput) {
		t.Helper()
		out, err := api.GetQueueUrl(ctx, in)
		if err != nil || aws.ToString(out.QueueUrl) != url {
			t.Fatalf("GetQueueUrl: %v %v", out, err)
		}
	}
	byName := &sqs.GetQueueUrlInput{QueueName: aws.String("orders")}
	var got []int
	step := func(do func()) {
		do()
		got = append(got, lookups)
	}
	step(func() { lookup(byName) }) // asks SQS
	step(func() { lookup(byName) }) // from memory
	step(func() {
		_, _ = api.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
		lookup(byName)
	}) // a success keeps it
	step(func() {
		lookup(&sqs.GetQueueUrlInput{QueueName: aws.String("orders"), QueueOwnerAWSAccountId: aws.String("210987654321")})
	}) // another account asks
	step(func() {
		_, _ = api.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url)}) // "does not exist" forgets it
		lookup(byName)
	})
	step(func() { _, _ = api.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); lookup(byName) }) // deletion forgets it
	step(func() {
		_, _ = api.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders")}) // a create remembers it
		lookup(byName)
	})
	want := []int{1, 1, 1, 2, 3, 4, 4}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetQueueUrl calls that reach SQS after each step: -want +got:\n%s", diff)
	}
}
