package main

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

const floorNS = "floor"

// A snap is everything counted at one moment; figures are differences of two.
type snap struct {
	at       time.Time
	calls    int // proxy calls so far
	provider Sample
	api      Sample
	proc     ProcStat
	children map[string]float64
}

func (b *bench) snap(ctx context.Context) snap {
	s := snap{at: time.Now(), calls: b.proxy.Len(), children: childCPU()}
	s.api, _ = apiserverMetrics(ctx, b.kc)
	if pid := b.stack.ProviderPID(); pid != 0 {
		s.provider, _ = providerMetrics(b.stack.MetricsAddr)
		s.proc, _ = procStat(pid)
	}
	return s
}

// figures are one run's measurements, by figure ID (see figureTable).
type figures map[string]float64

// mrResources are the provider metric's resource labels of kinds (their status included).
func mrResources(kinds []kind) []string {
	var out []string
	for _, k := range kinds {
		out = append(out, strings.ToLower(k.gvk.Kind)+"s."+k.gvk.Group+"*")
	}
	return out
}

// kubeFigures records the provider's Kubernetes requests between two snaps, per unit (MRs, or MR-polls).
// own is how many requests the bench itself sent in the phase (its creates or deletes), which the API server's
// count includes.
func (b *bench) kubeFigures(f figures, p string, kinds []kind, before, after snap, per, own float64) {
	d := after.provider.Sub(before.provider)
	const m = "stateful_kube_requests_total"
	all := d.Sum(m)
	events := d.Sum(m, "resource=events")
	usages := d.Sum(m, "resource=providerconfigusages*") + d.Sum(m, "resource=clusterproviderconfigusages*")
	f[p+".kube_requests_per_mr"] = (all - events - usages) / per
	f[p+".events_per_mr"] = events / per
	f[p+".usage_requests_per_mr"] = usages / per
	writes := 0.0
	for _, r := range mrResources(kinds) {
		writes += d.Sum(m, "resource="+r, "verb=update") + d.Sum(m, "resource="+r, "verb=patch")
	}
	f[p+".mr_writes_per_mr"] = writes / per
	f[p+".secret_gets_per_mr"] = d.Sum(m, "resource=secrets", "verb=get") / per
	f[p+".lease_requests_per_mr"] = d.Sum(m, "resource=leases.coordination.k8s.io") / per
	f[p+".config_writes"] = d.Sum(m, "resource=clusterproviderconfigs*", "verb=update") + d.Sum(m, "resource=clusterproviderconfigs*", "verb=patch")
	f[p+".conflicts"] = d.Sum("rest_client_requests_total", "code=409")
	f[p+".reconciles"] = d.Sum("controller_runtime_reconcile_total")
	f[p+".config_reconciles"] = d.Sum("controller_runtime_reconcile_total", "controller=providerconfig*")
	f[p+".provider_cpu_s"] = after.proc.CPUSeconds - before.proc.CPUSeconds
	f[p+".apiserver_cpu_s"] = after.children["kube-apiserver"] - before.children["kube-apiserver"]
	f[p+".etcd_cpu_s"] = after.children["etcd"] - before.children["etcd"]
	f[p+".moto_cpu_s"] = after.children["moto_server"] - before.children["moto_server"]
	f[p+".bench_cpu_s"] = after.children["bench"] - before.children["bench"]
	f[p+".kcm_cpu_s"] = after.children["kube-controller"] - before.children["kube-controller"]
	api := after.api.Sub(before.api)
	f[p+".etcd_writes"] = api.Sum("etcd_requests_total", "operation=create") + api.Sum("etcd_requests_total", "operation=update") +
		api.Sum("etcd_requests_total", "operation=delete")
	// The provider's requests as the API server counts them: everything but watches, the bench's own requests
	// and the controller-manager's (few: it has no pods to manage).
	f[p+".apiserver_requests_per_mr"] = (api.Sum("apiserver_request_total", "verb=!WATCH") - own) / per
}

