package provider

import (
	"flag"
	"fmt"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/flowcontrol"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/kube"
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
		// Twice the 250 managed resources a namespace is expected to hold (see DefaultMaxClaimsPerNamespace).
		MaxClaimsPerNamespace: 500,
		MaxMetadataBytes:      128 << 10,
		// Namespaced configs request tokens for Vault's audience only, and name no endpoint of their own.
		VaultAllowedAudiences: []string{"vault"},
		// docs/benchmarks/BENCHMARKS.md: at 50 the cold burst's anonymous memory is a fifth smaller, for no
		// provider CPU three runs could tell apart.
		GCPercent: 50,
		// Every installation whose administrator chose no identity is the same owner, as before they were recorded.
		Installation: "default",
		// Crossplane points a package's webhook at port 9443 of its Service; the certificate comes from
		// TLS_SERVER_CERTS_DIR (unset here: no webhook).
		WebhookPort: 9443,
		// Five updates that change nothing within an hour stop writes to a resource (issue 26 §2).
		UpdateLoopLimit: 5, UpdateLoopWindow: time.Hour,
	}
	if diff := cmp.Diff(want, Defaults()); diff != "" {
		t.Errorf("Defaults(): -want +got:\n%s", diff)
	}
	if j, p := Defaults().PollJitter, Defaults().PollInterval; j*20 < p {
		t.Errorf("poll jitter %s is under 5%% of the poll interval %s", j, p)
	}
}

