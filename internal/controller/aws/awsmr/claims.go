// Package awsmr holds what the AWS kinds share beyond what every cloud does (package mr): their controller
// setup, and the scope of a claim — account, endpoint and region.
package awsmr

import (
	"context"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/stateful-dev/provider-stateful/internal/controller/claim"
	"github.com/stateful-dev/provider-stateful/internal/controller/mr"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// scope names the cloud resource cr manages for claims: kind, account (with endpoint), region unless the kind's
// names are global, and the external name.
func scope[T resource.Managed](gvk schema.GroupVersionKind, global bool, acct *credentials.AWSAccount, region string) mr.ScopeFunc[T] {
	return func(ctx context.Context, cr T) (claim.Scope, error) {
		id, err := acct.AccountID(ctx)
		if err != nil {
			return claim.Scope{}, err
		}
		if global {
			region = ""
		}
		return claim.Scope{Kind: gvk, Account: id, Location: region, Name: meta.GetExternalName(cr)}, nil
	}
}

// OwnRecord is mr.OwnRecord for an AWS kind's resource in acct and region.
func OwnRecord[T resource.Managed](ctx context.Context, claims *claim.Store, gvk schema.GroupVersionKind, global bool, acct *credentials.AWSAccount, region string, cr T, crashWindow bool) mr.Unconfirmed {
	return mr.OwnRecord(ctx, claims, scope[T](gvk, global, acct, region), cr, crashWindow)
}
