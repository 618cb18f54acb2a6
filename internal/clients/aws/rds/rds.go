// Package rds is the provider's narrow view of the RDS API: the calls the DBInstance controller makes, in the
// SDK's own signatures, so that *rds.Client satisfies it and unit tests can use a hand-written fake.
package rds

import (
	"context"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

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

// ValidateIdentifier checks a DB instance identifier (the external name) against RDS's rules, so that a bad name
// fails with a clear message before any call: 1 to 63 letters, digits and hyphens, starting with a letter, with
// no two hyphens in a row and none at the end. RDS stores identifiers lower-cased.
func ValidateIdentifier(id string) error {
	switch {
	case len(id) < 1 || len(id) > 63:
		return errors.Errorf("DB instance identifier %q must be 1 to 63 characters long", id)
	case !identifier.MatchString(id) || strings.Contains(id, "--") || strings.HasSuffix(id, "-"):
		return errors.Errorf("DB instance identifier %q may only hold letters, digits and hyphens, must start with a letter, "+
			"and must not hold two hyphens in a row or end with one", id)
	}
	return nil
}

var identifier = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)
