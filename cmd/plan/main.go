// Command plan says what merging a change of manifests will do to the cloud, per managed resource and per field,
// from the field tables the provider's reconcilers follow. Offline it reads manifests only: no cluster, no cloud.
//
//	plan BEFORE AFTER                 two files or folders of manifests ("-" for stdin, e.g. crossplane render)
//	plan --base REV [PATH...]         PATH as at git revision REV against the working tree
//	plan --base REV --head REV2 [PATH...]
//
// Live, it compares with what the cluster holds now, read with one LIST per kind:
//
//	plan --live [-n NS | -A] [--prune] PATH...   the manifests against the live objects, with the cloud's values
//	plan --live --head REV [PATH...]             the manifests at git revision REV against the live objects
//	plan --live [-n NS | -A]                     the fleet report: every managed resource's state, from its conditions
//	plan --live --refresh PATH...                also reads the cloud now, with a client that can only read: the drift
//	                                             each resource holds, and what the merge does to it
//
// Exit status: 0, or 2 when --fail-on names a class the plan holds (a CI gate), 1 on an error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/stateful-dev/provider-stateful/internal/controller"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
	"github.com/stateful-dev/provider-stateful/internal/plan"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// connect reads the kubeconfig and makes the live plan's client, and the context's namespace; a test replaces it.
var connect = func(kubeconfig, kubecontext string) (plan.Lister, string, error) {
	cfg, ns, err := plan.ClusterConfig(kubeconfig, kubecontext)
	if err != nil {
		return nil, "", err
	}
	c, err := plan.NewLister(cfg)
	return c, ns, err
}

// refreshEnv makes what --refresh reads the cloud with, from the kubeconfig; a test replaces it.
var refreshEnv = func(kubeconfig, kubecontext string, allowed []credentials.EndpointPattern) (*managedkind.RefreshEnv, func(context.Context), error) {
	cfg, _, err := plan.ClusterConfig(kubeconfig, kubecontext)
	if err != nil {
		return nil, nil, err
	}
	return plan.NewRefreshEnv(cfg, allowed)
}

// flags are the command line, parsed.
type flags struct {
	base, head, dir, output string
	gate                    []string
	live, prune, all        bool
	refresh                 bool
	allowed                 []credentials.EndpointPattern
	kubeconfig, kubecontext string
	namespace               string
	args                    []string
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	f, err := parse(args, stderr)
	if err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintf(stderr, "plan: %v\n", err)
		}
		return 1
	}
	kinds := plan.KindsOf(controller.Kinds())
	var r plan.Report
	if f.live {
		r, err = live(ctx, stdin, kinds, f)
	} else {
		var before, after []*unstructured.Unstructured
		if before, after, err = load(ctx, stdin, f.base, f.head, f.dir, f.args); err == nil {
			r = plan.Compute(kinds, before, after)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "plan: %v\n", err)
		return 1
	}
	switch f.output {
	case "text":
		err = r.WriteText(stdout)
	case "markdown":
		err = r.WriteMarkdown(stdout)
	case "json":
		err = r.WriteJSON(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "plan: %v\n", err)
		return 1
	}
	if found := r.Findings(f.gate); len(found) > 0 {
		fmt.Fprintf(stderr, "plan: --fail-on %s: %s\n", strings.Join(f.gate, ","), strings.Join(found, "; "))
		return 2
	}
	return 0
}

// errUsage is a command line the flag package has already answered on stderr (a mistake, or -h).
var errUsage = errors.New("usage")

