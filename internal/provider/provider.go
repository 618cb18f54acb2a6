// Package provider builds the provider's controller manager from its settings. cmd/provider parses flags into
// Settings; the integration tests build the same manager in-process.
package provider

import (
	"context"
	"flag"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/feature"
	"github.com/crossplane/crossplane-runtime/v2/pkg/gate"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/ratelimiter"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/customresourcesgate"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/crossplane/crossplane-runtime/v2/pkg/statemetrics"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/client-go/util/flowcontrol"
	kptr "k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/stateful-dev/provider-stateful/apis"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	controllers "github.com/stateful-dev/provider-stateful/internal/controller"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
	"github.com/stateful-dev/provider-stateful/internal/kube"
	pmetrics "github.com/stateful-dev/provider-stateful/internal/metrics"
	"github.com/stateful-dev/provider-stateful/internal/plan"
	"github.com/stateful-dev/provider-stateful/internal/webhook"
)

// Settings are the provider's run-time knobs. Defaults returns the production values.
type Settings struct {
	Debug                   bool
	LeaderElection          bool
	PollInterval            time.Duration
	PollJitter              time.Duration
	BusyPoll                time.Duration
	CreationGracePeriod     time.Duration
	CacheSyncTimeout        time.Duration
	SyncInterval            time.Duration
	PollStateMetricInterval time.Duration
	MaxReconcileRate        int
	MaxConcurrentReconciles int
	// MaxConcurrentReconcilesPerNamespace caps, per kind, the concurrent reconciles of one namespace's resources
	// that use a namespaced ProviderConfig; 0 is a fifth of MaxConcurrentReconciles (managedkind.DefaultPerNamespace).
	MaxConcurrentReconcilesPerNamespace int
	KubeQPS                             float64
	KubeBurst                           int
	MetricsAddress                      string
	HealthAddress                       string
	// PprofAddress serves net/http/pprof when set (make profile); empty or 0 disables it.
	PprofAddress       string
	ManagementPolicies bool
	// ServiceAccount is the provider's own service account, "namespace/name": ClusterProviderConfigs without a
	// serviceAccount log in to Vault as it.
	ServiceAccount string
	// VaultInsecureAddresses are loopback http:// Vault addresses namespaced ProviderConfigs may use (development).
	VaultInsecureAddresses []string
	// VaultAllowedAddresses are Vault addresses namespaced ProviderConfigs may use (besides AllowedEndpoints).
	VaultAllowedAddresses []string
	// VaultAllowedAudiences are the audiences namespaced ProviderConfigs may request service account tokens for,
	// for Vault's Kubernetes auth.
	VaultAllowedAudiences []string
	// AllowedEndpoints are the endpoints namespaced ProviderConfigs may name (aws.endpoint.url, gcp.endpoints.*,
	// vault.address), as credentials.EndpointPattern. Empty: none.
	AllowedEndpoints []string
	// ClaimNamespace is where claims on cloud names (Leases) are kept: the provider's own namespace.
	ClaimNamespace string
	// MaxClaimsPerNamespace is the most claims one namespace's managed resources may hold (0: no limit).
	MaxClaimsPerNamespace int
	// MaxMetadataBytes is how much metadata (labels, annotations, finalizers, owner references) the cache keeps
	// of a managed resource or a config; a larger one is kept as a stub and not reconciled (see kube).
	MaxMetadataBytes int
	// GCPercent is the Go garbage collector's target (runtime/debug.SetGCPercent); the GOGC environment
	// variable, when set, wins.
	GCPercent int
	// Installation is this installation's identity, recorded in every ownership marker (see managedkind.Installation);
	// HandoverFrom are the installations whose resources it takes over.
	Installation string
	HandoverFrom []string
	// WebhookCertDir holds the TLS server certificate (tls.crt, tls.key) the admission webhook serves with: the
	// directory Crossplane's package manager mounts and names in TLS_SERVER_CERTS_DIR. Empty: no webhook.
	WebhookCertDir string
	// WebhookHost and WebhookPort are where the webhook listens: Crossplane points the package's webhooks at
	// port 9443 of its Service.
	WebhookHost string
	WebhookPort int
	// UpdateLoopLimit updates that leave the cloud as it was within UpdateLoopWindow stop writes to a resource
	// (managedkind.LoopBreaker); 0 never stops.
	UpdateLoopLimit  int
	UpdateLoopWindow time.Duration
}