func TestApplyGCPercent(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	s := Defaults()
	cases := map[string]struct {
		reason string
		env    map[string]string
		want   int
	}{
		"Default": {reason: "Without GOGC the provider's setting applies.", want: 50},
		"GOGCSet": {reason: "GOGC, when set, wins: the runtime's value is left alone.", env: map[string]string{"GOGC": "100"}, want: 100},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			debug.SetGCPercent(100)
			ApplyGCPercent(s, func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if got := debug.SetGCPercent(100); got != tc.want {
				t.Errorf("%s\nGC percent: want %d, got %d", tc.reason, tc.want, got)
			}
		})
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

	// The administrator's lists: --vault-allowed-audience replaces its default, the others add up.
	s = Defaults()
	fs = flag.NewFlagSet("t", flag.ContinueOnError)
	s.BindFlags(fs)
	if err := fs.Parse([]string{"--vault-allowed-audience=vault-eu", "--vault-allowed-audience=vault-us,vault-ap", "--allowed-endpoint=127.0.0.1",
		"--allowed-endpoint=*.svc.cluster.local:9000", "--max-concurrent-reconciles-per-namespace=3"}); err != nil {
		t.Fatal(err)
	}
	want := struct {
		Audiences, Endpoints []string
		PerNamespace         int
	}{[]string{"vault-eu", "vault-us", "vault-ap"}, []string{"127.0.0.1", "*.svc.cluster.local:9000"}, 3}
	got := want
	got.Audiences, got.Endpoints, got.PerNamespace = s.VaultAllowedAudiences, s.AllowedEndpoints, s.MaxConcurrentReconcilesPerNamespace
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("list flags: -want +got:\n%s", diff)
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

// transformFor is the cache's transform for objects of obj's type.
func transformFor(o cache.Options, obj client.Object) func(any) (any, error) {
	for k, b := range o.ByObject {
		if reflect.TypeOf(k) == reflect.TypeOf(obj) {
			return b.Transform
		}
	}
	return o.DefaultTransform
}

// TestCacheKeepsWhatIsRead: the informers drop every object's managedFields and the CRDs' schemas, and keep a
// tenant's object with oversized metadata as a stub.
func TestCacheKeepsWhatIsRead(t *testing.T) {
	o := cacheOptions(Defaults())
	mf := []metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationApply}}
	big := map[string]string{"a": strings.Repeat("x", kube.DefaultMaxMetadataBytes)}
	stub := func(n int) map[string]string { return map[string]string{kube.OversizedAnnotation: fmt.Sprint(n)} }
	cases := map[string]struct {
		reason string
		in     client.Object
		want   client.Object
	}{
		"ManagedResource": {
			reason: "Of a managed resource only managedFields go.",
			in:     &s3v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Name: "b", ManagedFields: mf, Annotations: map[string]string{"a": "b"}}},
			want:   &s3v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Name: "b", Annotations: map[string]string{"a": "b"}}},
		},
		"OversizedManagedResource": {
			reason: "A managed resource whose metadata is too large is kept as a stub: spec kept, metadata dropped.",
			in: &s3v1alpha1.Bucket{
				ObjectMeta: metav1.ObjectMeta{Name: "b", Annotations: big, Labels: map[string]string{"l": "v"}, Finalizers: []string{"f"}},
				Spec:       s3v1alpha1.BucketSpec{ForProvider: s3v1alpha1.BucketParameters{Region: "eu-west-1"}},
			},
			want: &s3v1alpha1.Bucket{
				// The annotation's key and value, the label's and the finalizer.
				ObjectMeta: metav1.ObjectMeta{Name: "b", Annotations: stub(1 + kube.DefaultMaxMetadataBytes + 2 + 1)},
				Spec:       s3v1alpha1.BucketSpec{ForProvider: s3v1alpha1.BucketParameters{Region: "eu-west-1"}},
			},
		},
		"OversizedProviderConfig": {
			reason: "A tenant's ProviderConfig is bounded the same way.",
			in:     &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "pc", Namespace: "t", Annotations: big}},
			want:   &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "pc", Namespace: "t", Annotations: stub(1 + kube.DefaultMaxMetadataBytes)}},
		},
		"Usage": {
			reason: "The usages the provider writes itself are never stubbed: their labels are how they are found.",
			in:     &v1alpha1.ProviderConfigUsage{ObjectMeta: metav1.ObjectMeta{Name: "u", Annotations: big}},
			want:   &v1alpha1.ProviderConfigUsage{ObjectMeta: metav1.ObjectMeta{Name: "u", Annotations: big}},
		},
		"Namespace": {
			reason: "Kubernetes' own kinds are not stubbed: a namespace's labels decide what it may reach.",
			in:     &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "n", ManagedFields: mf, Labels: big}},
			want:   &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "n", Labels: big}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tr := transformFor(o, tc.in)
			if tr == nil {
				t.Fatal("no transform: managedFields are cached")
			}
			got, err := tr(tc.in.DeepCopyObject())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("\n%s\ncached: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
	var crdTransform func(any) (any, error)
	for obj, b := range o.ByObject {
		if _, ok := obj.(*apiextensionsv1.CustomResourceDefinition); ok {
			crdTransform = b.Transform
		}
	}
	if crdTransform == nil {
		t.Fatal("no transform for CRDs: their schemas are cached")
	}
	crd := &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "buckets.s3.aws.stateful.dev", ManagedFields: mf},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
			Name: "v1alpha1", Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{Type: "object"}},
		}}},
		Status: apiextensionsv1.CustomResourceDefinitionStatus{Conditions: []apiextensionsv1.CustomResourceDefinitionCondition{{Type: apiextensionsv1.Established, Status: apiextensionsv1.ConditionTrue}}},
	}
	got, err := crdTransform(crd.DeepCopy())
	if err != nil {
		t.Fatal(err)
	}
	wantCRD := crd.DeepCopy()
	wantCRD.ManagedFields, wantCRD.Spec.Versions[0].Schema = nil, nil
	if diff := cmp.Diff(wantCRD, got); diff != "" {
		t.Errorf("a cached CRD keeps its names and conditions only: -want +got:\n%s", diff)
	}
}

// TestSchemeKnowsCachedKinds: the manager refuses per-kind cache settings for a kind its scheme does not know.
func TestSchemeKnowsCachedKinds(t *testing.T) {
	sch, err := newScheme()
	if err != nil {
		t.Fatal(err)
	}
	for obj := range cacheOptions(Defaults()).ByObject {
		if _, _, err := sch.ObjectKinds(obj); err != nil {
			t.Errorf("the cache has settings for %T, which the scheme does not know: %v", obj, err)
		}
	}
	for _, obj := range []runtime.Object{&s3v1alpha1.Bucket{}, &corev1.Secret{}} {
		if _, _, err := sch.ObjectKinds(obj); err != nil {
			t.Errorf("the scheme does not know %T: %v", obj, err)
		}
	}
}

// TestBadEndpointPatternStopsTheProvider: a mistyped --allowed-endpoint stops the provider before it connects.
func TestBadEndpointPatternStopsTheProvider(t *testing.T) {
	s := Defaults()
	s.AllowedEndpoints = []string{"127.0.0.1", "https://vault.example.com/v1"}
	_, err := New(&rest.Config{Host: "https://127.0.0.1:1"}, s, logging.NewNopLogger())
	if err == nil || !strings.Contains(err.Error(), `--allowed-endpoint: "https://vault.example.com/v1"`) {
		t.Errorf("New with a path in an --allowed-endpoint: want it refused, got %v", err)
	}
}
