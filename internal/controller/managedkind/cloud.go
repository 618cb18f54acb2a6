package managedkind

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"k8s.io/utils/ptr"

	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	awsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws"
	gcpclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// A Cloud is what differs between clouds around every one of their kinds.
type Cloud[Acct any] interface {
	// Account resolves the resource's ProviderConfig into the account it acts as.
	Account(ctx context.Context, creds *credentials.Resolver, mg resource.ModernManaged) (Acct, error)
	// Reach is what the account may name and adopt for a namespace (allowedReferences, allowedAdoptions).
	Reach(Acct) *credentials.Reach
	// LeaseAccount names the account in leases on cloud names.
	LeaseAccount(ctx context.Context, acct Acct) (string, error)
	// Invalid reports whether an error is the cloud rejecting the input (its own error classes, never text).
	Invalid(error) bool
	// Marker is how the cloud spells the ownership marker: AWS tags, GCP labels.
	Marker() Marker
}

// AWS is Amazon Web Services: an account is named by its ID, behind its endpoint (sts:GetCallerIdentity, once per
// account); a rejection is one of the SDK's validation error codes.
var AWS Cloud[*credentials.AWSAccount] = awsCloud{}

type awsCloud struct{}

func (awsCloud) Account(ctx context.Context, creds *credentials.Resolver, mg resource.ModernManaged) (*credentials.AWSAccount, error) {
	return creds.AWS(ctx, mg)
}

func (awsCloud) Reach(a *credentials.AWSAccount) *credentials.Reach { return a.Reach }

func (awsCloud) LeaseAccount(ctx context.Context, a *credentials.AWSAccount) (string, error) {
	return a.AccountID(ctx)
}

func (awsCloud) Invalid(err error) bool { return awsclient.IsInvalidInput(err) }

func (awsCloud) Marker() Marker { return AWSTags }

// AWSClient returns a Kind's NewAPI for an AWS service: one client per account, service and region (region(cr)),
// built by build and kept in the account's client cache.
func AWSClient[T any, API any](
	service string,
	region func(T) string,
	build func(cfg aws.Config, region string, acct *credentials.AWSAccount) API,
) func(context.Context, *credentials.AWSAccount, T) (API, error) {
	return func(_ context.Context, acct *credentials.AWSAccount, cr T) (API, error) {
		r := region(cr)
		return credentials.Cached(acct, service+"/"+r, func() (API, error) { return build(acct.Config, r, acct), nil })
	}
}

// GCP is Google Cloud: an account is named by its project (the kind's endpoint override is added to it, see
// Kind.Endpoint); a rejection is gRPC InvalidArgument or its HTTP equivalent.
var GCP Cloud[*credentials.GCPAccount] = gcpCloud{}

type gcpCloud struct{}

func (gcpCloud) Account(ctx context.Context, creds *credentials.Resolver, mg resource.ModernManaged) (*credentials.GCPAccount, error) {
	return creds.GCP(ctx, mg)
}

func (gcpCloud) Reach(a *credentials.GCPAccount) *credentials.Reach { return a.Reach }

func (gcpCloud) LeaseAccount(_ context.Context, a *credentials.GCPAccount) (string, error) {
	return a.ProjectID, nil
}

func (gcpCloud) Invalid(err error) bool { return gcpclient.IsInvalidInput(err) }

func (gcpCloud) Marker() Marker { return GCPLabels }

// GCPClient returns a Kind's NewAPI for a GCP service: one client per account and key, built by build with the
// account's token source and endpoints, kept in the account's client cache and closed with it.
func GCPClient[T any, API any](
	key string,
	build func(ctx context.Context, acct *credentials.GCPAccount) (API, error),
) func(context.Context, *credentials.GCPAccount, T) (API, error) {
	return func(ctx context.Context, acct *credentials.GCPAccount, _ T) (API, error) {
		return credentials.Cached(acct, key, func() (API, error) { return build(ctx, acct) })
	}
}

// PubSubEndpoint is the account's Pub/Sub endpoint override, for leases ("" for Google's).
func PubSubEndpoint(a *credentials.GCPAccount) string { return grpcEndpoint(a.Endpoints.PubSub) }

// BigtableEndpoint is the account's Bigtable endpoint override, for leases ("" for Google's).
func BigtableEndpoint(a *credentials.GCPAccount) string { return grpcEndpoint(a.Endpoints.Bigtable) }

// StorageEndpoint is the account's Cloud Storage endpoint override, for leases ("" for Google's).
func StorageEndpoint(a *credentials.GCPAccount) string { return ptr.Deref(a.Endpoints.Storage, "") }

func grpcEndpoint(e *apisv1alpha1.GCPGRPCEndpoint) string {
	if e == nil {
		return ""
	}
	return e.Address
}
