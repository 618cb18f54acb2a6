package main

import (
	"context"
	"encoding/pem"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/gcptest"
	"github.com/stateful-dev/provider-stateful/internal/devstack/hostile"
)

// SH's two tenants: the hostile one, whose namespaced ProviderConfigs aim the provider at hostile servers, and the
// well-behaved one, whose burst through the default ClusterProviderConfig is measured meanwhile.
const hostileNS, calmNS = "bench-hostile", "bench-calm"

// hostileSettle is how long the hostile resources get to show their failure before the calm burst starts: a
// tarpitted call gives up after bounded.CallTimeout (20 s), the SDKs retry, and the resources are queued behind
// the per-namespace cap on concurrent reconciles.
const hostileSettle = 3 * time.Minute

// hostileModes are how package hostile's servers answer, by the name the scenario's configs and resources carry.
var hostileModes = []struct {
	name string
	mode hostile.Mode
}{{"endless", hostile.Endless}, {"tarpit", hostile.Tarpit}, {"redirect", hostile.Redirect}}

// A hostileMR is one resource of the hostile tenant: its kind, its name, and the ProviderConfig it uses, which
// aims api ("aws": the AWS endpoint; "vault": the Vault address its AWS keys come from; "gcs": the Cloud Storage
// endpoint) at the server of mode.
type hostileMR struct {
	k          kind
	name       string
	api, mode  string
	configName string
}

// hostilePlan spreads k resources round-robin over every way the scenario has to aim a resource at a hostile
// server — AWS endpoint (S3 Buckets and SQS Queues), Vault address (S3 Buckets), Cloud Storage endpoint (GCS
// Buckets), each in every mode — so that each way gets its share however small k is.
func hostilePlan(k int) []hostileMR {
	type way struct {
		api string
		k   kind
	}
	ways := []way{{"aws", bucketKind}, {"aws", queueKind}, {"vault", bucketKind}, {"gcs", gcsBucketKind}}
	out := make([]hostileMR, 0, k)
	for i := 0; i < k; i++ {
		m := hostileModes[i%len(hostileModes)].name
		w := ways[(i/len(hostileModes))%len(ways)]
		out = append(out, hostileMR{
			k: w.k, api: w.api, mode: m, configName: w.api + "-" + m,
			name: fmt.Sprintf("hostile-%s-%s-%s-%03d", w.api, m, w.k.name, i),
		})
	}
	return out
}

// hostileServers are the scenario's hostile endpoints: plain http for the cloud endpoints, TLS for Vault (a
// namespaced config's Vault address must be https), and where the redirects point.
type hostileServers struct {
	plain, tls map[string]*hostile.Server
	rec        *hostile.Recorder
}

func startHostile() *hostileServers {
	h := &hostileServers{plain: map[string]*hostile.Server{}, tls: map[string]*hostile.Server{}, rec: hostile.StartRecorder()}
	for _, m := range hostileModes {
		h.plain[m.name], h.tls[m.name] = hostile.Start(m.mode, false), hostile.Start(m.mode, true)
		// Longer than a provider pod's memory limit (256 MiB): endless, to a client that reads it all.
		h.plain[m.name].Limit, h.tls[m.name].Limit = 256<<20, 256<<20
		h.plain[m.name].Location, h.tls[m.name].Location = h.rec.URL+"/", h.rec.URL+"/v1/secret/data/app"
	}
	return h
}

func (h *hostileServers) close() {
	for _, m := range hostileModes {
		h.plain[m.name].Close()
		h.tls[m.name].Close()
	}
	h.rec.Close()
}

// requests and written are what the servers received and wrote (endless bodies), over all modes.
func (h *hostileServers) requests() (n, written int64) {
	for _, s := range []map[string]*hostile.Server{h.plain, h.tls} {
		for _, m := range hostileModes {
			n += s[m.name].Requests.Load()
			written += s[m.name].Written.Load()
		}
	}
	return n, written
}

