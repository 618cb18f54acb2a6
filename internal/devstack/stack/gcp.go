package stack

import (
	"context"
	"fmt"
	"net"
	"path/filepath"

	"cloud.google.com/go/bigtable/bttest"
	"cloud.google.com/go/pubsub/v2/pstest"

	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/gcptest"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// startGCP starts the Pub/Sub and Bigtable emulators (pstest and bttest, in this process) and the Cloud Storage
// emulator on the examples' ports — with Options.Record, on free ports behind recording proxies on the examples'
// — and makes the service-account key the gcp-key Secret holds (setUpCluster): a fresh key, checked by the
// provider and never sent (the emulators take no credentials).
func (s *Stack) startGCP(ctx context.Context) error {
	o := s.opts
	if o.PubSubPort == 0 {
		return nil
	}
	addr := fmt.Sprintf("127.0.0.1:%d", o.PubSubPort)
	if o.Record {
		addr = "127.0.0.1:0"
	}
	o.Log("starting the Pub/Sub emulator (pstest) on %s", addr)
	// pstest panics when it cannot listen: say which port is taken instead.
	l, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("the Pub/Sub emulator's port is taken: %w", err)
	}
	_ = l.Close()
	s.PubSub = pstest.NewServerWithAddress(addr)
	if o.Record {
		if s.Recorded.PubSub, err = harness.StartGRPCProxyAt(s.PubSub.Addr, fmt.Sprintf("127.0.0.1:%d", o.PubSubPort)); err != nil {
			return err
		}
	}
	if o.StoragePort != 0 {
		addr := fmt.Sprintf("127.0.0.1:%d", o.StoragePort)
		if o.Record {
			addr = ""
		}
		o.Log("starting the Cloud Storage emulator (fake-gcs-server, patched) on %s", addr)
		if s.Storage, err = harness.StartGCS(ctx, addr, filepath.Join(o.Dir, "fake-gcs-server.log")); err != nil {
			return err
		}
		if o.Record {
			if _, s.Recorded.Storage, err = recordAt(s.Storage.URL, o.StoragePort); err != nil {
				return err
			}
		}
	}
	if o.BigtablePort != 0 {
		bt := fmt.Sprintf("127.0.0.1:%d", o.BigtablePort)
		if o.Record {
			bt = "127.0.0.1:0"
		}
		o.Log("starting the Bigtable emulator (bttest) on %s", bt)
		if s.Bigtable, err = bttest.NewServer(bt); err != nil {
			return fmt.Errorf("the Bigtable emulator: %w", err)
		}
		if o.Record {
			if s.Recorded.Bigtable, err = harness.StartGRPCProxyAt(s.Bigtable.Addr, fmt.Sprintf("127.0.0.1:%d", o.BigtablePort)); err != nil {
				return err
			}
		}
	}
	s.gcpKey, err = gcptest.NewKey("provider@local-project.iam.gserviceaccount.com")
	return err
}
