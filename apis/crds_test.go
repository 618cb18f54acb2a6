package apis

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// The committed CRDs' patterns are read by more than the API server (kubeconform, IDEs, crossplane beta validate
// and other JSON-Schema tools): no Go-only regular-expression syntax such as inline flags ("(?i)").
func TestCRDPatternsArePortable(t *testing.T) {
	files, err := filepath.Glob("../package/crds/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs found: %v", err)
	}
	pattern := regexp.MustCompile(`(?m)^\s*pattern: (.*)$`)
	goOnly := regexp.MustCompile(`\(\?[a-zA-Z]+[:)]`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range pattern.FindAllSubmatch(b, -1) {
			if goOnly.Match(m[1]) {
				t.Errorf("%s: pattern %s uses inline flags, which JSON-Schema tools do not read", filepath.Base(f), m[1])
			}
		}
	}
}
