package managedkind

import (
	"context"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// Admit is the start of every kind's Connect: it checks that the resource's ProviderConfig serves its namespace,
// then tracks the usage. The namespace check comes first, so a refused resource leaves no ProviderConfigUsage
// behind. A refused resource being deleted is let go without a cloud call — its namespace may not act with that
// identity, not even to delete, and keeping its finalizer would keep the namespace from being deleted — so Admit
// returns the external client that lets it go; nil when the resource is admitted.
func Admit[T resource.ModernManaged](
	ctx context.Context,
	creds *credentials.Resolver,
	usage resource.ModernTracker,
	record event.Recorder,
	cr T,
) (managed.TypedExternalClient[T], error) {
	if err := creds.Admit(ctx, cr); err != nil {
		if credentials.IsNotServed(err) && meta.WasDeleted(cr) {
			record.Event(cr, event.Warning("NotServed", errors.Wrap(err, "deleting without touching the cloud resource")))
			return letGo[T]{}, nil
		}
		return nil, err
	}
	return nil, TrackUsage(ctx, usage, cr)
}

// letGo is the external client of a resource being deleted whose config does not serve its namespace: the cloud
// resource is reported gone, so the runtime removes the finalizer, and nothing is sent to the cloud.
type letGo[T resource.ModernManaged] struct{}

func (letGo[T]) Observe(context.Context, T) (managed.ExternalObservation, error) {
	return managed.ExternalObservation{ResourceExists: false}, nil
}

func (letGo[T]) Create(context.Context, T) (managed.ExternalCreation, error) {
	return managed.ExternalCreation{}, errors.New("refusing to create: the ProviderConfig does not serve this namespace")
}

func (letGo[T]) Update(context.Context, T) (managed.ExternalUpdate, error) {
	return managed.ExternalUpdate{}, errors.New("refusing to update: the ProviderConfig does not serve this namespace")
}

func (letGo[T]) Delete(context.Context, T) (managed.ExternalDelete, error) {
	return managed.ExternalDelete{}, nil
}

func (letGo[T]) Disconnect(context.Context) error { return nil }
