// Package bigtable is the narrow Bigtable table admin interface the Table controller uses and its client; names.go
// holds Bigtable's naming rules.
package bigtable

import (
	"context"

	"cloud.google.com/go/bigtable/admin/apiv2/adminpb"
	"golang.org/x/oauth2"
	"google.golang.org/api/option"
	gtransport "google.golang.org/api/transport/grpc"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	gcpclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp"
)

// TableAPI is what the Table controller calls: the generated admin client's table methods.
type TableAPI interface {
	GetTable(ctx context.Context, in *adminpb.GetTableRequest, opts ...grpc.CallOption) (*adminpb.Table, error)
	CreateTable(ctx context.Context, in *adminpb.CreateTableRequest, opts ...grpc.CallOption) (*adminpb.Table, error)
	ModifyColumnFamilies(ctx context.Context, in *adminpb.ModifyColumnFamiliesRequest, opts ...grpc.CallOption) (*adminpb.Table, error)
	DeleteTable(ctx context.Context, in *adminpb.DeleteTableRequest, opts ...grpc.CallOption) error
	// UpdateDeletionProtection sets the table's deletion protection (UpdateTable, its mask naming only that).
	UpdateDeletionProtection(ctx context.Context, name string, on bool) error
}

// Google's table admin endpoint and scope, for a config without an endpoint override.
const (
	adminEndpoint = "bigtableadmin.googleapis.com:443"
	adminScope    = "https://www.googleapis.com/auth/bigtable.admin.table"
)

// client is the generated gRPC client on a connection it owns.
type client struct {
	adminpb.BigtableTableAdminClient
	conn *grpc.ClientConn
}

func (c client) DeleteTable(ctx context.Context, in *adminpb.DeleteTableRequest, opts ...grpc.CallOption) error {
	_, err := c.BigtableTableAdminClient.DeleteTable(ctx, in, opts...)
	return err
}

// UpdateDeletionProtection sends UpdateTable. Bigtable answers with a long-running operation; a protection change
// is immediate, and the next observation reads the outcome, so the operation is not waited for.
func (c client) UpdateDeletionProtection(ctx context.Context, name string, on bool) error {
	_, err := c.UpdateTable(ctx, &adminpb.UpdateTableRequest{
		Table: &adminpb.Table{Name: name, DeletionProtection: on}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"deletion_protection"}},
	})
	return err
}

// Close closes the connection, with the account.
func (c client) Close() error { return c.conn.Close() }

// NewTables connects a Bigtable table admin client with ts to endpoint ep (nil: Google's); readOnly makes it refuse
// every call that is not a read (gcpclient.Guard). It holds a connection: Close it when done.
func NewTables(ctx context.Context, ts oauth2.TokenSource, ep *v1alpha1.GCPGRPCEndpoint, readOnly bool) (*Tables, error) {
	opts := gcpclient.Guard(readOnly, append([]option.ClientOption{option.WithEndpoint(adminEndpoint), option.WithScopes(adminScope)},
		gcpclient.GRPCOptions("bigtable", ts, ep)...))
	// The connection outlives the caller's context.
	conn, err := gtransport.Dial(context.WithoutCancel(ctx), opts...)
	if err != nil {
		return nil, errors.Wrap(err, "cannot connect to Bigtable")
	}
	return &Tables{client{BigtableTableAdminClient: adminpb.NewBigtableTableAdminClient(conn), conn: conn}}, nil
}

// Tables is the table admin client.
type Tables struct{ client }
