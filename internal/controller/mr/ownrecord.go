package mr

import (
	"context"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/stateful-dev/provider-stateful/internal/controller/claim"
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
