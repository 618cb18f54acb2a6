package bttable

import (
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stateful-dev/provider-stateful/apis/gcp/bigtable/v1alpha1"
	gcpclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/bigtable/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
)

// A create Bigtable refuses as invalid is sent once for its generation; a failure that may pass is retried.
// (Unit test: bttest refuses no CreateTable.)
func TestRefusedCreate(t *testing.T) {
	kindtest.Refused(t, "CreateTable calls", map[string]kindtest.Refusal{
		"InvalidArgument": {Reason: "Input the cloud refuses is terminal until the spec changes: one create in ten reconciles.",
			Err: status.Error(codes.InvalidArgument, "Error in field 'initial_splits' : duplicate split keys"), WantCreates: 1},
		"ResourceExhausted": {Reason: "A quota is retried.", Err: status.Error(codes.ResourceExhausted, "quota"), WantCreates: 10},
	}, func(refusal error) (managed.TypedExternalClient[*v1alpha1.Table], *v1alpha1.Table, func() int) {
		f := &fake.Tables{Err: map[string]error{"GetTable": status.Error(codes.NotFound, "no table"), "CreateTable": refusal}}
		return kindtest.Leased(v1alpha1.TableGroupVersionKind, ext(f), gcpclient.IsInvalidInput), newTable(), func() int { return f.Creates }
	})
}
