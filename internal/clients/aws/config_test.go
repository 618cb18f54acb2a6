package aws

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

func TestNewConfig(t *testing.T) {
	// The process environment must not leak into a Secret-sourced configuration.
	t.Setenv("AWS_ACCESS_KEY_ID", "ENV-AK")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "ENV-SK")
	t.Setenv("AWS_ENDPOINT_URL", "http://env.invalid")
	credsFile := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(credsFile, []byte("[default]\naws_access_key_id = DEFAULT-AK\naws_secret_access_key = x\n[platform]\naws_access_key_id = FILE-AK\naws_secret_access_key = y\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	cases := map[string]struct {
		reason   string
		s        Settings
		wantKey  string
		endpoint *string
		errHas   bool
	}{
		"Secret": {
			reason:  "Secret keys are used as given, ignoring AWS_* variables.",
			s:       Settings{Source: v1alpha1.AWSCredentialsSecret, Static: StaticKeys{AccessKeyID: "AK", SecretAccessKey: "SK"}},
			wantKey: "AK",
		},
		"Endpoint": {
			reason:   "An endpoint override becomes the base endpoint of every client.",
			s:        Settings{Source: v1alpha1.AWSCredentialsSecret, Static: StaticKeys{AccessKeyID: "AK", SecretAccessKey: "SK"}, Endpoint: &v1alpha1.AWSEndpoint{URL: "http://127.0.0.1:5000"}},
			wantKey:  "AK",
			endpoint: aws.String("http://127.0.0.1:5000"),
		},
		"Environment": {
			reason:  "The Environment source reads AWS_ACCESS_KEY_ID.",
			s:       Settings{Source: v1alpha1.AWSCredentialsEnvironment},
			wantKey: "ENV-AK",
		},
		"Filesystem": {
			reason:  "The Filesystem source reads the named profile of a shared credentials file.",
			s:       Settings{Source: v1alpha1.AWSCredentialsFilesystem, Filesystem: &v1alpha1.AWSFilesystemCredentials{Path: credsFile, Profile: "platform"}},
			wantKey: "FILE-AK",
		},
		"InjectedIdentity": {
			reason:  "InjectedIdentity is the SDK's default chain, which starts with the environment.",
			s:       Settings{Source: v1alpha1.AWSCredentialsInjectedIdentity},
			wantKey: "ENV-AK",
		},
		"Unknown": {reason: "An unknown source is an error.", s: Settings{Source: "Magic"}, errHas: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg, err := NewConfig(context.Background(), tc.s)
			if tc.errHas {
				if err == nil {
					t.Fatalf("%s\nwant an error", tc.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\nNewConfig: %v", tc.reason, err)
			}
			creds, err := cfg.Credentials.Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if creds.AccessKeyID != tc.wantKey {
				t.Errorf("%s\naccess key: want %q, got %q", tc.reason, tc.wantKey, creds.AccessKeyID)
			}
			if diff := cmp.Diff(tc.endpoint, cfg.BaseEndpoint); diff != "" {
				t.Errorf("%s\nbase endpoint: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// countingProvider counts credential fetches and refusals.
type countingProvider struct{ n, refused int }

func (p *countingProvider) Retrieve(context.Context) (aws.Credentials, error) {
	p.n++
	return aws.Credentials{AccessKeyID: fmt.Sprintf("AK%d", p.n), SecretAccessKey: "s", CanExpire: true, Expires: time.Now().Add(time.Hour)}, nil
}

func (p *countingProvider) Refused() { p.refused++ }

func TestVaultCredentialsRefused(t *testing.T) {
	var requests, refuseFirst atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if requests.Add(1) > refuseFirst.Load() {
			_, _ = w.Write([]byte(`<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`))
			return
		}
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`<Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>`))
	}))
	defer srv.Close()
	now := time.Unix(1_000_000, 0)
	clock = func() time.Time { return now }
	freshKeyDelay = time.Millisecond
	defer func() { clock, freshKeyDelay = time.Now, 2*time.Second }()

	p := &countingProvider{}
	cfg, err := NewConfig(context.Background(), Settings{Source: v1alpha1.AWSCredentialsVault, Provider: p, Endpoint: &v1alpha1.AWSEndpoint{URL: srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true; o.Region = "eu-west-1" })
	// GetBucketTagging's error body carries the code (a HEAD response has no body).
	tagging := func() error {
		_, err := c.GetBucketTagging(context.Background(), &s3.GetBucketTaggingInput{Bucket: aws.String("b")})
		return err
	}

	// A fresh key AWS does not know yet: retried inside the call, not surfaced, not dropped.
	refuseFirst.Store(5)
	if err := tagging(); err != nil {
		t.Fatalf("refusals of a fresh key must be retried until it works: %v", err)
	}
	if requests.Load() != 6 || p.n != 1 || p.refused != 0 {
		t.Fatalf("want 6 attempts with the same credentials, got %d attempts, %d fetches, %d refusals", requests.Load(), p.n, p.refused)
	}

	// Past the grace a refusal is final: not retried, the provider is told, and the next call fetches new keys.
	now = now.Add(refusedKeyGrace + time.Second)
	requests.Store(0)
	refuseFirst.Store(1)
	if err := tagging(); !IsRefusedCredentials(err) {
		t.Fatalf("want the refusal, got %v", err)
	}
	if requests.Load() != 1 || p.refused != 1 {
		t.Errorf("a refusal after the grace: want 1 attempt and 1 Refused call, got %d and %d", requests.Load(), p.refused)
	}
	if err := tagging(); err != nil || p.n != 2 {
		t.Errorf("credentials refused after the grace must be dropped and fetched again: %d fetches, %v", p.n, err)
	}
}

func TestFreshKeyRetryerKeepsStandardAttemptsForOtherErrors(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`<Error><Code>ServiceUnavailable</Code><Message>busy</Message></Error>`))
	}))
	defer srv.Close()
	cfg, err := NewConfig(context.Background(), Settings{Source: v1alpha1.AWSCredentialsVault, Provider: &countingProvider{}, Endpoint: &v1alpha1.AWSEndpoint{URL: srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = true
		o.Region = "eu-west-1"
		o.Retryer = &freshKeyRetryer{RetryerV2: retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		}), fresh: func() bool { return true }}
	})
	if _, err := c.GetBucketTagging(context.Background(), &s3.GetBucketTaggingInput{Bucket: aws.String("b")}); err == nil {
		t.Fatal("want an error")
	}
	if got := requests.Load(); got != int32(retry.DefaultMaxAttempts) {
		t.Errorf("a 503 gets the standard %d attempts, got %d", retry.DefaultMaxAttempts, got)
	}
}
