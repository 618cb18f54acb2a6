package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "Rewrite the golden plans in testdata.")

// TestGolden plans the hand-made change set in testdata (before/ → after/: every effect a change can have, a
// create, a delete and a delete that keeps the cloud resource) in each output, against the golden files.
func TestGolden(t *testing.T) {
	for _, format := range []string{"text", "markdown", "json"} {
		t.Run(format, func(t *testing.T) {
			var out, errs bytes.Buffer
			if code := run(context.Background(), []string{"-o", format, "testdata/before", "testdata/after"}, nil, &out, &errs); code != 0 {
				t.Fatalf("exit %d: %s", code, errs.String())
			}
			checkGolden(t, "plan."+format, out.String())
		})
	}
}

// checkGolden compares got with testdata/name, after writing it there with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s: -golden +got (go test ./cmd/plan -update rewrites it):\n%s", name, d)
	}
}

// TestFailOn: a CI gate exits 2 naming what it found, 0 when the plan holds none of it, 1 for a class it does not
// know.
func TestFailOn(t *testing.T) {
	cases := map[string]struct {
		reason  string
		failOn  string
		code    int
		errHave []string
	}{
		"Found": {
			reason: "A refused change and a delete with the cloud resource are both named.", failOn: "refused,delete", code: 2,
			errHave: []string{"Queue team-a/events.fifo: spec.forProvider.fifoQueue refused", "Table team-a/history: delete"},
		},
		"None":    {reason: "Nothing unknown in the change set.", failOn: "unknown", code: 0},
		"Unknown": {reason: "A class that does not exist is an error.", failOn: "replace", code: 1, errHave: []string{`"replace" is none of`}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var out, errs bytes.Buffer
			code := run(context.Background(), []string{"--fail-on", tc.failOn, "testdata/before", "testdata/after"}, nil, &out, &errs)
			if code != tc.code {
				t.Errorf("%s\nexit: want %d, got %d (%s)", tc.reason, tc.code, code, errs.String())
			}
			for _, s := range tc.errHave {
				if !strings.Contains(errs.String(), s) {
					t.Errorf("%s\nstderr %q lacks %q", tc.reason, errs.String(), s)
				}
			}
		})
	}
}

// TestGit plans the same change set read from git: before/ committed, then after/ in the working tree (--base) and
// committed (--base --head). It must print what the folders print.
func TestGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed to plan a change between revisions")
	}
	repo := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
	copyDir := func(from string) {
		t.Helper()
		_ = os.RemoveAll(filepath.Join(repo, "manifests"))
		if err := os.CopyFS(filepath.Join(repo, "manifests"), os.DirFS(from)); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q")
	copyDir("testdata/before")
	git("add", ".")
	git("commit", "-qm", "before")
	copyDir("testdata/after")

	var want, errs bytes.Buffer
	if code := run(context.Background(), []string{"testdata/before", "testdata/after"}, nil, &want, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	// In this order: the second commits after/, which the first reads from the working tree.
	for _, step := range []struct {
		name string
		args []string
	}{
		{name: "WorkingTree", args: []string{"-C", repo, "--base", "HEAD", "manifests"}},
		{name: "Revisions", args: []string{"-C", repo, "--base", "HEAD~1", "--head", "HEAD", "manifests"}},
	} {
		name, args := step.name, step.args
		if name == "Revisions" {
			git("add", ".")
			git("commit", "-qm", "after")
		}
		var got bytes.Buffer
		errs.Reset()
		if code := run(context.Background(), args, nil, &got, &errs); code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errs.String())
		}
		if d := cmp.Diff(want.String(), got.String()); d != "" {
			t.Errorf("%s: the plan from git differs from the folders': -want +got:\n%s", name, d)
		}
	}
}

// TestStdin: crossplane render's output (here a file's) on stdin plans like the file.
func TestStdin(t *testing.T) {
	in, err := os.ReadFile("testdata/after/aws.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var want, got, errs bytes.Buffer
	if code := run(context.Background(), []string{"testdata/before/aws.yaml", "testdata/after/aws.yaml"}, nil, &want, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if code := run(context.Background(), []string{"testdata/before/aws.yaml", "-"}, bytes.NewReader(in), &got, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if d := cmp.Diff(want.String(), got.String()); d != "" {
		t.Errorf("stdin: -file +stdin:\n%s", d)
	}
}
