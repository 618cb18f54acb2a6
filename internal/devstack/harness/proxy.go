package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	gcsstorage "github.com/stateful-dev/provider-stateful/internal/clients/gcp/storage"
)

// A Call is one request the proxy saw. Body is kept in memory for assertions and never printed: it can hold
// passwords.
type Call struct {
	Service   string
	Operation string
	// Bucket is the resource the call is about: the S3 bucket, or for JSON-protocol services the queue (by name or
	// by the last part of its URL) or the table.
	Bucket string
	// AccessKey is the key ID the request was signed with (never the secret: SigV4 does not send it), or the Vault
	// token of a Vault request.
	AccessKey string
	Status    int
	// Code is a gRPC call's status code ("OK", "NotFound", ...); empty for HTTP.
	Code string
	Body []byte
	// At is when the answer was sent.
	At time.Time
}

// A Proxy is a reverse proxy in front of a cloud emulator that records every request by service and operation
// and can answer chosen operations itself. Tests use it for "exactly one CreateBucket" and "zero mutating calls".
type Proxy struct {
	URL string

	srv    *httptest.Server
	target *url.URL

	mu     sync.Mutex
	calls  []Call
	faults []*fault
	holds  []*hold
}

// A hold keeps matching requests back until n of them have arrived, or until a deadline: two racing creates then
// reach the emulator together, whatever the scheduling.
type hold struct {
	match    func(Call) bool
	n        int
	arrived  int
	all      chan struct{}
	deadline time.Time
}

type fault struct {
	match   func(Call) bool
	status  int
	body    string
	left    int       // answers left; <0 means until cleared or until
	until   time.Time // zero: no deadline
	rewrite func(status int, body []byte) (int, []byte)
}

// StartProxy starts a recording proxy in front of target, on a free loopback port.
func StartProxy(target string) (*Proxy, error) {
	return StartProxyAt(target, "")
}

// StartProxyAt starts a recording proxy in front of target on addr (host:port; a free loopback port when empty):
// on the port a client is configured with, while the emulator listens elsewhere.
func StartProxyAt(target, addr string) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: u}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		c := Call{Service: service(r), AccessKey: accessKey(r), Body: body}
		c.Operation, c.Bucket = operation(c.Service, r, body)
		p.wait(c)
		f := p.fault(c)
		if f != nil && f.rewrite != nil {
			c.Status = p.forwardRewritten(w, r, f.rewrite)
			p.record(c)
			return
		}
		if f != nil {
			c.Status = f.status
			p.record(c)
			ct := "application/xml"
			if strings.HasPrefix(f.body, "{") {
				ct = "application/x-amz-json-1.0" // the JSON protocols' (SQS, DynamoDB) error answers
			}
			w.Header().Set("Content-Type", ct)
			w.WriteHeader(f.status)
			_, _ = io.WriteString(w, f.body)
			return
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		rp.ServeHTTP(rec, r)
		c.Status = rec.status
		p.record(c)
	}))
	if addr != "" {
		// No caller context: the listener lives until Close, and the address is an IP (nothing to resolve).
		l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("cannot listen on %s for the recording proxy: %w", addr, err)
		}
		_ = p.srv.Listener.Close()
		p.srv.Listener = l
	}
	p.srv.Start()
	p.URL = p.srv.URL
	return p, nil
}

// Hold keeps requests for operation on bucket back until n have arrived or for at most d, then lets them all go.
func (p *Proxy) Hold(op, bucket string, n int, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.holds = append(p.holds, &hold{
		match: func(c Call) bool { return c.Operation == op && (bucket == "" || c.Bucket == bucket) },
		n:     n, all: make(chan struct{}), deadline: time.Now().Add(d),
	})
}

// wait blocks a request that a hold matches.
func (p *Proxy) wait(c Call) {
	p.mu.Lock()
	var h *hold
	for _, x := range p.holds {
		if x.arrived < x.n && x.match(c) {
			h = x
			break
		}
	}
	if h == nil {
		p.mu.Unlock()
		return
	}
	h.arrived++
	if h.arrived == h.n {
		close(h.all)
	}
	p.mu.Unlock()
	select {
	case <-h.all:
	case <-time.After(time.Until(h.deadline)):
	}
}

