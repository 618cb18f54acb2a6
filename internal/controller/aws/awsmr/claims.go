package awsmr

import (
	"context"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"k8s.io/apimachinery/pkg/runtime/schema"

	awsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws"
	"github.com/stateful-dev/provider-stateful/internal/controller/claim"
	"github.com/stateful-dev/provider-stateful/internal/controller/rejection"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// scope names the cloud resource cr manages for claims: kind, account (with endpoint), region unless the kind's
// names are global, and the external name.
func scope(ctx context.Context, gvk schema.GroupVersionKind, global bool, acct *credentials.AWSAccount, region string, cr resource.Managed) (claim.Scope, error) {
	id, err := acct.AccountID(ctx)
	if err != nil {
		return claim.Scope{}, err
	}
	if global {
		region = ""
	}
	return claim.Scope{Kind: gvk, Account: id, Location: region, Name: meta.GetExternalName(cr)}, nil
}

// OwnRecord returns the Unconfirmed that says whether an untagged resource is cr's own by the record on its name's
// claim — asked only about an untagged resource, so it costs a read only then:
//   - cr created it: cr holds the claim, and its create on this name succeeded after the attempt the claim
//     recorded. Ownership tags wiped by another tool (a PutBucketTagging that replaces the set) are then restored,
//     and deleting cr deletes the resource instead of silently orphaning it;
//   - with crashWindow (a kind that tags after creating: S3), cr's latest create attempt is unconfirmed and recent
//     (CreateUnconfirmed) and was made on this very name — the claim records an attempt at or after the latest
//     pending mark. An external name edited to point at someone's untagged resource never qualifies.
func OwnRecord(ctx context.Context, claims *claim.Store, gvk schema.GroupVersionKind, global bool, acct *credentials.AWSAccount, region string, cr resource.Managed, crashWindow bool) Unconfirmed {
	if claims == nil {
		return nil
	}
	return func() (bool, error) {
		s, err := scope(ctx, gvk, global, acct, region, cr)
		if err != nil {
			return false, err
		}
		last, held, err := claims.LastAttempt(ctx, s, cr)
		if err != nil || !held {
			return false, err
		}
		// The annotations have one-second precision; the attempt was recorded before the create's outcome.
		attempt := last.Truncate(time.Second)
		if ok := meta.GetExternalCreateSucceeded(cr); !ok.IsZero() && !ok.Before(attempt) {
			return true, nil
		}
		return crashWindow && CreateUnconfirmed(cr, time.Now()) && !attempt.Before(meta.GetExternalCreatePending(cr).Truncate(time.Second)), nil
	}
}

// claimed takes the cloud name's claim before the first write to the cloud resource — the create, or the update
// that adopts it — and releases it once the resource is gone after a delete. It also makes input AWS rejects
// terminal for its generation (package rejection): no further create or update is sent until the spec changes.
type claimed[T resource.ModernManaged] struct {
	managed.TypedExternalClient[T]
	claims *claim.Store
	scope  func(context.Context, T) (claim.Scope, error)
}

func (c *claimed[T]) Observe(ctx context.Context, cr T) (managed.ExternalObservation, error) {
	if !meta.WasDeleted(cr) {
		if err := rejection.Active(cr); err != nil {
			return managed.ExternalObservation{}, err
		}
	}
	creating := cr.GetCondition(xpv2.TypeReady).Reason == xpv2.ReasonCreating
	o, err := c.TypedExternalClient.Observe(ctx, cr)
	if err == nil && o.ResourceExists && !o.ResourceUpToDate && creating && cr.GetCondition(xpv2.TypeReady).Reason == xpv2.ReasonAvailable {
		// A new resource is not Ready until the whole spec is applied (settings with their own APIs come after the
		// create call): it stays Creating until then.
		cr.SetConditions(xpv2.Creating().WithMessage("applying the rest of the spec to the new resource: " + o.Diff))
	}
	if err != nil || o.ResourceExists || !meta.WasDeleted(cr) {
		return o, err
	}
	s, err := c.scope(ctx, cr)
	if err != nil {
		return o, err
	}
	return o, c.claims.Release(ctx, s, cr)
}

func (c *claimed[T]) Create(ctx context.Context, cr T) (managed.ExternalCreation, error) {
	s, err := c.scope(ctx, cr)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	if err := c.claims.Take(ctx, s, cr, true); err != nil {
		return managed.ExternalCreation{}, err
	}
	o, err := c.TypedExternalClient.Create(ctx, cr)
	if awsclient.IsInvalidInput(err) {
		rejection.Record(cr, err)
	}
	return o, err
}

func (c *claimed[T]) Update(ctx context.Context, cr T) (managed.ExternalUpdate, error) {
	s, err := c.scope(ctx, cr)
	if err != nil {
		return managed.ExternalUpdate{}, err
	}
	if err := c.claims.Take(ctx, s, cr, false); err != nil {
		return managed.ExternalUpdate{}, err
	}
	o, err := c.TypedExternalClient.Update(ctx, cr)
	if awsclient.IsInvalidInput(err) {
		rejection.Record(cr, err)
	}
	return o, err
}
