package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// A GRPCProxy forwards every gRPC call, unread, to a backend (an emulator: pstest, bttest) and counts the calls
// by method and status code where the server sees them, as Proxy does for HTTP clouds: the provider may run as
// a process of its own (e2e, bench), so its calls are counted on the wire, and its own cloud-call metric can be
// checked against the count.
type GRPCProxy struct {
	// Addr is where clients connect (host:port, plaintext).
	Addr string

	srv     *grpc.Server
	backend *grpc.ClientConn

	mu    sync.Mutex
	calls map[string]int // "Method Code" → count
}

// StartGRPCProxy starts a forwarder to backend (host:port, plaintext) on a free loopback port.
func StartGRPCProxy(backend string) (*GRPCProxy, error) {
	cc, err := grpc.NewClient(backend, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = cc.Close()
		return nil, err
	}
	p := &GRPCProxy{Addr: l.Addr().String(), backend: cc, calls: map[string]int{}}
	p.srv = grpc.NewServer(grpc.ForceServerCodec(rawCodec{}), grpc.UnknownServiceHandler(p.forward))
	go func() { _ = p.srv.Serve(l) }()
	return p, nil
}

// Stop stops the forwarder.
func (p *GRPCProxy) Stop() {
	p.srv.Stop()
	_ = p.backend.Close()
}

// Count returns how many calls of method (e.g. "CreateTopic", or "" for all) ended with code (e.g. "OK", or ""
// for any).
func (p *GRPCProxy) Count(method, code string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for k, c := range p.calls {
		m, cd, _ := strings.Cut(k, " ")
		if (method == "" || m == method) && (code == "" || cd == code) {
			n += c
		}
	}
	return n
}

// Calls lists the counts, "Method Code=N", sorted (for messages).
func (p *GRPCProxy) Calls() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.calls))
	for k, c := range p.calls {
		out = append(out, fmt.Sprintf("%s=%d", k, c))
	}
	sort.Strings(out)
	return out
}

// forward relays one call, every message both ways, and the backend's headers, trailers and status.
func (p *GRPCProxy) forward(_ any, ss grpc.ServerStream) error {
	full, _ := grpc.MethodFromServerStream(ss)
	ctx, cancel := context.WithCancel(ss.Context())
	defer cancel()
	md, _ := metadata.FromIncomingContext(ss.Context())
	cs, err := p.backend.NewStream(metadata.NewOutgoingContext(ctx, md.Copy()), &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, full, grpc.ForceCodec(rawCodec{}))
	if err != nil {
		p.record(full, err)
		return err
	}
	up := make(chan error, 1)
	go func() { // client → backend
		for {
			f := &frame{}
			if err := ss.RecvMsg(f); err != nil {
				if errors.Is(err, io.EOF) {
					err = cs.CloseSend()
				}
				up <- err
				return
			}
			if err := cs.SendMsg(f); err != nil {
				up <- err
				return
			}
		}
	}()
	first := true
	for { // backend → client
		f := &frame{}
		err := cs.RecvMsg(f)
		if first {
			if h, herr := cs.Header(); herr == nil {
				_ = ss.SendHeader(h)
			}
			first = false
		}
		if err != nil {
			ss.SetTrailer(cs.Trailer())
			if errors.Is(err, io.EOF) {
				err = nil
			}
			p.record(full, err)
			return err
		}
		if err := ss.SendMsg(f); err != nil {
			p.record(full, err)
			return err
		}
	}
}

func (p *GRPCProxy) record(full string, err error) {
	method := full[strings.LastIndexByte(full, '/')+1:]
	p.mu.Lock()
	p.calls[method+" "+status.Code(err).String()]++
	p.mu.Unlock()
}

// frame is one message, left encoded.
type frame struct{ b []byte }

// rawCodec passes messages through as bytes.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	f, ok := v.(*frame)
	if !ok {
		return nil, status.Errorf(codes.Internal, "not a frame: %T", v)
	}
	return f.b, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	f, ok := v.(*frame)
	if !ok {
		return status.Errorf(codes.Internal, "not a frame: %T", v)
	}
	f.b = append([]byte(nil), data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }
