// Command bench runs `make bench`: the provider binary as a process against the local stack (kube-apiserver +
// etcd + kube-controller-manager, moto, Vault), moto behind the counting proxy, the API server's and the
// provider's metrics scraped at phase boundaries, and the scenarios of ../shared/docs/benchmark.md. Each run
// starts a fresh stack; the figures of every run go to a JSON file, their median and spread to
// docs/benchmarks/BENCHMARKS.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

type options struct {
	n            int
	runs         int
	scenarios    map[string]bool
	poll         time.Duration
	jitter       time.Duration
	steadyPolls  int
	workers      int
	timeout      time.Duration
	provider     string
	providerArgs []string
	providerEnv  []string
	kinds        []kind
	profile      string
	pprofAddr    string
	// hostile is how many resources SH's hostile tenant has.
	hostile int
}

func main() {
	var o options
	var scenarios, args, env, out, jsonOut, dir string
	flag.IntVar(&o.n, "n", 2000, "Managed resources per burst, split evenly over the kinds.")
	flag.IntVar(&o.runs, "runs", 3, "Runs, each on a fresh stack: the report gives the median and the spread.")
	flag.StringVar(&scenarios, "scenarios", "S0,S1,S2,S3,S4,S5,mixed,S6,SH",
		"Scenarios to run (S0 and the floors always run; S2–S6 and SH need S1; mixed is a burst of every kind).")
	flag.IntVar(&o.hostile, "hostile", 50, "Resources of SH's hostile tenant, spread over its ways of aiming the provider at a hostile server.")
	flag.DurationVar(&o.poll, "poll", time.Minute, "The provider's --poll.")
	flag.DurationVar(&o.jitter, "jitter", 6*time.Second, "The provider's --poll-jitter.")
	flag.IntVar(&o.steadyPolls, "steady-polls", 3, "Polls S2 measures.")
	flag.IntVar(&o.workers, "workers", 25,
		"The provider's --max-concurrent-reconciles (per kind; 25 is its default); floor (b) runs this many workers per kind.")
	flag.DurationVar(&o.timeout, "timeout", 15*time.Minute, "How long a burst may take to become Ready (or gone).")
	flag.StringVar(&o.provider, "provider", "_output/provider", "The provider binary.")
	flag.StringVar(&args, "provider-args", "", "More provider flags, space-separated (--max-reconcile-rate=100 ...).")
	flag.StringVar(&env, "provider-env", "", "Environment of the provider process, space-separated (GOMAXPROCS=1).")
	flag.StringVar(&out, "out", "docs/benchmarks/BENCHMARKS.md", "The report: the section between its bench markers is rewritten.")
	flag.StringVar(&jsonOut, "json", "docs/benchmarks/BENCHMARKS.json", "Every run's figures.")
	flag.StringVar(&dir, "dir", "_output/bench", "Logs of each run's stack.")
	flag.StringVar(&o.profile, "profile", "", "When set, a folder for pprof CPU and heap profiles of the provider in S1 and S2 (make profile).")
	var self, drawOnly string
	flag.StringVar(&self, "self-profile", "",
		"When set, a file for a CPU profile of the bench itself (its proxy, watch and applies: CPU taken from what it measures).")
	flag.StringVar(&drawOnly, "draw-only", "", "When set, a report's JSON: draw its charts beside it (-ttr.svg, -calls.svg) and run nothing.")
	flag.Parse()
	if drawOnly != "" {
		r, err := readReport(drawOnly)
		if err == nil {
			err = r.writeSVGs(drawOnly)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	o.scenarios = map[string]bool{}
	for _, s := range strings.Split(scenarios, ",") {
		o.scenarios[strings.TrimSpace(s)] = true
	}
	o.providerArgs, o.providerEnv = strings.Fields(args), strings.Fields(env)
	// The provider runs in a folder of its own.
	o.provider, _ = filepath.Abs(o.provider)
	o.kinds = []kind{bucketKind, queueKind}
	os.Exit(runAll(o, self, scenarios, out, jsonOut, dir))
}

// runAll runs o.runs runs, each on a fresh stack, and writes the report: out, jsonOut and its charts. self, when
// set, is a file for a CPU profile of the bench itself; dir holds each run's logs. It returns the exit code, once
// its deferred calls (the profile's flush among them) have run.
func runAll(o options, self, scenarios, out, jsonOut, dir string) int {
	if self != "" {
		f, err := os.Create(self)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	// The bench's own watch logs through controller-runtime, which complains (with a stack) until a logger is set.
	ctrllog.SetLogger(logr.Discard())
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	say := func(f string, a ...any) { fmt.Printf("\033[1m==>\033[0m "+f+"\n", a...) }

	// The commit the binary was built from: the tree may move on while the runs take their minutes.
	built := commit(ctx)
	var runs []figures
	var ttrs []map[string]hist
	for i := 1; i <= o.runs && ctx.Err() == nil; i++ {
		say("run %d of %d: N=%d (%d kinds), poll %s, scenarios %s", i, o.runs, o.n, len(o.kinds), o.poll, scenarios)
		abs, _ := filepath.Abs(filepath.Join(dir, fmt.Sprintf("run-%d", i)))
		_ = os.RemoveAll(abs)
		f, ttr, err := run(ctx, o, abs, say)
		if err != nil {
			fmt.Fprintf(os.Stderr, "run %d failed: %v (logs: %s)\n", i, err, abs)
			return 1
		}
		runs, ttrs = append(runs, f), append(ttrs, ttr)
		say("run %d: S1 %0.f s to all Ready, %.2f× the floors (a %.1f s + b %.1f s)", i, f["S1.makespan_s"], f["S1.headline"], f["floor.a_s"], f["floor.b_s"])
	}
	if ctx.Err() != nil {
		return 1
	}
	r := newReport(o, built, scenarios, runs)
	r.TTR = ttrs
	if err := r.writeJSON(jsonOut); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := r.writeSVGs(jsonOut); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := r.writeMarkdown(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Print(r.markdown())
	ttrSVG, callsSVG := svgPaths(jsonOut)
	say("wrote %s, %s, %s and %s", out, jsonOut, ttrSVG, callsSVG)
	return 0
}

// run is one run on a fresh stack: its figures, and its phases' times to Ready by kind.
func run(ctx context.Context, o options, dir string, say func(string, ...any)) (figures, map[string]hist, error) {
	say("starting the local stack (logs: %s)", dir)
	b, err := startBench(ctx, o, dir, say)
	if err != nil {
		return nil, nil, err
	}
	defer b.stop()
	f := figures{}
	err = b.scenarios(ctx, f)
	return f, b.ttr, err
}

// scenarios runs the floors and the scenarios chosen, in order, on b's stack.
func (b *bench) scenarios(ctx context.Context, f figures) error {
	o, say := b.o, b.say
	say("floor (a): applying %d MRs with no provider", o.n)
	if err := b.floorA(ctx, f); err != nil {
		return err
	}
	say("floor (b): the minimal SDK calls for %d resources, %d workers, no Kubernetes", o.n, o.workers*len(o.kinds))
	if err := b.floorB(ctx, f); err != nil {
		return err
	}
	say("S0: starting the provider")
	if err := b.s0(ctx, f); err != nil {
		return err
	}
	if !o.scenarios["S1"] {
		return nil
	}
	bt := names(o.kinds, "bench", o.n)
	say("S1 cold burst: applying %d MRs", o.n)
	stopProfile := b.profileCPU("s1")
	if err := b.s1(ctx, f, bt); err != nil {
		return err
	}
	stopProfile()
	b.profileHeap("s1")
	for _, s := range []struct {
		id  string
		msg string
		fn  func(context.Context, figures, batch) error
	}{
		{"S2", "S2 steady state", b.s2},
		{"S4", "S4 drift: 1 % changed behind the provider's back", b.s4},
		{"S3", "S3 restart: SIGKILL and start the provider", b.s3},
		{"S5", "S5 delete burst", b.s5},
	} {
		if !o.scenarios[s.id] || ctx.Err() != nil {
			continue
		}
		say("%s", s.msg)
		if err := s.fn(ctx, f, bt); err != nil {
			return err
		}
	}
	if o.scenarios["mixed"] && ctx.Err() == nil {
		say("mixed burst: every kind at once")
		if err := b.mixed(ctx, f); err != nil {
			return err
		}
	}
	if o.scenarios["S6"] && ctx.Err() == nil {
		say("S6 credentials from Vault")
		if err := b.s6(ctx, f); err != nil {
			return err
		}
	}
	if o.scenarios["SH"] && ctx.Err() == nil {
		say("SH hostile tenant: %d resources aimed at hostile servers beside a burst of %d", o.hostile, o.n)
		if err := b.sh(ctx, f); err != nil {
			return err
		}
	}
	return ctx.Err()
}