// Close stops the proxy.
func (p *Proxy) Close() { p.srv.Close() }

func (p *Proxy) record(c Call) {
	c.At = time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, c)
}

func (p *Proxy) fault(c Call) *fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, f := range p.faults {
		if !f.until.IsZero() && time.Now().After(f.until) {
			continue
		}
		if f.left != 0 && f.match(c) {
			if f.left > 0 {
				f.left--
			}
			return f
		}
	}
	return nil
}

// Respond makes the proxy answer the next n requests for operation on bucket (any bucket when empty) with status
// and body instead of forwarding them; n < 0 means until ClearFaults.
func (p *Proxy) Respond(op, bucket string, status int, body string, n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, &fault{
		match:  func(c Call) bool { return c.Operation == op && (bucket == "" || c.Bucket == bucket) },
		status: status, body: body, left: n,
	})
}

// RespondTo answers every request signed with access key for operation on bucket with status and body, until
// ClearFaults: one caller refused, the others forwarded.
func (p *Proxy) RespondTo(key, op, bucket string, status int, body string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, &fault{
		match:  func(c Call) bool { return c.AccessKey == key && c.Operation == op && c.Bucket == bucket },
		status: status, body: body, left: -1,
	})
}

// RespondFor answers every request for operation on bucket (any bucket when empty) with status and body for d.
func (p *Proxy) RespondFor(op, bucket string, status int, body string, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, &fault{
		match:  func(c Call) bool { return c.Operation == op && (bucket == "" || c.Bucket == bucket) },
		status: status, body: body, left: -1, until: time.Now().Add(d),
	})
}

// Rewrite forwards the next n requests for operation on bucket (n < 0: until ClearFaults) and passes the
// emulator's answer through fn before the provider sees it.
func (p *Proxy) Rewrite(op, bucket string, n int, fn func(status int, body []byte) (int, []byte)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, &fault{
		match: func(c Call) bool { return c.Operation == op && (bucket == "" || c.Bucket == bucket) },
		left:  n, rewrite: fn,
	})
}

func (p *Proxy) forwardRewritten(w http.ResponseWriter, r *http.Request, fn func(int, []byte) (int, []byte)) int {
	rec := httptest.NewRecorder()
	httputil.NewSingleHostReverseProxy(p.target).ServeHTTP(rec, r)
	status, body := fn(rec.Code, rec.Body.Bytes())
	for k, v := range rec.Header() {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status
}

// ClearFaults forwards every request again.
func (p *Proxy) ClearFaults() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = nil
}

// Calls returns the calls recorded so far that match filter (all when nil).
func (p *Proxy) Calls(filter func(Call) bool) []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Call
	for _, c := range p.calls {
		if filter == nil || filter(c) {
			out = append(out, c)
		}
	}
	return out
}

// Len is how many calls the proxy has recorded: with Since, the calls of one phase.
func (p *Proxy) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.calls)
}

// Since returns the calls recorded after the first n.
func (p *Proxy) Since(n int) []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Call(nil), p.calls[min(n, len(p.calls)):]...)
}

// Count returns how many calls of operation were made on bucket (any bucket when empty).
func (p *Proxy) Count(op, bucket string) int {
	return len(p.Calls(func(c Call) bool { return c.Operation == op && (bucket == "" || c.Bucket == bucket) }))
}

// Mutating returns the calls on bucket that may change something: anything but Head, Get and List operations.
func (p *Proxy) Mutating(bucket string) []Call {
	return p.Calls(func(c Call) bool { return c.Bucket == bucket && IsMutating(c.Operation) })
}

// IsMutating reports whether an operation may change cloud state.
func IsMutating(op string) bool {
	for _, p := range []string{"Head", "Get", "List", "Describe"} {
		if strings.HasPrefix(op, p) {
			return false
		}
	}
	return true
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

var credentialScope = regexp.MustCompile(`Credential=([^/]+)/\d{8}/[^/]+/([^/]+)/aws4_request`)

// accessKey reads the access key ID from the SigV4 Authorization header, or for Vault the token the request
// carries (kept in memory for assertions, never printed).
func accessKey(r *http.Request) string {
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		return m[1]
	}
	return r.Header.Get("X-Vault-Token")
}

