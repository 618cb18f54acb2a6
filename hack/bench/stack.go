package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
	"github.com/stateful-dev/provider-stateful/internal/devstack/stack"
)

// A bench is one run: the local stack with the provider as a process, moto behind the counting proxy, and a
// watch on the managed resources (the bench's own requests: one list and one watch per kind).
type bench struct {
	o     options
	stack *stack.Stack
	proxy *harness.Proxy // in front of moto: every AWS call the provider (and the floor) makes
	kube  client.Client
	kc    kubernetes.Interface
	cache cache.Cache
	moto  *clouds // straight to moto, uncounted
	via   *clouds // through the proxy
	say   func(string, ...any)
	// ttr is each phase's time to Ready by kind ("S1.bucket"), for the report's chart.
	ttr map[string]hist
}

const benchNS = "bench"

// install copies the provider binary into the run's folder, as a package install writes it (an image layer is
// extracted with write()). Run from the linker's own output file, the same binary showed about 12 MiB more resident
// memory for its package init alone (71 vs 59 MiB for --help, /usr/bin/time, at least 3 runs each) — likely because
// the linker writes through a memory mapping and the page cache then holds the file in large folios the kernel maps
// whole (smaps showed 2 MiB FilePmdMapped pages); a copy is what a cluster runs.
func install(src, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer func() { _ = in.Close() }()
	dst := filepath.Join(dir, "provider")
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755) //nolint:gosec // An executable, as go build writes it.
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return "", err
	}
	return dst, out.Close()
}

// accepts reports whether the provider binary bin knows flag (an older one exits with a usage error).
func accepts(ctx context.Context, bin, flag string) bool {
	return exec.CommandContext(ctx, bin, flag, "--version").Run() == nil
}

func startBench(ctx context.Context, o options, dir string, say func(string, ...any)) (*bench, error) {
	ports := make([]int, 6)
	for i := range ports {
		p, err := harness.FreePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	args := append([]string{
		"--poll=" + o.poll.String(), "--poll-jitter=" + o.jitter.String(),
		fmt.Sprintf("--max-concurrent-reconciles=%d", o.workers),
		fmt.Sprintf("--pprof-bind-address=127.0.0.1:%d", ports[5]),
	}, o.providerArgs...)
	bin, err := install(o.provider, dir)
	if err != nil {
		return nil, err
	}
	if unbounded := "--max-claims-per-namespace=0"; accepts(ctx, bin, unbounded) {
		// Every burst is in one namespace, thousands of resources where a team's is expected to hold 250: the
		// per-namespace bound on claims would refuse most of it. An older binary (an A/B run) has no bound.
		args = append([]string{unbounded}, args...)
	}
	lo := stack.Options{
		Dir: dir, Provider: bin, ProviderArgs: args, DeferProvider: true,
		MotoPort: ports[0], StrictMotoPort: ports[1], VaultAddr: fmt.Sprintf("127.0.0.1:%d", ports[2]),
		Log: func(string, ...any) {}, ProviderEnv: o.providerEnv,
	}
	if o.scenarios["mixed"] {
		lo.PubSubPort, lo.StoragePort = ports[3], ports[4]
	}
	s, err := stack.Start(ctx, lo)
	if err != nil {
		return nil, err
	}
	b := &bench{o: o, stack: s, say: say}
	b.o.pprofAddr = fmt.Sprintf("127.0.0.1:%d", ports[5])
	if err := b.setup(ctx); err != nil {
		b.stop()
		return nil, err
	}
	return b, nil
}

func (b *bench) setup(ctx context.Context) error {
	var err error
	if b.proxy, err = harness.StartProxy(b.stack.MotoURL); err != nil {
		return err
	}
	b.moto, b.via = newClouds(b.stack.MotoURL), newClouds(b.proxy.URL)
	cfg := rest.CopyConfig(b.stack.Config)
	// The bench applies as fast as the API server takes it: its own limit must not be what is measured.
	cfg.QPS, cfg.Burst = 2000, 4000
	if b.kube, err = client.New(cfg, client.Options{}); err != nil {
		return err
	}
	if b.kc, err = kubernetes.NewForConfig(cfg); err != nil {
		return err
	}
	if b.cache, err = cache.New(cfg, cache.Options{Scheme: runtime.NewScheme(), DefaultTransform: cache.TransformStripManagedFields()}); err != nil {
		return err
	}
	watched := b.o.kinds
	if b.o.scenarios["mixed"] {
		watched = mixedKinds
	}
	for _, k := range watched {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(k.gvk)
		if _, err := b.cache.GetInformer(ctx, u); err != nil {
			return err
		}
	}
	go func() { _ = b.cache.Start(ctx) }()
	if !b.cache.WaitForCacheSync(ctx) {
		return fmt.Errorf("the bench's watch did not sync")
	}
	objs := []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: benchNS}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: floorNS}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: mixedNS}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: calmNS}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: hostileNS}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: stack.CrossplaneNamespace, Name: "aws-creds"}, StringData: map[string]string{
			"access_key_id": "AKIALOCALSTACKEXAMPLE", "secret_access_key": "local-stack-not-a-secret",
		}},
	}
	for _, o := range objs {
		if err := b.kube.Create(ctx, o); err != nil {
			return err
		}
	}
	// The ClusterProviderConfig every bench MR uses (no providerConfigRef): static keys, moto through the proxy.
	pc := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "stateful.dev/v1alpha1", "kind": "ClusterProviderConfig",
		"metadata": map[string]any{"name": "default"},
		"spec": map[string]any{
			// Not the hostile tenant's namespace: its resources use its own ProviderConfigs.
			"allowedNamespaces": map[string]any{"names": []any{benchNS, mixedNS, calmNS}},
			"aws": map[string]any{
				"credentials": map[string]any{"source": "Secret", "secretRef": map[string]any{"namespace": stack.CrossplaneNamespace, "name": "aws-creds"}},
				"endpoint":    map[string]any{"url": b.proxy.URL, "s3UsePathStyle": true},
			},
		},
	}}
	if b.stack.PubSub != nil {
		// The GCP emulators (with the mixed burst): the key Secret the local stack made, never sent.
		_ = unstructured.SetNestedMap(pc.Object, map[string]any{
			"projectID": "local-project",
			"credentials": map[string]any{
				"source":    "Secret",
				"secretRef": map[string]any{"namespace": stack.CrossplaneNamespace, "name": "gcp-key", "key": "key.json"},
			},
			"endpoints": map[string]any{
				"storage": b.stack.Storage.URL + "/storage/v1/",
				"pubsub":  map[string]any{"address": b.stack.PubSub.Addr, "insecure": true},
			},
		}, "spec", "gcp")
	}
	return b.kube.Create(ctx, pc)
}

