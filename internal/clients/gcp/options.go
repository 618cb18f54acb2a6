package gcp

import (
	"context"
	"strings"

	"golang.org/x/oauth2"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/bounded"
	"github.com/stateful-dev/provider-stateful/internal/clients/readonly"
	"github.com/stateful-dev/provider-stateful/internal/metrics"
)

// GRPCOptions are the client options of a gRPC service (e.g. "pubsub", "bigtable") for a config: its token
// source, the endpoint override when there is one — an insecure one (an emulator) gets no TLS and no
// credentials — and the cloud-call counter, which counts every call the client sends, each retry included.
func GRPCOptions(service string, ts oauth2.TokenSource, ep *v1alpha1.GCPGRPCEndpoint) []option.ClientOption {
	opts := []option.ClientOption{
		// The generated clients accept messages of up to 2 GiB: an endpoint a tenant chose could make the
		// provider buffer that much. Bounded like the HTTP clients (see package bounded), each call within
		// bounded.GRPCCallTimeout, its retries included.
		option.WithGRPCDialOption(grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(bounded.MaxGRPCMessage))),
		option.WithGRPCDialOption(grpc.WithMaxHeaderListSize(bounded.MaxGRPCHeaderList)),
		option.WithGRPCDialOption(grpc.WithChainUnaryInterceptor(callDeadline)),
		option.WithGRPCDialOption(grpc.WithChainUnaryInterceptor(countUnary(service))),
		option.WithGRPCDialOption(grpc.WithChainStreamInterceptor(countStream(service))),
	}
	switch {
	case ep == nil:
		return append(opts, option.WithTokenSource(ts))
	case ep.Insecure:
		return append(opts, option.WithEndpoint(ep.Address), option.WithoutAuthentication(),
			option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	default:
		return append(opts, option.WithEndpoint(ep.Address), option.WithTokenSource(ts))
	}
}

// Guard returns opts, with readOnly preceded by the read-only guard (package readonly): every call that is not a
// read fails before it is counted or sent. plan --refresh builds its clients so; the provider's are unguarded.
func Guard(readOnly bool, opts []option.ClientOption) []option.ClientOption {
	if !readOnly {
		return opts
	}
	guard := make([]option.ClientOption, 0, len(opts)+2)
	for _, o := range readonly.DialOptions() {
		guard = append(guard, option.WithGRPCDialOption(o))
	}
	return append(guard, opts...)
}

// operation is the method of a full gRPC method name: "/google.pubsub.v1.Publisher/CreateTopic" → "CreateTopic".
func operation(method string) string {
	return method[strings.LastIndexByte(method, '/')+1:]
}

// outcome is the call's gRPC status code: "OK", "NotFound", "Unavailable", ...
func outcome(err error) string {
	return status.Code(err).String()
}

// callDeadline bounds a unary call, its retries by the generated client included when it is outermost, by
// bounded.GRPCCallTimeout unless the caller's deadline is sooner.
func callDeadline(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	ctx, cancel := bounded.WithTimeout(ctx, bounded.GRPCCallTimeout)
	defer cancel()
	return invoker(ctx, method, req, reply, cc, opts...)
}

func countUnary(service string) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		err := invoker(ctx, method, req, reply, cc, opts...)
		metrics.CloudCalls.WithLabelValues("gcp", service, operation(method), outcome(err)).Inc()
		return err
	}
}

// countStream counts a stream once, when it is opened (a streaming read is one call to the server).
func countStream(service string) grpc.StreamClientInterceptor {
	return func(
		ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption,
	) (grpc.ClientStream, error) {
		s, err := streamer(ctx, desc, cc, method, opts...)
		metrics.CloudCalls.WithLabelValues("gcp", service, operation(method), outcome(err)).Inc()
		return s, err
	}
}
