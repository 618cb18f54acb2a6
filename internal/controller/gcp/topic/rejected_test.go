package topic

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	gcpclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/pubsub/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/mr/mrtest"
)

// A create Pub/Sub refuses as invalid is sent once for its generation; a failure that may pass is retried.
// (Unit test: pstest refuses no topic the provider would send — the retention bounds are checked before the call.)
func TestRefusedCreate(t *testing.T) {
	cases := map[string]struct {
		reason      string
		err         error
		wantCreates int
	}{
		"InvalidArgument": {reason: "Input the cloud refuses is terminal until the spec changes: one create in ten reconciles.",
			err: status.Error(codes.InvalidArgument, "Invalid resource name given (name=projects/p/topics/orders)."), wantCreates: 1},
		"Unavailable": {reason: "An outage is retried on every reconcile.", err: status.Error(codes.Unavailable, "try again"), wantCreates: 10},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := &fake.Topics{Err: map[string]error{"GetTopic": status.Error(codes.NotFound, "no topic"), "CreateTopic": tc.err}}
			cr := newTopic()
			_ = mrtest.Reconcile(context.Background(), mrtest.Claimed(v1alpha1.TopicGroupVersionKind, ext(f), gcpclient.IsInvalidInput), cr, 10)
			if diff := cmp.Diff(tc.wantCreates, f.Creates); diff != "" {
				t.Errorf("%s\nCreateTopic calls: -want +got:\n%s", tc.reason, diff)
			}
			if got := cr.GetCondition(apisv1alpha1.TypeInputRejected).Status == "True"; got != (tc.wantCreates == 1) {
				t.Errorf("%s\n%s: %v", tc.reason, apisv1alpha1.TypeInputRejected, cr.GetCondition(apisv1alpha1.TypeInputRejected))
			}
		})
	}
}
