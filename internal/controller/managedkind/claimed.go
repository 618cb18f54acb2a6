package managedkind

import (
	"context"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stateful-dev/provider-stateful/internal/controller/claim"
	"github.com/stateful-dev/provider-stateful/internal/controller/mr"
	"github.com/stateful-dev/provider-stateful/internal/controller/rejection"
)

// Claimed takes the cloud name's claim before the first write to the cloud resource — the create, or the update
// that adopts it — and releases it once the resource is gone after a delete. It also makes input the cloud
// rejects terminal for its generation (package rejection): no further create or update is sent until the spec
// changes.
type Claimed[T resource.ModernManaged] struct {
	managed.TypedExternalClient[T]
	Claims *claim.Store
	Scope  mr.ScopeFunc[T]
	// Invalid reports whether an error is the cloud rejecting the input (the cloud's own error classes).
	Invalid func(error) bool
}

// Observe refuses a resource whose external name changed after it created or adopted a cloud resource, stops at a
// recorded rejection, keeps a new resource Creating until its whole spec is applied, and releases the claim once
// a deleted resource is gone.
func (c *Claimed[T]) Observe(ctx context.Context, cr T) (managed.ExternalObservation, error) {
	if err := c.sameName(ctx, cr); err != nil {
		return managed.ExternalObservation{}, err
	}
	if !meta.WasDeleted(cr) {
		if err := rejection.Active(cr); err != nil {
			return managed.ExternalObservation{}, err
		}
	}
	creating := mr.New(cr)
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

// sameName refuses, before any cloud call, a resource whose external name is not the one it created or adopted a
// cloud resource under — it holds that name's claim, not this one's. Going on would look the new name up, create
// it, and leave the old resource orphaned: still there, still billed, managed by nobody. Being deleted, it would
// let go of the old resource without deleting it.
//
// NOTE: the CRDs cannot refuse the edit: their CEL rules see only metadata.name and metadata.generateName of an
// object's metadata, never its annotations.
func (c *Claimed[T]) sameName(ctx context.Context, cr T) error {
	if c.Claims == nil {
		return nil
	}
	s, err := c.Scope(ctx, cr)
	if err != nil {
		return err
	}
	old, err := c.Claims.Moved(ctx, s, cr)
	if err != nil || old == "" {
		return err
	}
	what := "put it back, or, to use another name, delete this resource under its old name and create a new one"
	if meta.WasDeleted(cr) {
		what = "put it back to delete that resource, or remove Delete from spec.managementPolicies to leave it in the cloud"
	}
	return errors.Errorf("the external name (annotation %s) was %q when this %s created or adopted its resource, and is now %q: "+
		"refusing to act on either name, so that nothing is orphaned; %s", meta.AnnotationKeyExternalName, old, s.Kind.Kind, s.Name, what)
}

// Create takes the claim first, and releases it when the create provably made nothing (NothingMade): a failing
// resource must not hold a name — a global one above all, like a bucket's — against the resource that will make
// it, nor each name it is edited to. A claim taken before this create, and one whose create may have made
// something (a timeout, a lost answer), is kept: the crash-window rule needs its record of the attempt.
func (c *Claimed[T]) Create(ctx context.Context, cr T) (managed.ExternalCreation, error) {
	s, err := c.Scope(ctx, cr)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	created, err := c.Claims.Take(ctx, s, cr, true)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	o, err := c.TypedExternalClient.Create(ctx, cr)
	if c.Invalid(err) {
		rejection.Record(cr, err)
	}
	if created && mr.IsNothingMade(err) {
		if rerr := c.Claims.Release(ctx, s, cr); rerr != nil {
			return o, errors.Errorf("%w (and the name's claim stays: %w)", err, rerr)
		}
	}
	return o, err
}

// Update takes the claim first (an adoption's first write is an update).
func (c *Claimed[T]) Update(ctx context.Context, cr T) (managed.ExternalUpdate, error) {
	s, err := c.Scope(ctx, cr)
	if err != nil {
		return managed.ExternalUpdate{}, err
	}
	if _, err := c.Claims.Take(ctx, s, cr, false); err != nil {
		return managed.ExternalUpdate{}, err
	}
	o, err := c.TypedExternalClient.Update(ctx, cr)
	if c.Invalid(err) {
		rejection.Record(cr, err)
	}
	return o, err
}
