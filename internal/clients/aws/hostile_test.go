package aws_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	awsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws"
	"github.com/stateful-dev/provider-stateful/internal/devstack/hostile"
)

// hostileSQS is an SQS client of a config whose endpoint is the hostile server, with a session token to see where
// it goes.
func hostileSQS(t *testing.T, url string) *sqs.Client {
	t.Helper()
	cfg, err := awsclient.NewConfig(context.Background(), awsclient.Settings{
		Source:   v1alpha1.AWSCredentialsSecret,
		Static:   awsclient.StaticKeys{AccessKeyID: "AKIDHOSTILE", SecretAccessKey: "secret", SessionToken: "canary-session-token"},
		Endpoint: &v1alpha1.AWSEndpoint{URL: url},
	})
	if err != nil {
		t.Fatal(err)
	}
	return sqs.NewFromConfig(cfg)
}

// An endpoint answering with a 64 MiB body (an endless one, to a client that does not stop) costs a call a few
// KiB of reading, not the whole body: before, the SDK read every byte of it, three times (387 MiB in 2 s on an
// endless body).
func TestEndlessBodyIsBounded(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusOK} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv := hostile.Start(hostile.Endless, false)
			defer srv.Close()
			srv.Status, srv.Limit = status, 64<<20
			_, err := hostileSQS(t, srv.URL).GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
			if err == nil {
				t.Fatal("an endless body must fail the call")
			}
			// Loopback socket buffers hold a few MiB the client never read: far below the 64 MiB of one answer.
			if n := srv.Written.Load(); n >= 32<<20 {
				t.Errorf("the server wrote %d MiB over %d requests: the client kept reading", n>>20, srv.Requests.Load())
			}
			msg := awsclient.Clean(err).Error()
			if !strings.Contains(msg, "larger than") || len(msg) > 300 {
				t.Errorf("message: want a short fixed text saying the answer is too large, got %q", msg)
			}
		})
	}
}

// An endpoint that accepts and never answers gives the call back well inside the reconcile's 60 s; before, each
// attempt waited 30 s and the retries used the whole reconcile.
func TestTarpitGivesTheCallBack(t *testing.T) {
	t.Parallel()
	srv := hostile.Start(hostile.Tarpit, false)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // crossplane-runtime's reconcile timeout
	defer cancel()
	start := time.Now()
	_, err := hostileSQS(t, srv.URL).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
	took := time.Since(start)
	if err == nil {
		t.Fatal("a tarpit must fail the call")
	}
	if took > 30*time.Second {
		t.Errorf("the call held its worker %s: want at most 30 s of the reconcile's 60", took.Round(time.Second))
	}
	if msg := awsclient.Clean(err).Error(); !strings.Contains(msg, "did not answer in time") || strings.Contains(msg, srv.URL) {
		t.Errorf("message: want the fixed timeout text without the address, got %q (%v)", msg, err)
	}
}

// A redirect to another host is not followed: the session token (X-Amz-Security-Token, which Go
// keeps on a redirect to another host) never reaches it.
func TestRedirectNotFollowed(t *testing.T) {
	rec := hostile.StartRecorder()
	defer rec.Close()
	srv := hostile.Start(hostile.Redirect, false)
	defer srv.Close()
	srv.Location = rec.URL + "/"
	cfg, err := awsclient.NewConfig(context.Background(), awsclient.Settings{
		Source:   v1alpha1.AWSCredentialsSecret,
		Static:   awsclient.StaticKeys{AccessKeyID: "AKIDHOSTILE", SecretAccessKey: "secret", SessionToken: "canary-session-token"},
		Endpoint: &v1alpha1.AWSEndpoint{URL: srv.URL},
	})
	if err != nil {
		t.Fatal(err)
	}
	// A GET: Go follows a redirect of a request it can send again (SQS's POSTs carry a stream it cannot).
	_, err = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).GetBucketTagging(t.Context(), &s3.GetBucketTaggingInput{Bucket: aws.String("orders")})
	if err == nil {
		t.Fatal("a redirect elsewhere must fail the call")
	}
	if got := rec.Requests(); len(got) != 0 {
		t.Errorf("the redirect was followed: %d requests reached the other host (session token sent: %v)", len(got), got[0].Get("X-Amz-Security-Token") != "")
	}
	if msg := awsclient.Clean(err).Error(); !strings.Contains(msg, "redirected") {
		t.Errorf("message: got %q (%v)", msg, err)
	}
}
