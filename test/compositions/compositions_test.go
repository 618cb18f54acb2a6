//go:build compositions

// Package compositions renders every example composition with the real crossplane CLI — the function as a local
// process, no Docker — and validates what it composes against this provider's CRDs, so that a schema change that
// breaks a composition fails CI.
package compositions

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// tools is the folder hack/build-crossplane.sh printed.
func tools(t *testing.T) string {
	d := os.Getenv("CROSSPLANE_TOOLS")
	if d == "" {
		t.Fatal("CROSSPLANE_TOOLS is not set: run through `make compositions`")
	}
	return d
}

// startFunction runs function-patch-and-transform on a free loopback port and returns its address.
func startFunction(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, filepath.Join(tools(t), "function-patch-and-transform"), "--insecure", "--address="+addr)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			_ = c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("the function did not listen on %s: %s", addr, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func run(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("%s %s: %w\n%s%s", filepath.Base(name), strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String(), nil
}

// validateArgs make `crossplane resource validate` offline: it validates built-in kinds against Crossplane core's
// own CRDs, which it would download as an image; the cache it would store them in is seeded with the CRDs of the
// core v2.4.0 module instead.
func validateArgs(t *testing.T) []string {
	t.Helper()
	const image = "xpkg.crossplane.io/crossplane/crossplane:v2.4.0"
	cache := t.TempDir()
	dir := filepath.Join(cache, strings.ReplaceAll(image, ":", "@"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	crds, err := filepath.Glob(filepath.Join(tools(t), "crds", "*.yaml"))
	if err != nil || len(crds) == 0 {
		t.Fatalf("no Crossplane core CRDs in %s: %v", tools(t), err)
	}
	var all bytes.Buffer
	for _, f := range crds {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
		all.WriteString("\n---\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "package.yaml"), all.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"resource", "validate", "--cache-dir=" + cache, "--crossplane-image=" + image, "--error-on-missing-schemas"}
}

func objects(t *testing.T, stream string) []*unstructured.Unstructured {
	t.Helper()
	d := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(stream), 4096)
	var out []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := d.Decode(&u.Object); err != nil {
			break
		}
		if len(u.Object) > 0 {
			out = append(out, u)
		}
	}
	return out
}

func TestCompositionsRenderAndValidate(t *testing.T) {
	root := harness.RepoRoot()
	dir := filepath.Join(root, "examples", "compositions")
	cli := filepath.Join(tools(t), "crossplane-cli")
	addr := startFunction(t)
	fns, err := os.ReadFile(filepath.Join(dir, "functions.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	functions := filepath.Join(t.TempDir(), "functions.yaml")
	if err := os.WriteFile(functions, []byte(strings.ReplaceAll(string(fns), "127.0.0.1:9443", addr)), 0o600); err != nil {
		t.Fatal(err)
	}

	cases := map[string]struct {
		// want is kind/name of every composed resource, and a field each must carry.
		want map[string]func(u *unstructured.Unstructured) (bool, string)
	}{
		"app-storage": {want: map[string]func(*unstructured.Unstructured) (bool, string){
			"Bucket/checkout-data": field("spec", "forProvider", "versioning", "Enabled"),
			"Queue/checkout-dlq":   field("spec", "forProvider", "region", "eu-west-1"),
			"Queue/checkout-work":  field("spec", "forProvider", "redrivePolicy", "deadLetterTargetRef", "name", "checkout-dlq"),
			"AppStorage/checkout":  field("metadata", "namespace", "demo"),
		}},
		"postgres": {want: map[string]func(*unstructured.Unstructured) (bool, string){
			"DBInstance/billing-db":         field("spec", "writeConnectionSecretToRef", "name", "billing-db-conn"),
			"PostgreSQLDatabase/billing-db": field("metadata", "namespace", "demo"),
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := filepath.Join(dir, name)
			out, err := run(t, cli, "composition", "render", "--crossplane-binary="+filepath.Join(tools(t), "crossplane"), "-x", filepath.Join(c, "xr.yaml"), filepath.Join(c, "composition.yaml"), functions)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]*unstructured.Unstructured{}
			for _, u := range objects(t, out) {
				got[u.GetKind()+"/"+u.GetName()] = u
			}
			for key, ok := range tc.want {
				u, found := got[key]
				if !found {
					t.Errorf("render did not compose %s; it composed %v", key, keys(got))
					continue
				}
				if good, why := ok(u); !good {
					t.Errorf("%s: %s", key, why)
				}
			}

			// Validate the composed managed resources against this provider's CRDs (the XR is the XRD's business).
			var mrs bytes.Buffer
			for _, u := range got {
				if strings.HasSuffix(u.GetAPIVersion(), ".stateful.dev/v1alpha1") && strings.Contains(u.GetAPIVersion(), ".aws.") {
					b, _ := u.MarshalJSON()
					mrs.WriteString("---\n")
					mrs.Write(b)
					mrs.WriteString("\n")
				}
			}
			rendered := filepath.Join(t.TempDir(), "rendered.yaml")
			if err := os.WriteFile(rendered, mrs.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := run(t, cli, append(validateArgs(t), filepath.Join(root, "package", "crds"), rendered)...); err != nil {
				t.Errorf("the composed resources do not validate against the provider's CRDs: %v\n%s", err, out)
			}
		})
	}
}

// TestExamplesValidate: every object of this provider in examples/local, examples/aws and the plan demo's change
// (examples/plan-demo) validates against its CRD, CEL rules included — the schema's bounds (issue 23 §2) must leave
// every example valid.
func TestExamplesValidate(t *testing.T) {
	root := harness.RepoRoot()
	var ours bytes.Buffer
	n := 0
	for _, dir := range []string{"local", "aws", "plan-demo"} {
		files, err := filepath.Glob(filepath.Join(root, "examples", dir, "*.yaml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no examples in examples/%s: %v", dir, err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range objects(t, string(b)) {
				if !strings.HasSuffix(u.GroupVersionKind().Group, "stateful.dev") {
					continue // Secrets, Namespaces, RBAC: not this provider's to validate
				}
				j, _ := u.MarshalJSON()
				ours.WriteString("---\n")
				ours.Write(j)
				ours.WriteString("\n")
				n++
			}
		}
	}
	if n < 10 {
		t.Fatalf("found %d objects of this provider in the examples; the test reads the wrong files", n)
	}
	examples := filepath.Join(t.TempDir(), "examples.yaml")
	if err := os.WriteFile(examples, ours.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, filepath.Join(tools(t), "crossplane-cli"), append(validateArgs(t), filepath.Join(root, "package", "crds"), examples)...); err != nil {
		t.Errorf("the examples do not validate against the provider's CRDs: %v\n%s", err, out)
	}
}

// TestValidateCatchesSchemaDrift: the same validation refuses a composed resource with a field the CRD does not
// have — what a renamed or removed field would do to a composition.
func TestValidateCatchesSchemaDrift(t *testing.T) {
	root := harness.RepoRoot()
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte(`apiVersion: s3.aws.stateful.dev/v1alpha1
kind: Bucket
metadata: {namespace: demo, name: drifted-bucket}
spec:
  forProvider: {region: eu-west-1, versionning: Enabled}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, filepath.Join(tools(t), "crossplane-cli"), append(validateArgs(t), filepath.Join(root, "package", "crds"), bad)...)
	if err == nil || !strings.Contains(err.Error(), "versionning") {
		t.Errorf("a field the CRD does not have must fail validation, naming it: %v\n%s", err, out)
	}
}

func field(path ...string) func(*unstructured.Unstructured) (bool, string) {
	want := path[len(path)-1]
	path = path[:len(path)-1]
	return func(u *unstructured.Unstructured) (bool, string) {
		got, _, _ := unstructured.NestedFieldNoCopy(u.Object, path...)
		return fmt.Sprint(got) == want, fmt.Sprintf("%s is %v, want %s", strings.Join(path, "."), got, want)
	}
}

func keys(m map[string]*unstructured.Unstructured) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
