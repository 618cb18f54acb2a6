package queue

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"

	"github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	sqsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws/sqs"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// testOwn is the kind's ownership rule as its connector binds it, bound to no lease.
var testOwn = Kind().Own()

// newExternal is the kind's external client as its connector makes it for one reconcile, over api as account a,
// recording no events.
func newExternal(api sqsclient.API, a *credentials.AWSAccount) *external {
	return &external{Conn: managedkind.Conn[*v1alpha1.Queue, *credentials.AWSAccount, sqsclient.API]{
		API: api, Account: a, Record: event.NewNopRecorder(), Own: testOwn,
	}}
}
