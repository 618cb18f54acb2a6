package table

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"

	"github.com/stateful-dev/provider-stateful/apis/aws/dynamodb/v1alpha1"
	ddbclient "github.com/stateful-dev/provider-stateful/internal/clients/aws/dynamodb"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// testOwn is the kind's ownership rule as its connector binds it, bound to no lease.
var testOwn = Kind().Own()

// newExternal is the kind's external client as its connector makes it for one reconcile, over api as account a,
// recording no events.
func newExternal(api ddbclient.API, a *credentials.AWSAccount) *external {
	return &external{Conn: managedkind.Conn[*v1alpha1.Table, *credentials.AWSAccount, ddbclient.API]{
		API: api, Account: a, Record: event.NewNopRecorder(), Own: testOwn,
	}}
}