// Defaults are the production settings, chosen from `make bench` (docs/benchmarks/BENCHMARKS.md). A 10-minute
// poll with 10 % jitter bounds drift correction and spreads the load. 100 reconciles per second with 25 workers per kind takes a
// cold burst of 2,000 resources to Ready in about a minute on 2 cores (20 per second took five), and serves
// 10,000 resources per 10-minute poll using a sixth of the budget. 300 Kubernetes requests per second is one
// limit for the whole provider (about 2.5 per reconcile at that rate; 200 already made the burst a third slower);
// the API server's priority and fairness protects it from any one client beyond that.
func Defaults() Settings {
	return Settings{
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
		ClaimNamespace:          ownNamespace(),
		MaxClaimsPerNamespace:   DefaultMaxClaimsPerNamespace,
		MaxMetadataBytes:        kube.DefaultMaxMetadataBytes,
		ServiceAccount:          ownNamespace() + "/provider-stateful",
		VaultAllowedAudiences:   []string{credentials.DefaultVaultAudience},
		GCPercent:               50,
		Installation:            managedkind.DefaultInstallation,
		WebhookCertDir:          os.Getenv("TLS_SERVER_CERTS_DIR"),
		WebhookPort:             9443,
		UpdateLoopLimit:         managedkind.DefaultLoopLimit,
		UpdateLoopWindow:        managedkind.DefaultLoopWindow,
	}
}

// DefaultMaxClaimsPerNamespace bounds the Leases one namespace can make the provider write: twice the 250 managed
// resources a team's namespace is expected to hold at most. Twice, because a resource may hold a claim it does not
// show — a create whose answer was lost keeps its claim, and so does a resource deleted with an orphaning policy —
// and a namespace moving to new resources holds the old and the new for a while. Without a bound, a tenant could
// have the provider write Lease after Lease into its own namespace (one per name it tries).
const DefaultMaxClaimsPerNamespace = 500

// ApplyGCPercent sets the garbage collector's target to s.GCPercent, unless the GOGC environment variable (read
// through lookupEnv) is set: the runtime has then applied it already.
func ApplyGCPercent(s Settings, lookupEnv func(string) (string, bool)) {
	if _, set := lookupEnv("GOGC"); !set {
		debug.SetGCPercent(s.GCPercent)
	}
}

// ownNamespace is the namespace the provider's pod runs in, or crossplane-system outside a cluster.
func ownNamespace() string {
	if b, err := os.ReadFile("/var/run/secrets/kubernetes.io/serviceaccount/namespace"); err == nil && len(b) > 0 {
		return strings.TrimSpace(string(b))
	}
	return "crossplane-system"
}

