// Command plan says what merging a change of manifests will do to the cloud, per managed resource and per field,
// from the field tables the provider's reconcilers follow. It reads manifests only: no cluster, no cloud.
//
//	plan BEFORE AFTER                 two files or folders of manifests ("-" for stdin, e.g. crossplane render)
//	plan --base REV [PATH...]         PATH as at git revision REV against the working tree
//	plan --base REV --head REV2 [PATH...]
//
// Exit status: 0, or 2 when --fail-on names a class the plan holds (a CI gate), 1 on an error.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/stateful-dev/provider-stateful/internal/controller"
	"github.com/stateful-dev/provider-stateful/internal/plan"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("plan", flag.ContinueOnError)
	fl.SetOutput(stderr)
	base := fl.String("base", "", "Read the manifests before the change from this git revision (the paths are the arguments).")
	head := fl.String("head", "", "With --base: read the manifests after the change from this git revision, not the working tree.")
	dir := fl.String("C", ".", "The git repository --base and --head read.")
	output := fl.String("o", "text", "Output: text, markdown or json.")
	failOn := fl.String("fail-on", "", "Exit 2 when the plan holds any of these, comma-separated: "+classes()+".")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "Usage: plan [flags] BEFORE AFTER | plan --base REV [--head REV] [PATH...]\n\n")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 1
	}
	gate := split(*failOn)
	for _, c := range gate {
		if !slices.Contains(plan.Classes, c) {
			fmt.Fprintf(stderr, "plan: --fail-on: %q is none of %s\n", c, classes())
			return 1
		}
	}
	before, after, err := load(ctx, stdin, *base, *head, *dir, fl.Args())
	if err != nil {
		fmt.Fprintf(stderr, "plan: %v\n", err)
		return 1
	}
	r := plan.Compute(plan.KindsOf(controller.Kinds()), before, after)
	switch *output {
	case "text":
		err = r.WriteText(stdout)
	case "markdown":
		err = r.WriteMarkdown(stdout)
	case "json":
		err = r.WriteJSON(stdout)
	default:
		err = fmt.Errorf("-o %q: want text, markdown or json", *output)
	}
	if err != nil {
		fmt.Fprintf(stderr, "plan: %v\n", err)
		return 1
	}
	if found := r.Findings(gate); len(found) > 0 {
		fmt.Fprintf(stderr, "plan: --fail-on %s: %s\n", strings.Join(gate, ","), strings.Join(found, "; "))
		return 2
	}
	return 0
}

// load reads both sides: two paths, or the paths at --base against the working tree or --head.
func load(ctx context.Context, stdin io.Reader, base, head, dir string, args []string) (before, after []*unstructured.Unstructured, err error) {
	switch {
	case base == "" && head != "":
		return nil, nil, fmt.Errorf("--head needs --base")
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
