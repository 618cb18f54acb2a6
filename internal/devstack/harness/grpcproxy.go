package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

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
	calls []Call
	// names are the resource names calls are attributed to (see Watch).
	names []string
	// answers are the calls the forwarder answers itself (see Answer).
	answers []*answer
}

// An answer is a fault: the next left calls of method op about name are answered OK with an empty message.
type answer struct {
	op, name string
	left     int
}

// Answer makes the next n calls of method op (e.g. "UpdateTopic") about name answer OK with an empty message,
// without reaching the backend: a cloud that accepts an update and silently ignores it (the update-loop breaker's
// test). name is matched in the request, as Watch attributes calls.
func (p *GRPCProxy) Answer(op, name string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.answers = append(p.answers, &answer{op: op, name: name, left: n})
}

// answered reports whether the call of method full whose first request is req is one to answer (and uses it up).
func (p *GRPCProxy) answered(full string, req []byte) bool {
	op := full[strings.LastIndexByte(full, '/')+1:]
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, a := range p.answers {
		if a.left > 0 && a.op == op && bytes.Contains(req, []byte(a.name)) {
			a.left--
			return true
		}
	}
	return false
}

// StartGRPCProxy starts a forwarder to backend (host:port, plaintext) on a free loopback port.
func StartGRPCProxy(backend string) (*GRPCProxy, error) {
	return StartGRPCProxyAt(backend, "127.0.0.1:0")
}

// StartGRPCProxyAt starts a forwarder to backend on addr (host:port): on the port a client is configured with,
// while the emulator listens elsewhere.
func StartGRPCProxyAt(backend, addr string) (*GRPCProxy, error) {
	cc, err := grpc.NewClient(backend, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	// No caller context: the listener lives until Stop, and the address is an IP (nothing to resolve).
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", addr)
	if err != nil {
		_ = cc.Close()
		return nil, err
	}
	p := &GRPCProxy{Addr: l.Addr().String(), backend: cc}
	p.srv = grpc.NewServer(grpc.ForceServerCodec(rawCodec{}), grpc.UnknownServiceHandler(p.forward))
	go func() { _ = p.srv.Serve(l) }()
	return p, nil
}

// Stop stops the forwarder.
func (p *GRPCProxy) Stop() {
	p.srv.Stop()
	_ = p.backend.Close()
}

// Watch attributes later calls whose request carries name (e.g. "projects/p/topics/orders") to name, in Call.Bucket
// — the forwarder does not decode requests, so it looks for the name's bytes in the first request message.
func (p *GRPCProxy) Watch(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !slices.Contains(p.names, name) {
		p.names = append(p.names, name)
	}
}

// Calls returns the recorded calls that match.
func (p *GRPCProxy) Calls(match func(Call) bool) []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Call
	for _, c := range p.calls {
		if match(c) {
			out = append(out, c)
		}
	}
	return out
}

// Count returns how many calls of method op (e.g. "CreateTopic") were about name ("" for any).
func (p *GRPCProxy) Count(op, name string) int {
	return len(p.Calls(func(c Call) bool { return c.Operation == op && (name == "" || c.Bucket == name) }))
}

// CountCode returns how many calls of method op ("" for any) ended with code (e.g. "OK", "NotFound").
func (p *GRPCProxy) CountCode(op, code string) int {
	return len(p.Calls(func(c Call) bool { return (op == "" || c.Operation == op) && c.Code == code }))
}

// Mutating returns the calls about name that may change something: anything but Get and List methods.
func (p *GRPCProxy) Mutating(name string) []Call {
	return p.Calls(func(c Call) bool { return c.Bucket == name && IsMutating(c.Operation) })
}

// Summary lists the counts, "Method Code=N", sorted (for messages).
func (p *GRPCProxy) Summary() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := map[string]int{}
	for _, c := range p.calls {
		n[c.Operation+" "+c.Code]++
	}
	out := make([]string, 0, len(n))
	for k, c := range n {
		out = append(out, fmt.Sprintf("%s=%d", k, c))
	}
	sort.Strings(out)
	return out
}

// forward relays one call, every message both ways, and the backend's headers, trailers and status.
func (p *GRPCProxy) forward(_ any, ss grpc.ServerStream) error {
	full, _ := grpc.MethodFromServerStream(ss)
	if p.hasAnswers() {
		return p.forwardOrAnswer(full, ss)
	}
	return p.relay(full, ss, nil)
}

func (p *GRPCProxy) hasAnswers() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.answers) > 0
}

// forwardOrAnswer reads the call's first request, answers the call itself when Answer asked for it, and relays it
// otherwise.
func (p *GRPCProxy) forwardOrAnswer(full string, ss grpc.ServerStream) error {
	f := &frame{}
	if err := ss.RecvMsg(f); err != nil {
		if errors.Is(err, io.EOF) {
			return p.relay(full, ss, nil)
		}
		p.record(full, nil, err)
		return err
	}
	if p.answered(full, f.b) {
		p.record(full, f.b, nil)
		return ss.SendMsg(&frame{})
	}
	return p.relay(full, ss, f)
}

// relay forwards the call to the backend, first (when not nil) its first request, already read.
func (p *GRPCProxy) relay(full string, ss grpc.ServerStream, first *frame) error {
	ctx, cancel := context.WithCancel(ss.Context())
	defer cancel()
	md, _ := metadata.FromIncomingContext(ss.Context())
	cs, err := p.backend.NewStream(metadata.NewOutgoingContext(ctx, md.Copy()),
		&grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, full, grpc.ForceCodec(rawCodec{}))
	if err != nil {
		p.record(full, nil, err)
		return err
	}
	var reqMu sync.Mutex
	var firstReq []byte
	request := func() []byte { reqMu.Lock(); defer reqMu.Unlock(); return firstReq }
	if first != nil {
		firstReq = first.b
		if err := cs.SendMsg(first); err != nil {
			p.record(full, firstReq, err)
			return err
		}
	}
	up := make(chan error, 1)
	go func() { // client → backend
		for i := 0; ; i++ {
			f := &frame{}
			if err := ss.RecvMsg(f); err != nil {
				if errors.Is(err, io.EOF) {
					err = cs.CloseSend()
				}
				up <- err
				return
			}
			if i == 0 && first == nil {
				reqMu.Lock()
				firstReq = f.b
				reqMu.Unlock()
			}
			if err := cs.SendMsg(f); err != nil {
				up <- err
				return
			}
		}
	}()
	headers := true
	for { // backend → client
		f := &frame{}
		err := cs.RecvMsg(f)
		if headers {
			if h, herr := cs.Header(); herr == nil {
				_ = ss.SendHeader(h)
			}
			headers = false
		}
		if err != nil {
			ss.SetTrailer(cs.Trailer())
			if errors.Is(err, io.EOF) {
				err = nil
			}
			p.record(full, request(), err)
			return err
		}
		if err := ss.SendMsg(f); err != nil {
			p.record(full, request(), err)
			return err
		}
	}
}

func (p *GRPCProxy) record(full string, req []byte, err error) {
	c := Call{
		Service:   strings.TrimPrefix(full[:strings.LastIndexByte(full, '/')], "/"),
		Operation: full[strings.LastIndexByte(full, '/')+1:],
		Code:      status.Code(err).String(),
		Body:      req,
	}
	c.At = time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	// The longest watched name the request carries: "…/topics/orders-dlq" is not a call about "…/topics/orders".
	for _, n := range p.names {
		if len(n) > len(c.Bucket) && bytes.Contains(req, []byte(n)) {
			c.Bucket = n
		}
	}
	p.calls = append(p.calls, c)
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
