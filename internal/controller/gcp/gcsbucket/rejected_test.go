package gcsbucket

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"cloud.google.com/go/storage"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/googleapi"

	"github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
	gcsclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/storage"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/storage/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/mr/mrtest"
	"github.com/stateful-dev/provider-stateful/internal/controller/rejection"
)

// A create Cloud Storage refuses as invalid is sent once for its generation; a failure that may pass is retried.
// TestGCPRefusedCreateIsTerminal (integration) shows the same through fake-gcs-server's recording proxy.
func TestRefusedCreate(t *testing.T) {
	cases := map[string]struct {
		reason      string
		err         error
		wantCreates int
		wantMsg     string
	}{
		"BadRequest": {reason: "Input the cloud refuses is terminal until the spec changes: one create in ten reconciles.",
			err: &googleapi.Error{Code: http.StatusBadRequest, Message: "Invalid argument."}, wantCreates: 1},
		"ServiceUnavailable": {reason: "An outage is retried.", err: &googleapi.Error{Code: http.StatusServiceUnavailable, Message: "Backend Error"}, wantCreates: 10},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := &fake.Buckets{Err: map[string]error{"Attrs": storage.ErrBucketNotExist, "Create": tc.err}}
			cr := newBucket()
			_ = mrtest.Reconcile(context.Background(), mrtest.Claimed(v1alpha1.BucketGroupVersionKind, ext(f), gcsclient.IsInvalidInput), cr, 10)
			if diff := cmp.Diff(tc.wantCreates, f.Creates); diff != "" {
				t.Errorf("%s\nbucket inserts: -want +got:\n%s", tc.reason, diff)
			}
			c := cr.GetCondition(rejection.TypeInputRejected)
			if got := c.Status == "True"; got != (tc.wantCreates == 1) || !strings.Contains(c.Message, tc.wantMsg) {
				t.Errorf("%s\n%s: %v", tc.reason, rejection.TypeInputRejected, c)
			}
		})
	}
}
