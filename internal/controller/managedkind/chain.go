package managedkind

import (
	"context"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// chain puts a kind's external client inside the wrappers every kind runs in. Outermost first:
//
//  1. observed tells the create finalizer (finalizer.go) whether Observe found the resource absent, so that the
//     finalizer of a resource about to be created is written with its create-pending annotation, in one write.
//     It sees every answer, the inner wrappers' refusals included.
//  2. guarded refuses, with the SecretGuard (connsecret.go), before anything reaches the cloud, a connection Secret the resource does
//     not control: no resource publishes into another's Secret.
//  3. leased, in Observe: refuses an external name changed since the resource created or adopted its
//     cloud resource; answers a recorded rejection of the current spec without a cloud call; keeps a new
//     resource Creating until its whole spec is applied; releases the name's lease once a deleted resource is
//     gone. In Create and Update: takes the lease before the first write, records input the cloud rejects
//     (invalid) as terminal for the generation, and releases a lease whose create provably made nothing.
//  4. broken, the update-loop breaker (loop.go): an observation after updates that left the cloud as it was, too
//     often, is an error naming the fields, and nothing more is sent until the spec changes or a retry is asked for.
//     It sits outside declared, so that drift held for review is no loop.
//  5. declared holds an observation to the kind's field table (fields.go): a difference in a field the table
//     declares Refused is an error, and no update is sent — whatever the kind's own Observe overlooked. A resource
//     whose management policies only observe is told instead what writes would change (WouldChange); one that
//     holds drift for review reports it and sends nothing until approved (drift.go).
//  6. the kind's external client.
//
// The order matters: the Secret check runs before a rejection is answered (a rejected resource must not publish
// either), and the rejection is answered before the lease is released. The kind itself applies the ownership rule
// to what it finds (Ownership.Apply, bound by the connector to the same lease).
func (c *connector[T, Acct, API]) chain(kind managed.TypedExternalClient[T], own Ownership[T], invalid func(error) bool) managed.TypedExternalClient[T] {
	inner := Leased(&broken[T]{
		TypedExternalClient: &declared[T]{TypedExternalClient: kind, fields: c.kind.Fields, record: c.record},
		breaker:             c.loops, fields: c.kind.Fields, record: c.record,
	}, own, invalid)
	return &observed[T]{TypedExternalClient: Guarded(c.secrets, inner), f: c.finalizer}
}

// letGo is the chain of a resource being deleted whose config does not serve its namespace (Admit): only the
// finalizer hint around a client that reports the resource gone and sends nothing to the cloud.
func (c *connector[T, Acct, API]) letGo(l managed.TypedExternalClient[T]) managed.TypedExternalClient[T] {
	return &observed[T]{TypedExternalClient: l, f: c.finalizer}
}

// observed tells f what each Observe found: the outermost link of the chain.
type observed[T resource.Managed] struct {
	managed.TypedExternalClient[T]
	f *createFinalizer
}

func (e *observed[T]) Observe(ctx context.Context, mg T) (managed.ExternalObservation, error) {
	obs, err := e.TypedExternalClient.Observe(ctx, mg)
	// An error is not "absent": the finalizer is then written as usual, should the runtime get that far.
	e.f.observed(mg, err == nil && !obs.ResourceExists)
	return obs, err
}

// Guarded wraps an external client so that Observe first checks the connection Secret with g.
func Guarded[T resource.ModernManaged](g *SecretGuard, c managed.TypedExternalClient[T]) managed.TypedExternalClient[T] {
	return &guarded[T]{TypedExternalClient: c, guard: g}
}

type guarded[T resource.ModernManaged] struct {
	managed.TypedExternalClient[T]
	guard *SecretGuard
}

func (g *guarded[T]) Observe(ctx context.Context, mg T) (managed.ExternalObservation, error) {
	if err := g.guard.Check(ctx, mg); err != nil {
		return managed.ExternalObservation{}, err
	}
	return g.TypedExternalClient.Observe(ctx, mg)
}

// Leased wraps a kind's external client (step 3): it takes the lease on the cloud name before the first
// write to the cloud resource — the create, or the update that adopts it — and releases it once the resource is
// gone after a delete. It also makes input the cloud rejects (invalid: the cloud's own error classes) terminal for
// its generation (rejection.go): no further create or update is sent until the spec changes.
func Leased[T resource.ModernManaged](kind managed.TypedExternalClient[T], own Ownership[T], invalid func(error) bool) managed.TypedExternalClient[T] {
	return &leased[T]{TypedExternalClient: kind, own: own, invalid: invalid}
}

type leased[T resource.ModernManaged] struct {
	managed.TypedExternalClient[T]
	own     Ownership[T]
	invalid func(error) bool
}

// Observe refuses a resource whose external name changed after it created or adopted a cloud resource, stops at a
// recorded rejection, keeps a new resource Creating until its whole spec is applied, and releases the lease once
// a deleted resource is gone.
func (c *leased[T]) Observe(ctx context.Context, cr T) (managed.ExternalObservation, error) {
	if err := c.sameName(ctx, cr); err != nil {
		return managed.ExternalObservation{}, err
	}
	if !meta.WasDeleted(cr) {
		if err := Rejected(cr); err != nil {
			return managed.ExternalObservation{}, err
		}
	}
	creating := StillCreating(cr)
	o, err := c.TypedExternalClient.Observe(ctx, cr)
	if err == nil && o.ResourceExists && !o.ResourceUpToDate && creating && cr.GetCondition(xpv2.TypeReady).Reason == xpv2.ReasonAvailable {
		// A new resource is not Ready until the whole spec is applied (settings with their own APIs come after the
		// create call): it stays Creating until then.
		cr.SetConditions(xpv2.Creating().WithMessage("applying the rest of the spec to the new resource: " + o.Diff))
	}
	if err != nil || o.ResourceExists || !meta.WasDeleted(cr) {
		return o, err
	}
	s, err := c.own.Name(ctx, cr)
	if err != nil {
		return o, err
	}
	return o, c.own.Leases.Release(ctx, s, cr)
}

// sameName refuses, before any cloud call, a resource whose external name is not the one it created or adopted a
// cloud resource under — it holds that name's lease, not this one's. Going on would look the new name up, create
// it, and leave the old resource orphaned: still there, still billed, managed by nobody. Being deleted, it would
// let go of the old resource without deleting it.
//
// NOTE: the CRDs cannot refuse the edit: their CEL rules see only metadata.name and metadata.generateName of an
// object's metadata, never its annotations.
func (c *leased[T]) sameName(ctx context.Context, cr T) error {
	if c.own.Leases == nil {
		return nil
	}
	s, err := c.own.Name(ctx, cr)
	if err != nil {
		return err
	}
	old, err := c.own.Leases.Moved(ctx, s, cr)
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

// Create takes the lease first, and releases it when the create provably made nothing (NothingMade): a failing
// resource must not hold a name — a global one above all, like a bucket's — against the resource that will make
// it, nor each name it is edited to. A lease taken before this create, and one whose create may have made
// something (a timeout, a lost answer), is kept: the crash-window rule needs its record of the attempt.
func (c *leased[T]) Create(ctx context.Context, cr T) (managed.ExternalCreation, error) {
	s, err := c.own.Name(ctx, cr)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	created, err := c.own.Leases.Take(ctx, s, cr, true)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	o, err := c.TypedExternalClient.Create(ctx, cr)
	if c.invalid(err) {
		RecordRejection(cr, err)
	}
	if created && IsNothingMade(err) {
		if rerr := c.own.Leases.Release(ctx, s, cr); rerr != nil {
			return o, errors.Errorf("%w (and the name's lease stays: %w)", err, rerr)
		}
	}
	return o, err
}

// Update takes the lease first (an adoption's first write is an update).
func (c *leased[T]) Update(ctx context.Context, cr T) (managed.ExternalUpdate, error) {
	s, err := c.own.Name(ctx, cr)
	if err != nil {
		return managed.ExternalUpdate{}, err
	}
	if _, err := c.own.Leases.Take(ctx, s, cr, false); err != nil {
		return managed.ExternalUpdate{}, err
	}
	o, err := c.TypedExternalClient.Update(ctx, cr)
	if c.invalid(err) {
		RecordRejection(cr, err)
	}
	return o, err
}

// declared refuses what the kind's field table says cannot change (step 4).
type declared[T resource.ModernManaged] struct {
	managed.TypedExternalClient[T]
	fields Fields
	record event.Recorder
}

func (d *declared[T]) Observe(ctx context.Context, cr T) (managed.ExternalObservation, error) {
	o, err := d.TypedExternalClient.Observe(ctx, cr)
	if err != nil || !o.ResourceExists || meta.WasDeleted(cr) {
		return o, err
	}
	reportWouldChange(cr, o.ResourceUpToDate, o.Diff)
	o = holdDrift(cr, o, d.fields, d.record)
	if o.ResourceUpToDate || OnlyObserves(cr.GetManagementPolicies()) {
		// Nothing is sent to a resource that only observes: WouldChange names a refused field with the others.
		return o, nil
	}
	return o, d.fields.Refuse(strings.Split(o.Diff, "; "))
}
