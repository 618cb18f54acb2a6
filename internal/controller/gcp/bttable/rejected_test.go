package bttable

import (
	"testing"

	"cloud.google.com/go/bigtable/admin/apiv2/adminpb"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stateful-dev/provider-stateful/apis/gcp/bigtable/v1alpha1"
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
		creates := 0
		f := &fake.Tables{
			MockGetTable: func(*adminpb.GetTableRequest) (*adminpb.Table, error) {
				return nil, status.Error(codes.NotFound, "no table")
			},
			MockCreateTable: func(*adminpb.CreateTableRequest) (*adminpb.Table, error) {
				creates++
				return nil, refusal
			},
		}
		return kindtest.Leased(v1alpha1.TableGroupVersionKind, ext(f), Kind().Rejects), newTable(), func() int { return creates }
	})
}
