//go:build integration

// Package safestart checks the provider's safe-start capability: a managed kind's controller starts only once its
// CRD exists, so a provider installed with some kinds deactivated runs, and picks a kind up when it is activated.
package safestart

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/stateful-dev/provider-stateful/apis"
	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
	"github.com/stateful-dev/provider-stateful/internal/provider"
)

func TestControllersWaitForTheirCRD(t *testing.T) {
	crds := filepath.Join(harness.RepoRoot(), "package", "crds")
	env, err := harness.NewEnvtest()
	if err != nil {
		t.Fatal(err)
	}
	// Only the provider-config CRDs: the Bucket kind is "deactivated".
	env.CRDDirectoryPaths = []string{
		filepath.Join(crds, "stateful.dev_providerconfigs.yaml"),
		filepath.Join(crds, "stateful.dev_clusterproviderconfigs.yaml"),
		filepath.Join(crds, "stateful.dev_providerconfigusages.yaml"),
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = env.Stop() }()

	s := provider.Defaults()
	s.MetricsAddress, s.HealthAddress = "0", "0"
	// A controller whose kind is not served fails the manager once this passes: the gate must prevent that.
	// NOTE: the same timeout bounds how long the gated controller may wait, once the CRD is installed, for the API
	// server's discovery to serve the new kind. controller-runtime retries an informer for a kind discovery does not
	// serve yet every 10 s, so a timeout of 10 s (as this test had) raced that retry and failed the manager whenever
	// discovery lagged the CRD's Established condition on a loaded machine. The provider's default is 2 minutes.
	s.CacheSyncTimeout = 25 * time.Second
	mgr, err := provider.New(cfg, s, logging.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- mgr.Start(ctx) }()
	defer func() {
		cancel()
		if err := <-stopped; err != nil {
			t.Logf("the provider's manager returned: %v", err)
		}
	}()

	// Without the gate, a controller for a kind the API server does not serve fails the whole manager after the
	// cache sync timeout. With it, the provider keeps running.
	select {
	case err := <-stopped:
		stopped <- err // for the deferred wait
		t.Fatalf("the provider stopped while the Bucket CRD was missing: %v", err)
	case <-time.After(s.CacheSyncTimeout + 5*time.Second):
	}

	if _, err := envtest.InstallCRDs(cfg, envtest.CRDInstallOptions{Paths: []string{filepath.Join(crds, "s3.aws.stateful.dev_buckets.yaml")}}); err != nil {
		t.Fatal(err)
	}
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	_ = apis.AddToScheme(scheme)
	kube, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	_ = kube.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "late"}})
	b := &s3v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Namespace: "late", Name: "late-bucket"}, Spec: s3v1alpha1.BucketSpec{ForProvider: s3v1alpha1.BucketParameters{Region: "eu-west-1"}}}
	if err := kube.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	// The Bucket controller starts once its CRD exists and reconciles: with no ClusterProviderConfig it says so.
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-stopped:
			stopped <- err // for the deferred wait
			t.Fatalf("the provider stopped after the Bucket CRD was installed: %v", err)
		default:
		}
		_ = kube.Get(ctx, client.ObjectKeyFromObject(b), b)
		if c := b.GetCondition(xpv2.TypeSynced); strings.Contains(c.Message, "cannot get ClusterProviderConfig default") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Bucket controller did not start after its CRD was installed: %+v", b.Status.Conditions)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