// BindFlags registers a flag for each setting on fs, with s's values as defaults.
func (s *Settings) BindFlags(fs *flag.FlagSet) {
	fs.BoolVar(&s.Debug, "debug", s.Debug, "Log at debug level.")
	fs.BoolVar(&s.LeaderElection, "leader-election", s.LeaderElection, "Elect a leader among provider replicas (a Lease).")
	fs.DurationVar(&s.PollInterval, "poll", s.PollInterval,
		"How often each resource is checked for drift; override per resource with the crossplane.io/poll-interval annotation.")
	fs.DurationVar(&s.PollJitter, "poll-jitter", s.PollJitter, "Random jitter added to each poll, so resources do not poll in lockstep.")
	fs.DurationVar(&s.BusyPoll, "busy-poll", s.BusyPoll,
		"How often a resource in a transitional state (an RDS instance creating or modifying, a DynamoDB table or index not ACTIVE) is polled.")
	fs.DurationVar(&s.CreationGracePeriod, "creation-grace-period", s.CreationGracePeriod,
		"How long after a create a 'not found' is not trusted (eventually consistent APIs); the resource is not re-created meanwhile.")
	fs.DurationVar(&s.CacheSyncTimeout, "cache-sync-timeout", s.CacheSyncTimeout,
		"How long a controller waits for its informer to sync before the provider gives up and exits.")
	fs.DurationVar(&s.SyncInterval, "sync", s.SyncInterval, "How often the informer caches resync every object.")
	fs.DurationVar(&s.PollStateMetricInterval, "poll-state-metric", s.PollStateMetricInterval, "How often the managed resource state metrics are recorded.")
	fs.IntVar(&s.MaxReconcileRate, "max-reconcile-rate", s.MaxReconcileRate, "Global maximum reconciles per second, across all kinds.")
	fs.IntVar(&s.MaxConcurrentReconciles, "max-concurrent-reconciles", s.MaxConcurrentReconciles, "Concurrent reconciles per kind.")
	fs.IntVar(&s.MaxConcurrentReconcilesPerNamespace, "max-concurrent-reconciles-per-namespace", s.MaxConcurrentReconcilesPerNamespace,
		"Concurrent reconciles per kind of one namespace's resources that use a namespaced ProviderConfig (its "+
			"endpoints may never answer); 0 is a fifth of --max-concurrent-reconciles, at least 1.")
	fs.Float64Var(&s.KubeQPS, "kube-qps", s.KubeQPS, "Client-side limit of Kubernetes API requests per second.")
	fs.IntVar(&s.KubeBurst, "kube-burst", s.KubeBurst, "Burst of Kubernetes API requests above --kube-qps.")
	fs.StringVar(&s.MetricsAddress, "metrics-bind-address", s.MetricsAddress, "Address of the Prometheus metrics endpoint; 0 disables it.")
	fs.StringVar(&s.HealthAddress, "health-probe-bind-address", s.HealthAddress, "Address of the /healthz and /readyz endpoints; 0 disables them.")
	fs.StringVar(&s.PprofAddress, "pprof-bind-address", s.PprofAddress, "Address of the Go profiler's endpoints (/debug/pprof/); empty or 0 disables them.")
	fs.StringVar(&s.ServiceAccount, "service-account", s.ServiceAccount,
		"The provider's own service account, namespace/name (the DeploymentRuntimeConfig's serviceAccountTemplate): "+
			"ClusterProviderConfigs without a serviceAccount log in to Vault as it.")
	fs.Var((*listFlag)(&s.VaultInsecureAddresses), "vault-insecure-address",
		"A loopback http:// Vault address namespaced ProviderConfigs may use anyway (development only); repeat or separate with commas.")
	fs.Var((*listFlag)(&s.VaultAllowedAddresses), "vault-allowed-address",
		"A Vault address namespaced ProviderConfigs may use (as --allowed-endpoint admits, exactly); repeat or separate with commas.")
	fs.Var(&replacingListFlag{list: &s.VaultAllowedAudiences}, "vault-allowed-audience",
		"An audience namespaced ProviderConfigs may request service account tokens for (Vault's Kubernetes auth); "+
			"replaces the default; repeat or separate with commas.")
	fs.Var((*listFlag)(&s.AllowedEndpoints), "allowed-endpoint",
		"An endpoint namespaced ProviderConfigs may name in aws.endpoint.url, gcp.endpoints and vault.address: "+
			"[http[s]://]host[:port], host a name, an IP, *.domain or *, port a number or * (unset: any); none by "+
			"default; repeat or separate with commas.")
	fs.StringVar(&s.ClaimNamespace, "claim-namespace", s.ClaimNamespace,
		"Namespace of the Leases that record which managed resource owns each cloud name; only the provider should be able to write there.")
	fs.IntVar(&s.MaxMetadataBytes, "max-metadata-bytes", s.MaxMetadataBytes,
		"The most bytes of labels, annotations, finalizers and owner references the provider keeps of a managed "+
			"resource or a ProviderConfig; a larger one is not reconciled (its Synced condition says why) until it is smaller. "+
			"It bounds the memory one object can take; bound the number of objects per namespace with a ResourceQuota.")
	fs.IntVar(&s.MaxClaimsPerNamespace, "max-claims-per-namespace", s.MaxClaimsPerNamespace,
		"The most claims on cloud names (Leases in --claim-namespace) one namespace's managed resources may hold; a "+
			"resource that would need one more is refused until one is released. 0 is no limit.")
	fs.IntVar(&s.GCPercent, "gc-percent", s.GCPercent,
		"The Go garbage collector's target: the heap may grow this many percent over live memory before a collection "+
			"(Go's default is 100); the GOGC environment variable, when set, wins.")
	fs.BoolVar(&s.ManagementPolicies, "enable-management-policies", s.ManagementPolicies, "Honour spec.managementPolicies (ObserveOnly, orphaning).")
	fs.StringVar(&s.Installation, "installation", s.Installation,
		"This installation's identity, recorded in the ownership marker of every cloud resource: give each live "+
			"cluster its own (blue, green), and a cluster rebuilt from Git the one it had. Resources marked by another "+
			"installation are refused, never changed or deleted.")
	fs.StringVar(&s.WebhookCertDir, "webhook-cert-dir", s.WebhookCertDir,
		"Directory of the admission webhook's TLS server certificate (tls.crt, tls.key); defaults to TLS_SERVER_CERTS_DIR, "+
			"which Crossplane sets. Empty: no webhook (warnings for consequential edits are then not given).")
	fs.StringVar(&s.WebhookHost, "webhook-host", s.WebhookHost, "Address the admission webhook listens on (empty: every interface).")
	fs.IntVar(&s.WebhookPort, "webhook-port", s.WebhookPort, "Port of the admission webhook (Crossplane's package manager points at 9443).")
	fs.IntVar(&s.UpdateLoopLimit, "update-loop-limit", s.UpdateLoopLimit,
		"Stop writing to a resource whose updates left the cloud reporting the same values this many times within "+
			"--update-loop-window (condition UpdateLoop, event, metric); writes resume when the spec changes or "+
			"stateful.dev/retry-updates does. 0 never stops.")
	fs.DurationVar(&s.UpdateLoopWindow, "update-loop-window", s.UpdateLoopWindow, "The window --update-loop-limit counts in.")
	fs.Var((*listFlag)(&s.HandoverFrom), "handover-from",
		"An installation whose resources this one takes over (stop that one first); repeat or separate with commas.")
}

