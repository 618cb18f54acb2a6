package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"time"
)

// A figure is one reported measurement: what it is, and the target it is held to (none when empty).
type figure struct {
	id, what, target string
	// ok judges a run's value; nil when there is no target.
	ok func(v float64) bool
}

func atMost(x float64) func(float64) bool { return func(v float64) bool { return v <= x } }

// figureTable is every figure in the order docs/benchmarks/BENCHMARKS.md gives them. Targets:
// ../shared/docs/benchmark.md and issue 12.
var figureTable = []figure{
	{id: "floor.a_s", what: "floor (a): the same apply with no provider, s"},
	{id: "floor.a_apiserver_cpu_s", what: "floor (a): kube-apiserver CPU, s"},
	{id: "floor.b_s", what: "floor (b): minimal SDK calls against moto, no Kubernetes, s"},
	{id: "floor.b_calls_per_mr", what: "floor (b): cloud calls per resource"},
	{id: "S0.start_s", what: "S0: start to ready (caches synced), s"},
	{id: "S0.idle_rss_mib", what: "S0: idle RSS, MiB"},
	{id: "S0.idle_rss_anon_mib", what: "S0: of which anonymous (heap, stacks, runtime), MiB"},
	{id: "S0.idle_rss_file_mib", what: "S0: of which file-backed (the binary's pages), MiB"},
	{id: "S1.makespan_s", what: "S1: time to all Ready, s"},
	{id: "S1.headline", what: "S1: time to all Ready ÷ (a + b)", target: "≤ 2", ok: atMost(2)},
	{id: "S1.ttr_p50_s", what: "S1: time to Ready p50, s"},
	{id: "S1.ttr_p99_s", what: "S1: time to Ready p99, s"},
	{id: "S1.cloud_calls_per_mr", what: "S1: cloud calls per MR to Ready (proxy)"},
	{id: "S1.provider_cloud_metric_per_mr", what: "S1: the same, by the provider's own metric (a difference: hidden retries)"},
	{id: "S1.cloud_ratio_to_floor", what: "S1: cloud calls ÷ floor (b)'s", target: "≤ 1.5", ok: atMost(1.5)},
	{id: "S1.kube_requests_per_mr", what: "S1: the provider's Kubernetes requests per MR (events and usages apart)", target: "≤ 8", ok: atMost(8)},
	{id: "S1.mr_writes_per_mr", what: "S1: writes to the MR per MR (update/patch, status included)", target: "≤ 5", ok: atMost(5)},
	{id: "S1.secret_gets_per_mr", what: "S1: Secret GETs per MR"},
	{id: "S1.lease_requests_per_mr", what: "S1: claim Lease requests per MR"},
	{id: "S1.events_per_mr", what: "S1: events per MR"},
	{id: "S1.usage_requests_per_mr", what: "S1: ProviderConfigUsage requests per MR"},
	{id: "S1.apiserver_requests_per_mr", what: "S1: requests per MR as kube-apiserver counts them (watches and the bench's creates apart)"},
	{id: "S1.conflicts", what: "S1: update conflicts (409)"},
	{id: "S1.reconciles", what: "S1: reconciles"},
	{id: "S1.config_reconciles", what: "S1: ProviderConfig controller reconciles"},
	{id: "S1.config_writes", what: "S1: writes to the ClusterProviderConfig", target: "a few", ok: atMost(10)},
	{id: "S1.provider_cpu_s", what: "S1: provider CPU, s"},
	{id: "S1.apiserver_cpu_s", what: "S1: kube-apiserver CPU, s"},
	{id: "S1.etcd_cpu_s", what: "S1: etcd CPU, s"},
	{id: "S1.moto_cpu_s", what: "S1: moto CPU, s"},
	{id: "S1.kcm_cpu_s", what: "S1: kube-controller-manager CPU, s"},
	{id: "S1.bench_cpu_s", what: "S1: the bench's own CPU (its proxy, watch and applies), s"},
	{id: "S1.peak_rss_mib", what: "S1: provider peak RSS, MiB", target: "≤ 100", ok: atMost(100)},
	{id: "S1.peak_rss_anon_mib", what: "S1: largest anonymous part seen (sampled 2/s), MiB"},
	{id: "S1.peak_rss_file_mib", what: "S1: largest file-backed part seen, MiB"},
	{id: "S1.heap_inuse_mib", what: "S1: Go heap in use when all are Ready, MiB"},
	{id: "S2.cloud_calls_per_mr", what: "S2: cloud calls per MR per poll"},
	{id: "S2.cloud_mutating_per_mr", what: "S2: mutating cloud calls per MR per poll", target: "0", ok: atMost(0)},
	{id: "S2.kube_writes_per_mr_poll", what: "S2: writes to MRs per MR per poll", target: "0", ok: atMost(0)},
	{id: "S2.kube_requests_per_mr", what: "S2: the provider's Kubernetes requests per MR per poll"},
	{id: "S2.secret_gets_per_mr", what: "S2: Secret GETs per MR per poll", target: "0", ok: atMost(0)},
	{id: "S2.etcd_writes", what: "S2: etcd writes in the window"},
	{id: "S2.mrs_changed", what: "S2: MRs whose resourceVersion changed", target: "0", ok: atMost(0)},
	{id: "S2.poll_interval_s", what: "S2: measured poll interval per MR, s (configured: --poll)"},
	{id: "S2.longest_poll_gap_s", what: "S2: longest time any MR went unpolled (settling + window), s"},
	{id: "S2.longest_poll_gap_over_ms", what: "S2: that, less --poll + --poll-jitter, ms (above 0: the reconcile's own time)"},
	{id: "S2.mrs_polled_late", what: "S2: MRs unpolled longer than --poll + --poll-jitter + 1 s", target: "0", ok: atMost(0)},
	{id: "S2.provider_cpu_s_per_1000_mr_poll", what: "S2: provider CPU per 1,000 MR-polls, s"},
	{id: "S4.drifted", what: "S4: resources drifted"},
	{id: "S4.revert_p50_s", what: "S4: time to revert p50, s"},
	{id: "S4.revert_max_s", what: "S4: time to revert max, s (bound: poll + jitter)"},
	{id: "S4.updates_per_drifted_mr", what: "S4: mutating calls per drifted MR", target: "1", ok: atMost(1)},
	{id: "S4.updates_to_others", what: "S4: mutating calls to resources not drifted", target: "0", ok: atMost(0)},
	{id: "S3.recovery_s", what: "S3: restart until every MR observed again, s"},
	{id: "S3.creates", what: "S3: creates during recovery", target: "0", ok: atMost(0)},
	{id: "S3.mutating_calls", what: "S3: mutating cloud calls during recovery", target: "0", ok: atMost(0)},
	{id: "S5.delete_s", what: "S5: delete all until gone, s"},
	{id: "S5.cloud_calls_per_mr", what: "S5: cloud calls per MR to delete"},
	{id: "S5.kube_requests_per_mr", what: "S5: the provider's Kubernetes requests per MR to delete"},
	{id: "S5.leaked", what: "S5: cloud resources left behind", target: "0", ok: atMost(0)},
	{id: "S6.n", what: "S6: MRs on a Vault-sourced ProviderConfig"},
	{id: "S6.makespan_s", what: "S6: time to all Ready, s"},
	{id: "S6.vault_calls_burst", what: "S6: Vault calls during the burst"},
	{id: "S6.vault_calls_per_reconcile", what: "S6: Vault calls per reconcile in steady state", target: "0", ok: atMost(0)},
	{id: "S6.sts_calls_per_reconcile", what: "S6: STS/IAM calls per reconcile in steady state", target: "0", ok: atMost(0)},
	{id: "S6.reconciles", what: "S6: reconciles in the steady-state window"},
	{id: "SH.hostile_n", what: "SH: the hostile tenant's resources (endless body, tarpit, redirect to http)"},
	{id: "SH.hostile_settle_s", what: "SH: until every one showed its failure (at most 180), s"},
	{id: "SH.makespan_s", what: "SH: the other tenant's burst of N to all Ready meanwhile, s"},
	{id: "SH.makespan_ratio_to_s1", what: "SH: that ÷ S1's time to all Ready in the same run"},
	{id: "SH.ttr_p50_s", what: "SH: time to Ready p50, s"},
	{id: "SH.ttr_p99_s", what: "SH: time to Ready p99, s"},
	{id: "SH.cloud_calls_per_mr", what: "SH: the other tenant's cloud calls per MR to Ready"},
	{id: "SH.drifted", what: "SH: the other tenant's resources drifted"},
	{id: "SH.revert_p50_s", what: "SH: time to revert p50, s"},
	{id: "SH.revert_max_s", what: "SH: time to revert max, s (bound: poll + jitter)"},
	{id: "SH.peak_rss_mib", what: "SH: provider peak VmRSS in the scenario (sampled 2/s), MiB", target: "≤ 150", ok: atMost(150)},
	{id: "SH.provider_cpu_s", what: "SH: provider CPU from the burst to the end of the drift, s"},
	{id: "SH.hostile_ready", what: "SH: hostile resources Ready", target: "0", ok: atMost(0)},
	{id: "SH.hostile_not_failing", what: "SH: hostile resources not showing their failure (Synced False) at the end", target: "0", ok: atMost(0)},
	{id: "SH.hostile_reason_changed", what: "SH: hostile resources whose Ready/Synced reason changed meanwhile", target: "0", ok: atMost(0)},
	{id: "SH.hostile_requests", what: "SH: requests the hostile servers received"},
	{id: "SH.hostile_written_mib", what: "SH: endless body written into the connections (read, or taken by socket buffers), MiB"},
	{id: "SH.redirects_followed", what: "SH: requests that followed a redirect to plain http", target: "0", ok: atMost(0)},
}