// cloudFigures records the cloud calls of a phase, per unit, by operation, and compares them with the
// provider's own call metric: a difference is a retry the SDK hid.
func (b *bench) cloudFigures(f figures, p string, before, after snap, per float64) []harness.Call {
	calls := b.proxy.Since(before.calls)
	calls = calls[:min(len(calls), after.calls-before.calls)]
	f[p+".cloud_calls_per_mr"] = float64(len(calls)) / per
	mut := 0
	for _, c := range calls {
		f[p+".op."+c.Operation] += 1 / per
		if harness.IsMutating(c.Operation) {
			mut++
		}
	}
	f[p+".cloud_mutating_per_mr"] = float64(mut) / per
	f[p+".provider_cloud_metric_per_mr"] = after.provider.Sub(before.provider).Sum("stateful_cloud_requests_total", "cloud=aws") / per
	return calls
}

// floorA is the control plane's own cost: the same apply with no provider running.
func (b *bench) floorA(ctx context.Context, f figures) error {
	bt := names(b.o.kinds, "floora", b.o.n)
	before := b.snap(ctx)
	if err := b.apply(ctx, floorNS, bt); err != nil {
		return err
	}
	after := b.snap(ctx)
	f["floor.a_s"] = after.at.Sub(before.at).Seconds()
	f["floor.a_apiserver_cpu_s"] = after.children["kube-apiserver"] - before.children["kube-apiserver"]
	if err := b.deleteAll(ctx, floorNS, b.o.kinds); err != nil {
		return err
	}
	_, err := b.waitGone(ctx, floorNS, b.o.kinds, time.Now(), 2*time.Minute)
	return err
}

// floorB is moto's cost: the minimal call sequence for every resource with a plain SDK loop, as many workers as
// the provider runs in total, no Kubernetes.
func (b *bench) floorB(ctx context.Context, f figures) error {
	bt := names(b.o.kinds, "floorb", b.o.n)
	before := b.snap(ctx)
	if err := parallel(bt, b.o.kinds, b.o.workers*len(b.o.kinds), func(k kind, name string) error {
		return k.floor(ctx, b.via, name)
	}); err != nil {
		return fmt.Errorf("floor (b): %w", err)
	}
	after := b.snap(ctx)
	f["floor.b_s"] = after.at.Sub(before.at).Seconds()
	f["floor.b_calls_per_mr"] = float64(after.calls-before.calls) / float64(b.o.n)
	calls := b.proxy.Since(before.calls)
	for k, v := range callsByKind(calls[:min(len(calls), after.calls-before.calls)], "floorb", bt) {
		f["floor.b."+k+".calls_per_mr"] = v
	}
	f["floor.b_moto_cpu_s"] = after.children["moto_server"] - before.children["moto_server"]
	// The floor's resources go, so that moto holds the same as in the provider's run.
	return parallel(bt, b.o.kinds, b.o.workers*len(b.o.kinds), func(k kind, name string) error {
		return k.remove(ctx, b.moto, name)
	})
}

// s0 starts the provider: time to healthy with synced caches, and idle memory.
func (b *bench) s0(_ context.Context, f figures) error {
	start := time.Now()
	if err := b.stack.StartProvider(); err != nil {
		return err
	}
	f["S0.start_s"] = time.Since(start).Seconds()
	// Idle: what the provider settles at with nothing to reconcile.
	time.Sleep(5 * time.Second)
	st, err := procStat(b.stack.ProviderPID())
	if err != nil {
		return err
	}
	f["S0.idle_rss_mib"] = st.RSSMiB
	f["S0.idle_rss_anon_mib"], f["S0.idle_rss_file_mib"] = st.AnonMiB, st.FileMiB
	f["S0.idle_cpu_s"] = st.CPUSeconds
	return nil
}

// peaks are the largest resident sizes sampled in a phase, MiB.
type peaks struct{ rss, anon, file float64 }