func (b *bench) stop() {
	if b.proxy != nil {
		b.proxy.Close()
	}
	b.stack.Stop()
}

// mr is the manifest of one managed resource of kind k.
func mr(k kind, ns, name string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"metadata": map[string]any{"namespace": ns, "name": name},
		"spec":     map[string]any{"forProvider": k.spec(name)},
	}}
	u.SetGroupVersionKind(k.gvk)
	return u
}

// A batch is the names of a burst, by kind: n resources split evenly over the kinds.
type batch map[string][]string

func names(kinds []kind, prefix string, n int) batch {
	out := batch{}
	for i := 0; i < n; i++ {
		k := kinds[i%len(kinds)]
		out[k.name] = append(out[k.name], fmt.Sprintf("%s-%s-%05d", prefix, k.name, i))
	}
	return out
}

func (bt batch) total() int {
	n := 0
	for _, v := range bt {
		n += len(v)
	}
	return n
}

// parallel runs fn for every name of the batch on w workers, and returns the first error.
func parallel(bt batch, kinds []kind, w int, fn func(k kind, name string) error) error {
	type job struct {
		k    kind
		name string
	}
	jobs := make(chan job)
	var first atomic.Value
	var wg sync.WaitGroup
	for i := 0; i < w; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := fn(j.k, j.name); err != nil {
					first.CompareAndSwap(nil, err)
				}
			}
		}()
	}
	// Interleave the kinds, as a Git sync of a mixed folder would.
	for i := 0; ; i++ {
		sent := false
		for _, k := range kinds {
			if i < len(bt[k.name]) {
				jobs <- job{k, bt[k.name][i]}
				sent = true
			}
		}
		if !sent {
			break
		}
	}
	close(jobs)
	wg.Wait()
	if err, ok := first.Load().(error); ok {
		return err
	}
	return nil
}

// apply creates the batch's managed resources in ns with the bench's apply workers.
func (b *bench) apply(ctx context.Context, ns string, bt batch) error {
	return parallel(bt, b.o.kinds, applyWorkers, func(k kind, name string) error {
		return b.kube.Create(ctx, mr(k, ns, name))
	})
}

// applyWorkers is how many creates the bench sends at once: Argo CD's and Flux's appliers run a few in parallel.
const applyWorkers = 20

// listMRs returns the watch's copy of every managed resource of kinds in ns.
func (b *bench) listMRs(ctx context.Context, ns string, kinds []kind) []unstructured.Unstructured {
	var out []unstructured.Unstructured
	for _, k := range kinds {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(k.gvk.GroupVersion().WithKind(k.gvk.Kind + "List"))
		// No deep copies: the bench only reads them, twice a second, and its CPU is taken from what it measures.
		if err := b.cache.List(ctx, l, client.InNamespace(ns), client.UnsafeDisableDeepCopy); err == nil {
			out = append(out, l.Items...)
		}
	}
	return out
}

