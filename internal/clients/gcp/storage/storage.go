// Package storage is the narrow Cloud Storage interface the Bucket controller uses, its client (the Cloud Storage
// SDK over the JSON API, every request counted), and the JSON API's operation names.
package storage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"cloud.google.com/go/storage"
	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	xperrors "github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stateful-dev/provider-stateful/internal/clients/bounded"
	"github.com/stateful-dev/provider-stateful/internal/clients/cleanerr"
	"github.com/stateful-dev/provider-stateful/internal/clients/readonly"
	"github.com/stateful-dev/provider-stateful/internal/metrics"
)

// An ObjectVersion is one generation of an object.
type ObjectVersion struct {
	Name       string
	Generation int64
}

// BucketAPI is what the Bucket controller calls.
type BucketAPI interface {
	Attrs(ctx context.Context, bucket string) (*storage.BucketAttrs, error)
	Create(ctx context.Context, project, bucket string, attrs *storage.BucketAttrs) error
	Update(ctx context.Context, bucket string, u storage.BucketAttrsToUpdate) (*storage.BucketAttrs, error)
	LockRetentionPolicy(ctx context.Context, bucket string, metageneration int64) error
	Delete(ctx context.Context, bucket string) error
	// Generations lists up to limit object generations (every version, live or not).
	Generations(ctx context.Context, bucket string, limit int) ([]ObjectVersion, error)
	DeleteGeneration(ctx context.Context, bucket string, o ObjectVersion) error
	// UserProject returns the same API with every call to a bucket billed to project (the JSON API's userProject):
	// a bucket with Requester Pays on refuses any call that names no project to bill.
	UserProject(project string) BucketAPI
}

// client is the Cloud Storage SDK's client; user, when set, is the project calls to a bucket are billed to.
type client struct {
	c    *storage.Client
	user string
}

// bucket is the handle of a bucket, billed to the user project if one is set.
func (c client) bucket(name string) *storage.BucketHandle {
	b := c.c.Bucket(name)
	if c.user != "" {
		b = b.UserProject(c.user)
	}
	return b
}

// UserProject bills every later call to a bucket to project.
func (c client) UserProject(project string) BucketAPI {
	c.user = project
	return c
}

// Every call is bounded by bounded.CallTimeout, its retries included: the library retries idempotent calls on 5xx
// and timeouts until the context ends, and a reconcile's context has 60 s.

func (c client) Attrs(ctx context.Context, bucket string) (*storage.BucketAttrs, error) {
	ctx, cancel := bounded.WithCallTimeout(ctx)
	defer cancel()
	return c.bucket(bucket).Attrs(ctx)
}

// Create inserts the bucket. The insert is billed to the project it makes the bucket in: it names no user project.
func (c client) Create(ctx context.Context, project, bucket string, attrs *storage.BucketAttrs) error {
	ctx, cancel := bounded.WithCallTimeout(ctx)
	defer cancel()
	return c.c.Bucket(bucket).Create(ctx, project, attrs)
}

func (c client) Update(ctx context.Context, bucket string, u storage.BucketAttrsToUpdate) (*storage.BucketAttrs, error) {
	ctx, cancel := bounded.WithCallTimeout(ctx)
	defer cancel()
	return c.bucket(bucket).Update(ctx, u)
}

func (c client) LockRetentionPolicy(ctx context.Context, bucket string, metageneration int64) error {
	ctx, cancel := bounded.WithCallTimeout(ctx)
	defer cancel()
	return c.bucket(bucket).If(storage.BucketConditions{MetagenerationMatch: metageneration}).LockRetentionPolicy(ctx)
}

func (c client) Delete(ctx context.Context, bucket string) error {
	ctx, cancel := bounded.WithCallTimeout(ctx)
	defer cancel()
	return c.bucket(bucket).Delete(ctx)
}

func (c client) Generations(ctx context.Context, bucket string, limit int) ([]ObjectVersion, error) {
	ctx, cancel := bounded.WithCallTimeout(ctx)
	defer cancel()
	q := &storage.Query{Versions: true}
	if err := q.SetAttrSelection([]string{"Name", "Generation"}); err != nil {
		return nil, err
	}
	it := c.bucket(bucket).Objects(ctx, q)
	var out []ObjectVersion
	for len(out) < limit {
		o, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ObjectVersion{Name: o.Name, Generation: o.Generation})
	}
	return out, nil
}

func (c client) DeleteGeneration(ctx context.Context, bucket string, o ObjectVersion) error {
	ctx, cancel := bounded.WithCallTimeout(ctx)
	defer cancel()
	return c.bucket(bucket).Object(o.Name).Generation(o.Generation).Delete(ctx)
}

// Close closes the client, with the account.
func (c client) Close() error { return c.c.Close() }

