//go:build integration

// Package integration runs the provider's real reconcilers in a manager against envtest's kube-apiserver and
// moto_server, through the recording proxy. Run with `make integration`.
package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/stateful-dev/provider-stateful/apis"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/gcptest"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
	"github.com/stateful-dev/provider-stateful/internal/provider"
)

// claimLimit is the provider's --max-claims-per-namespace in this suite (TestClaimLimitPerNamespace).
const claimLimit = 8

// updateLoopLimit is the provider's --update-loop-limit in this suite: updates that leave the cloud as it was
// before writes stop (the contract's UpdateLoopStopped).
const updateLoopLimit = 3

// pollInterval is the test-scale poll: drift and steady-state tests wait for a few polls.
const pollInterval = 2 * time.Second

var (
	kube    client.Client
	restCfg *rest.Config
	moto    *harness.Moto
	proxy   *harness.Proxy
	// direct talks to moto without the proxy, to change things behind the provider's back uncounted.
	direct *s3.Client
	vault  *harness.Vault
	// vaultProxy records every request the provider sends to Vault.
	vaultProxy *harness.Proxy
	// testEnv is the control plane: its kubectl runs as an administrator.
	testEnv *envtest.Environment
)

// vaultRootToken is a canary: it must never appear in a log, an event or a condition.
const vaultRootToken = "root-canary-vault-token"

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logDir := filepath.Join(harness.RepoRoot(), "_output", "integration")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return fail(err)
	}

	env, err := harness.NewEnvtest()
	if err != nil {
		return fail(err)
	}
	if err := harness.WithSecretAudit(env, auditLog()); err != nil {
		return fail(err)
	}
	// The packaged webhook configuration, served by the provider on loopback (envtest points it at a URL there and
	// makes its certificate).
	env.WebhookInstallOptions = envtest.WebhookInstallOptions{
		Paths: []string{filepath.Join(harness.RepoRoot(), "package", "webhookconfigurations")}, LocalServingHost: "127.0.0.1",
	}
	testEnv = env
	if restCfg, err = env.Start(); err != nil {
		return fail(fmt.Errorf("cannot start envtest: %w", err))
	}
	defer func() { _ = env.Stop() }()

	if moto, err = harness.StartMoto(ctx, filepath.Join(logDir, "moto.log")); err != nil {
		return fail(err)
	}
	defer moto.Stop()
	if proxy, err = harness.StartProxy(moto.URL); err != nil {
		return fail(err)
	}
	defer proxy.Close()
	if vault, err = harness.StartVault(ctx, vaultRootToken, filepath.Join(logDir, "vault.log")); err != nil {
		return fail(err)
	}
	defer vault.Stop()
	if vaultProxy, err = harness.StartProxy(vault.URL); err != nil {
		return fail(err)
	}
	defer vaultProxy.Close()
	// The provider must ignore the Vault SDK's environment variables: give them values that would change its
	// behaviour if they were read.
	for k, v := range map[string]string{"VAULT_TOKEN": vaultRootToken, "VAULT_ADDR": vault.URL, "VAULT_SKIP_VERIFY": "true"} {
		if err := os.Setenv(k, v); err != nil {
			return fail(err)
		}
	}

	direct = s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(moto.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})

	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	_ = apis.AddToScheme(scheme)
	if kube, err = client.New(restCfg, client.Options{Scheme: scheme}); err != nil {
		return fail(err)
	}
	stopGCP, err := startGCP(ctx, logDir)
	if err != nil {
		return fail(err)
	}
	defer stopGCP()
	if err := defaultConfig(ctx); err != nil {
		return fail(err)
	}

	logf, err := os.Create(filepath.Join(logDir, "provider.log"))
	if err != nil {
		return fail(err)
	}
	defer func() { _ = logf.Close() }()
	ctrl.SetLogger(zap.New(zap.WriteTo(logf)))
	s := provider.Defaults()
	s.PollInterval, s.PollJitter = pollInterval, 0
	// Test scale: deleting a Bucket right after creating it waits out this grace period.
	s.CreationGracePeriod = 3 * time.Second
	s.MaxReconcileRate = 50
	s.MetricsAddress, s.HealthAddress = "0", "0"
	// Test scale: every test makes its resources in namespaces of its own, and none holds more claims than this.
	s.MaxClaimsPerNamespace = claimLimit
	s.UpdateLoopLimit = updateLoopLimit
	// The test Vault listens on loopback without TLS: namespaced configs may use it only because this says so.
	s.VaultInsecureAddresses = []string{vaultProxy.URL}
	// Every server of the suite (moto's proxies, the emulators, the TLS Vault, the tests' recorders) listens on
	// 127.0.0.1: namespaced configs may name it, and no other host ("localhost" included) — see TestEndpointsAreTheAdministrators.
	s.AllowedEndpoints = []string{allowedEndpoint}
	s.WebhookCertDir = env.WebhookInstallOptions.LocalServingCertDir
	s.WebhookHost, s.WebhookPort = env.WebhookInstallOptions.LocalServingHost, env.WebhookInstallOptions.LocalServingPort
	// The provider's own user agent tells its requests from the tests' in the API server's audit log.
	providerCfg := rest.CopyConfig(restCfg)
	providerCfg.UserAgent = providerAgent
	mgr, err := provider.New(providerCfg, s, logging.NewLogrLogger(zap.New(zap.UseDevMode(true), zap.WriteTo(logf))))
	if err != nil {
		return fail(err)
	}
	mgrCtx, stopMgr := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		if err := mgr.Start(mgrCtx); err != nil {
			fmt.Fprintln(os.Stderr, "manager stopped:", err)
		}
	}()
	code := m.Run()
	if err := sweepCanaries(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		code = 1
	}
	if err := noSecretListOrWatch(); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		code = 1
	}
	// Stop the provider before the servers it talks to.
	stopMgr()
	<-stopped
	return code
}

