package gcp_test

import (
	"context"
	"testing"

	pubsub "cloud.google.com/go/pubsub/v2/apiv1"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/v2/pstest"
	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
	"github.com/stateful-dev/provider-stateful/internal/metrics"
)

// A client built with GRPCOptions reaches an emulator endpoint without TLS or credentials, and the provider's
// cloud-call metric counts what the server sees: the Pub/Sub emulator pstest behind the harness's counting gRPC
// forwarder.
func TestGRPCOptionsAgainstTheEmulator(t *testing.T) {
	emu := pstest.NewServer()
	t.Cleanup(func() { _ = emu.Close() })
	fwd, err := harness.StartGRPCProxy(emu.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fwd.Stop)
	ctx := context.Background()
	c, err := pubsub.NewTopicAdminClient(ctx, gcp.GRPCOptions("pubsub", nil, &v1alpha1.GCPGRPCEndpoint{Address: fwd.Addr, Insecure: true})...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })

	metric := func(op, outcome string) float64 {
		return testutil.ToFloat64(metrics.CloudCalls.WithLabelValues("gcp", "pubsub", op, outcome))
	}
	before := map[string]float64{"CreateTopic": metric("CreateTopic", "OK"), "GetTopic": metric("GetTopic", "OK"), "UpdateTopic": metric("UpdateTopic", "OK"), "missing": metric("GetTopic", "NotFound")}

	name := "projects/test-project/topics/orders"
	if _, err := c.CreateTopic(ctx, &pubsubpb.Topic{Name: name, Labels: map[string]string{"team": "data"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateTopic(ctx, &pubsubpb.UpdateTopicRequest{Topic: &pubsubpb.Topic{Name: name, Labels: map[string]string{"team": "web"}}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"labels"}}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetTopic(ctx, &pubsubpb.GetTopicRequest{Topic: name})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"team": "web"}, got.GetLabels()); diff != "" {
		t.Errorf("labels read back through the forwarder: -want, +got:\n%s", diff)
	}
	if _, err := c.GetTopic(ctx, &pubsubpb.GetTopicRequest{Topic: name + "-missing"}); status.Code(err) != codes.NotFound {
		t.Errorf("a missing topic: want NotFound through the forwarder, got %v", err)
	}

	for _, tc := range []struct{ op, code, key string }{
		{"CreateTopic", "OK", "CreateTopic"}, {"UpdateTopic", "OK", "UpdateTopic"}, {"GetTopic", "OK", "GetTopic"}, {"GetTopic", "NotFound", "missing"},
	} {
		seen, counted := fwd.CountCode(tc.op, tc.code), metric(tc.op, tc.code)-before[tc.key]
		if seen != 1 || counted != 1 {
			t.Errorf("%s %s: the server saw %d, the provider's metric counted %v; want 1 and 1 (all: %v)", tc.op, tc.code, seen, counted, fwd.Summary())
		}
	}
}
