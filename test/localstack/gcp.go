package localstack

import (
	"context"
	"fmt"
	"net"
	"path/filepath"

	"cloud.google.com/go/bigtable/bttest"
	"cloud.google.com/go/pubsub/v2/pstest"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/gcptest"
	"github.com/stateful-dev/provider-stateful/test/harness"
)

// startGCP starts the Pub/Sub and Bigtable emulators (pstest and bttest, in this process) on the examples' ports,
// and makes the service-account key Secret the examples' gcp section reads: a fresh key, checked by the provider and never sent
// (the emulator takes no credentials).
func (s *Stack) startGCP(ctx context.Context) error {
	o := s.opts
	if o.PubSubPort == 0 {
		return nil
	}
	addr := fmt.Sprintf("127.0.0.1:%d", o.PubSubPort)
	o.Log("starting the Pub/Sub emulator (pstest) on %s", addr)
	// pstest panics when it cannot listen: say which port is taken instead.
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("the Pub/Sub emulator's port is taken: %w", err)
	}
	_ = l.Close()
	s.PubSub = pstest.NewServerWithAddress(addr)
	if o.StoragePort != 0 {
		addr := fmt.Sprintf("127.0.0.1:%d", o.StoragePort)
		o.Log("starting the Cloud Storage emulator (fake-gcs-server, patched) on %s", addr)
		if s.Storage, err = harness.StartGCS(ctx, addr, filepath.Join(o.Dir, "fake-gcs-server.log")); err != nil {
			return err
		}
	}
	if o.BigtablePort != 0 {
		bt := fmt.Sprintf("127.0.0.1:%d", o.BigtablePort)
		o.Log("starting the Bigtable emulator (bttest) on %s", bt)
		if s.Bigtable, err = bttest.NewServer(bt); err != nil {
			return fmt.Errorf("the Bigtable emulator: %w", err)
		}
	}
	key, err := gcptest.NewKey("provider@local-project.iam.gserviceaccount.com")
	if err != nil {
		return err
	}
	kube, err := client.New(s.Config, client.Options{})
	if err != nil {
		return err
	}
	sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: CrossplaneNamespace, Name: "gcp-key"}, Data: map[string][]byte{"key.json": key}}
	if err := kube.Create(ctx, sec); err != nil && !kerrors.IsAlreadyExists(err) {
		return err
	}
	return nil
}
