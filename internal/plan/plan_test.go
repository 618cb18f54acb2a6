package plan

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

var widget = schema.GroupKind{Group: "test.stateful.dev", Kind: "Widget"}

// table is a kind's table with one field of each sort the plan treats apart.
var table = managedkind.Fields{
	{Path: "region", Compare: managedkind.ByValue, Unset: managedkind.Required, Effect: managedkind.Refused},
	{Path: "size", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.Restart, When: managedkind.ApplyImmediately, Source: "https://size"},
	{Path: "backup", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, When: managedkind.MaintenanceWindow},
	{Path: "zones", Compare: managedkind.AsSet, Unset: managedkind.Unmanaged, Effect: managedkind.LongRunning},
	{Path: "ordered", Compare: managedkind.ByValue, Unset: managedkind.ProviderDefault, Effect: managedkind.Refused},
	{Path: "retention", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace},
	{Path: "retention.locked", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.Irreversible},
	{Path: "password", Compare: managedkind.NotCompared, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Sensitive: true},
	{Path: "topic", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.Refused},
	{Path: "applyImmediately", Compare: managedkind.NotCompared, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace},
	{Path: "tags", Compare: managedkind.AsKeys, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace},
}

// widgetKind is the Widget kind: table, and a deletion that says whether the spec keeps the widget.
type widgetKind struct{}

func (widgetKind) FieldTable() managedkind.Fields { return table }

func (widgetKind) DeletionOf(obj map[string]any) (managedkind.Deletion, bool, error) {
	if keep, _, _ := unstructured.NestedBool(obj, "spec", "forProvider", "protected"); keep {
		return managedkind.Deletion{What: "refused while protected"}, true, nil
	}
	return managedkind.Deletion{Deletes: true, What: "deletes the widget"}, true, nil
}

// w is a Widget team-a/w with forProvider p and the fields of spec and metadata m adds.
func w(p map[string]any, m ...func(*unstructured.Unstructured)) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "test.stateful.dev/v1alpha1", "kind": "Widget",
		"metadata": map[string]any{"namespace": "team-a", "name": "w"},
		"spec":     map[string]any{"forProvider": p},
	}}
	for _, f := range m {
		f(u)
	}
	return u
}

func observe(u *unstructured.Unstructured) {
	_ = unstructured.SetNestedStringSlice(u.Object, []string{"Observe"}, "spec", "managementPolicies")
}

