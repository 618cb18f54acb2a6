package harness_test

import (
	"context"
	"testing"

	pubsub "cloud.google.com/go/pubsub/v2/apiv1"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/v2/pstest"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// TestGRPCProxyAnswers: a call the forwarder was told to answer gets OK and never reaches the emulator (a cloud
// that silently ignores an update), is counted like any other, and only as many times as asked; calls about other
// names, and later calls, are forwarded.
func TestGRPCProxyAnswers(t *testing.T) {
	emu := pstest.NewServer()
	t.Cleanup(func() { _ = emu.Close() })
	fwd, err := harness.StartGRPCProxy(emu.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fwd.Stop)
	ctx := context.Background()
	c, err := pubsub.NewTopicAdminClient(ctx, option.WithEndpoint(fwd.Addr), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	name, other := "projects/p/topics/orders", "projects/p/topics/other"
	for _, n := range []string{name, other} {
		if _, err := c.CreateTopic(ctx, &pubsubpb.Topic{Name: n, Labels: map[string]string{"team": "a"}}); err != nil {
			t.Fatal(err)
		}
	}
	update := func(n, team string) {
		t.Helper()
		if _, err := c.UpdateTopic(ctx, &pubsubpb.UpdateTopicRequest{Topic: &pubsubpb.Topic{Name: n, Labels: map[string]string{"team": team}},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"labels"}}}); err != nil {
			t.Fatalf("UpdateTopic %s: %v", n, err)
		}
	}
	team := func(n string) string {
		t.Helper()
		got, err := c.GetTopic(ctx, &pubsubpb.GetTopicRequest{Topic: n})
		if err != nil {
			t.Fatal(err)
		}
		return got.GetLabels()["team"]
	}
	fwd.Watch(name)
	fwd.Answer("UpdateTopic", name, 1)
	update(name, "b")
	update(other, "b")
	if diff := cmp.Diff([]string{"a", "b"}, []string{team(name), team(other)}); diff != "" {
		t.Errorf("the answered update reached the emulator, or the other one did not: -want, +got:\n%s", diff)
	}
	update(name, "c")
	if got := team(name); got != "c" {
		t.Errorf("the update after the one answered was not forwarded: team %q", got)
	}
	if got := fwd.Count("UpdateTopic", name); got != 2 {
		t.Errorf("UpdateTopic about %s counted %d times, want 2", name, got)
	}
}
