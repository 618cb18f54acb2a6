// Package bounded is the one place that says how much the provider reads from a server and how long it waits for
// one. A namespaced ProviderConfig may point the AWS endpoint, the Cloud Storage endpoint and the Vault address at
// any server its tenant likes, and the provider is shared: an endless body, a server that accepts and never
// answers, or a redirect to somewhere else must cost one call a bounded amount of memory and time, never the
// provider's other tenants their workers or the pod its memory limit.
//
// Every HTTP client the provider builds for a cloud or Vault goes through Client (or Wrap, for a transport that
// needs its own TLS settings): dial, TLS and response-header timeouts on the transport, a deadline per request,
// the body capped, and no redirect to another scheme or host. gRPC clients take GRPCCallTimeout and
// MaxGRPCMessage through the gcp package's options.
package bounded

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

const (
	// MaxBody is the most the provider reads of one successful answer. The largest it needs are an S3 bucket's
	// lifecycle rules (at most 1,000) or a page of 1,000 object versions (keys of up to 1 KiB): well under 2 MiB.
	MaxBody = 4 << 20
	// MaxErrorBody is the most it reads of an error answer (any status but 2xx): the provider only needs a code
	// and a message from it. A server answering 500 with an endless body costs this much, per attempt.
	MaxErrorBody = 64 << 10
	// MaxGRPCMessage is the largest gRPC message the provider accepts (Pub/Sub, Bigtable admin). The generated
	// Google clients set no limit (2 GiB); grpc-go's own default is 4 MiB.
	MaxGRPCMessage = 4 << 20
	// MaxGRPCHeaderList bounds a gRPC answer's headers and trailers (the status message travels in them).
	MaxGRPCHeaderList = 64 << 10

	// DialTimeout bounds a TCP connect.
	DialTimeout = 5 * time.Second
	// TLSHandshakeTimeout bounds the TLS handshake after it.
	TLSHandshakeTimeout = 5 * time.Second
	// ResponseHeaderTimeout is how long a request waits for the answer's headers once it is sent: a server that
	// accepts and never answers (a tarpit) is given up on after this.
	ResponseHeaderTimeout = 10 * time.Second
	// RequestTimeout bounds one attempt, reading the body included: a server that trickles its body is cut off.
	RequestTimeout = 15 * time.Second
	// CallTimeout bounds one SDK call, its retries included, when the caller's own deadline is later. A reconcile
	// has 60 s (crossplane-runtime's timeout); a call against a tarpit gives the worker back after CallTimeout.
	CallTimeout = 20 * time.Second
	// GRPCCallTimeout is CallTimeout for gRPC calls.
	GRPCCallTimeout = CallTimeout
)

// A TooLargeError says a server's answer was longer than the provider reads.
type TooLargeError struct {
	// Limit is the number of bytes read before giving up.
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the server's answer is larger than %s: not read further", size(e.Limit))
}

// IsTooLarge reports whether err is, or wraps, a TooLargeError.
func IsTooLarge(err error) bool {
	var t *TooLargeError
	return errors.As(err, &t)
}

// A RedirectError says a server redirected a request to another scheme or host, which the provider never
// follows: Vault would send its token along, and an https endpoint must not become an http one.
type RedirectError struct{}

func (RedirectError) Error() string {
	return "the server redirected the request to another scheme or host: not followed"
}

func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// Transport returns a transport with the provider's dial, TLS handshake and response-header timeouts. proxy says
// whether it honours HTTPS_PROXY and friends (the cloud SDKs' default; Vault's client never has). A nil tls uses
// Go's defaults.
func Transport(tlsCfg *tls.Config, proxy bool) *http.Transport {
	t := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   TLSHandshakeTimeout,
		ResponseHeaderTimeout: ResponseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   10,
		// A server may send at most this much in headers (Go's default is 1 MiB).
		MaxResponseHeaderBytes: MaxErrorBody,
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        tlsCfg,
	}
	if proxy {
		t.Proxy = http.ProxyFromEnvironment
	}
	return t
}

// Client returns an HTTP client over Wrap(rt) that follows no redirect to another scheme or host.
func Client(rt http.RoundTripper) *http.Client {
	return &http.Client{Transport: Wrap(rt), CheckRedirect: CheckRedirect}
}

// CheckRedirect follows a redirect only to the same scheme and host, at most 3 times. Go's client drops
// Authorization on a redirect to another host but keeps every other header — Vault's X-Vault-Token, AWS's
// X-Amz-Security-Token — and follows https to http.
func CheckRedirect(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		return RedirectError{}
	}
	if len(via) >= 3 {
		return errors.New("the server redirected the request more than 3 times: not followed")
	}
	return nil
}

// Wrap returns rt with a deadline per request (RequestTimeout, unless the request's own is sooner) and answers'
// bodies capped: MaxBody for a 2xx answer, MaxErrorBody for any other. Reading past the cap fails with a
// TooLargeError, and the connection is dropped rather than drained.
func Wrap(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = Transport(nil, true)
	}
	return &roundTripper{base: rt}
}

type roundTripper struct{ base http.RoundTripper }

func (t *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), RequestTimeout)
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	limit := int64(MaxBody)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		limit = MaxErrorBody
	}
	if resp.ContentLength > limit {
		// Known too long before a byte is read: say so on the first read, as for an endless body.
		resp.ContentLength = -1
	}
	resp.Body = &body{rc: resp.Body, left: limit, limit: limit, cancel: cancel}
	return resp, nil
}

// body reads at most limit bytes of rc; the request's deadline ends when it is closed.
type body struct {
	rc     io.ReadCloser
	left   int64
	limit  int64
	cancel context.CancelFunc
}

func (b *body) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, &TooLargeError{Limit: b.limit}
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *body) Close() error {
	err := b.rc.Close()
	b.cancel()
	return err
}

// WithCallTimeout returns ctx with CallTimeout applied, unless its own deadline is sooner.
func WithCallTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return WithTimeout(ctx, CallTimeout)
}

// WithTimeout returns ctx with d applied, unless its own deadline is sooner.
func WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