func TestChanges(t *testing.T) {
	base := func() map[string]any { return map[string]any{"region": "eu", "size": "s"} }
	with := func(kv ...any) map[string]any {
		p := base()
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(p, kv[i].(string))
				continue
			}
			p[kv[i].(string)] = kv[i+1]
		}
		return p
	}
	cases := map[string]struct {
		reason        string
		before, after *unstructured.Unstructured
		want          []FieldChange
	}{
		"Same": {reason: "Nothing differs: no change.", before: w(base()), after: w(base())},
		"RestartInTheWindow": {
			reason: "A restart that waits for the window: applyImmediately is not set.",
			before: w(base()), after: w(with("size", "m")),
			want: []FieldChange{{Field: "spec.forProvider.size", Current: "s", Desired: "m", Effect: "restart", When: "in the maintenance window (applyImmediately is not true)", Source: "https://size"}},
		},
		"RestartNow": {
			reason: "The new spec's applyImmediately: true applies it now.",
			before: w(base()), after: w(with("size", "m", "applyImmediately", true)),
			want: []FieldChange{
				{Field: "spec.forProvider.size", Current: "s", Desired: "m", Effect: "restart", When: "now (applyImmediately: true)", Source: "https://size"},
				{Field: "spec.forProvider.applyImmediately", Current: "(unset)", Desired: "true", Effect: "in place", When: "now"},
			},
		},
		"Window": {
			reason: "A field always applied in the maintenance window; set from unset.",
			before: w(base()), after: w(with("backup", float64(7))),
			want: []FieldChange{{Field: "spec.forProvider.backup", Current: "(unset)", Desired: "7", Effect: "in place", When: "in the maintenance window"}},
		},
		"Released": {
			reason: "Omitting a field unset-means-unmanaged sends nothing: the cloud keeps the value.",
			before: w(with("backup", float64(7))), after: w(base()),
			want: []FieldChange{{Field: "spec.forProvider.backup", Current: "7", Desired: "(unset)", Effect: Released,
				Note: "omitted, the field is no longer managed: nothing is sent, and the cloud keeps the value it has"}},
		},
		"SetReordered": {
			reason: "A list compared as a set: another order is no change.",
			before: w(with("zones", []any{"a", "b"})), after: w(with("zones", []any{"b", "a", "a"})),
		},
		"SetChanged": {
			reason: "A list compared as a set gains a member.",
			before: w(with("zones", []any{"a"})), after: w(with("zones", []any{"a", "c"})),
			want: []FieldChange{{Field: "spec.forProvider.zones", Current: `["a"]`, Desired: `["a","c"]`, Effect: "long-running", When: "now"}},
		},
		"Refused": {
			reason: "An immutable field: the API server rejects the edit.",
			before: w(base()), after: w(with("region", "us")),
			want: []FieldChange{{Field: "spec.forProvider.region", Current: "eu", Desired: "us", Effect: string(managedkind.Refused),
				Note: "immutable: the API server rejects this edit; delete and re-create the resource to change it"}},
		},
		"RefusedSet": {
			reason: "An immutable field set where it was unset: the CRD's rule does not judge it, the provider refuses unless the cloud has it.",
			before: w(base()), after: w(with("ordered", true)),
			want: []FieldChange{{Field: "spec.forProvider.ordered", Current: "(unset)", Desired: "true", Effect: string(managedkind.Refused),
				Note: "the CRD lets an unset field be set, but the provider refuses the update unless the cloud resource already has " +
					"this value: the resource stays unsynced"}},
		},
		"RefusedOmitted": {
			reason: "An immutable field with a provider default, omitted: the provider refuses the update.",
			before: w(with("ordered", true)), after: w(base()),
			want: []FieldChange{{Field: "spec.forProvider.ordered", Current: "true", Desired: "(unset)", Effect: string(managedkind.Refused),
				Note: "the CRD lets the field be omitted, but the provider refuses the update: the resource stays unsynced"}},
		},
		"Lock": {
			reason: "A field declared under another is its own change, and the outer one does not repeat it.",
			before: w(with("retention", map[string]any{"period": "1d"})), after: w(with("retention", map[string]any{"period": "1d", "locked": true})),
			want: []FieldChange{{Field: "spec.forProvider.retention.locked", Current: "(unset)", Desired: "true", Effect: "irreversible", When: "now"}},
		},
		"Sensitive": {
			reason: "A sensitive field's values are never printed.",
			before: w(with("password", "old-secret")), after: w(with("password", "new-secret")),
			want: []FieldChange{{Field: "spec.forProvider.password", Current: "(sensitive)", Desired: "(sensitive, changed)", Effect: "in place", When: "now"}},
		},
		"Keys": {
			reason: "A map changes key by key; a key the set map leaves out is removed.",
			before: w(with("tags", map[string]any{"team": "a", "old": "x", "same": "y"})), after: w(with("tags", map[string]any{"team": "b", "new": "z", "same": "y"})),
			want: []FieldChange{
				{Field: "spec.forProvider.tags[new]", Current: "(unset)", Desired: "z", Effect: "in place", When: "now"},
				{Field: "spec.forProvider.tags[old]", Current: "x", Desired: "(removed)", Effect: "in place", When: "now"},
				{Field: "spec.forProvider.tags[team]", Current: "a", Desired: "b", Effect: "in place", When: "now"},
			},
		},
		"KeysReleased": {
			reason: "An omitted map is released as a whole: its keys stay in the cloud.",
			before: w(with("tags", map[string]any{"team": "a"})), after: w(base()),
			want: []FieldChange{{Field: "spec.forProvider.tags", Current: `{"team":"a"}`, Desired: "(unset)", Effect: Released,
				Note: "omitted, the field is no longer managed: nothing is sent, and the cloud keeps the value it has"}},
		},
		"Reference": {
			reason: "A reference resolves into its field: a new topicRef is a change of the topic, refused.",
			before: w(with("topicRef", map[string]any{"name": "a"})), after: w(with("topicRef", map[string]any{"name": "b"})),
			want: []FieldChange{{Field: "spec.forProvider.topicRef", Current: `{"name":"a"}`, Desired: `{"name":"b"}`, Effect: string(managedkind.Refused),
				Note: "a reference, resolved into spec.forProvider.topic when applied"}},
		},
		"Undeclared": {
			reason: "A difference no row declares: the plan says it cannot tell.",
			before: w(base()), after: w(with("mystery", float64(1))),
			want: []FieldChange{{Field: "spec.forProvider.mystery", Current: "(unset)", Desired: "1", Effect: Unknown}},
		},
		"ExternalName": {
			reason: "Another external name points the resource at another cloud resource: refused.",
			before: w(base(), func(u *unstructured.Unstructured) { u.SetAnnotations(map[string]string{externalName: "a"}) }),
			after:  w(base(), func(u *unstructured.Unstructured) { u.SetAnnotations(map[string]string{externalName: "b"}) }),
			want: []FieldChange{{Field: "metadata.annotations[crossplane.io/external-name]", Current: "a", Desired: "b", Effect: string(managedkind.Refused),
				Note: "the cloud resource's name: the provider refuses to point a resource at another one"}},
		},
		"Policies": {
			reason: "Management policies narrowed: what the provider may do changes.",
			before: w(base()),
			after: w(base(), func(u *unstructured.Unstructured) {
				_ = unstructured.SetNestedStringSlice(u.Object, []string{"Observe"}, "spec", "managementPolicies")
			}),
			want: []FieldChange{{Field: "spec.managementPolicies", Current: `["*"]`, Desired: `["Observe"]`, Effect: "in place", When: "now",
				Note: "what the provider may do to the cloud resource from now on"}},
		}, "OnlyObserves": {
			reason: "A resource that only observes is sent nothing: a change waits for writes, and says so.",
			before: w(base(), observe), after: w(with("size", "m", "applyImmediately", true), observe),
			want: []FieldChange{
				{Field: "spec.forProvider.size", Current: "s", Desired: "m", Effect: "restart", When: WhenWritesAllowed, Source: "https://size"},
				{Field: "spec.forProvider.applyImmediately", Current: "(unset)", Desired: "true", Effect: "in place", When: WhenWritesAllowed},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := changes(table, tc.before, tc.after)
			if d := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("%s\nchanges: -want +got:\n%s", tc.reason, d)
			}
		})
	}
}

