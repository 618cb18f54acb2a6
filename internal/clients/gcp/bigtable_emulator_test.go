package gcp_test

import (
	"context"
	"testing"

	"cloud.google.com/go/bigtable"
	"cloud.google.com/go/bigtable/bttest"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// The forwarder also carries streaming calls: the Bigtable emulator bttest's admin API (a table and its column
// family) and data API (a unary mutation, a server-streaming read) through GRPCOptions.
func TestGRPCOptionsAgainstTheBigtableEmulator(t *testing.T) {
	emu, err := bttest.NewServer("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.Close)
	fwd, err := harness.StartGRPCProxy(emu.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fwd.Stop)
	ctx := context.Background()
	opts := gcp.GRPCOptions("bigtable", nil, &v1alpha1.GCPGRPCEndpoint{Address: fwd.Addr, Insecure: true})
	admin, err := bigtable.NewAdminClient(ctx, "test-project", "test-instance", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	if err := admin.CreateTableFromConf(ctx, &bigtable.TableConf{TableID: "events", Families: map[string]bigtable.GCPolicy{"d": bigtable.MaxVersionsPolicy(1)}}); err != nil {
		t.Fatal(err)
	}
	data, err := bigtable.NewClient(ctx, "test-project", "test-instance", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = data.Close() })
	tbl := data.Open("events")
	m := bigtable.NewMutation()
	m.Set("d", "c", bigtable.Now(), []byte("v"))
	if err := tbl.Apply(ctx, "row-1", m); err != nil {
		t.Fatal(err)
	}
	row, err := tbl.ReadRow(ctx, "row-1")
	if err != nil || len(row["d"]) != 1 || string(row["d"][0].Value) != "v" {
		t.Fatalf("the row read back through the forwarder: %v %v", row, err)
	}
	for _, op := range []string{"CreateTable", "MutateRow", "ReadRows"} {
		if fwd.CountCode(op, "OK") < 1 {
			t.Errorf("the forwarder saw no %s (all: %v)", op, fwd.Summary())
		}
	}
}