func ready(u unstructured.Unstructured) (bool, time.Time) {
	conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "Ready" && m["status"] == "True" {
			t, _ := time.Parse(time.RFC3339, fmt.Sprint(m["lastTransitionTime"]))
			return true, t
		}
	}
	return false, time.Time{}
}

// waitReady waits until want resources of ns are Ready, printing progress, and returns when the last became so
// (as the watch saw it) and each one's time to Ready (Ready's lastTransitionTime − creationTimestamp), sorted, by
// kind name.
func (b *bench) waitReady(
	ctx context.Context, ns string, kinds []kind, want int, start time.Time, timeout time.Duration,
) (time.Duration, map[string][]float64, error) {
	deadline, calls := time.Now().Add(timeout), b.proxy.Len()
	for {
		items := b.listMRs(ctx, ns, kinds)
		n := 0
		for _, u := range items {
			if ok, _ := ready(u); ok {
				n++
			}
		}
		b.progress("%s: %d/%d Ready after %s, %d cloud calls", ns, n, want, time.Since(start).Round(time.Second), b.proxy.Len()-calls)
		if n >= want {
			makespan := time.Since(start)
			ttr := map[string][]float64{}
			// Listed again by kind: the watch's objects are shared with its cache, and a list item's kind is
			// its list's.
			for _, k := range kinds {
				for _, u := range b.listMRs(ctx, ns, []kind{k}) {
					_, t := ready(u)
					ttr[k.name] = append(ttr[k.name], t.Sub(u.GetCreationTimestamp().Time).Seconds())
				}
				sort.Float64s(ttr[k.name])
			}
			b.progressDone()
			b.slowest(items, start)
			return makespan, ttr, nil
		}
		if time.Now().After(deadline) {
			b.progressDone()
			return 0, nil, fmt.Errorf("%w: %d of %d after %s (see %s)", errNotReady, n, want, timeout, filepath.Join(b.stack.Dir(), "provider.log"))
		}
		select {
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// pooled is every value of byKind, sorted.
func pooled(byKind map[string][]float64) []float64 {
	var out []float64
	for _, v := range byKind {
		out = append(out, v...)
	}
	sort.Float64s(out)
	return out
}

// slowest logs, for the five MRs that took longest, when each step of their first reconciles happened (seconds
// after start): a tail longer than the spread of the rest is a delay worth finding.
func (b *bench) slowest(items []unstructured.Unstructured, start time.Time) {
	at := func(u unstructured.Unstructured) time.Time { _, t := ready(u); return t }
	sort.Slice(items, func(i, j int) bool { return at(items[i]).After(at(items[j])) })
	since := func(v string) string {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return "-"
		}
		return fmt.Sprintf("%.0f", t.Sub(start).Seconds())
	}
	for _, u := range items[:min(5, len(items))] {
		a := u.GetAnnotations()
		b.say("slowest: %s/%s created %s, create-pending %s, create-succeeded %s, Ready %s", u.GetKind(), u.GetName(),
			since(u.GetCreationTimestamp().UTC().Format(time.RFC3339)), since(a["crossplane.io/external-create-pending"]),
			since(a["crossplane.io/external-create-succeeded"]), since(at(u).UTC().Format(time.RFC3339)))
	}
}

// waitGone waits until ns holds no managed resources of kinds.
func (b *bench) waitGone(ctx context.Context, ns string, kinds []kind, start time.Time, timeout time.Duration) (time.Duration, error) {
	deadline := time.Now().Add(timeout)
	for {
		n := len(b.listMRs(ctx, ns, kinds))
		b.progress("%s: %d left after %s", ns, n, time.Since(start).Round(time.Second))
		if n == 0 {
			b.progressDone()
			return time.Since(start), nil
		}
		if time.Now().After(deadline) {
			b.progressDone()
			return 0, fmt.Errorf("%d managed resources of %s left after %s", n, ns, timeout)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// deleteAll deletes every managed resource of kinds in ns, a collection per kind.
func (b *bench) deleteAll(ctx context.Context, ns string, kinds []kind) error {
	for _, k := range kinds {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(k.gvk)
		if err := b.kube.DeleteAllOf(ctx, u, client.InNamespace(ns)); err != nil {
			return err
		}
	}
	return nil
}

var lastProgress time.Time

// progress rewrites one status line, at most once a second.
func (b *bench) progress(f string, a ...any) {
	if time.Since(lastProgress) < time.Second {
		return
	}
	lastProgress = time.Now()
	fmt.Printf("\r\033[K    "+f, a...)
}

func (b *bench) progressDone() {
	lastProgress = time.Time{}
	fmt.Print("\r\033[K")
}
