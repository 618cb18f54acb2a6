package bucket

import (
	s3client "github.com/stateful-dev/provider-stateful/internal/clients/aws/s3"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// newExternal is the kind's external client as its connector makes it for one reconcile, over api as account a,
// recording no events.
func newExternal(api s3client.API, a *credentials.AWSAccount) *external {
	return &external{Conn: kindtest.Conn(Kind(), api, a)}
}
