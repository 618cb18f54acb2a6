package plan

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// Load reads the objects of the manifests at paths: a file, a folder (every .yaml, .yml and .json file below it),
// or "-" for stdin (the output of `crossplane render`, so that compositions are planned too).
func Load(stdin io.Reader, paths ...string) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, p := range paths {
		if p == "-" {
			objs, err := Decode(stdin, "stdin")
			if err != nil {
				return nil, err
			}
			out = append(out, objs...)
			continue
		}
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || (path != p && !manifest(path)) {
				return err
			}
			f, err := os.Open(path) //nolint:gosec // The manifests the user names.
			if err != nil {
				return err
			}
			defer f.Close() //nolint:errcheck // Read only.
			objs, err := Decode(f, path)
			out = append(out, objs...)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// LoadGit reads the manifests at paths as they are in revision rev of the git repository in dir.
func LoadGit(ctx context.Context, dir, rev string, paths ...string) ([]*unstructured.Unstructured, error) {
	args := append([]string{"ls-tree", "-r", "-z", "--name-only", rev, "--"}, paths...)
	ls := exec.CommandContext(ctx, "git", args...) //nolint:gosec // git, with the revision and paths the user asked to plan.
	ls.Dir = dir
	names, err := ls.Output()
	if err != nil {
		return nil, fmt.Errorf("cannot list %v at %s: %w", paths, rev, gitErr(err))
	}
	var want []string
	for _, n := range strings.Split(strings.TrimRight(string(names), "\x00"), "\x00") {
		if n != "" && manifest(n) {
			want = append(want, n)
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	// One git process for every file, however many: cat-file answers each "rev:path" with its size and content.
	var in bytes.Buffer
	for _, n := range want {
		fmt.Fprintf(&in, "%s:%s\n", rev, n)
	}
	cat := exec.CommandContext(ctx, "git", "cat-file", "--batch")
	cat.Dir, cat.Stdin = dir, &in
	blobs, err := cat.Output()
	if err != nil {
		return nil, fmt.Errorf("cannot read the manifests at %s: %w", rev, gitErr(err))
	}
	r := bufio.NewReader(bytes.NewReader(blobs))
	var out []*unstructured.Unstructured
	for _, n := range want {
		header, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("reading %s at %s: %w", n, rev, err)
		}
		f := strings.Fields(header)
		if len(f) != 3 {
			return nil, fmt.Errorf("reading %s at %s: git answered %q", n, rev, strings.TrimSpace(header))
		}
		size, err := strconv.Atoi(f[2])
		if err != nil {
			return nil, fmt.Errorf("reading %s at %s: %w", n, rev, err)
		}
		body := make([]byte, size+1) // the content and its newline
		if _, err := io.ReadFull(r, body); err != nil {
			return nil, fmt.Errorf("reading %s at %s: %w", n, rev, err)
		}
		objs, err := Decode(bytes.NewReader(body[:size]), rev+":"+n)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

// Decode reads every object of a YAML or JSON stream (documents separated by ---; a List's items), skipping
// empty documents; name says where it came from in an error.
func Decode(r io.Reader, name string) ([]*unstructured.Unstructured, error) {
	d := utilyaml.NewYAMLOrJSONDecoder(r, 4096)
	var out []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(m) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		if u.IsList() {
			l, err := u.ToList()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			for i := range l.Items {
				out = append(out, &l.Items[i])
			}
			continue
		}
		out = append(out, u)
	}
}

func manifest(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// gitErr keeps what git said on stderr.
func gitErr(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
	}
	return err
}
