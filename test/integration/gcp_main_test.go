//go:build integration

package integration

import (
	"context"

	pubsub "cloud.google.com/go/pubsub/v2/apiv1"
	"cloud.google.com/go/pubsub/v2/pstest"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/test/harness"
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
)

// startGCP starts the Google Cloud emulators and the forwarders the provider reaches them through.
func startGCP(ctx context.Context) (func(), error) {
	emu := pstest.NewServer()
	var err error
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
	return func() {
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
		ProjectID:     gcpProject,
		Credentials:   v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsSecret, SecretRef: &v1alpha1.SecretKeySelector{Namespace: "crossplane-system", Name: "gcp-key", Key: "key.json"}},
		Endpoints:     &v1alpha1.GCPEndpoints{PubSub: &v1alpha1.GCPGRPCEndpoint{Address: pubsubProxy.Addr, Insecure: true}},
		DefaultLabels: map[string]string{"managed-by": "provider-stateful"},
	}
}