func TestCompute(t *testing.T) {
	other := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c"}}}
	named := func(n string, m ...func(*unstructured.Unstructured)) *unstructured.Unstructured {
		return w(map[string]any{"region": "eu"}, append([]func(*unstructured.Unstructured){func(u *unstructured.Unstructured) { u.SetName(n) }}, m...)...)
	}
	kept := func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedStringSlice(u.Object, []string{"Observe", "Create", "Update"}, "spec", "managementPolicies")
	}
	changed := named("changed")
	_ = unstructured.SetNestedField(changed.Object, "us", "spec", "forProvider", "region")
	protected := func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedField(u.Object, true, "spec", "forProvider", "protected")
	}
	before := []*unstructured.Unstructured{other, named("same"), named("changed"), named("gone"), named("kept", kept), named("protected", protected)}
	after := []*unstructured.Unstructured{other, named("same"), changed, named("new")}

	r := Compute(Kinds{widget: widgetKind{}}, before, after)
	type row struct {
		Name     string
		Action   Action
		Changes  int
		Deletes  bool
		Deletion string
	}
	var got []row
	for _, res := range r.Resources {
		got = append(got, row{Name: res.Name, Action: res.Action, Changes: len(res.Changes), Deletes: res.Deletes, Deletion: res.Deletion})
	}
	want := []row{
		{Name: "changed", Action: Change, Changes: 1},
		{Name: "gone", Action: Delete, Deletes: true, Deletion: "deletes the widget"},
		{Name: "kept", Action: Delete, Deletion: "leaves the cloud resource in place (spec.managementPolicies do not include Delete)"},
		{Name: "new", Action: Create},
		{Name: "protected", Action: Delete, Deletion: "refused while protected"},
		{Name: "same", Action: Unchanged},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("resources, sorted by kind, namespace and name: -want +got:\n%s", d)
	}
	if d := cmp.Diff(Summary{Create: 1, Change: 1, Delete: 3, Unchanged: 1}, r.Summary); d != "" {
		t.Errorf("summary: -want +got:\n%s", d)
	}
	if r.Ignored != 2 {
		t.Errorf("the ConfigMap on both sides is not the provider's: want 2 ignored, got %d", r.Ignored)
	}
	if d := cmp.Diff([]string{"Widget team-a/changed: spec.forProvider.region refused", "Widget team-a/gone: delete"},
		r.Findings([]string{"refused", "delete"})); d != "" {
		t.Errorf("findings of --fail-on refused,delete (a delete that keeps the cloud resource, or that the spec refuses, is none): -want +got:\n%s", d)
	}
}

func TestDecode(t *testing.T) {
	in := `---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}
---
# only a comment
---
{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
`
	objs, err := Decode(strings.NewReader(in), "in")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range objs {
		names = append(names, o.GetName())
	}
	if d := cmp.Diff([]string{"a", "b", "c"}, names); d != "" {
		t.Errorf("a List's items, no empty document, JSON too: -want +got:\n%s", d)
	}
	if _, err := Decode(strings.NewReader("a: [\n"), "broken.yaml"); err == nil || !strings.Contains(err.Error(), "broken.yaml") {
		t.Errorf("a broken manifest: want an error naming it, got %v", err)
	}
}

// TestEveryEffectHasAClass: --fail-on can name every effect a plan prints.
func TestEveryEffectHasAClass(t *testing.T) {
	for _, e := range []string{
		string(managedkind.InPlace), string(managedkind.Restart), string(managedkind.LongRunning),
		string(managedkind.Irreversible), string(managedkind.Refused), Released, Unknown,
	} {
		if c, ok := classOf[e]; !ok || !slices.Contains(Classes, c) {
			t.Errorf("effect %q: class %q is not one --fail-on takes (%v)", e, c, Classes)
		}
	}
}
