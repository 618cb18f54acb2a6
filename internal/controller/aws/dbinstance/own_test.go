package dbinstance

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
	rdsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws/rds"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// testOwn is the kind's ownership rule as its connector binds it, bound to no lease.
var testOwn = Kind().Own()

// newExternal is the kind's external client as its connector makes it for one reconcile, over api with kube (nil
// where the test reads no Secret) as an account with no defaults, recording no events.
func newExternal(api rdsclient.API, kube client.Client) *external {
	return &external{Conn: managedkind.Conn[*v1alpha1.DBInstance, *credentials.AWSAccount, rdsclient.API]{
		API: api, Account: &credentials.AWSAccount{}, Record: event.NewNopRecorder(), Kube: kube, Own: testOwn,
	}}
}
