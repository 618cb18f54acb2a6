package readonly_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"cloud.google.com/go/bigtable/admin/apiv2/adminpb"
	"cloud.google.com/go/bigtable/bttest"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"cloud.google.com/go/pubsub/v2/pstest"
	"cloud.google.com/go/storage"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	btclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/bigtable"
	pubsubclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/pubsub"
	gcsclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/storage"
	"github.com/stateful-dev/provider-stateful/internal/clients/readonly"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// Cloud Storage's JSON API through the provider's client built read-only: a GET reaches the server; a POST, a PATCH
// or a DELETE is refused before it is sent.
func TestStorageOperations(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t, `{"kind":"storage#bucket","name":"b"}`)
	c, err := gcsclient.NewBuckets(ctx, nil, ptr.To(srv.URL+"/storage/v1/"), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	cases := map[string]struct {
		reason string
		call   func() error
		want   outcome
	}{
		"Attrs":       {reason: "buckets.get is a GET", call: func() error { _, err := c.Attrs(ctx, "b"); return err }, want: sent},
		"Generations": {reason: "objects.list is a GET", call: func() error { _, err := c.Generations(ctx, "b", 1); return err }, want: sent},
		"Create":      {reason: "buckets.insert is a POST", call: func() error { return c.Create(ctx, "p", "b", &storage.BucketAttrs{}) }, want: refused},
		"Update": {reason: "buckets.patch is a PATCH", call: func() error {
			_, err := c.Update(ctx, "b", storage.BucketAttrsToUpdate{VersioningEnabled: true})
			return err
		}, want: refused},
		"LockRetentionPolicy": {reason: "buckets.lockRetentionPolicy is a POST", call: func() error { return c.LockRetentionPolicy(ctx, "b", 1) }, want: refused},
		"Delete":              {reason: "buckets.delete is a DELETE", call: func() error { return c.Delete(ctx, "b") }, want: refused},
		"DeleteGeneration": {reason: "objects.delete is a DELETE", call: func() error {
			return c.DeleteGeneration(ctx, "b", gcsclient.ObjectVersion{Name: "o", Generation: 1})
		}, want: refused},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, srv.run(tc.call)); diff != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// grpcOutcome is what became of one gRPC call: whether the forwarder in front of the emulator saw it, and whether
// the guard refused it (FailedPrecondition, naming the method).
func grpcOutcome(fwd *harness.GRPCProxy, op string, err error) outcome {
	return outcome{Sent: fwd.Count(op, "") > 0, Refused: status.Code(err) == codes.FailedPrecondition && refusedMessage(err)}
}

func refusedMessage(err error) bool {
	s, _ := status.FromError(err)
	return strings.HasPrefix(s.Message(), "refused before sending: ")
}

// Pub/Sub through the provider's topic and subscription clients built read-only, against the emulator pstest
// behind the harness's recording forwarder: the reads the kinds' Observe uses reach it, no write does.
func TestPubSubOperations(t *testing.T) {
	ctx := context.Background()
	emu := pstest.NewServer()
	t.Cleanup(func() { _ = emu.Close() })
	fwd, err := harness.StartGRPCProxy(emu.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fwd.Stop)
	ep := &v1alpha1.GCPGRPCEndpoint{Address: fwd.Addr, Insecure: true}
	topics, err := pubsubclient.NewTopics(ctx, nil, ep, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = topics.Close() })
	admin, err := pubsubclient.NewSubscriptions(ctx, nil, ep, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	subs := admin.With(topics)
	topic, sub := "projects/p/topics/t", "projects/p/subscriptions/s"

	cases := map[string]struct {
		reason string
		op     string
		call   func() error
		want   outcome
	}{
		"GetTopic": {reason: "Get reads", op: "GetTopic", call: func() error {
			_, err := topics.GetTopic(ctx, &pubsubpb.GetTopicRequest{Topic: topic})
			return err
		}, want: sent},
		"GetSubscription": {reason: "Get reads", op: "GetSubscription", call: func() error {
			_, err := subs.GetSubscription(ctx, &pubsubpb.GetSubscriptionRequest{Subscription: sub})
			return err
		}, want: sent},
		"CreateTopic": {reason: "Create writes", op: "CreateTopic", call: func() error {
			_, err := topics.CreateTopic(ctx, &pubsubpb.Topic{Name: topic})
			return err
		}, want: refused},
		"UpdateTopic": {reason: "Update writes", op: "UpdateTopic", call: func() error {
			_, err := topics.UpdateTopic(ctx, &pubsubpb.UpdateTopicRequest{Topic: &pubsubpb.Topic{Name: topic}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"labels"}}})
			return err
		}, want: refused},
		"DeleteTopic": {reason: "Delete writes", op: "DeleteTopic", call: func() error {
			return topics.DeleteTopic(ctx, &pubsubpb.DeleteTopicRequest{Topic: topic})
		}, want: refused},
		"CreateSubscription": {reason: "Create writes", op: "CreateSubscription", call: func() error {
			_, err := subs.CreateSubscription(ctx, &pubsubpb.Subscription{Name: sub, Topic: topic})
			return err
		}, want: refused},
		"UpdateSubscription": {reason: "Update writes", op: "UpdateSubscription", call: func() error {
			_, err := subs.UpdateSubscription(ctx, &pubsubpb.UpdateSubscriptionRequest{
				Subscription: &pubsubpb.Subscription{Name: sub}, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"labels"}},
			})
			return err
		}, want: refused},
		"DeleteSubscription": {reason: "Delete writes", op: "DeleteSubscription", call: func() error {
			return subs.DeleteSubscription(ctx, &pubsubpb.DeleteSubscriptionRequest{Subscription: sub})
		}, want: refused},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, grpcOutcome(fwd, tc.op, tc.call())); diff != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
	if m := fwd.Calls(func(c harness.Call) bool { return harness.IsMutating(c.Operation) }); len(m) != 0 {
		t.Errorf("the emulator received %d mutating calls, want none", len(m))
	}
}