// toUnstructured is obj as the bench's client sends it (its scheme knows only Kubernetes' own types), without
// the status the typed object always has.
func toUnstructured(obj runtime.Object, gvk schema.GroupVersionKind) (*unstructured.Unstructured, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	delete(m, "status")
	u := &unstructured.Unstructured{Object: m}
	u.SetGroupVersionKind(gvk)
	return u, nil
}

// hostileTenant makes the hostile tenant's Secrets and its nine ProviderConfigs: for each mode one aiming the AWS
// endpoint, one the Vault address (with the TLS server's certificate as its CA, so that the hostile answer is
// what the provider gets, not a TLS error), one the Cloud Storage endpoint. The test/integration hostile test's
// configs, as a tenant would write them.
func (b *bench) hostileTenant(ctx context.Context, h *hostileServers) error {
	key, err := gcptest.NewKey("evil@local-project.iam.gserviceaccount.com")
	if err != nil {
		return err
	}
	// Every httptest TLS server has the same certificate.
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.tls["tarpit"].Certificate().Raw})
	objs := []client.Object{
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: hostileNS, Name: "creds"}, StringData: map[string]string{
			"access_key_id": "AKIALOCALSTACKEXAMPLE", "secret_access_key": "local-stack-not-a-secret",
		}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: hostileNS, Name: "gcp-key"}, Data: map[string][]byte{"key.json": key}},
		&corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: hostileNS, Name: "vault"},
			Data:       map[string][]byte{"ca.crt": ca, "token": []byte("hostile-tenant-token")},
		},
	}
	for _, m := range hostileModes {
		url := h.plain[m.name].URL
		specs := map[string]v1alpha1.ProviderConfigSpec{
			"aws-" + m.name: {AWS: &v1alpha1.AWSConfig{
				Credentials: v1alpha1.AWSCredentials{Source: v1alpha1.AWSCredentialsSecret, SecretRef: &v1alpha1.AWSSecretCredentials{Name: "creds"}},
				Endpoint:    &v1alpha1.AWSEndpoint{URL: url, S3UsePathStyle: true},
			}},
			"gcs-" + m.name: {GCP: &v1alpha1.GCPConfig{
				ProjectID: "local-project",
				Credentials: v1alpha1.GCPCredentials{
					Source:    v1alpha1.GCPCredentialsSecret,
					SecretRef: &v1alpha1.SecretKeySelector{Name: "gcp-key", Key: "key.json"},
				},
				Endpoints: &v1alpha1.GCPEndpoints{Storage: ptr.To(url + "/storage/v1/")},
			}},
			"vault-" + m.name: {
				Vault: &v1alpha1.VaultConfig{
					Address:  h.tls[m.name].URL,
					CABundle: &v1alpha1.SecretKeySelector{Name: "vault", Key: "ca.crt"},
					Auth:     v1alpha1.VaultAuth{Token: &v1alpha1.VaultTokenAuth{SecretRef: v1alpha1.SecretKeySelector{Name: "vault", Key: "token"}}},
				},
				// Never reached (the keys never come), and straight to moto: the proxy counts the calm tenant only.
				AWS: &v1alpha1.AWSConfig{
					Credentials: v1alpha1.AWSCredentials{
						Source: v1alpha1.AWSCredentialsVault,
						Vault:  &v1alpha1.AWSVaultCredentials{KV: &v1alpha1.VaultKVAWSCredentials{Path: "aws/evil"}},
					},
					Endpoint: &v1alpha1.AWSEndpoint{URL: b.stack.MotoURL, S3UsePathStyle: true},
				},
			},
		}
		for name, spec := range specs {
			pc := &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: hostileNS, Name: name}, Spec: spec}
			u, err := toUnstructured(pc, v1alpha1.ProviderConfigGroupVersionKind)
			if err != nil {
				return err
			}
			objs = append(objs, u)
		}
	}
	for _, o := range objs {
		if err := b.kube.Create(ctx, o); err != nil {
			return fmt.Errorf("hostile tenant: %w", err)
		}
	}
	return nil
}