// parse reads and checks the command line: every mistake is found before anything is read.
func parse(args []string, stderr io.Writer) (flags, error) {
	var f flags
	fl := flag.NewFlagSet("plan", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.StringVar(&f.base, "base", "", "Read the manifests before the change from this git revision (the paths are the arguments).")
	fl.StringVar(&f.head, "head", "", "With --base or --live: read the manifests after the change from this git revision, not the working tree.")
	fl.StringVar(&f.dir, "C", ".", "The git repository --base and --head read.")
	fl.StringVar(&f.output, "o", "text", "Output: text, markdown or json.")
	failOn := fl.String("fail-on", "", "Exit 2 when the plan holds any of these, comma-separated: "+classes()+".")
	fl.BoolVar(&f.live, "live", false, "Compare the manifests with what the cluster holds now; without manifests, report every managed resource's state.")
	fl.BoolVar(&f.prune, "prune", false, "With --live: live resources in scope that no manifest names are deletes.")
	fl.BoolVar(&f.refresh, "refresh", false, "With --live and manifests: read the cloud now, through each resource's ProviderConfig and a client "+
		"that can only read, for the drift each resource holds and what the merge does to it.")
	allowed := fl.String("allowed-endpoint", "", "With --refresh: the endpoints namespaced ProviderConfigs may name, comma-separated, as the provider's "+
		"--allowed-endpoint (default none: only the clouds' own).")
	fl.StringVar(&f.kubeconfig, "kubeconfig", "", "With --live: the kubeconfig (default $KUBECONFIG, else ~/.kube/config).")
	fl.StringVar(&f.kubecontext, "context", "", "With --live: the kubeconfig context (default its current one).")
	for _, n := range []string{"n", "namespace"} {
		fl.StringVar(&f.namespace, n, "", "With --live: read this namespace only (default: the manifests' namespaces; the context's for the fleet report).")
	}
	for _, n := range []string{"A", "all-namespaces"} {
		fl.BoolVar(&f.all, n, false, "With --live: read every namespace.")
	}
	fl.Usage = func() {
		fmt.Fprintf(stderr, "Usage: plan [flags] BEFORE AFTER | plan --base REV [--head REV] [PATH...]\n"+
			"       plan --live [-n NAMESPACE | -A] [--prune] [--refresh] [--head REV] PATH... | plan --live [-n NAMESPACE | -A]\n\n")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return f, errUsage
	}
	f.args, f.gate = fl.Args(), split(*failOn)
	for _, c := range f.gate {
		if !slices.Contains(plan.Classes, c) {
			return f, fmt.Errorf("--fail-on: %q is none of %s", c, classes())
		}
	}
	if !slices.Contains([]string{"text", "markdown", "json"}, f.output) {
		return f, fmt.Errorf("-o %q: want text, markdown or json", f.output)
	}
	for _, a := range split(*allowed) {
		p, err := credentials.ParseEndpointPattern(a)
		if err != nil {
			return f, fmt.Errorf("--allowed-endpoint: %w", err)
		}
		f.allowed = append(f.allowed, p)
	}
	if !f.live {
		if f.prune || f.all || f.namespace != "" || f.kubeconfig != "" || f.kubecontext != "" || f.refresh {
			return f, fmt.Errorf("--prune, -n, -A, --kubeconfig, --context and --refresh read the cluster: they need --live")
		}
		return f, nil
	}
	switch {
	case f.base != "":
		return f, fmt.Errorf("--live compares with what the cluster holds: it takes no --base")
	case f.namespace != "" && f.all:
		return f, fmt.Errorf("-n and -A: name one namespace, or every one")
	case f.prune && len(f.args) == 0 && f.head == "":
		// The fleet report deletes nothing to prune from.
		return f, fmt.Errorf("--prune needs manifests: the live resources no manifest names are the deletes")
	case f.refresh && len(f.args) == 0 && f.head == "":
		return f, fmt.Errorf("--refresh needs manifests: the fleet report reads the resources' conditions, not the cloud")
	case len(f.allowed) > 0 && !f.refresh:
		return f, fmt.Errorf("--allowed-endpoint says where --refresh may read: it needs --refresh")
	}
	return f, nil
}

// live plans the manifests against the cluster, or without manifests reports the fleet.
func live(ctx context.Context, stdin io.Reader, kinds plan.Kinds, f flags) (plan.Report, error) {
	c, contextNS, err := connect(f.kubeconfig, f.kubecontext)
	if err != nil {
		return plan.Report{}, err
	}
	scope := plan.Scope{Namespace: f.namespace, All: f.all}
	if len(f.args) == 0 && f.head == "" {
		if scope.Namespace == "" && !scope.All {
			// As kubectl get: the context's namespace.
			scope.Namespace = contextNS
		}
		return plan.ReadFleet(ctx, c, kinds, scope)
	}
	var manifests []*unstructured.Unstructured
	if f.head != "" {
		paths := f.args
		if len(paths) == 0 {
			paths = []string{"."}
		}
		manifests, err = plan.LoadGit(ctx, f.dir, f.head, paths...)
	} else {
		manifests, err = plan.Load(stdin, f.args...)
	}
	if err != nil {
		return plan.Report{}, err
	}
	o := plan.LiveOptions{Scope: scope, DefaultNamespace: contextNS, Prune: f.prune}
	if f.namespace != "" {
		o.DefaultNamespace = f.namespace
	}
	if f.refresh {
		env, closeEnv, err := refreshEnv(f.kubeconfig, f.kubecontext, f.allowed)
		if err != nil {
			return plan.Report{}, err
		}
		// What the accounts hold (connections, credentials Vault minted) is released when the plan is made.
		defer closeEnv(context.WithoutCancel(ctx))
		o.Refresh = env
	}
	return plan.ComputeLive(ctx, c, kinds, manifests, o)
}

// load reads both sides: two paths, or the paths at --base against the working tree or --head.
func load(ctx context.Context, stdin io.Reader, base, head, dir string, args []string) (before, after []*unstructured.Unstructured, err error) {
	switch {
	case base == "" && head != "":
		return nil, nil, fmt.Errorf("--head needs --base (or --live)")
	case base == "":
		if len(args) != 2 {
			return nil, nil, fmt.Errorf("want BEFORE and AFTER (two files or folders, or - for stdin), or --base")
		}
		if before, err = plan.Load(stdin, args[0]); err != nil {
			return nil, nil, err
		}
		after, err = plan.Load(stdin, args[1])
		return before, after, err
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	if before, err = plan.LoadGit(ctx, dir, base, args...); err != nil {
		return nil, nil, err
	}
	if head != "" {
		after, err = plan.LoadGit(ctx, dir, head, args...)
		return before, after, err
	}
	for i, a := range args {
		if !strings.HasPrefix(a, "/") && dir != "." {
			args[i] = dir + "/" + a
		}
	}
	after, err = plan.Load(stdin, args...)
	return before, after, err
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func classes() string { return strings.Join(plan.Classes, ", ") }