// The Bigtable table admin client built read-only, against the emulator bttest behind the forwarder.
func TestBigtableOperations(t *testing.T) {
	ctx := context.Background()
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
	c, err := btclient.NewTables(ctx, nil, &v1alpha1.GCPGRPCEndpoint{Address: fwd.Addr, Insecure: true}, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	parent := "projects/p/instances/i"
	name := parent + "/tables/t"
	cases := map[string]struct {
		reason string
		op     string
		call   func() error
		want   outcome
	}{
		"GetTable": {reason: "Get reads", op: "GetTable", call: func() error {
			_, err := c.GetTable(ctx, &adminpb.GetTableRequest{Name: name})
			return err
		}, want: sent},
		"CreateTable": {reason: "Create writes", op: "CreateTable", call: func() error {
			_, err := c.CreateTable(ctx, &adminpb.CreateTableRequest{Parent: parent, TableId: "t", Table: &adminpb.Table{}})
			return err
		}, want: refused},
		"ModifyColumnFamilies": {reason: "Modify writes", op: "ModifyColumnFamilies", call: func() error {
			_, err := c.ModifyColumnFamilies(ctx, &adminpb.ModifyColumnFamiliesRequest{Name: name})
			return err
		}, want: refused},
		"UpdateTable": {reason: "deletion protection is an UpdateTable", op: "UpdateTable", call: func() error {
			return c.UpdateDeletionProtection(ctx, name, true)
		}, want: refused},
		"DeleteTable": {reason: "Delete writes", op: "DeleteTable", call: func() error {
			return c.DeleteTable(ctx, &adminpb.DeleteTableRequest{Name: name})
		}, want: refused},
	}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, grpcOutcome(fwd, tc.op, tc.call())); diff != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// The refusal names the operation and nothing else: no credentials, no request ID.
func TestRefusedErrorMessage(t *testing.T) {
	err := error(&readonly.RefusedError{Operation: "UpdateTable"})
	want := "refused before sending: UpdateTable is not a read, and this client only reads"
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("-want, +got:\n%s", diff)
	}
	var r *readonly.RefusedError
	if !errors.As(err, &r) || r.RetryableError() {
		t.Errorf("a refusal is a RefusedError the AWS SDK does not retry")
	}
}
