package controller

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
)

// TestFieldTables holds every kind's declared fields to the kind's API and to its docs page: each spec.forProvider
// field is declared (a new field cannot ship without saying how it is compared and what a change does), the table
// is well formed, the fields it declares Refused are those the CRD keeps immutable, and the page shows the table as
// `make generate` writes it.
func TestFieldTables(t *testing.T) {
	for _, k := range Kinds() {
		gvk := k.GroupVersionKind()
		t.Run(gvk.Group+"/"+gvk.Kind, func(t *testing.T) {
			fs := k.FieldTable()
			if err := fs.Check(); err != nil {
				t.Fatal(err)
			}
			for _, name := range forProviderFields(t, k.NewManaged()) {
				if _, ok := fs.Lookup(name); !ok {
					t.Errorf("spec.forProvider.%s is not declared in the kind's field table (fields.go)", name)
				}
			}
			var refused []string
			for _, f := range fs {
				if f.Effect == managedkind.Refused {
					refused = append(refused, f.Path)
				}
			}
			if diff := cmp.Diff(immutableInCRD(t, gvk.Group, gvk.Kind), refused, cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("the fields declared Refused are not those the CRD keeps immutable (self == oldSelf): -CRD +declared:\n%s", diff)
			}
			for _, f := range fs {
				if f.Observed != "" && !reported(crdOf(t, gvk.Group, gvk.Kind), f.Observed) {
					t.Errorf("%s: status.atProvider.%s (Observed) is not in the CRD's schema", f.Path, f.Observed)
				}
			}
			path := filepath.Join("..", "..", "docs", "kinds", k.DocPage()+".md")
			page, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want, err := fs.Splice(string(page))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if diff := cmp.Diff(want, string(page)); diff != "" {
				t.Errorf("%s shows another table than the kind declares: run make generate\n-declared +page:\n%s", path, diff)
			}
		})
	}
}

// immutableInCRD lists the spec.forProvider fields the committed CRD of group and kind keeps immutable
// (x-kubernetes-validations: self == oldSelf): the API server refuses their edits before the provider sees them.
func immutableInCRD(t *testing.T, group, kind string) []string {
	t.Helper()
	var out []string
	for name, p := range crdOf(t, group, kind).Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"].Properties["forProvider"].Properties {
		for _, v := range p.XValidations {
			if v.Rule == "self == oldSelf" {
				out = append(out, name)
			}
		}
	}
	return out
}

// reported says whether the CRD's status.atProvider has the dotted path (any key of a map).
func reported(crd *extv1.CustomResourceDefinition, path string) bool {
	s := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"].Properties["atProvider"]
	for _, k := range strings.Split(path, ".") {
		if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
			return true
		}
		p, ok := s.Properties[k]
		if !ok {
			return false
		}
		s = p
	}
	return true
}

// crdOf is the committed CRD of group and kind under package/crds.
func crdOf(t *testing.T, group, kind string) *extv1.CustomResourceDefinition {
	t.Helper()
	for _, crd := range kindtest.CRDs(t) {
		if crd.Spec.Group == group && crd.Spec.Names.Kind == kind {
			return &crd
		}
	}
	t.Fatalf("no CRD of %s in group %s under package/crds", kind, group)
	return nil
}

// forProviderFields lists the JSON names of mg's spec.forProvider fields, without the references that resolve
// into another field (…Ref, …Selector).
func forProviderFields(t *testing.T, mg any) []string {
	t.Helper()
	spec := reflect.ValueOf(mg).Elem().FieldByName("Spec")
	fp := spec.FieldByName("ForProvider")
	if !fp.IsValid() {
		t.Fatalf("%T has no spec.forProvider", mg)
	}
	var out []string
	typ := fp.Type()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" || strings.HasSuffix(name, "Ref") || strings.HasSuffix(name, "Refs") || strings.HasSuffix(name, "Selector") {
			continue
		}
		out = append(out, name)
	}
	return out
}

// The table helpers every kind relies on.
func TestFieldsLookup(t *testing.T) {
	fs := managedkind.Fields{
		{Path: "tags", Compare: managedkind.AsKeys, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Source: "x"},
		{Path: "redrivePolicy", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Source: "x"},
		{Path: "redrivePolicy.maxReceiveCount", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Source: "x"},
		{Path: "globalSecondaryIndexes", Compare: managedkind.AsSet, Unset: managedkind.Unmanaged, Effect: managedkind.LongRunning, Source: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.OnlineOps.html"},
	}
	cases := map[string]struct {
		reason string
		name   string
		want   string
	}{
		"Exact":      {reason: "A plain field is found by its path.", name: "tags", want: "tags"},
		"Keys":       {reason: "A change naming keys belongs to the map.", name: "tags[env,team]", want: "tags"},
		"Added":      {reason: "An added list item belongs to the list.", name: "globalSecondaryIndexes[byEmail]+", want: "globalSecondaryIndexes"},
		"Longest":    {reason: "The most specific declared path wins.", name: "redrivePolicy.maxReceiveCount", want: "redrivePolicy.maxReceiveCount"},
		"Group":      {reason: "A field under a group belongs to the group.", name: "redrivePolicy.deadLetterTargetArn", want: "redrivePolicy"},
		"NotAPrefix": {reason: "A name that merely starts with a path is another field.", name: "tagsAll"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f, _ := fs.Lookup(tc.name)
			if diff := cmp.Diff(tc.want, f.Path); diff != "" {
				t.Errorf("%s\nLookup(%q): -want +got:\n%s", tc.reason, tc.name, diff)
			}
		})
	}
	if err := fs.Check(); err != nil {
		t.Errorf("a well-formed table: %v", err)
	}
	bad := append(slices.Clone(fs), managedkind.Field{Path: "tags", Compare: managedkind.AsKeys, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace},
		managedkind.Field{Path: "location", Compare: managedkind.ByValue, Unset: managedkind.Required, Effect: managedkind.Refused, When: managedkind.MaintenanceWindow, Source: "x"},
		managedkind.Field{Path: "lock", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.Irreversible},
		managedkind.Field{Path: "plain", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace})
	err := bad.Check()
	for _, want := range []string{
		"tags: declared twice", "location: a refused change is never applied", "lock: every effect cites", "plain: every effect cites the cloud's documentation",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check of a malformed table: want %q in %v", want, err)
		}
	}
}
