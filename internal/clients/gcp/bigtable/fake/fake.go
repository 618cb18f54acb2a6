// Package fake is a hand-written TableAPI for the Table controller's unit tests: each method returns what the test
// sets and records its request. Integration tests use the real emulator (bttest) instead.
package fake

import (
	"context"

	"cloud.google.com/go/bigtable/admin/apiv2/adminpb"
	"google.golang.org/grpc"
)

// Tables is a fake TableAPI.
type Tables struct {
	Table *adminpb.Table
	Err   map[string]error // by method

	Created *adminpb.CreateTableRequest
	// Creates counts CreateTable calls.
	Creates    int
	Modified   []*adminpb.ModifyColumnFamiliesRequest
	Protection []bool
	Deleted    string
}

// GetTable returns Table.
func (f *Tables) GetTable(context.Context, *adminpb.GetTableRequest, ...grpc.CallOption) (*adminpb.Table, error) {
	return f.Table, f.Err["GetTable"]
}

// CreateTable records the request.
func (f *Tables) CreateTable(_ context.Context, r *adminpb.CreateTableRequest, _ ...grpc.CallOption) (*adminpb.Table, error) {
	f.Created = r
	f.Creates++
	return r.GetTable(), f.Err["CreateTable"]
}

// ModifyColumnFamilies records the request.
func (f *Tables) ModifyColumnFamilies(_ context.Context, r *adminpb.ModifyColumnFamiliesRequest, _ ...grpc.CallOption) (*adminpb.Table, error) {
	f.Modified = append(f.Modified, r)
	return f.Table, f.Err["ModifyColumnFamilies"]
}

// DeleteTable records the name.
func (f *Tables) DeleteTable(_ context.Context, r *adminpb.DeleteTableRequest, _ ...grpc.CallOption) error {
	f.Deleted = r.GetName()
	return f.Err["DeleteTable"]
}

// UpdateDeletionProtection records the setting.
func (f *Tables) UpdateDeletionProtection(_ context.Context, _ string, on bool) error {
	f.Protection = append(f.Protection, on)
	return f.Err["UpdateDeletionProtection"]
}