// NewBuckets makes a Cloud Storage client that authorises with ts, at endpoint (nil: Google's). A plain-http
// endpoint (an emulator) gets no credentials: a token is never sent in the clear. readOnly makes it refuse every
// request that is not a read (a GET or a HEAD) before it is sent. Close it when done.
func NewBuckets(ctx context.Context, ts oauth2.TokenSource, endpoint *string, readOnly bool) (*Buckets, error) {
	// Bounded like every client of the provider: timeouts, answers capped, no redirect elsewhere.
	base := bounded.Wrap(bounded.Transport(nil, true))
	if readOnly {
		// Innermost but for the wire: whatever the layers above send (the token's, the counter's) is judged.
		base = readonly.Transport(base)
	}
	opts := []option.ClientOption{}
	if endpoint == nil || !strings.HasPrefix(*endpoint, "http://") {
		base = &oauth2.Transport{Source: ts, Base: base}
	}
	if endpoint != nil {
		opts = append(opts, option.WithEndpoint(*endpoint))
	}
	opts = append(opts, option.WithHTTPClient(&http.Client{Transport: counting{base: base}, CheckRedirect: bounded.CheckRedirect}))
	// The client outlives the caller's context.
	c, err := storage.NewClient(context.WithoutCancel(ctx), opts...)
	if err != nil {
		return nil, xperrors.Wrap(err, "cannot make the Cloud Storage client")
	}
	return &Buckets{client{c: c}}, nil
}

// Buckets is the Cloud Storage client.
type Buckets struct{ client }

// counting counts every request the client sends, each retry included, by JSON API operation and HTTP status.
type counting struct{ base http.RoundTripper }

func (t counting) RoundTrip(r *http.Request) (*http.Response, error) {
	op, _, ok := Operation(r, nil)
	if !ok {
		op = r.Method
	}
	resp, err := t.base.RoundTrip(r)
	outcome := "error"
	if err == nil {
		outcome = fmt.Sprint(resp.StatusCode)
	}
	metrics.CloudCalls.WithLabelValues("gcp", "storage", op, outcome).Inc()
	return resp, err
}

// Code is the HTTP status of a Cloud Storage error (0 for one that is not an API answer).
func Code(err error) int {
	var g *googleapi.Error
	if errors.As(err, &g) {
		return g.Code
	}
	return 0
}

// IsNotFound reports whether Cloud Storage answered that the bucket does not exist.
func IsNotFound(err error) bool {
	return errors.Is(err, storage.ErrBucketNotExist) || errors.Is(err, storage.ErrObjectNotExist) || Code(err) == http.StatusNotFound
}

// IsInvalidInput reports whether Cloud Storage rejected the request's input — a 400, or an organisation policy's
// refusal (see Constraint) — terminal until the spec changes.
func IsInvalidInput(err error) bool {
	return Code(err) == http.StatusBadRequest || Constraint(err) != ""
}

// IsRefused reports whether Cloud Storage answered the request itself with a refusal that sending it again cannot
// change (400, 401, 403): it proves a create made nothing, where a timeout or a 5xx does not.
func IsRefused(err error) bool {
	switch Code(err) {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		return true
	}
	return false
}

// violates finds the constraint in an organisation policy's refusal: "Request violates constraint
// 'constraints/storage.publicAccessPrevention'".
var violates = regexp.MustCompile(`violates constraint '(constraints/[^']+)'`)

// Constraint returns the organisation policy constraint that refused the request, or "".
//
// NOTE: Cloud Storage answers an organisation policy's refusal (a bucket its public access prevention, uniform
// access or location forbids) and a failed precondition (the retention lock's metageneration no longer matching)
// alike: 412, reason conditionNotMet. Only the message tells them apart. The policy's refusal is final until the
// spec (or the policy) changes; the precondition's passes once the next observation supplies the metageneration.
func Constraint(err error) string {
	var g *googleapi.Error
	if !errors.As(err, &g) || g.Code != http.StatusPreconditionFailed {
		return ""
	}
	if m := violates.FindStringSubmatch(g.Message); m != nil {
		return m[1]
	}
	return ""
}

// Clean returns err as its status and message only — no request IDs, no transport details (which can name the
// resolved address) — still unwrapping to err, so that what Cloud Storage answered (its HTTP status) is classified
// the same after cleaning as before.
func Clean(err error) error {
	if err == nil {
		return nil
	}
	var g *googleapi.Error
	switch {
	case bounded.IsTooLarge(err):
		return cleanerr.New("Cloud Storage's answer is larger than the provider reads: not read further", err)
	case errors.As(err, new(bounded.RedirectError)):
		return cleanerr.New("Cloud Storage redirected the request to another scheme or host: not followed", err)
	case errors.As(err, &g):
		// The endpoint may be one a tenant chose: its message is quoted bounded and cleaned.
		if c := Constraint(err); c != "" {
			return cleanerr.New(fmt.Sprintf("%d: the organisation policy constraint %s forbids this bucket as specified: "+
				"change the spec to comply with it, or have an administrator change the policy (%s)", g.Code, c, cleanerr.Text(g.Message)), err)
		}
		return cleanerr.New(fmt.Sprintf("%d: %s", g.Code, cleanerr.Text(g.Message)), err)
	}
	if errors.Is(err, storage.ErrBucketNotExist) {
		return cleanerr.New("404: the bucket does not exist", err)
	}
	return cleanerr.New("the request to Cloud Storage failed", err)
}
