package apis

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
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

func readCRDs(t *testing.T) []extv1.CustomResourceDefinition {
	t.Helper()
	files, err := filepath.Glob("../package/crds/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs found: %v", err)
	}
	out := make([]extv1.CustomResourceDefinition, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var crd extv1.CustomResourceDefinition
		if err := yaml.Unmarshal(b, &crd); err != nil {
			t.Fatal(err)
		}
		out = append(out, crd)
	}
	return out
}

// undescribed lists the schema properties under path with no description: `kubectl explain` shows nothing for them.
func undescribed(path string, s extv1.JSONSchemaProps) []string {
	var out []string
	for name, p := range s.Properties {
		sub := path + "." + name
		// metadata, and the fields kubebuilder fills from upstream types without a comment, are Kubernetes'.
		if sub == ".metadata" {
			continue
		}
		if p.Description == "" {
			out = append(out, sub)
		}
		out = append(out, undescribed(sub, p)...)
	}
	if s.Items != nil && s.Items.Schema != nil {
		out = append(out, undescribed(path+"[]", *s.Items.Schema)...)
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
		out = append(out, undescribed(path+"{}", *s.AdditionalProperties.Schema)...)
	}
	return out
}

// Every field reads well in `kubectl explain`, and every managed kind prints READY, SYNCED, EXTERNAL-NAME and a
// column of its own, and is listed by `kubectl get crossplane`, `managed` and `stateful`.
func TestCRDsReadWellInKubectl(t *testing.T) {
	for _, crd := range readCRDs(t) {
		for _, v := range crd.Spec.Versions {
			if miss := undescribed("", *v.Schema.OpenAPIV3Schema); len(miss) > 0 {
				sort.Strings(miss)
				t.Errorf("%s %s: fields without a description: %v", crd.Name, v.Name, miss)
			}
			if crd.Spec.Scope != extv1.NamespaceScoped || strings.Contains(crd.Name, "providerconfig") {
				continue
			}
			cols := map[string]bool{}
			for _, c := range v.AdditionalPrinterColumns {
				cols[c.Name] = true
			}
			for _, c := range []string{"READY", "SYNCED", "EXTERNAL-NAME", "AGE"} {
				if !cols[c] {
					t.Errorf("%s: no %s column", crd.Name, c)
				}
			}
			if len(cols) < 5 {
				t.Errorf("%s: no column of its own beyond READY, SYNCED, EXTERNAL-NAME, AGE", crd.Name)
			}
			cats := strings.Join(crd.Spec.Names.Categories, ",")
			for _, c := range []string{"crossplane", "managed", "stateful"} {
				if !strings.Contains(","+cats+",", ","+c+",") {
					t.Errorf("%s: not in the %s category (%s)", crd.Name, c, cats)
				}
			}
		}
	}
}

// A rule on metadata.name runs only when an object is created: the name cannot change afterwards, and the API
// server evaluates every root-level rule again on each update and status write of the object (no ratcheting at
// the root, whose value always changes). Gated by optionalOldSelf, an update pays one presence check per rule, and a
// rule added in a later version never refuses the status writes or the finalizer removal of an object created
// before it.
func TestNameRulesOnlyOnCreate(t *testing.T) {
	found := 0
	for _, crd := range readCRDs(t) {
		for _, v := range crd.Spec.Versions {
			for _, r := range v.Schema.OpenAPIV3Schema.XValidations {
				if !strings.Contains(r.Rule, "self.metadata.name") {
					continue
				}
				found++
				if r.OptionalOldSelf == nil || !*r.OptionalOldSelf || !strings.HasPrefix(r.Rule, "oldSelf.hasValue() || (") {
					t.Errorf("%s: the rule %q runs on every write; want optionalOldSelf and oldSelf.hasValue() || (...)", crd.Name, r.Rule)
				}
			}
		}
	}
	if found == 0 {
		t.Error("no rule on metadata.name found: the test reads the wrong CRDs")
	}
}