// New builds the provider's manager with every controller registered. Start it with mgr.Start.
func New(cfg *rest.Config, s Settings, log logging.Logger) (manager.Manager, error) {
	// The administrator's patterns are checked before anything else: a mistyped flag stops the provider at once.
	endpoints := make([]credentials.EndpointPattern, 0, len(s.AllowedEndpoints))
	for _, a := range s.AllowedEndpoints {
		p, err := credentials.ParseEndpointPattern(a)
		if err != nil {
			return nil, errors.Wrap(err, "--allowed-endpoint")
		}
		endpoints = append(endpoints, p)
	}
	cfg = restConfig(cfg, s)
	sch, err := newScheme()
	if err != nil {
		return nil, err
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme: sch,
		Cache:  cacheOptions(s),
		// Secrets are never cached by an informer: it would hold every Secret of the cluster in memory and need
		// cluster-wide list/watch. Credentials and connection Secrets are read and written directly; the
		// credentials resolver watches the metadata of each Secret a config references to know when it changed.
		Client: client.Options{Cache: &client.CacheOptions{DisableFor: []client.Object{&corev1.Secret{}}}},
		// The client's decorators, in their order: see kube.NewClient.
		NewClient:                  kube.NewClient,
		Metrics:                    metricsserver.Options{BindAddress: s.MetricsAddress},
		HealthProbeBindAddress:     s.HealthAddress,
		PprofBindAddress:           s.PprofAddress,
		LeaderElection:             s.LeaderElection,
		LeaderElectionID:           "crossplane-leader-election-provider-stateful",
		LeaderElectionResourceLock: resourcelock.LeasesResourceLock,
		LeaseDuration:              kptr.To(60 * time.Second),
		RenewDeadline:              kptr.To(50 * time.Second),
		WebhookServer:              webhookServer(s),
	})
	if err != nil {
		return nil, errors.Wrap(err, "cannot create controller manager")
	}

	if err := managedkind.SetInstallation(managedkind.Installation{ID: s.Installation, HandoverFrom: s.HandoverFrom}); err != nil {
		return nil, errors.Wrap(err, "--installation, --handover-from")
	}

	mrMetrics := managed.NewMRMetricRecorder()
	stateMetrics := statemetrics.NewMRStateMetrics()
	if err := registerMetrics(mrMetrics, stateMetrics, pmetrics.CloudCalls, pmetrics.KubeRequests, pmetrics.UpdateLoopsStopped); err != nil {
		return nil, err
	}

	creds := credentials.NewResolver(mgr.GetClient(), mgr.GetAPIReader(), mgr.GetClient())
	creds.WithLogger(log.WithValues("component", "credentials"))
	mc, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, errors.Wrap(err, "cannot build the metadata client")
	}
	creds.WithSecretWatches(mc)
	for _, a := range s.VaultInsecureAddresses {
		if err := credentials.ValidateInsecureAddress(a); err != nil {
			return nil, errors.Wrap(err, "--vault-insecure-address")
		}
	}
	creds.WithVaultTenancy(credentials.VaultTenancy{
		InsecureAddresses: s.VaultInsecureAddresses, AllowedAddresses: s.VaultAllowedAddresses, ServiceAccount: s.ServiceAccount,
		AllowedAudiences: s.VaultAllowedAudiences,
	})
	creds.WithAllowedEndpoints(endpoints)
	// On shutdown, release what the provider holds in Vault: a restarted provider mints new credentials, and the
	// old IAM users would otherwise linger until their lease TTL.
	if err := mgr.Add(manager.RunnableFunc(func(ctx context.Context) error {
		<-ctx.Done()
		rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		creds.Close(rctx)
		return nil
	})); err != nil {
		return nil, errors.Wrap(err, "cannot add the credentials release on shutdown")
	}

	o := managedkind.Options{
		Options: controller.Options{
			Logger:                  log,
			MaxConcurrentReconciles: s.MaxConcurrentReconciles,
			PollInterval:            s.PollInterval,
			GlobalRateLimiter:       ratelimiter.NewGlobal(s.MaxReconcileRate),
			Features:                &feature.Flags{},
			Gate:                    new(gate.Gate[schema.GroupVersionKind]),
			MetricOptions: &controller.MetricOptions{
				PollStateMetricInterval: s.PollStateMetricInterval,
				MRMetrics:               mrMetrics,
				MRStateMetrics:          stateMetrics,
			},
		},
		PollJitter:          s.PollJitter,
		BusyPoll:            s.BusyPoll,
		CreationGracePeriod: s.CreationGracePeriod,
		CacheSyncTimeout:    s.CacheSyncTimeout,
		PerNamespace:        s.MaxConcurrentReconcilesPerNamespace,
		LoopLimit:           s.UpdateLoopLimit,
		LoopWindow:          s.UpdateLoopWindow,
		Credentials:         creds,
		Secrets:             managedkind.NewSecretGuard(mgr.GetAPIReader()),
		Leases:              managedkind.NewLeases(mgr.GetClient(), mgr.GetAPIReader(), s.ClaimNamespace, s.MaxClaimsPerNamespace),
	}
	if s.ManagementPolicies {
		o.Features.Enable(feature.EnableBetaManagementPolicies)
	}

	if s.WebhookCertDir != "" {
		// Every replica serves it: the webhook reads nothing but the request, so no leader is needed.
		mgr.GetWebhookServer().Register(webhook.Path, webhook.Handler(plan.KindsOf(controllers.Kinds())))
	}

	if err := customresourcesgate.Setup(mgr, o.Options); err != nil {
		return nil, errors.Wrap(err, "cannot set up the CRD gate")
	}
	if err := controllers.SetupGated(mgr, o); err != nil {
		return nil, errors.Wrap(err, "cannot set up controllers")
	}
	// Once started, hand back the pages of the binary that only start-up used (see releaseStartupPages).
	if err := mgr.Add(manager.RunnableFunc(func(ctx context.Context) error {
		if mgr.GetCache().WaitForCacheSync(ctx) {
			if err := releaseStartupPages(); err != nil {
				log.Debug("cannot release the binary's start-up pages", "error", err)
			}
		}
		return nil
	})); err != nil {
		return nil, errors.Wrap(err, "cannot add the release of start-up pages")
	}
	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return nil, errors.Wrap(err, "cannot add health check")
	}
	// Ready only once the informers have synced: before that the provider would act on an empty cache.
	if err := mgr.AddReadyzCheck("informers", func(r *http.Request) error {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		if !mgr.GetCache().WaitForCacheSync(ctx) {
			return errors.New("informer caches are not synced")
		}
		return nil
	}); err != nil {
		return nil, errors.Wrap(err, "cannot add readiness check")
	}
	return mgr, nil
}

