package dbinstance

import (
	"sigs.k8s.io/controller-runtime/pkg/client"

	rdsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws/rds"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// newExternal is the kind's external client as its connector makes it for one reconcile, over api with kube (nil
// where the test reads no Secret) as an account with no defaults, recording no events.
func newExternal(api rdsclient.API, kube client.Client) *external {
	c := kindtest.Conn(Kind(), api, &credentials.AWSAccount{})
	c.Kube = kube
	return &external{Conn: c}
}