// samplePeak reads the provider's resident memory twice a second until the returned function is called, which
// gives the largest anonymous and file-backed parts seen (VmHWM has only their sum), and the largest VmRSS: the
// peak of a phase after the first, which VmHWM (since the process started) cannot tell.
func (b *bench) samplePeak() func() peaks {
	stop, done := make(chan struct{}), make(chan struct{})
	var p peaks
	go func() {
		defer close(done)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			if st, err := procStat(b.stack.ProviderPID()); err == nil {
				p = peaks{rss: max(p.rss, st.RSSMiB), anon: max(p.anon, st.AnonMiB), file: max(p.file, st.FileMiB)}
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() peaks {
		close(stop)
		<-done
		return p
	}
}

// s1 is the cold burst: every MR applied at once, until all are Ready.
func (b *bench) s1(ctx context.Context, f figures, bt batch) error {
	before := b.snap(ctx)
	applied := make(chan error, 1)
	go func() {
		applied <- b.apply(ctx, benchNS, bt)
	}()
	peak := b.samplePeak()
	makespan, byKind, err := b.waitReady(ctx, benchNS, b.o.kinds, bt.total(), before.at, b.o.timeout)
	p := peak()
	if err != nil {
		return err
	}
	b.keepTTR("S1", byKind)
	ttr := pooled(byKind)
	if err := <-applied; err != nil {
		return err
	}
	after := b.snap(ctx)
	n := float64(bt.total())
	f["S1.makespan_s"] = makespan.Seconds()
	f["S1.ttr_p50_s"] = quantile(ttr, 0.5)
	f["S1.ttr_p99_s"] = quantile(ttr, 0.99)
	f["S1.headline"] = makespan.Seconds() / (f["floor.a_s"] + f["floor.b_s"])
	f["S1.peak_rss_mib"] = after.proc.PeakMiB
	f["S1.peak_rss_anon_mib"], f["S1.peak_rss_file_mib"] = p.anon, p.file
	f["S1.heap_inuse_mib"] = after.provider["go_memstats_heap_inuse_bytes"] / (1 << 20)
	b.kubeFigures(f, "S1", b.o.kinds, before, after, n, n)
	calls := b.cloudFigures(f, "S1", before, after, n)
	f["S1.cloud_ratio_to_floor"] = f["S1.cloud_calls_per_mr"] / f["floor.b_calls_per_mr"]
	// Per kind, against each kind's floor: the chart of cloud calls draws them.
	for k, v := range callsByKind(calls, "bench", bt) {
		f["S1."+k+".cloud_calls_per_mr"] = v
	}
	// Where kube-apiserver's time went (request latency summed, watches apart): what a cut would save.
	var top []string
	for _, s := range after.api.Sub(before.api).By("apiserver_request_duration_seconds_sum", "verb", "resource", "subresource") {
		if !strings.HasPrefix(s.Key, "WATCH") && len(top) < 8 {
			top = append(top, fmt.Sprintf("%s %.1fs", s.Key, s.Value))
		}
	}
	b.say("S1 kube-apiserver request time: %s", strings.Join(top, ", "))
	return nil
}

// s2 is the steady state: after one poll to settle, steadyPolls polls of every MR in sync.
func (b *bench) s2(ctx context.Context, f figures, bt batch) error {
	b.say("S2 steady state: settling for one poll (%s), then measuring %d polls", b.o.poll+b.o.jitter, b.o.steadyPolls)
	settled, settledCalls := time.Now(), b.proxy.Len()
	sleepCtx(ctx, b.o.poll+b.o.jitter)
	rvBefore, err := b.resourceVersions(ctx)
	if err != nil {
		return err
	}
	before := b.snap(ctx)
	stopProfile := b.profileCPU("s2")
	window := time.Duration(b.o.steadyPolls) * b.o.poll
	for end := time.Now().Add(window); time.Now().Before(end) && ctx.Err() == nil; {
		b.progress("S2: %s of %s, %d cloud calls", time.Since(before.at).Round(time.Second), window, b.proxy.Len()-before.calls)
		sleepCtx(ctx, time.Second)
	}
	b.progressDone()
	stopProfile()
	b.profileHeap("s2")
	after := b.snap(ctx)
	rvAfter, err := b.resourceVersions(ctx)
	if err != nil {
		return err
	}
	changed := 0
	for k, v := range rvBefore {
		if rvAfter[k] != v {
			changed++
		}
	}
	mrPolls := float64(bt.total()) * float64(b.o.steadyPolls)
	calls := b.cloudFigures(f, "S2", before, after, mrPolls)
	b.kubeFigures(f, "S2", b.o.kinds, before, after, mrPolls, 0)
	f["S2.kube_writes_per_mr_poll"] = f["S2.mr_writes_per_mr"]
	f["S2.mrs_changed"] = float64(changed)
	f["S2.provider_cpu_s_per_1000_mr_poll"] = f["S2.provider_cpu_s"] / mrPolls * 1000
	// How often each MR was observed: its kind's per-observation read, counted per resource.
	seen := map[string]int{}
	for _, c := range calls {
		for _, k := range b.o.kinds {
			if c.Operation == k.pollOp {
				seen[c.Bucket]++
			}
		}
	}
	polls := 0
	for _, v := range seen {
		polls += v
	}
	if polls > 0 {
		f["S2.poll_interval_s"] = window.Seconds() * float64(bt.total()) / float64(polls)
	}
	// Every MR polled within interval + jitter (the jitter is ±): over the settling and the measured window, each
	// MR's longest time unobserved.
	ops := map[string]bool{}
	var all []string
	for _, k := range b.o.kinds {
		ops[k.pollOp] = true
		all = append(all, bt[k.name]...)
	}
	// The next poll's timer starts when a reconcile ends, and the gap is measured between two cloud reads, each a
	// few milliseconds into its reconcile: a second is allowed for the reconcile's own time.
	limit := b.o.poll + b.o.jitter
	longest, late := pollGaps(b.proxy.Since(settledCalls), ops, all, settled, after.at, limit+time.Second)
	f["S2.longest_poll_gap_s"] = longest.Seconds()
	f["S2.longest_poll_gap_over_ms"] = float64((longest - limit).Milliseconds())
	f["S2.mrs_polled_late"] = float64(late)
	return nil
}

// resourceVersions reads every bench MR from the API server (not the watch): what an in-sync poll must not change.
func (b *bench) resourceVersions(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	for _, k := range b.o.kinds {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(k.gvk.GroupVersion().WithKind(k.gvk.Kind + "List"))
		if err := b.kube.List(ctx, l, client.InNamespace(benchNS)); err != nil {
			return nil, err
		}
		for _, u := range l.Items {
			out[k.name+"/"+u.GetName()] = u.GetResourceVersion()
		}
	}
	return out, nil
}

// A drifted resource is one changed behind the provider's back, and how long the provider took to change it back.
type drifted struct {
	k    kind
	name string
	at   time.Time
	back time.Duration
}

// toDrift picks 1 % of the batch's resources (every hundredth of each kind, the first included).
func toDrift(kinds []kind, bt batch) []*drifted {
	var ds []*drifted
	for _, k := range kinds {
		for i := 0; i < len(bt[k.name]); i += 100 {
			ds = append(ds, &drifted{k: k, name: bt[k.name][i]})
		}
	}
	return ds
}

// drift changes every resource of ds behind the provider's back and waits until each is reverted (within a poll,
// its jitter and a minute), and returns the times to revert, sorted.
func (b *bench) drift(ctx context.Context, phase string, ds []*drifted) ([]float64, error) {
	for _, d := range ds {
		if err := d.k.drift(ctx, b.moto, d.name); err != nil {
			return nil, fmt.Errorf("cannot drift %s: %w", d.name, err)
		}
		d.at = time.Now()
	}
	deadline := time.Now().Add(b.o.poll + b.o.jitter + time.Minute)
	for left := len(ds); left > 0; {
		left = 0
		for _, d := range ds {
			if d.back != 0 {
				continue
			}
			if still, err := d.k.drifted(ctx, b.moto, d.name); err == nil && !still {
				d.back = time.Since(d.at)
				continue
			}
			left++
		}
		b.progress("%s: %d of %d drifted resources not reverted yet", phase, left, len(ds))
		if left > 0 && time.Now().After(deadline) {
			b.progressDone()
			return nil, fmt.Errorf("%s: %d drifted resources not reverted within %s", phase, left, b.o.poll+b.o.jitter+time.Minute)
		}
		sleepCtx(ctx, time.Second)
	}
	b.progressDone()
	var backs []float64
	for _, d := range ds {
		backs = append(backs, d.back.Seconds())
	}
	sort.Float64s(backs)
	return backs, ctx.Err()
}

// s4 drifts 1 % of the resources behind the provider's back and waits for each to be reverted.
func (b *bench) s4(ctx context.Context, f figures, bt batch) error {
	ds := toDrift(b.o.kinds, bt)
	before := b.snap(ctx)
	backs, err := b.drift(ctx, "S4", ds)
	if err != nil {
		return err
	}
	after := b.snap(ctx)
	set := map[string]bool{}
	for _, d := range ds {
		set[d.name] = true
	}
	f["S4.drifted"] = float64(len(ds))
	f["S4.revert_p50_s"] = quantile(backs, 0.5)
	f["S4.revert_max_s"] = backs[len(backs)-1]
	mine, others := 0, 0
	for _, c := range b.proxy.Since(before.calls)[:after.calls-before.calls] {
		if !harness.IsMutating(c.Operation) {
			continue
		}
		if set[c.Bucket] {
			mine++
		} else {
			others++
		}
	}
	f["S4.updates_per_drifted_mr"] = float64(mine) / float64(len(ds))
	f["S4.updates_to_others"] = float64(others)
	return nil
}

// s3 SIGKILLs the provider and restarts it: time until every MR has been observed again, and creates meanwhile.
func (b *bench) s3(ctx context.Context, f figures, bt batch) error {
	b.stack.KillProvider()
	from := b.proxy.Len()
	start := time.Now()
	if err := b.stack.StartProvider(); err != nil {
		return err
	}
	want := map[string]bool{}
	for _, v := range bt {
		for _, n := range v {
			want[n] = true
		}
	}
	deadline := time.Now().Add(b.o.timeout)
	seen := map[string]bool{}
	idx := from
	for len(seen) < len(want) {
		calls := b.proxy.Since(idx)
		idx += len(calls)
		for _, c := range calls {
			if want[c.Bucket] {
				seen[c.Bucket] = true
			}
		}
		b.progress("S3: %d of %d observed since the restart (%s)", len(seen), len(want), time.Since(start).Round(time.Second))
		if time.Now().After(deadline) {
			b.progressDone()
			return fmt.Errorf("S3: %d of %d observed after %s", len(seen), len(want), b.o.timeout)
		}
		sleepCtx(ctx, 200*time.Millisecond)
	}
	b.progressDone()
	f["S3.recovery_s"] = time.Since(start).Seconds()
	creates, mutating := 0, 0
	for _, c := range b.proxy.Since(from) {
		for _, k := range b.o.kinds {
			for _, op := range k.creates {
				if c.Operation == op {
					creates++
				}
			}
		}
		if harness.IsMutating(c.Operation) {
			mutating++
		}
	}
	f["S3.creates"] = float64(creates)
	f["S3.mutating_calls"] = float64(mutating)
	return nil
}

// s5 deletes every MR at once: time until all are gone, and cloud resources left behind.
func (b *bench) s5(ctx context.Context, f figures, bt batch) error {
	before := b.snap(ctx)
	if err := b.deleteAll(ctx, benchNS, b.o.kinds); err != nil {
		return err
	}
	took, err := b.waitGone(ctx, benchNS, b.o.kinds, before.at, b.o.timeout)
	if err != nil {
		return err
	}
	after := b.snap(ctx)
	n := float64(bt.total())
	f["S5.delete_s"] = took.Seconds()
	b.cloudFigures(f, "S5", before, after, n)
	b.kubeFigures(f, "S5", b.o.kinds, before, after, n, float64(len(b.o.kinds)))
	leaked := 0
	for _, k := range b.o.kinds {
		left, err := k.list(ctx, b.moto, "bench-")
		if err != nil {
			return err
		}
		leaked += len(left)
	}
	f["S5.leaked"] = float64(leaked)
	return nil
}

func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	return sorted[int(math.Ceil(q*float64(len(sorted))))-1]
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
