// Package storage is the narrow Cloud Storage interface the Bucket controller uses, its client (the Cloud Storage
// SDK over the JSON API, every request counted), and the JSON API's operation names.
package storage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"cloud.google.com/go/storage"
	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	xperrors "github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stateful-dev/provider-stateful/internal/clients/bounded"
	"github.com/stateful-dev/provider-stateful/internal/clients/cleanerr"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
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
}

type client struct{ c *storage.Client }

// Every call is bounded by bounded.CallTimeout, its retries included: the library retries idempotent calls on 5xx
// and timeouts until the context ends, and a reconcile's context has 60 s.

func (c client) Attrs(ctx context.Context, bucket string) (*storage.BucketAttrs, error) {
	ctx, cancel := bounded.WithCallTimeout(ctx)
	defer cancel()
	return c.c.Bucket(bucket).Attrs(ctx)
}

func (c client) Create(ctx context.Context, project, bucket string, attrs *storage.BucketAttrs) error {
	ctx, cancel := bounded.WithCallTimeout(ctx)
	defer cancel()
	return c.c.Bucket(bucket).Create(ctx, project, attrs)
}

func (c client) Update(ctx context.Context, bucket string, u storage.BucketAttrsToUpdate) (*storage.BucketAttrs, error) {
	ctx, cancel := bounded.WithCallTimeout(ctx)
	defer cancel()
	return c.c.Bucket(bucket).Update(ctx, u)
}

func (c client) LockRetentionPolicy(ctx context.Context, bucket string, metageneration int64) error {
	ctx, cancel := bounded.WithCallTimeout(ctx)
	defer cancel()
	return c.c.Bucket(bucket).If(storage.BucketConditions{MetagenerationMatch: metageneration}).LockRetentionPolicy(ctx)
}

func (c client) Delete(ctx context.Context, bucket string) error {
	ctx, cancel := bounded.WithCallTimeout(ctx)
	defer cancel()
	return c.c.Bucket(bucket).Delete(ctx)
}

func (c client) Generations(ctx context.Context, bucket string, limit int) ([]ObjectVersion, error) {
	ctx, cancel := bounded.WithCallTimeout(ctx)
	defer cancel()
	q := &storage.Query{Versions: true}
	if err := q.SetAttrSelection([]string{"Name", "Generation"}); err != nil {
		return nil, err
	}
	it := c.c.Bucket(bucket).Objects(ctx, q)
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
	return c.c.Bucket(bucket).Object(o.Name).Generation(o.Generation).Delete(ctx)
}

// Close closes the client, with the account.
func (c client) Close() error { return c.c.Close() }

// Buckets returns the account's Cloud Storage client, built once per account. A plain-http endpoint (an emulator)
// gets no credentials: a token is never sent in the clear.
func Buckets(ctx context.Context, acct *credentials.GCPAccount) (BucketAPI, error) {
	return credentials.GCPClient(acct, "storage", func(a *credentials.GCPAccount) (client, error) {
		// Bounded like every client of the provider: timeouts, answers capped, no redirect elsewhere.
		var base http.RoundTripper = bounded.Wrap(bounded.Transport(nil, true))
		opts := []option.ClientOption{}
		ep := a.Endpoints.Storage
		if ep == nil || !strings.HasPrefix(*ep, "http://") {
			base = &oauth2.Transport{Source: a.TokenSource, Base: base}
		}
		if ep != nil {
			opts = append(opts, option.WithEndpoint(*ep))
		}
		opts = append(opts, option.WithHTTPClient(&http.Client{Transport: counting{base: base}, CheckRedirect: bounded.CheckRedirect}))
		// The client outlives this reconcile.
		c, err := storage.NewClient(context.WithoutCancel(ctx), opts...)
		if err != nil {
			return client{}, xperrors.Wrap(err, "cannot make the Cloud Storage client")
		}
		return client{c: c}, nil
	})
}

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

// IsInvalidInput reports whether Cloud Storage rejected the request's input (400): terminal until the spec changes.
func IsInvalidInput(err error) bool { return Code(err) == http.StatusBadRequest }

// IsRefused reports whether Cloud Storage answered the request itself with a refusal that sending it again cannot
// change (400, 401, 403): it proves a create made nothing, where a timeout or a 5xx does not.
func IsRefused(err error) bool {
	switch Code(err) {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		return true
	}
	return false
}

// Clean returns err as its status and message only: no request IDs, no transport details (which can name the
// resolved address).
func Clean(err error) error {
	if err == nil {
		return nil
	}
	var g *googleapi.Error
	switch {
	case bounded.IsTooLarge(err):
		return xperrors.New("Cloud Storage's answer is larger than the provider reads: not read further")
	case errors.As(err, new(bounded.RedirectError)):
		return xperrors.New("Cloud Storage redirected the request to another scheme or host: not followed")
	case errors.As(err, &g):
		// The endpoint may be one a tenant chose: its message is quoted bounded and cleaned.
		return xperrors.Errorf("%d: %s", g.Code, cleanerr.Text(g.Message))
	}
	if errors.Is(err, storage.ErrBucketNotExist) {
		return xperrors.New("404: the bucket does not exist")
	}
	return xperrors.New("the request to Cloud Storage failed")
}
