package pubsub_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/pubsub"
)

// hugeTopics answers every GetTopic with a topic whose labels hold 16 MiB.
type hugeTopics struct {
	pubsubpb.UnimplementedPublisherServer
}

func (hugeTopics) GetTopic(_ context.Context, r *pubsubpb.GetTopicRequest) (*pubsubpb.Topic, error) {
	return &pubsubpb.Topic{Name: r.GetTopic(), Labels: map[string]string{"big": strings.Repeat("x", 16<<20)}}, nil
}

func topics(t *testing.T, addr string) pubsub.TopicAPI {
	t.Helper()
	c, err := pubsub.NewTopics(context.Background(), nil, &v1alpha1.GCPGRPCEndpoint{Address: addr, Insecure: true}, false)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A Pub/Sub endpoint answering with a 16 MiB message is refused (ResourceExhausted) instead of read: the
// generated client accepts up to 2 GiB.
func TestOversizedMessageRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(grpc.MaxSendMsgSize(64 << 20))
	pubsubpb.RegisterPublisherServer(s, hugeTopics{})
	go func() { _ = s.Serve(l) }()
	defer s.Stop()
	_, err = topics(t, l.Addr().String()).GetTopic(t.Context(), &pubsubpb.GetTopicRequest{Topic: "projects/p/topics/t"})
	if status.Code(err) != codes.ResourceExhausted {
		t.Errorf("a 16 MiB answer: want ResourceExhausted, got %v", err)
	}
}

// A Pub/Sub endpoint that accepts connections and never speaks gives the call back well inside the reconcile's
// 60 s; before, the call (retried on Unavailable) used all of it.
func TestTarpitGivesTheCallBack(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				_ = c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c) // accepted, never answered
		}
	}()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	start := time.Now()
	_, err = topics(t, l.Addr().String()).GetTopic(ctx, &pubsubpb.GetTopicRequest{Topic: "projects/p/topics/t"})
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("the call held its worker %s: want at most 30 s of the reconcile's 60", took.Round(time.Second))
	}
	if err == nil {
		t.Fatal("a tarpit must fail the call")
	}
}
