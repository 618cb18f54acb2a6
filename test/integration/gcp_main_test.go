//go:build integration

package integration

import (
	"context"
	"path/filepath"

	"cloud.google.com/go/bigtable/admin/apiv2/adminpb"
	"cloud.google.com/go/bigtable/bttest"
	pubsub "cloud.google.com/go/pubsub/v2/apiv1"
	"cloud.google.com/go/pubsub/v2/pstest"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// gcpProject is the project of the default config's gcp section.
const gcpProject = "test-project"

var (
	// pubsubProxy counts the provider's Pub/Sub calls on their way to pstest, the Pub/Sub emulator in process.
	pubsubProxy *harness.GRPCProxy
	// directTopics talks to pstest without the forwarder, to change things behind the provider's back uncounted.
	directTopics *pubsub.TopicAdminClient
	// directSubs is the same for subscriptions.
	directSubs *pubsub.SubscriptionAdminClient
	// bigtableProxy counts the provider's Bigtable calls on their way to bttest, the Bigtable emulator in process.
	bigtableProxy *harness.GRPCProxy
	// directBigtable talks to bttest without the forwarder.
	directBigtable adminpb.BigtableTableAdminClient
	// gcsServer is fake-gcs-server with provider-stateful's patch (hack/build-fake-gcs.sh), a separate process.
	gcsServer *harness.GCS
	// gcsProxy records the provider's Cloud Storage JSON API calls on their way to it.
	gcsProxy *harness.Proxy
)

// btInstance is the Bigtable instance the tests' tables live in (bttest takes any instance name).
const btInstance = "test-instance"

// startGCP starts the Google Cloud emulators and the forwarders the provider reaches them through.
func startGCP(ctx context.Context, logDir string) (func(), error) {
	var err error
	if gcsServer, err = harness.StartGCS(ctx, "", filepath.Join(logDir, "fake-gcs-server.log")); err != nil {
		return nil, err
	}
	if gcsProxy, err = harness.StartProxy(gcsServer.URL); err != nil {
		gcsServer.Stop()
		return nil, err
	}
	emu := pstest.NewServer()
	if pubsubProxy, err = harness.StartGRPCProxy(emu.Addr); err != nil {
		_ = emu.Close()
		return nil, err
	}
	if directTopics, err = pubsub.NewTopicAdminClient(ctx, option.WithEndpoint(emu.Addr), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials()))); err != nil {
		return nil, err
	}
	if directSubs, err = pubsub.NewSubscriptionAdminClient(ctx, option.WithEndpoint(emu.Addr), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials()))); err != nil {
		return nil, err
	}
	bt, err := bttest.NewServer("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if bigtableProxy, err = harness.StartGRPCProxy(bt.Addr); err != nil {
		bt.Close()
		return nil, err
	}
	btConn, err := grpc.NewClient(bt.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	directBigtable = adminpb.NewBigtableTableAdminClient(btConn)
	return func() {
		gcsProxy.Close()
		gcsServer.Stop()
		_ = btConn.Close()
		bigtableProxy.Stop()
		bt.Close()
		_ = directSubs.Close()
		_ = directTopics.Close()
		pubsubProxy.Stop()
		_ = emu.Close()
	}, nil
}

// gcpSection is the default config's gcp section: a service-account key (read and parsed; the emulators take no
// credentials) and the emulators' endpoints through the forwarders.
func gcpSection() *v1alpha1.GCPConfig {
	return &v1alpha1.GCPConfig{
		ProjectID:   gcpProject,
		Credentials: v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsSecret, SecretRef: &v1alpha1.SecretKeySelector{Namespace: "crossplane-system", Name: "gcp-key", Key: "key.json"}},
		Endpoints: &v1alpha1.GCPEndpoints{
			Storage:  ptr.To(gcsProxy.URL + "/storage/v1/"),
			PubSub:   &v1alpha1.GCPGRPCEndpoint{Address: pubsubProxy.Addr, Insecure: true},
			Bigtable: &v1alpha1.GCPGRPCEndpoint{Address: bigtableProxy.Addr, Insecure: true},
		},
		DefaultLabels: map[string]string{"managed-by": "provider-stateful"},
		// The contract rows encrypt with keys of key ring r and make tables in one instance: through this shared
		// config nothing else is allowed.
		AllowedReferences: &v1alpha1.GCPAllowedReferences{
			KMSKeys:           []string{"projects/" + gcpProject + "/locations/*/keyRings/r/cryptoKeys/*"},
			BigtableInstances: []string{btInstance},
		},
		AllowedAdoptions: &v1alpha1.GCPAllowedAdoptions{
			Buckets: testAdoptions(""), Topics: testAdoptions(""), Subscriptions: testAdoptions(""),
			BigtableTables: testAdoptions(btInstance + "/"),
		},
	}
}