// hostileObjects lists the hostile tenant's resources from the API server (not the bench's watch, which does not
// watch every kind they are), a list per kind.
func (b *bench) hostileObjects(ctx context.Context, plan []hostileMR) ([]unstructured.Unstructured, error) {
	var out []unstructured.Unstructured
	listed := map[schema.GroupVersionKind]bool{}
	for _, m := range plan {
		if listed[m.k.gvk] {
			continue
		}
		listed[m.k.gvk] = true
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(m.k.gvk.GroupVersion().WithKind(m.k.gvk.Kind + "List"))
		if err := b.kube.List(ctx, l, client.InNamespace(hostileNS)); err != nil {
			return nil, err
		}
		out = append(out, l.Items...)
	}
	return out, nil
}

// conditionOf is the status and reason of u's condition of type t ("-" when u has none).
func conditionOf(u unstructured.Unstructured, t string) string {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		if m, _ := c.(map[string]any); m["type"] == t {
			return fmt.Sprintf("%v/%v", m["status"], m["reason"])
		}
	}
	return "-"
}

// hostileState is what a hostile resource shows: its Ready and Synced conditions, status and reason.
func hostileState(u unstructured.Unstructured) string {
	return "Ready=" + conditionOf(u, "Ready") + " Synced=" + conditionOf(u, "Synced")
}

// failing reports whether a hostile resource shows its failure: Synced False.
func failing(state string) bool { return strings.Contains(state, "Synced=False/") }

// A hostileSummary judges the hostile tenant's resources at the end of SH against what they showed before the
// calm burst.
type hostileSummary struct {
	// ready are Ready: none may be, their endpoints answer nothing a resource could be made of.
	ready int
	// notFailing do not show their failure (Synced False) at the end.
	notFailing int
	// changed were failing before and after and changed state in between: the reason must be stable (the same
	// failure, not a resource cycling through states, nor a message that grows).
	changed int
	// states counts the resources by their state at the end, for the log.
	states map[string]int
}

// summarize compares the hostile resources' states before and after (by name).
func summarize(before, after map[string]string) hostileSummary {
	s := hostileSummary{states: map[string]int{}}
	for name, st := range after {
		s.states[st]++
		if strings.HasPrefix(st, "Ready=True/") {
			s.ready++
		}
		if !failing(st) {
			s.notFailing++
			continue
		}
		if was, ok := before[name]; ok && failing(was) && was != st {
			s.changed++
		}
	}
	return s
}

