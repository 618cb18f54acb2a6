package storage_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/storage"
	"github.com/stateful-dev/provider-stateful/internal/devstack/hostile"
)

func buckets(t *testing.T, url string) storage.BucketAPI {
	t.Helper()
	c, err := storage.NewBuckets(context.Background(), nil, ptr.To(url+"/storage/v1/"), false)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A Cloud Storage endpoint answering 500 with a 64 MiB body costs each attempt a few KiB of reading, and the
// library's retries of it (on 5xx, until the context ends) end well inside the reconcile's 60 s. Before, every
// attempt read the whole body, for the whole reconcile.
func TestEndlessBodyIsBounded(t *testing.T) {
	t.Parallel()
	srv := hostile.Start(hostile.Endless, false)
	defer srv.Close()
	srv.Limit = 64 << 20
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	start := time.Now()
	_, err := buckets(t, srv.URL).Attrs(ctx, "orders")
	took := time.Since(start)
	if err == nil {
		t.Fatal("an endless body must fail the call")
	}
	if n, reqs := srv.Written.Load(), srv.Requests.Load(); n/reqs >= 16<<20 {
		t.Errorf("the server wrote %d MiB over %d requests: the client kept reading", n>>20, reqs)
	}
	if took > 30*time.Second {
		t.Errorf("the call's retries held its worker %s: want at most 30 s", took.Round(time.Second))
	}
	if msg := storage.Clean(err).Error(); len(msg) > 300 {
		t.Errorf("message of %d bytes", len(msg))
	}
}

// An endpoint that accepts and never answers gives the call back well inside the reconcile's 60 s; before, the
// request had no timeout of its own.
func TestTarpitGivesTheCallBack(t *testing.T) {
	t.Parallel()
	srv := hostile.Start(hostile.Tarpit, false)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	start := time.Now()
	_, err := buckets(t, srv.URL).Attrs(ctx, "orders")
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("the call held its worker %s: want at most 30 s of the reconcile's 60", took.Round(time.Second))
	}
	if err == nil {
		t.Fatal("a tarpit must fail the call")
	}
}

// A redirect to another host is not followed.
func TestRedirectNotFollowed(t *testing.T) {
	rec := hostile.StartRecorder()
	defer rec.Close()
	srv := hostile.Start(hostile.Redirect, false)
	defer srv.Close()
	srv.Location = rec.URL + "/storage/v1/b/orders"
	_, err := buckets(t, srv.URL).Attrs(t.Context(), "orders")
	if got := rec.Requests(); len(got) != 0 {
		t.Fatalf("the redirect was followed: %d requests reached the other host", len(got))
	}
	if err == nil || !strings.Contains(storage.Clean(err).Error(), "redirected") {
		t.Errorf("got %v", err)
	}
}

// A server's error message is quoted bounded and cleaned.
func TestErrorMessageBounded(t *testing.T) {
	srv := hostile.StartRecorder()
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":{"code":400,"message":"` + strings.Repeat(`bad\nrequest `, 4000) + `"}}`))
	})
	defer srv.Close()
	_, err := buckets(t, srv.URL).Attrs(t.Context(), "orders")
	if msg := storage.Clean(err).Error(); len(msg) > 300 || strings.Contains(msg, "\n") {
		t.Errorf("message of %d bytes, not bounded or not cleaned: %.200q", len(msg), msg)
	}
}
