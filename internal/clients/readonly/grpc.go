package readonly

import (
	"context"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// method is the method name of a full gRPC method: "/google.pubsub.v1.Publisher/GetTopic" → "GetTopic".
func method(full string) string { return full[strings.LastIndexByte(full, '/')+1:] }

// refused is the gRPC error of a refused call: FailedPrecondition, so that no client retries it.
func refused(full string) error {
	return status.Error(codes.FailedPrecondition, (&RefusedError{Operation: full}).Error())
}

// Unary is a unary client interceptor that invokes only methods that read (Get…, List…): any other fails before
// the call is sent.
func Unary(ctx context.Context, full string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if !IsRead(method(full)) {
		return refused(full)
	}
	return invoker(ctx, full, req, reply, cc, opts...)
}

// Stream is Unary for streaming calls: a stream is opened only for a method that reads.
func Stream(
	ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, full string, streamer grpc.Streamer, opts ...grpc.CallOption,
) (grpc.ClientStream, error) {
	if !IsRead(method(full)) {
		return nil, refused(full)
	}
	return streamer(ctx, desc, cc, full, opts...)
}

// DialOptions are the gRPC dial options that guard a connection: every call it makes passes Unary or Stream first.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{grpc.WithChainUnaryInterceptor(Unary), grpc.WithChainStreamInterceptor(Stream)}
}
