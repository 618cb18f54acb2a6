// Package fake is a hand-written fake of the provider's RDS interface, for unit tests: one function field per method.
package fake

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/rds"

	rdsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws/rds"
)

var _ rdsclient.API = (*RDS)(nil)

// RDS answers each call with its function field; a nil field panics, so a test states every call it expects.
type RDS struct {
	MockDescribeDBInstances    func(*rds.DescribeDBInstancesInput) (*rds.DescribeDBInstancesOutput, error)
	MockCreateDBInstance       func(*rds.CreateDBInstanceInput) (*rds.CreateDBInstanceOutput, error)
	MockModifyDBInstance       func(*rds.ModifyDBInstanceInput) (*rds.ModifyDBInstanceOutput, error)
	MockDeleteDBInstance       func(*rds.DeleteDBInstanceInput) (*rds.DeleteDBInstanceOutput, error)
	MockAddTagsToResource      func(*rds.AddTagsToResourceInput) (*rds.AddTagsToResourceOutput, error)
	MockRemoveTagsFromResource func(*rds.RemoveTagsFromResourceInput) (*rds.RemoveTagsFromResourceOutput, error)
}

func (f *RDS) DescribeDBInstances(_ context.Context, in *rds.DescribeDBInstancesInput, _ ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error) {
	return f.MockDescribeDBInstances(in)
}

func (f *RDS) CreateDBInstance(_ context.Context, in *rds.CreateDBInstanceInput, _ ...func(*rds.Options)) (*rds.CreateDBInstanceOutput, error) {
	return f.MockCreateDBInstance(in)
}

func (f *RDS) ModifyDBInstance(_ context.Context, in *rds.ModifyDBInstanceInput, _ ...func(*rds.Options)) (*rds.ModifyDBInstanceOutput, error) {
	return f.MockModifyDBInstance(in)
}

func (f *RDS) DeleteDBInstance(_ context.Context, in *rds.DeleteDBInstanceInput, _ ...func(*rds.Options)) (*rds.DeleteDBInstanceOutput, error) {
	return f.MockDeleteDBInstance(in)
}

func (f *RDS) AddTagsToResource(_ context.Context, in *rds.AddTagsToResourceInput, _ ...func(*rds.Options)) (*rds.AddTagsToResourceOutput, error) {
	return f.MockAddTagsToResource(in)
}

func (f *RDS) RemoveTagsFromResource(
	_ context.Context, in *rds.RemoveTagsFromResourceInput, _ ...func(*rds.Options),
) (*rds.RemoveTagsFromResourceOutput, error) {
	return f.MockRemoveTagsFromResource(in)
}
