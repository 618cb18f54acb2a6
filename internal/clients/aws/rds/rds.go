// Package rds is the provider's narrow view of the RDS API: the calls the DBInstance controller makes, in the
// SDK's own signatures, so that *rds.Client satisfies it and unit tests can use a hand-written fake.
package rds

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	awsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws"
)

// API lists the RDS operations the provider uses.
type API interface {
	DescribeDBInstances(ctx context.Context, in *rds.DescribeDBInstancesInput, opts ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
	CreateDBInstance(ctx context.Context, in *rds.CreateDBInstanceInput, opts ...func(*rds.Options)) (*rds.CreateDBInstanceOutput, error)
	ModifyDBInstance(ctx context.Context, in *rds.ModifyDBInstanceInput, opts ...func(*rds.Options)) (*rds.ModifyDBInstanceOutput, error)
	DeleteDBInstance(ctx context.Context, in *rds.DeleteDBInstanceInput, opts ...func(*rds.Options)) (*rds.DeleteDBInstanceOutput, error)
	AddTagsToResource(ctx context.Context, in *rds.AddTagsToResourceInput, opts ...func(*rds.Options)) (*rds.AddTagsToResourceOutput, error)
	RemoveTagsFromResource(ctx context.Context, in *rds.RemoveTagsFromResourceInput, opts ...func(*rds.Options)) (*rds.RemoveTagsFromResourceOutput, error)
}

var _ API = (*rds.Client)(nil)

// New returns an RDS client for region.
func New(cfg aws.Config, region string) *rds.Client {
	return rds.NewFromConfig(cfg, func(o *rds.Options) { o.Region = region })
}

// IsNotFound reports whether err says the instance does not exist.
func IsNotFound(err error) bool { return awsclient.ErrorCode(err) == "DBInstanceNotFound" }

// IsAlreadyExists reports whether err says an instance of this identifier exists.
func IsAlreadyExists(err error) bool { return awsclient.ErrorCode(err) == "DBInstanceAlreadyExists" }

// IsSnapshotExists reports whether err says a DB snapshot of the requested identifier exists already.
func IsSnapshotExists(err error) bool { return awsclient.ErrorCode(err) == "DBSnapshotAlreadyExists" }

// IsInvalidState reports whether err says the instance cannot take the request in its current state.
func IsInvalidState(err error) bool { return awsclient.ErrorCode(err) == "InvalidDBInstanceState" }