// allowedEndpoint is the suite's --allowed-endpoint.
const allowedEndpoint = "127.0.0.1"

// providerAgent is the user agent of the provider's requests to the API server.
const providerAgent = "provider-stateful-under-test"

func auditLog() string {
	return filepath.Join(harness.RepoRoot(), "_output", "integration", "audit.log")
}

// noSecretListOrWatch checks, in the API server's audit log of the whole run, that the provider never listed or
// watched Secrets other than one by name in its namespace — the metadata-only watch of a Secret a config
// references (T20: no cluster-wide Secret informer, no Secret it does not use in memory).
func noSecretListOrWatch() error {
	events, err := harness.ReadAudit(auditLog(), providerAgent)
	if err != nil {
		return err
	}
	if len(events) == 0 {
		return fmt.Errorf("the audit log has no Secret request of the provider: the check would prove nothing")
	}
	for _, e := range events {
		if e.ObjectRef.Resource == "secrets" && (e.Verb == "list" || e.Verb == "watch") &&
			(e.ObjectRef.Namespace == "" || !strings.Contains(e.RequestURI, "fieldSelector=metadata.name%3D")) {
			return fmt.Errorf("the provider %sed Secrets in %q (%s), not one Secret by name", e.Verb, e.ObjectRef.Namespace, e.RequestURI)
		}
	}
	return nil
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "integration setup failed:", err)
	return 1
}

// defaultConfig creates ClusterProviderConfig/default, aimed at moto through the proxy, and its Secret. Like the
// README's production example it serves only the platform's namespaces: those labelled stateful.dev/platform.
func defaultConfig(ctx context.Context) error {
	if err := kube.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "crossplane-system"}}); err != nil {
		return err
	}
	if err := kube.Create(ctx, awsSecret("crossplane-system", "aws-creds")); err != nil {
		return err
	}
	key, err := gcptest.NewKey("provider@" + gcpProject + ".iam.gserviceaccount.com")
	if err != nil {
		return err
	}
	if err := kube.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "crossplane-system", Name: "gcp-key"}, Data: map[string][]byte{"key.json": key}}); err != nil {
		return err
	}
	return kube.Create(ctx, &v1alpha1.ClusterProviderConfig{
		ObjectMeta: metav1.ObjectMeta{Name: "default"},
		Spec: v1alpha1.ProviderConfigSpec{AllowedNamespaces: &v1alpha1.NamespaceSelection{
			Selector: &v1alpha1.LabelSelector{MatchLabels: map[string]string{platformLabel: "true"}},
		}, AWS: &v1alpha1.AWSConfig{
			Credentials: v1alpha1.AWSCredentials{
				Source:    v1alpha1.AWSCredentialsSecret,
				SecretRef: &v1alpha1.AWSSecretCredentials{Namespace: "crossplane-system", Name: "aws-creds"},
			},
			Endpoint:    &v1alpha1.AWSEndpoint{URL: proxy.URL, S3UsePathStyle: true},
			DefaultTags: map[string]string{"managed-by": "provider-stateful"},
			// The tests adopt and observe what they made out of band under these names, and nothing else.
			AllowedAdoptions: &v1alpha1.AWSAllowedAdoptions{
				Buckets: testAdoptions(""), Queues: testAdoptions(""), DBInstances: testAdoptions(""), Tables: testAdoptions(""),
			},
		}, GCP: gcpSection()},
	})
}

// testAdoptions admits, for every namespace the default config serves, the names the tests make out of band to
// adopt or observe (prefixed, for Bigtable, with the instance).
func testAdoptions(prefix string) v1alpha1.AdoptionRules {
	return v1alpha1.AdoptionRules{{Names: v1alpha1.AdoptionPatterns{prefix + "adopt-*", prefix + "legacy-*", prefix + "shared-legacy-*"}}}
}

func awsSecret(namespace, name string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		StringData: map[string]string{"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "canary-secret-wJalrXUtnFEMI"},
	}
}