// service reads the signing service from the SigV4 Authorization header.
func service(r *http.Request) string {
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		return m[2]
	}
	return "unsigned"
}

// s3Subresources maps S3 query sub-resources to the operation noun.
var s3Subresources = []struct{ query, noun string }{
	{"tagging", "BucketTagging"},
	{"versioning", "BucketVersioning"},
	{"encryption", "BucketEncryption"},
	{"publicAccessBlock", "PublicAccessBlock"},
	{"ownershipControls", "BucketOwnershipControls"},
	{"lifecycle", "BucketLifecycleConfiguration"},
	{"cors", "BucketCors"},
	{"policy", "BucketPolicy"},
	{"location", "BucketLocation"},
	{"acl", "BucketAcl"},
}

// operation names the API operation of a request. S3's REST API has no operation header: it is derived from the
// method, the path (path-style addressing) and the sub-resource in the query. JSON and query protocols name it.
func operation(svc string, r *http.Request, body []byte) (op, bucket string) {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return t[strings.LastIndex(t, ".")+1:], jsonResource(body)
	}
	if op, bucket, ok := gcsstorage.Operation(r, body); ok {
		return op, bucket
	}
	if svc != "s3" {
		// The query protocol (STS, IAM, RDS) names the action in the URL or in the form body.
		if a := r.URL.Query().Get("Action"); a != "" {
			return a, queryResource(r.URL.Query())
		}
		if form, err := url.ParseQuery(string(body)); err == nil && form.Get("Action") != "" {
			return form.Get("Action"), queryResource(form)
		}
		return r.Method + " " + r.URL.Path, ""
	}
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)
	bucket = parts[0]
	hasKey := len(parts) == 2 && parts[1] != ""
	q := r.URL.Query()
	noun := ""
	for _, s := range s3Subresources {
		if q.Has(s.query) {
			noun = s.noun
			break
		}
	}
	switch {
	case bucket == "":
		return "ListBuckets", ""
	case r.Method == http.MethodPost && q.Has("delete"):
		return "DeleteObjects", bucket
	case r.Method == http.MethodGet && q.Has("versions"):
		return "ListObjectVersions", bucket
	case noun != "" && r.Method == http.MethodGet:
		return "Get" + noun, bucket
	case noun != "" && r.Method == http.MethodPut:
		return "Put" + noun, bucket
	case noun != "" && r.Method == http.MethodDelete:
		return "Delete" + noun, bucket
	}
	obj := "Bucket"
	if hasKey {
		obj = "Object"
	}
	switch r.Method {
	case http.MethodHead:
		return "Head" + obj, bucket
	case http.MethodPut:
		if hasKey {
			return "PutObject", bucket
		}
		return "CreateBucket", bucket
	case http.MethodDelete:
		return "Delete" + obj, bucket
	case http.MethodGet:
		if hasKey {
			return "GetObject", bucket
		}
		return "ListObjects", bucket
	}
	return r.Method + " " + r.URL.Path, bucket
}

// jsonResource names the resource a JSON-protocol request is about.
func jsonResource(body []byte) string {
	var in struct {
		QueueName, QueueUrl, TableName, ResourceArn string //nolint:revive // The wire names.
	}
	if json.Unmarshal(body, &in) != nil {
		return ""
	}
	switch {
	case in.QueueName != "":
		return in.QueueName
	case in.QueueUrl != "":
		return in.QueueUrl[strings.LastIndex(in.QueueUrl, "/")+1:]
	case in.ResourceArn != "":
		return in.ResourceArn[strings.LastIndex(in.ResourceArn, "/")+1:]
	default:
		return in.TableName
	}
}

// queryResource names the resource a query-protocol request is about: the RDS instance, by identifier or by the
// last part of its ARN.
func queryResource(form url.Values) string {
	if id := form.Get("DBInstanceIdentifier"); id != "" {
		return id
	}
	arn := form.Get("ResourceName")
	return arn[strings.LastIndex(arn, ":")+1:]
}
