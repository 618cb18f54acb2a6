// Package fake is a hand-written fake of the provider's DynamoDB interface, for unit tests: one function field per method.
package fake

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	ddbclient "github.com/stateful-dev/provider-stateful/internal/clients/aws/dynamodb"
)

var _ ddbclient.API = (*DynamoDB)(nil)

// DynamoDB answers each call with its function field; a nil field panics, so a test states every call it expects.
type DynamoDB struct {
	MockDescribeTable             func(*dynamodb.DescribeTableInput) (*dynamodb.DescribeTableOutput, error)
	MockCreateTable               func(*dynamodb.CreateTableInput) (*dynamodb.CreateTableOutput, error)
	MockUpdateTable               func(*dynamodb.UpdateTableInput) (*dynamodb.UpdateTableOutput, error)
	MockDeleteTable               func(*dynamodb.DeleteTableInput) (*dynamodb.DeleteTableOutput, error)
	MockDescribeTimeToLive        func(*dynamodb.DescribeTimeToLiveInput) (*dynamodb.DescribeTimeToLiveOutput, error)
	MockUpdateTimeToLive          func(*dynamodb.UpdateTimeToLiveInput) (*dynamodb.UpdateTimeToLiveOutput, error)
	MockDescribeContinuousBackups func(*dynamodb.DescribeContinuousBackupsInput) (*dynamodb.DescribeContinuousBackupsOutput, error)
	MockUpdateContinuousBackups   func(*dynamodb.UpdateContinuousBackupsInput) (*dynamodb.UpdateContinuousBackupsOutput, error)
	MockListTagsOfResource        func(*dynamodb.ListTagsOfResourceInput) (*dynamodb.ListTagsOfResourceOutput, error)
	MockTagResource               func(*dynamodb.TagResourceInput) (*dynamodb.TagResourceOutput, error)
	MockUntagResource             func(*dynamodb.UntagResourceInput) (*dynamodb.UntagResourceOutput, error)
}

func (f *DynamoDB) DescribeTable(_ context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	return f.MockDescribeTable(in)
}

func (f *DynamoDB) CreateTable(_ context.Context, in *dynamodb.CreateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	return f.MockCreateTable(in)
}

func (f *DynamoDB) UpdateTable(_ context.Context, in *dynamodb.UpdateTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateTableOutput, error) {
	return f.MockUpdateTable(in)
}

func (f *DynamoDB) DeleteTable(_ context.Context, in *dynamodb.DeleteTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteTableOutput, error) {
	return f.MockDeleteTable(in)
}

func (f *DynamoDB) DescribeTimeToLive(
	_ context.Context, in *dynamodb.DescribeTimeToLiveInput, _ ...func(*dynamodb.Options),
) (*dynamodb.DescribeTimeToLiveOutput, error) {
	return f.MockDescribeTimeToLive(in)
}

func (f *DynamoDB) UpdateTimeToLive(
	_ context.Context, in *dynamodb.UpdateTimeToLiveInput, _ ...func(*dynamodb.Options),
) (*dynamodb.UpdateTimeToLiveOutput, error) {
	return f.MockUpdateTimeToLive(in)
}

func (f *DynamoDB) DescribeContinuousBackups(
	_ context.Context, in *dynamodb.DescribeContinuousBackupsInput, _ ...func(*dynamodb.Options),
) (*dynamodb.DescribeContinuousBackupsOutput, error) {
	return f.MockDescribeContinuousBackups(in)
}

func (f *DynamoDB) UpdateContinuousBackups(
	_ context.Context, in *dynamodb.UpdateContinuousBackupsInput, _ ...func(*dynamodb.Options),
) (*dynamodb.UpdateContinuousBackupsOutput, error) {
	return f.MockUpdateContinuousBackups(in)
}

func (f *DynamoDB) ListTagsOfResource(
	_ context.Context, in *dynamodb.ListTagsOfResourceInput, _ ...func(*dynamodb.Options),
) (*dynamodb.ListTagsOfResourceOutput, error) {
	return f.MockListTagsOfResource(in)
}

func (f *DynamoDB) TagResource(_ context.Context, in *dynamodb.TagResourceInput, _ ...func(*dynamodb.Options)) (*dynamodb.TagResourceOutput, error) {
	return f.MockTagResource(in)
}

func (f *DynamoDB) UntagResource(_ context.Context, in *dynamodb.UntagResourceInput, _ ...func(*dynamodb.Options)) (*dynamodb.UntagResourceOutput, error) {
	return f.MockUntagResource(in)
}