// newScheme holds every kind the provider reads: Kubernetes' own, the provider's, and CRDs (the safe-start gate).
// The cache's per-kind settings (cacheOptions) need them known before the manager is made.
func newScheme() (*runtime.Scheme, error) {
	sch := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, apis.AddToScheme, apiextensionsv1.AddToScheme} {
		if err := add(sch); err != nil {
			return nil, errors.Wrap(err, "cannot build the scheme")
		}
	}
	return sch, nil
}

// cacheOptions are the informers' settings. What the cache holds is most of the provider's memory, so it keeps
// only what is read: no object's managedFields (a third of a typical object; an update that omits them leaves
// the API server's copy as it was), and of the CRDs the safe-start gate watches — every CRD in the cluster, some
// with megabytes of schema — only names and conditions. Of the objects tenants write (every kind of the
// provider's API groups but the usages it writes itself), one whose metadata exceeds s.MaxMetadataBytes is kept
// as a stub, so that no tenant can fill the provider's memory with a few hundred objects at the API server's
// 1.5 MiB limit; their specs are bounded by the CRDs.
func cacheOptions(s Settings) cache.Options {
	return cache.Options{
		SyncPeriod: &s.SyncInterval,
		// Per kind by type, not through ByObject: a ByObject entry needs the kind's REST mapping when the manager
		// is made, and with the safe-start gate a kind's CRD may not exist yet.
		DefaultTransform: kube.TrimOversized(s.MaxMetadataBytes, tenantWritten, cache.TransformStripManagedFields()),
		ByObject: map[client.Object]cache.ByObject{
			&apiextensionsv1.CustomResourceDefinition{}: {Transform: customresourcesgate.TransformStripCRDSchema},
		},
	}
}