func (s hostileSummary) String() string {
	var parts []string
	for st, n := range s.states {
		parts = append(parts, fmt.Sprintf("%d %s", n, st))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// hostileStates reads the hostile resources' states by name.
func (b *bench) hostileStates(ctx context.Context, plan []hostileMR) (map[string]string, error) {
	objs, err := b.hostileObjects(ctx, plan)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, u := range objs {
		out[u.GetName()] = hostileState(u)
	}
	return out, nil
}

// sh is the hostile tenant: K resources whose namespaced ProviderConfigs aim the provider at an endless body, a
// tarpit and a redirect to plain http, while the well-behaved tenant's burst of N — S1's, in a namespace of its
// own — is applied, becomes Ready and has 1 % drifted and reverted. What the other tenants get must not change
// (compare S1 and S4 of the same run), the provider's memory must stay bounded, and the hostile resources must
// fail, each with a stable reason. The test/integration TestHostileTenantCannotTakeTheProviderDown, at scale.
func (b *bench) sh(ctx context.Context, f figures) error {
	h := startHostile()
	defer h.close()
	peak := b.samplePeak()
	var p peaks
	stopped := false
	stopPeak := func() {
		if !stopped {
			p, stopped = peak(), true
		}
	}
	defer stopPeak()
	if err := b.hostileTenant(ctx, h); err != nil {
		return err
	}
	plan := hostilePlan(b.o.hostile)
	for _, m := range plan {
		u := mr(m.k, hostileNS, m.name)
		_ = unstructured.SetNestedMap(u.Object, map[string]any{"kind": "ProviderConfig", "name": m.configName}, "spec", "providerConfigRef")
		if err := b.kube.Create(ctx, u); err != nil {
			return err
		}
	}
	// The hostile phase is on once every hostile resource shows its failure, or hostileSettle has passed.
	settle := time.Now()
	var before map[string]string
	for {
		var err error
		if before, err = b.hostileStates(ctx, plan); err != nil {
			return err
		}
		n := 0
		for _, st := range before {
			if failing(st) {
				n++
			}
		}
		b.progress("SH: %d of %d hostile resources failing after %s", n, len(plan), time.Since(settle).Round(time.Second))
		if n == len(plan) || time.Since(settle) > hostileSettle || ctx.Err() != nil {
			break
		}
		sleepCtx(ctx, time.Second)
	}
	b.progressDone()
	f["SH.hostile_n"] = float64(len(plan))
	f["SH.hostile_settle_s"] = time.Since(settle).Seconds()

	// The calm tenant's burst, as S1's.
	bt := names(b.o.kinds, "calm", b.o.n)
	start := b.snap(ctx)
	applied := make(chan error, 1)
	go func() { applied <- b.apply(ctx, calmNS, bt) }()
	makespan, byKind, err := b.waitReady(ctx, calmNS, b.o.kinds, bt.total(), start.at, b.o.timeout)
	if err != nil {
		return err
	}
	if err := <-applied; err != nil {
		return err
	}
	ready := b.snap(ctx)
	b.keepTTR("SH", byKind)
	ttr := pooled(byKind)
	f["SH.makespan_s"] = makespan.Seconds()
	if s1 := f["S1.makespan_s"]; s1 > 0 {
		f["SH.makespan_ratio_to_s1"] = makespan.Seconds() / s1
	}
	f["SH.ttr_p50_s"] = quantile(ttr, 0.5)
	f["SH.ttr_p99_s"] = quantile(ttr, 0.99)
	// By the resources the calls are about: the bench namespace's MRs, when S5 has not deleted them, are polled
	// through the same proxy meanwhile.
	calls := b.proxy.Since(start.calls)
	total := 0.0
	for k, v := range callsByKind(calls[:min(len(calls), ready.calls-start.calls)], "calm", bt) {
		total += v * float64(len(bt[k]))
	}
	f["SH.cloud_calls_per_mr"] = total / float64(bt.total())

	// Drift, as S4's.
	ds := toDrift(b.o.kinds, bt)
	backs, err := b.drift(ctx, "SH", ds)
	if err != nil {
		return err
	}
	f["SH.drifted"] = float64(len(ds))
	f["SH.revert_p50_s"] = quantile(backs, 0.5)
	f["SH.revert_max_s"] = backs[len(backs)-1]

	after, err := b.hostileStates(ctx, plan)
	if err != nil {
		return err
	}
	stopPeak()
	end := b.snap(ctx)
	f["SH.peak_rss_mib"] = p.rss
	f["SH.provider_cpu_s"] = end.proc.CPUSeconds - start.proc.CPUSeconds
	s := summarize(before, after)
	f["SH.hostile_ready"] = float64(s.ready)
	f["SH.hostile_not_failing"] = float64(s.notFailing)
	f["SH.hostile_reason_changed"] = float64(s.changed)
	n, written := h.requests()
	f["SH.hostile_requests"] = float64(n)
	f["SH.hostile_written_mib"] = float64(written) / (1 << 20)
	f["SH.redirects_followed"] = float64(len(h.rec.Requests()))
	b.say("SH hostile resources: %s", s)

	// Leave the stack as found: the hostile resources paused (they could never be deleted: their endpoints
	// answer no delete) and gone, the calm tenant's deleted.
	for _, m := range plan {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(m.k.gvk)
		u.SetNamespace(hostileNS)
		u.SetName(m.name)
		patch := []byte(`{"metadata":{"annotations":{"crossplane.io/paused":"true"},"finalizers":null}}`)
		if err := b.kube.Patch(ctx, u, client.RawPatch(types.MergePatchType, patch)); err != nil {
			return err
		}
		if err := client.IgnoreNotFound(b.kube.Delete(ctx, u)); err != nil {
			return err
		}
	}
	if err := b.deleteAll(ctx, calmNS, b.o.kinds); err != nil {
		return err
	}
	_, err = b.waitGone(ctx, calmNS, b.o.kinds, time.Now(), b.o.timeout)
	return err
}
