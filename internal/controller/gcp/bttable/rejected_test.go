package bttable

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stateful-dev/provider-stateful/apis/gcp/bigtable/v1alpha1"
	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	gcpclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/bigtable/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/mr/mrtest"
)

// A create Bigtable refuses as invalid is sent once for its generation; a failure that may pass is retried.
// (Unit test: bttest refuses no CreateTable.)
func TestRefusedCreate(t *testing.T) {
	cases := map[string]struct {
		reason      string
		err         error
		wantCreates int
	}{
		"InvalidArgument": {reason: "Input the cloud refuses is terminal until the spec changes: one create in ten reconciles.",
			err: status.Error(codes.InvalidArgument, "Error in field 'initial_splits' : duplicate split keys"), wantCreates: 1},
		"ResourceExhausted": {reason: "A quota is retried.", err: status.Error(codes.ResourceExhausted, "quota"), wantCreates: 10},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := &fake.Tables{Err: map[string]error{"GetTable": status.Error(codes.NotFound, "no table"), "CreateTable": tc.err}}
			cr := newTable()
			_ = mrtest.Reconcile(context.Background(), mrtest.Claimed(v1alpha1.TableGroupVersionKind, ext(f), gcpclient.IsInvalidInput), cr, 10)
			if diff := cmp.Diff(tc.wantCreates, f.Creates); diff != "" {
				t.Errorf("%s\nCreateTable calls: -want +got:\n%s", tc.reason, diff)
			}
			if got := cr.GetCondition(apisv1alpha1.TypeInputRejected).Status == "True"; got != (tc.wantCreates == 1) {
				t.Errorf("%s\n%s: %v", tc.reason, apisv1alpha1.TypeInputRejected, cr.GetCondition(apisv1alpha1.TypeInputRejected))
			}
		})
	}
}
