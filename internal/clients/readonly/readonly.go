// Package readonly guards the clients plan --refresh reads the cloud with: a request that is not a read is refused
// before it leaves the process, whatever the code above it asks. The rule is an allow-list — an operation named
// Describe…, Get…, List… or Head… (HTTP GET or HEAD where the protocol names no operation) passes — so that an
// operation this package does not know is refused rather than let through.
//
// It is cloud-neutral: it classifies a request by what its protocol says, not by which client sent it — AWS's JSON
// protocol (the X-Amz-Target header), its query protocol (the form's Action), REST APIs (S3, Cloud Storage's JSON
// API) by method, and gRPC (Pub/Sub, Bigtable admin) by method name.
package readonly

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// readPrefixes are the operation names that only read, in every API the provider calls.
var readPrefixes = []string{"Describe", "Get", "List", "Head"}

// IsRead reports whether an operation name only reads.
func IsRead(op string) bool {
	for _, p := range readPrefixes {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// A RefusedError is a request the guard did not send.
type RefusedError struct {
	// Operation names what was asked: "UpdateTable", "PUT /bucket", "/google.pubsub.v1.Publisher/UpdateTopic".
	Operation string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refused before sending: %s is not a read, and this client only reads", e.Operation)
}

// RetryableError says no: an SDK that retries a failed send (the AWS SDK's retryer asks) would be refused again.
func (e *RefusedError) RetryableError() bool { return false }

// Operation names the operation an HTTP request asks for, and whether it only reads. The body of a form request
// is read to find its Action, and put back.
func Operation(r *http.Request) (string, bool, error) {
	// AWS JSON protocol (DynamoDB, SQS): "DynamoDB_20120810.DescribeTable".
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		op := t[strings.LastIndexByte(t, '.')+1:]
		return op, r.Method == http.MethodPost && IsRead(op), nil
	}
	// AWS query protocol (RDS, STS): the operation is the form's Action. A query-protocol request may also name it
	// in the URL.
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		action, err := formAction(r)
		if err != nil {
			return "", false, err
		}
		if action == "" {
			return "POST " + r.URL.Path, false, nil
		}
		return action, IsRead(action), nil
	}
	// REST (S3, Cloud Storage's JSON API): a GET or a HEAD reads; every other method may write.
	op := r.Method + " " + r.URL.Path
	return op, r.Method == http.MethodGet || r.Method == http.MethodHead, nil
}

// formAction reads the Action of a form body, and puts the body back as it was.
func formAction(r *http.Request) (string, error) {
	if a := r.URL.Query().Get("Action"); a != "" {
		return a, nil
	}
	if r.Body == nil || r.Body == http.NoBody {
		return "", nil
	}
	b, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		return "", fmt.Errorf("cannot read the request to tell whether it only reads: %w", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	v, err := url.ParseQuery(string(b))
	if err != nil {
		return "", nil //nolint:nilerr // An unreadable form names no Action: refused as such.
	}
	return v.Get("Action"), nil
}

// check refuses a request that does not only read, before anything is sent; a refused request's body is closed,
// as a RoundTripper must.
func check(r *http.Request) (*http.Request, error) {
	// The form is read from a copy: a RoundTripper must not change the request it is given.
	c := r.Clone(r.Context())
	op, read, err := Operation(c)
	if err == nil && !read {
		err = &RefusedError{Operation: op}
	}
	if err != nil {
		if c.Body != nil {
			_ = c.Body.Close()
		}
		return nil, err
	}
	return c, nil
}

// Transport returns a RoundTripper that sends through next only requests that read (Operation); any other fails
// with a RefusedError, and next never sees it.
func Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return transport{next: next}
}

type transport struct{ next http.RoundTripper }

func (t transport) RoundTrip(r *http.Request) (*http.Response, error) {
	c, err := check(r)
	if err != nil {
		return nil, err
	}
	return t.next.RoundTrip(c)
}

// A Doer sends HTTP requests: an *http.Client, the AWS SDK's aws.HTTPClient.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Client returns a Doer that sends through next only requests that read; the AWS SDK's configuration takes it as
// its HTTPClient. Requests signed before it (every AWS request) are sent byte for byte as signed.
func Client(next Doer) Doer { return client{next: next} }

type client struct{ next Doer }

func (c client) Do(r *http.Request) (*http.Response, error) {
	cr, err := check(r)
	if err != nil {
		return nil, err
	}
	return c.next.Do(cr)
}
