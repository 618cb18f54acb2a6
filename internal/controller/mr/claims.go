package mr

import (
	"context"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stateful-dev/provider-stateful/internal/controller/claim"
	"github.com/stateful-dev/provider-stateful/internal/controller/rejection"
)

// A ScopeFunc names the cloud resource cr manages for claims (each cloud knows its account and location).
type ScopeFunc[T resource.Managed] func(context.Context, T) (claim.Scope, error)

// OwnRecord returns the Unconfirmed that says whether an unmarked resource is cr's own by the record on its name's
// claim — asked only about an unmarked resource, so it costs a read only then:
//   - cr created it: cr holds the claim, and its create on this name succeeded after the attempt the claim
//     recorded. A marker wiped by another tool (a PutBucketTagging that replaces the set) is then restored, and
//     deleting cr deletes the resource instead of silently orphaning it;
//   - with crashWindow (a kind that marks after creating: S3), cr's latest create attempt is unconfirmed and recent
//     (CreateUnconfirmed) and was made on this very name — the claim records an attempt at or after the latest
//     pending mark. An external name edited to point at someone's unmarked resource never qualifies.
func OwnRecord[T resource.Managed](ctx context.Context, claims *claim.Store, scope ScopeFunc[T], cr T, crashWindow bool) Unconfirmed {
	if claims == nil {
		return nil
	}
	return func() (bool, error) {
		s, err := scope(ctx, cr)
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

// Claimed takes the cloud name's claim before the first write to the cloud resource — the create, or the update
// that adopts it — and releases it once the resource is gone after a delete. It also makes input the cloud
// rejects terminal for its generation (package rejection): no further create or update is sent until the spec
// changes.
type Claimed[T resource.ModernManaged] struct {
	managed.TypedExternalClient[T]
	Claims *claim.Store
	Scope  ScopeFunc[T]
	// Invalid reports whether an error is the cloud rejecting the input (the cloud's own error classes).
	Invalid func(error) bool
}

// Observe stops at a recorded rejection, keeps a new resource Creating until its whole spec is applied, and
// releases the claim once a deleted resource is gone.
func (c *Claimed[T]) Observe(ctx context.Context, cr T) (managed.ExternalObservation, error) {
	if !meta.WasDeleted(cr) {
		if err := rejection.Active(cr); err != nil {
			return managed.ExternalObservation{}, err
		}
	}
	creating := New(cr)
	o, err := c.TypedExternalClient.Observe(ctx, cr)
	if err == nil && o.ResourceExists && !o.ResourceUpToDate && creating && cr.GetCondition(xpv2.TypeReady).Reason == xpv2.ReasonAvailable {
		// A new resource is not Ready until the whole spec is applied (settings with their own APIs come after the
		// create call): it stays Creating until then.
		cr.SetConditions(xpv2.Creating().WithMessage("applying the rest of the spec to the new resource: " + o.Diff))
	}
	if err != nil || o.ResourceExists || !meta.WasDeleted(cr) {
		return o, err
	}
	s, err := c.Scope(ctx, cr)
	if err != nil {
		return o, err
	}
	return o, c.Claims.Release(ctx, s, cr)
}

// Create takes the claim first.
func (c *Claimed[T]) Create(ctx context.Context, cr T) (managed.ExternalCreation, error) {
	s, err := c.Scope(ctx, cr)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	if err := c.Claims.Take(ctx, s, cr, true); err != nil {
		return managed.ExternalCreation{}, err
	}
	o, err := c.TypedExternalClient.Create(ctx, cr)
	if c.Invalid(err) {
		rejection.Record(cr, err)
	}
	return o, err
}

// Update takes the claim first (an adoption's first write is an update).
func (c *Claimed[T]) Update(ctx context.Context, cr T) (managed.ExternalUpdate, error) {
	s, err := c.Scope(ctx, cr)
	if err != nil {
		return managed.ExternalUpdate{}, err
	}
	if err := c.Claims.Take(ctx, s, cr, false); err != nil {
		return managed.ExternalUpdate{}, err
	}
	o, err := c.TypedExternalClient.Update(ctx, cr)
	if c.Invalid(err) {
		rejection.Record(cr, err)
	}
	return o, err
}
