package aws

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/bounded"
	"github.com/stateful-dev/provider-stateful/internal/clients/readonly"
	"github.com/stateful-dev/provider-stateful/internal/metrics"
)

// DefaultSessionName names assumed-role sessions when the ProviderConfig names none.
const DefaultSessionName = "provider-stateful"

// stsRegion signs STS calls for assume-role. STS is global; its regional endpoints all accept any role.
const stsRegion = "us-east-1"

// StaticKeys is an access key read from a Secret. Its values never reach a log line, an event or an error.
type StaticKeys struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// Settings is everything needed to build an AWS SDK configuration, resolved from a ProviderConfig (and its
// Secret) by the credentials package.
type Settings struct {
	Source     v1alpha1.AWSCredentialsSource
	Static     StaticKeys
	Filesystem *v1alpha1.AWSFilesystemCredentials
	Endpoint   *v1alpha1.AWSEndpoint
	AssumeRole *v1alpha1.AWSAssumeRole
	// Provider supplies credentials for the Vault source; the SDK caches them until they expire.
	Provider aws.CredentialsProvider
	// ReadOnly builds a configuration whose clients can only read (plan --refresh): every request that is not a
	// read is refused before it is sent (package readonly). Credentials are still fetched as for the provider
	// (an assumed role's sts:AssumeRole is not a change to the cloud's resources).
	ReadOnly bool
}

// NewConfig builds an SDK configuration from settings. It makes no network call: credentials are fetched lazily
// and cached by the SDK until they expire.
//
// NOTE: only the InjectedIdentity and Environment sources consult the process environment. A Secret source never
// picks up AWS_PROFILE, AWS_ENDPOINT_URL or shared config files that happen to be on the provider's filesystem.
func NewConfig(ctx context.Context, s Settings) (aws.Config, error) {
	cfg := aws.Config{
		Region:     stsRegion,
		HTTPClient: bounded.Client(bounded.Transport(nil, true)),
		Retryer:    func() aws.Retryer { return retry.NewStandard() },
		APIOptions: []func(*middleware.Stack) error{countCalls, callDeadline},
	}
	if s.Endpoint != nil {
		cfg.BaseEndpoint = aws.String(s.Endpoint.URL)
	}

	switch s.Source {
	case v1alpha1.AWSCredentialsSecret:
		cfg.Credentials = credentials.NewStaticCredentialsProvider(s.Static.AccessKeyID, s.Static.SecretAccessKey, s.Static.SessionToken)
	case v1alpha1.AWSCredentialsEnvironment:
		env, err := config.NewEnvConfig()
		if err != nil {
			return aws.Config{}, errors.Wrap(err, "cannot read AWS credentials from the environment")
		}
		if !env.Credentials.HasKeys() {
			return aws.Config{}, errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set in the provider's environment")
		}
		cfg.Credentials = credentials.StaticCredentialsProvider{Value: env.Credentials}
	case v1alpha1.AWSCredentialsFilesystem:
		if s.Filesystem == nil {
			return aws.Config{}, errors.New("filesystem credentials need a path")
		}
		loaded, err := config.LoadDefaultConfig(ctx,
			config.WithSharedCredentialsFiles([]string{s.Filesystem.Path}),
			config.WithSharedConfigFiles([]string{}),
			config.WithSharedConfigProfile(s.Filesystem.Profile))
		if err != nil {
			return aws.Config{}, errors.Wrapf(err, "cannot read AWS credentials from %s", s.Filesystem.Path)
		}
		cfg.Credentials = loaded.Credentials
	case v1alpha1.AWSCredentialsVault:
		if s.Provider == nil {
			return aws.Config{}, errors.New("the Vault source needs a credentials provider")
		}
		// Vault can revoke what it minted before it expires: when AWS refuses the key, drop it so that the next
		// request gets fresh credentials instead of reusing a dead key until its expiry.
		r := &revocable{inner: s.Provider, now: clock}
		cache := aws.NewCredentialsCache(r)
		cfg.Credentials = cache
		cfg.APIOptions = append(cfg.APIOptions, dropRefusedCredentials(cache, r))
		// New IAM keys are refused for a few seconds: retry those answers instead of failing the reconcile.
		cfg.Retryer = func() aws.Retryer { return &freshKeyRetryer{RetryerV2: retry.NewStandard(), fresh: r.fresh} }
	case v1alpha1.AWSCredentialsInjectedIdentity:
		loaded, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return aws.Config{}, errors.Wrap(err, "cannot load the AWS SDK's default credential chain")
		}
		cfg.Credentials = loaded.Credentials
	default:
		return aws.Config{}, errors.Errorf("unsupported AWS credentials source %q", s.Source)
	}

	if s.AssumeRole != nil {
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), s.AssumeRole.RoleARN, assumeRoleOptions(s.AssumeRole)))
	}
	if s.ReadOnly {
		// Last, so that only the service clients built from cfg are guarded: the assume-role client above keeps
		// the plain one (sts.NewFromConfig copied it), and credentials are fetched as they always are.
		cfg.HTTPClient = readonly.Client(cfg.HTTPClient)
	}
	return cfg, nil
}

