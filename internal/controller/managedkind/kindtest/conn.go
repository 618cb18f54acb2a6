package kindtest

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// Conn is the connection kind's connector hands its external client for one reconcile, over api as acct: the kind's
// ownership rule bound to no lease, and no events recorded.
func Conn[T resource.ModernManaged, Acct any, API any](kind managedkind.Kind[T, Acct, API], api API, acct Acct) managedkind.Conn[T, Acct, API] {
	return managedkind.Conn[T, Acct, API]{API: api, Account: acct, Record: event.NewNopRecorder(), Own: kind.Own()}
}