type stat struct{ Median, Min, Max float64 }

type report struct {
	Commit    string             `json:"commit"`
	Date      string             `json:"date"`
	Machine   string             `json:"machine"`
	GoVersion string             `json:"goVersion"`
	Flags     string             `json:"flags"`
	N         int                `json:"n"`
	Runs      []figures          `json:"runs"`
	Summary   map[string]stat    `json:"summary"`
	Ops       map[string]float64 `json:"-"`
	// TTR is each run's time to Ready by phase and kind ("S1.bucket"), counted by second: the distribution the
	// charts draw.
	TTR []map[string]hist `json:"ttr,omitempty"`
}

func newReport(o options, built, scenarios string, runs []figures) *report {
	r := &report{
		Commit: built, Date: time.Now().UTC().Format(time.RFC3339), Machine: machine(), GoVersion: runtime.Version(),
		Flags: fmt.Sprintf("-n %d -runs %d -scenarios %s -poll %s -jitter %s -workers %d -provider-args %q -provider-env %q",
			o.n, o.runs, scenarios, o.poll, o.jitter, o.workers, strings.Join(o.providerArgs, " "), strings.Join(o.providerEnv, " ")),
		N: o.n, Runs: runs, Summary: map[string]stat{},
	}
	ids := map[string]bool{}
	for _, f := range runs {
		for id := range f {
			ids[id] = true
		}
	}
	for id := range ids {
		var vs []float64
		for _, f := range runs {
			if v, ok := f[id]; ok {
				vs = append(vs, v)
			}
		}
		sort.Float64s(vs)
		r.Summary[id] = stat{Median: median(vs), Min: vs[0], Max: vs[len(vs)-1]}
	}
	return r
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func (r *report) writeJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

const beginMarker, endMarker = "<!-- bench:begin (written by make bench) -->", "<!-- bench:end -->"

// writeMarkdown replaces the measured section of path, keeping what people wrote around it.
func (r *report) writeMarkdown(path string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	s := string(old)
	section := beginMarker + "\n" + r.markdown() + endMarker
	i, j := strings.Index(s, beginMarker), strings.Index(s, endMarker)
	if i >= 0 && j > i {
		s = s[:i] + section + s[j+len(endMarker):]
	} else {
		s += "\n" + section + "\n"
	}
	return os.WriteFile(path, []byte(s), 0o644)
}

func (r *report) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Commit `%s`, %s. Machine: %s. %s. `go run ./hack/bench %s`: %d run(s), each on a fresh stack.\n\n",
		r.Commit, r.Date, r.Machine, r.GoVersion, r.Flags, len(r.Runs))
	b.WriteString("| Figure | Median | Min | Max | Target |\n|---|---:|---:|---:|---|\n")
	for _, f := range figureTable {
		s, ok := r.Summary[f.id]
		if !ok {
			continue
		}
		verdict := ""
		if f.ok != nil {
			verdict = f.target + " ✗"
			if f.ok(s.Median) {
				verdict = f.target + " ✓"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", f.what, num(s.Median), num(s.Min), num(s.Max), verdict)
	}
	if _, ok := r.Summary["mixed.makespan_s"]; ok {
		fmt.Fprintf(&b, "\nMixed burst: %s MRs of every kind at once, all Ready in %s s (median); "+
			"the provider's Kubernetes requests per MR %s, writes to the MR per MR %s.\n\n",
			num(r.Summary["mixed.n"].Median), num(r.Summary["mixed.makespan_s"].Median),
			num(r.Summary["mixed.kube_requests_per_mr"].Median), num(r.Summary["mixed.mr_writes_per_mr"].Median))
		b.WriteString("| Kind | time to Ready p50, s | cloud calls per MR to Ready |\n|---|---:|---:|\n")
		for _, k := range mixedKinds {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", k.gvk.GroupKind(),
				num(r.Summary["mixed."+k.name+".ttr_p50_s"].Median), num(r.Summary["mixed."+k.name+".cloud_calls_per_mr"].Median))
		}
	}
	for _, p := range []string{"S1", "S2", "S5"} {
		var ops []string
		for id := range r.Summary {
			if strings.HasPrefix(id, p+".op.") {
				ops = append(ops, id)
			}
		}
		if len(ops) == 0 {
			continue
		}
		sort.Strings(ops)
		fmt.Fprintf(&b, "\n%s cloud calls per MR by operation (median): ", p)
		for i, id := range ops {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s %s", strings.TrimPrefix(id, p+".op."), num(r.Summary[id].Median))
		}
		b.WriteString(".\n")
	}
	return b.String()
}

func num(v float64) string {
	switch {
	case v == float64(int64(v)):
		return fmt.Sprintf("%d", int64(v))
	case v >= 100 || v <= -100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10 || v <= -10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func commit(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "git", "describe", "--always", "--dirty").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// machine describes the host: CPUs, their model, memory.
func machine() string {
	model, mem := "", ""
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
		_ = f.Close()
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && k == "MemTotal" {
				var kb float64
				if _, err := fmt.Sscanf(strings.TrimSpace(v), "%f", &kb); err == nil {
					mem = fmt.Sprintf("%.1f GiB", kb/1024/1024)
				}
			}
		}
	}
	return fmt.Sprintf("%d CPUs (%s), %s", runtime.NumCPU(), model, mem)
}