func assumeRoleOptions(ar *v1alpha1.AWSAssumeRole) func(*stscreds.AssumeRoleOptions) {
	return func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = DefaultSessionName
		if ar.SessionName != nil {
			o.RoleSessionName = *ar.SessionName
		}
		o.ExternalID = ar.ExternalID
		for _, t := range ar.SessionTags {
			o.Tags = append(o.Tags, ststypes.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
		}
	}
}

// refusedKeyGrace is how long fresh credentials are trusted despite an "unknown key" answer: new IAM user keys are
// refused by AWS for several seconds after they are created (eventual consistency, vault#8413).
const refusedKeyGrace = 15 * time.Second

// revocable remembers when it last fetched credentials.
type revocable struct {
	inner     aws.CredentialsProvider
	now       func() time.Time
	fetchedAt atomic.Int64
}

func (r *revocable) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := r.inner.Retrieve(ctx)
	if err == nil {
		r.fetchedAt.Store(r.now().UnixNano())
	}
	return c, err
}

// fresh reports whether the credentials were fetched less than refusedKeyGrace ago.
func (r *revocable) fresh() bool {
	return r.now().Sub(time.Unix(0, r.fetchedAt.Load())) <= refusedKeyGrace
}

// A Refuser is told when AWS refused the credentials it supplied, so that it does not hand them out again.
type Refuser interface {
	Refused()
}

// IsRefusedCredentials reports whether err says AWS does not accept the credentials (deleted, revoked or expired).
func IsRefusedCredentials(err error) bool {
	switch ErrorCode(err) {
	case "InvalidAccessKeyId", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException":
		return true
	}
	return false
}

// dropRefusedCredentials invalidates the credentials cache when AWS refuses credentials older than the grace.
func dropRefusedCredentials(cache *aws.CredentialsCache, r *revocable) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("stateful/DropRefusedCredentials",
			func(
				ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler,
			) (middleware.DeserializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleDeserialize(ctx, in)
				if IsRefusedCredentials(err) && !r.fresh() {
					if rf, ok := r.inner.(Refuser); ok {
						rf.Refused()
					}
					cache.Invalidate()
				}
				return out, md, err
			}), middleware.Before)
	}
}

// freshKeyDelay is the pause before retrying a request AWS refused because a fresh key has not propagated yet.
var freshKeyDelay = 2 * time.Second

// freshKeyRetryer retries requests refused for unknown credentials while the credentials are fresh (up to
// refusedKeyGrace, about 8 attempts); every other error keeps the standard retryer's attempts and backoff.
type freshKeyRetryer struct {
	aws.RetryerV2
	fresh func() bool
}

func (f *freshKeyRetryer) MaxAttempts() int {
	return max(f.RetryerV2.MaxAttempts(), int(refusedKeyGrace/freshKeyDelay)+1)
}

func (f *freshKeyRetryer) IsErrorRetryable(err error) bool {
	if IsRefusedCredentials(err) {
		return f.fresh()
	}
	return f.RetryerV2.IsErrorRetryable(err)
}

func (f *freshKeyRetryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	if IsRefusedCredentials(err) {
		return freshKeyDelay, nil
	}
	if attempt >= f.RetryerV2.MaxAttempts() {
		// Out of the standard attempts: end with the error itself, as the standard retryer would.
		return 0, err
	}
	return f.RetryerV2.RetryDelay(attempt, err)
}

// clock is the time source for credential ages; tests replace it.
var clock = time.Now

// callDeadline bounds each SDK call, its retries included, by bounded.CallTimeout (unless the caller's deadline
// is sooner): an endpoint that accepts and never answers gives the reconcile back well inside its 60 s.
func callDeadline(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("stateful/CallDeadline",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			ctx, cancel := bounded.WithCallTimeout(ctx)
			defer cancel()
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
}

// countCalls adds a middleware that counts each attempt of each request in the cloud-call metric. It sits in the
// deserialize step, which runs once per attempt, below the retry loop.
func countCalls(stack *middleware.Stack) error {
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("stateful/CountCloudCalls",
		func(
			ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler,
		) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			outcome := "error"
			if r, ok := out.RawResponse.(*smithyhttp.Response); ok && r != nil {
				outcome = statusClass(r.StatusCode)
			}
			metrics.CloudCalls.WithLabelValues("aws", awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx), outcome).Inc()
			return out, md, err
		}), middleware.Before)
}

func statusClass(code int) string {
	switch {
	case code >= 500:
		return "5xx"
	case code >= 400:
		return "4xx"
	case code >= 300:
		return "3xx"
	case code >= http.StatusOK:
		return "2xx"
	default:
		return "error"
	}
}
