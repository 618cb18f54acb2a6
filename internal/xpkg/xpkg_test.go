package xpkg

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// crdNames reads the names of the committed CRDs.
func crdNames(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../package/crds/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs: %v", err)
	}
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var crd struct {
			Metadata struct{ Name string } `json:"metadata"`
		}
		if err := yaml.Unmarshal(b, &crd); err != nil {
			t.Fatal(err)
		}
		out = append(out, crd.Metadata.Name)
	}
	sort.Strings(out)
	return out
}

func TestBuildIsAProviderPackage(t *testing.T) {
	ctx := context.Background()
	build := func() (string, *Contents) {
		base, err := RuntimeImage([]byte("#!/bin/true\n"), []byte("-----BEGIN CERTIFICATE-----\n"), "arm64")
		if err != nil {
			t.Fatal(err)
		}
		img, err := Build(ctx, "../../package", base)
		if err != nil {
			t.Fatal(err)
		}
		d, err := img.Digest()
		if err != nil {
			t.Fatal(err)
		}
		c, err := Inspect(ctx, img)
		if err != nil {
			t.Fatalf("the built package does not parse and lint as a Provider: %v", err)
		}
		if bin, err := ReadFile(img, BinaryPath); err != nil || string(bin) != "#!/bin/true\n" {
			t.Errorf("the binary is not at %s: %q %v", BinaryPath, bin, err)
		}
		return d.String(), c
	}
	d1, c := build()
	if d2, _ := build(); d1 != d2 {
		t.Errorf("the same inputs gave two digests: %s, %s", d1, d2)
	}
	if c.Provider.GetName() != "provider-stateful" {
		t.Errorf("package name: %q", c.Provider.GetName())
	}
	if v := c.Provider.Spec.Crossplane; v == nil || v.Version == "" {
		t.Errorf("the package does not declare the Crossplane version it needs")
	}
	if !strings.Contains(strings.Join(c.Provider.Spec.Capabilities, ","), "safe-start") {
		t.Errorf("safe-start is not declared: %v", c.Provider.Spec.Capabilities)
	}
	if d := cmp.Diff(crdNames(t), c.CRDs); d != "" {
		t.Errorf("the package does not hold every committed CRD: -want +got:\n%s", d)
	}
	if d := cmp.Diff([]string{"warnings.stateful.dev"}, c.Webhooks); d != "" {
		t.Errorf("the package does not carry the admission webhook (package/webhookconfigurations): -want +got:\n%s", d)
	}
	cfg := c.Config
	if cfg.User != "2000:2000" || strings.HasPrefix(cfg.User, "0") || cfg.User == "" {
		t.Errorf("the runtime runs as %q, want the non-root 2000:2000", cfg.User)
	}
	if _, ok := cfg.ExposedPorts[MetricsPort]; !ok {
		t.Errorf("the metrics port %s is not exposed: %v", MetricsPort, cfg.ExposedPorts)
	}
	if d := cmp.Diff([]string{BinaryPath}, cfg.Entrypoint); d != "" || c.Architecture != "arm64" {
		t.Errorf("entrypoint %v, architecture %s", cfg.Entrypoint, c.Architecture)
	}
}

func TestBuildLintsThePackage(t *testing.T) {
	dir := t.TempDir()
	meta, err := os.ReadFile("../../package/crossplane.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "crossplane.yaml"), meta, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "extra.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base, err := RuntimeImage([]byte("x"), nil, "amd64")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), dir, base); err == nil {
		t.Errorf("a Provider package holding a ConfigMap must fail the lint")
	}
}
