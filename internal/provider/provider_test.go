package provider

import (
	"flag"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/flowcontrol"
)

// TestDefaults pins the production defaults: changing one is a decision, not an accident.
func TestDefaults(t *testing.T) {
	want := Settings{
		PollInterval:            10 * time.Minute,
		PollJitter:              time.Minute,
		BusyPoll:                10 * time.Second,
		CreationGracePeriod:     30 * time.Second,
		CacheSyncTimeout:        2 * time.Minute,
		SyncInterval:            time.Hour,
		PollStateMetricInterval: 5 * time.Second,
		MaxReconcileRate:        100,
		MaxConcurrentReconciles: 25,
		KubeQPS:                 300,
		KubeBurst:               600,
		MetricsAddress:          ":8080",
		HealthAddress:           ":8081",
		ManagementPolicies:      true,
		// Outside a pod (no service account namespace file) claims live in crossplane-system.
		ClaimNamespace: "crossplane-system",
		ServiceAccount: "crossplane-system/provider-stateful",
	}
	if diff := cmp.Diff(want, Defaults()); diff != "" {
		t.Errorf("Defaults(): -want +got:\n%s", diff)
	}
	if j, p := Defaults().PollJitter, Defaults().PollInterval; j*20 < p {
		t.Errorf("poll jitter %s is under 5%% of the poll interval %s", j, p)
	}
}

func TestFlags(t *testing.T) {
	s := Defaults()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	s.BindFlags(fs)
	if err := fs.Parse([]string{"--poll=1m", "--max-reconcile-rate=5", "--kube-qps=7.5", "--leader-election", "--enable-management-policies=false"}); err != nil {
		t.Fatal(err)
	}
	if s.PollInterval != time.Minute || s.MaxReconcileRate != 5 || s.KubeQPS != 7.5 || !s.LeaderElection || s.ManagementPolicies {
		t.Errorf("flags not applied: %+v", s)
	}
}

// TestKubeQPSIsOneLimit checks that --kube-qps limits the provider as a whole: every REST client made from the
// config (controller-runtime makes one per resource kind) draws from one token bucket.
func TestKubeQPSIsOneLimit(t *testing.T) {
	s := Defaults()
	s.KubeQPS, s.KubeBurst = 7, 9
	cfg := restConfig(&rest.Config{Host: "https://127.0.0.1:1"}, s)
	var limiters []flowcontrol.RateLimiter
	for _, gv := range []schema.GroupVersion{{Version: "v1"}, {Group: "s3.aws.stateful.dev", Version: "v1alpha1"}} {
		c := rest.CopyConfig(cfg)
		c.GroupVersion = &gv
		c.APIPath = "/apis"
		c.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
		rc, err := rest.RESTClientFor(c)
		if err != nil {
			t.Fatal(err)
		}
		limiters = append(limiters, rc.GetRateLimiter())
	}
	if limiters[0] == nil || limiters[0] != limiters[1] {
		t.Errorf("REST clients for two kinds have their own limiters (%p, %p): --kube-qps would be per kind", limiters[0], limiters[1])
	}
	if got := limiters[0].QPS(); got != 7 {
		t.Errorf("limiter QPS: want 7, got %v", got)
	}
}
