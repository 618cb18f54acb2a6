// Package fake is a hand-written fake of the provider's Bigtable table admin interface, for unit tests: one function field
// per method. Integration tests use the real emulator (bttest) instead.
package fake

import (
	"context"

	"cloud.google.com/go/bigtable/admin/apiv2/adminpb"
	"google.golang.org/grpc"

	btclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/bigtable"
)

var _ btclient.TableAPI = (*Tables)(nil)

// Tables answers each call with its function field; a nil field panics, so a test states every call it expects.
type Tables struct {
	MockGetTable                 func(*adminpb.GetTableRequest) (*adminpb.Table, error)
	MockCreateTable              func(*adminpb.CreateTableRequest) (*adminpb.Table, error)
	MockModifyColumnFamilies     func(*adminpb.ModifyColumnFamiliesRequest) (*adminpb.Table, error)
	MockDeleteTable              func(*adminpb.DeleteTableRequest) error
	MockUpdateDeletionProtection func(name string, on bool) error
}

// GetTable calls MockGetTable.
func (f *Tables) GetTable(_ context.Context, in *adminpb.GetTableRequest, _ ...grpc.CallOption) (*adminpb.Table, error) {
	return f.MockGetTable(in)
}

// CreateTable calls MockCreateTable.
func (f *Tables) CreateTable(_ context.Context, in *adminpb.CreateTableRequest, _ ...grpc.CallOption) (*adminpb.Table, error) {
	return f.MockCreateTable(in)
}

// ModifyColumnFamilies calls MockModifyColumnFamilies.
func (f *Tables) ModifyColumnFamilies(_ context.Context, in *adminpb.ModifyColumnFamiliesRequest, _ ...grpc.CallOption) (*adminpb.Table, error) {
	return f.MockModifyColumnFamilies(in)
}

// DeleteTable calls MockDeleteTable.
func (f *Tables) DeleteTable(_ context.Context, in *adminpb.DeleteTableRequest, _ ...grpc.CallOption) error {
	return f.MockDeleteTable(in)
}

// UpdateDeletionProtection calls MockUpdateDeletionProtection.
func (f *Tables) UpdateDeletionProtection(_ context.Context, name string, on bool) error {
	return f.MockUpdateDeletionProtection(name, on)
}