// tenantWritten reports whether o is of a kind tenants write and the provider reconciles: a managed resource or a
// config. The usages the provider writes itself, whose labels are how they are found, are not.
func tenantWritten(o any) bool {
	switch o.(type) {
	case resource.Managed, *v1alpha1.ProviderConfig, *v1alpha1.ClusterProviderConfig:
		return true
	}
	return false
}

// restConfig is cfg with the provider's client-side limit and request metric. controller-runtime sets no limit;
// without one a burst of thousands of resources can overload the API server. The limiter is one token bucket
// shared by every client made from the config: left to client-go, each REST client (one per resource kind in
// controller-runtime) builds its own from QPS and Burst, and --kube-qps would be a limit per kind.
func restConfig(cfg *rest.Config, s Settings) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = float32(s.KubeQPS), s.KubeBurst
	cfg.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(cfg.QPS, cfg.Burst)
	cfg.Wrap(pmetrics.CountKubeRequests)
	return cfg
}

// A listFlag is a repeatable, comma-separated string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			*l = append(*l, x)
		}
	}
	return nil
}

// A replacingListFlag is a listFlag whose first use replaces its default instead of adding to it.
type replacingListFlag struct {
	list *[]string
	set  bool
}

func (l *replacingListFlag) String() string {
	if l.list == nil {
		return ""
	}
	return strings.Join(*l.list, ",")
}

func (l *replacingListFlag) Set(v string) error {
	if !l.set {
		*l.list, l.set = nil, true
	}
	return (*listFlag)(l.list).Set(v)
}

// registerMetrics adds collectors to controller-runtime's registry, which the metrics endpoint serves. A collector
// registered before (a second manager in one test process) is kept.
func registerMetrics(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := metrics.Registry.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return errors.Wrap(err, "cannot register metrics")
			}
		}
	}
	return nil
}

// webhookServer is the admission webhook's server, or nil (none) without a certificate directory.
func webhookServer(s Settings) crwebhook.Server {
	if s.WebhookCertDir == "" {
		return nil
	}
	return crwebhook.NewServer(crwebhook.Options{Host: s.WebhookHost, Port: s.WebhookPort, CertDir: s.WebhookCertDir})
}
