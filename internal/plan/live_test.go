package plan

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

var (
	gadget = schema.GroupVersionKind{Group: "test.stateful.dev", Version: "v1alpha1", Kind: "Gadget"}
	gizmo  = schema.GroupVersionKind{Group: "other.stateful.dev", Version: "v1alpha1", Kind: "Gizmo"}
)

// gadgetTable has a field of each sort a live plan treats apart: reported elsewhere in atProvider (Observed), at
// its own path, compared by meaning, sensitive, a map, a list of objects the API server defaults inside.
var gadgetTable = managedkind.Fields{
	{Path: "visibilityTimeout", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Observed: "attributes.VisibilityTimeout"},
	{Path: "size", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.Restart},
	{Path: "policy", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace},
	{Path: "password", Compare: managedkind.NotCompared, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Sensitive: true},
	{Path: "tags", Compare: managedkind.AsKeys, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace},
	{Path: "zones", Compare: managedkind.AsSet, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace},
	{Path: "rules", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace},
	{Path: "topic", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.Refused},
}

// versionedKind is a kind with its table and version, as managedkind.Registration is.
type versionedKind struct {
	gvk    schema.GroupVersionKind
	fields managedkind.Fields
}

func (k versionedKind) FieldTable() managedkind.Fields            { return k.fields }
func (k versionedKind) GroupVersionKind() schema.GroupVersionKind { return k.gvk }
func (versionedKind) DeletionOf(map[string]any) (managedkind.Deletion, bool, error) {
	return managedkind.Deletion{Deletes: true, What: "deletes the gadget"}, true, nil
}

var liveKinds = Kinds{
	gadget.GroupKind(): versionedKind{gvk: gadget, fields: gadgetTable},
	gizmo.GroupKind():  versionedKind{gvk: gizmo, fields: gadgetTable},
}

// obj is a resource of kind gvk, ns/name, with forProvider p (its numbers float64, as a manifest read from YAML
// has them); more sets the rest (status, metadata).
func obj(gvk schema.GroupVersionKind, ns, name string, p map[string]any, more ...func(*unstructured.Unstructured)) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"spec": map[string]any{"forProvider": jsonNumbers(p)}}}
	u.SetGroupVersionKind(gvk)
	u.SetNamespace(ns)
	u.SetName(name)
	for _, m := range more {
		m(u)
	}
	return u
}

func atProvider(m map[string]any) func(*unstructured.Unstructured) {
	return func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedField(u.Object, jsonNumbers(m), "status", "atProvider")
	}
}

func annotated(k, v string) func(*unstructured.Unstructured) {
	return func(u *unstructured.Unstructured) {
		a := u.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		a[k] = v
		u.SetAnnotations(a)
	}
}

// A listCall is one LIST the fake cluster answered.
type listCall struct {
	Kind, Namespace string
	Limit           int64
}

// fakeCluster is a Lister over objects that records every LIST. Kinds it does not serve answer as the API server
// does for a kind without a CRD.
type fakeCluster struct {
	mu     sync.Mutex
	objs   []*unstructured.Unstructured
	served map[schema.GroupVersionKind]bool
	calls  []listCall
}

func (f *fakeCluster) List(_ context.Context, list client.ObjectList, opts ...client.ListOption) error {
	ul, ok := list.(*unstructured.UnstructuredList)
	if !ok {
		return fmt.Errorf("want an unstructured list, got %T", list)
	}
	o := (&client.ListOptions{}).ApplyOptions(opts)
	gvk := ul.GroupVersionKind()
	gvk.Kind = strings.TrimSuffix(gvk.Kind, "List")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, listCall{Kind: gvk.Kind, Namespace: o.Namespace, Limit: o.Limit})
	if !f.served[gvk] {
		return &meta.NoKindMatchError{GroupKind: gvk.GroupKind(), SearchedVersions: []string{gvk.Version}}
	}
	var all []unstructured.Unstructured
	for _, u := range f.objs {
		if u.GroupVersionKind() == gvk && (o.Namespace == "" || u.GetNamespace() == o.Namespace) {
			// As the API server answers: JSON numbers are int64.
			c := u.DeepCopy()
			c.Object = int64s(c.Object).(map[string]any)
			all = append(all, *c)
		}
	}
	start := 0
	if o.Continue != "" {
		start, _ = strconv.Atoi(o.Continue)
	}
	end := len(all)
	if o.Limit > 0 && start+int(o.Limit) < end {
		end = start + int(o.Limit)
		ul.SetContinue(strconv.Itoa(end))
	}
	ul.Items = all[start:end]
	return nil
}

func int64s(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = int64s(e)
		}
	case []any:
		for i, e := range t {
			t[i] = int64s(e)
		}
	case float64:
		if t == float64(int64(t)) {
			return int64(t)
		}
	}
	return v
}

func cluster(objs ...*unstructured.Unstructured) *fakeCluster {
	return &fakeCluster{objs: objs, served: map[schema.GroupVersionKind]bool{gadget: true, gizmo: true}}
}

// A liveRow is what a test checks of one resource of a live plan.
type liveRow struct {
	Name    string
	Action  Action
	Changes []FieldChange
	Deletes bool
}

func rows(r Report) []liveRow {
	var out []liveRow
	for _, res := range r.Resources {
		out = append(out, liveRow{Name: res.Namespace + "/" + res.Name, Action: res.Action, Changes: res.Changes, Deletes: res.Deletes})
	}
	return out
}

func TestComputeLive(t *testing.T) {
	vt := func(v any) map[string]any { return map[string]any{"visibilityTimeout": v} }
	seen := func(v string) func(*unstructured.Unstructured) {
		return atProvider(map[string]any{"attributes": map[string]any{"VisibilityTimeout": v}})
	}
	inPlace := func(field, cur, des, cloud string, drift bool) FieldChange {
		return FieldChange{Field: "spec.forProvider." + field, Current: cur, Desired: des, Effect: "in place", When: "now", Cloud: cloud, Drift: drift}
	}
	cases := map[string]struct {
		reason    string
		live      []*unstructured.Unstructured
		manifests []*unstructured.Unstructured
		o         LiveOptions
		want      []liveRow
		notes     []string
	}{
		"ChangeWithCloud": {
			reason:    "The live spec is the current value; the cloud's value is read at the field's Observed path in atProvider.",
			live:      []*unstructured.Unstructured{obj(gadget, "a", "g", vt(30), seen("30"))},
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "g", vt(60))},
			want:      []liveRow{{Name: "a/g", Action: Change, Changes: []FieldChange{inPlace("visibilityTimeout", "30", "60", "30", false)}}},
		},
		"Drift": {
			reason:    "The cloud holds another value than the live spec: drift, which the text marks.",
			live:      []*unstructured.Unstructured{obj(gadget, "a", "g", vt(30), seen("99"))},
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "g", vt(60))},
			want:      []liveRow{{Name: "a/g", Action: Change, Changes: []FieldChange{inPlace("visibilityTimeout", "30", "60", "99", true)}}},
		},
		"OwnPath": {
			reason:    "A field the table gives no Observed path is read at its own path in atProvider.",
			live:      []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"size": "s"}, atProvider(map[string]any{"size": "s"}))},
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"size": "m"})},
			want: []liveRow{{Name: "a/g", Action: Change, Changes: []FieldChange{
				{Field: "spec.forProvider.size", Current: "s", Desired: "m", Effect: "restart", When: "now", Cloud: "s"},
			}}},
		},
		"NotReported": {
			reason:    "A value atProvider does not report is no cloud value.",
			live:      []*unstructured.Unstructured{obj(gadget, "a", "g", vt(30), atProvider(map[string]any{"arn": "x"}))},
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "g", vt(60))},
			want:      []liveRow{{Name: "a/g", Action: Change, Changes: []FieldChange{inPlace("visibilityTimeout", "30", "60", "", false)}}},
		},
		"Sensitive": {
			reason: "A sensitive field never shows a value, not even the cloud's.",
			live: []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"password": "old-secret"},
				atProvider(map[string]any{"password": "cloud-secret"}))},
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"password": "new-secret"})},
			want: []liveRow{{Name: "a/g", Action: Change, Changes: []FieldChange{
				{Field: "spec.forProvider.password", Current: "(sensitive)", Desired: "(sensitive, changed)", Effect: "in place", When: "now"},
			}}},
		},
		"ByMeaning": {
			reason: "A value compared by meaning shows the cloud's, but is not judged drift: the cloud may spell it otherwise.",
			live: []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"policy": `{"a": 1}`},
				atProvider(map[string]any{"policy": `{"a":1}`}))},
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"policy": `{"a": 2}`})},
			want:      []liveRow{{Name: "a/g", Action: Change, Changes: []FieldChange{inPlace("policy", `{"a": 1}`, `{"a": 2}`, `{"a":1}`, false)}}},
		},
		"Keys": {
			reason: "A map's key is read at the key in atProvider; the cloud's other keys are none of the plan's business.",
			live: []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"tags": map[string]any{"team": "a"}},
				atProvider(map[string]any{"tags": map[string]any{"team": "b", "owner": "provider"}}))},
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"tags": map[string]any{"team": "c"}})},
			want:      []liveRow{{Name: "a/g", Action: Change, Changes: []FieldChange{inPlace("tags[team]", "a", "c", "b", true)}}},
		},
		"Set": {
			reason: "A set the cloud reports in another order is no drift.",
			live: []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"zones": []any{"x", "y"}},
				atProvider(map[string]any{"zones": []any{"y", "x"}}))},
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"zones": []any{"x"}})},
			want:      []liveRow{{Name: "a/g", Action: Change, Changes: []FieldChange{inPlace("zones", `["x","y"]`, `["x"]`, `["y","x"]`, false)}}},
		},
		"Unchanged": {
			reason:    "30 read from the API server (an int64: the fake cluster answers so) and 30 from YAML (a float64) are one value.",
			live:      []*unstructured.Unstructured{obj(gadget, "a", "g", vt(30), seen("30"))},
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "g", vt(30))},
			want:      []liveRow{{Name: "a/g", Action: Unchanged}},
		},
		"CreateNoPrune": {
			reason: "A manifest with no live object is a create; a live object no manifest names is no delete without --prune.",
			live:   []*unstructured.Unstructured{obj(gadget, "a", "other", vt(30))},
			manifests: []*unstructured.Unstructured{
				obj(gadget, "a", "new", vt(30)),
				{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c", "namespace": "a"}}},
			},
			want: []liveRow{{Name: "a/new", Action: Create}},
		},
		"Prune": {
			reason: "With --prune a live object no manifest names, in a namespace the manifests name, is a delete; another namespace's is not.",
			live:   []*unstructured.Unstructured{obj(gadget, "a", "other", vt(30)), obj(gizmo, "a", "last", vt(1)), obj(gadget, "b", "elsewhere", vt(30))},
			manifests: []*unstructured.Unstructured{
				obj(gadget, "a", "new", vt(30)),
			},
			o:    LiveOptions{Prune: true},
			want: []liveRow{{Name: "a/new", Action: Create}, {Name: "a/other", Action: Delete, Deletes: true}, {Name: "a/last", Action: Delete, Deletes: true}},
		},
		"PruneAll": {
			reason:    "With -A, --prune deletes in every namespace.",
			live:      []*unstructured.Unstructured{obj(gadget, "b", "elsewhere", vt(30))},
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "new", vt(30))},
			o:         LiveOptions{Prune: true, Scope: Scope{All: true}},
			want:      []liveRow{{Name: "a/new", Action: Create}, {Name: "b/elsewhere", Action: Delete, Deletes: true}},
		},
		"DefaultNamespace": {
			reason:    "A manifest without a namespace is the one apply puts in the default namespace.",
			live:      []*unstructured.Unstructured{obj(gadget, "ctx", "g", vt(30))},
			manifests: []*unstructured.Unstructured{obj(gadget, "", "g", vt(30))},
			o:         LiveOptions{DefaultNamespace: "ctx"},
			want:      []liveRow{{Name: "ctx/g", Action: Unchanged}},
		},
		"ExternalName": {
			reason:    "Crossplane writes the external name on the live object; apply keeps an annotation the manifest does not set.",
			live:      []*unstructured.Unstructured{obj(gadget, "a", "g", vt(30), annotated(externalName, "g"))},
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "g", vt(30))},
			want:      []liveRow{{Name: "a/g", Action: Unchanged}},
		},
		"ResolvedReference": {
			reason: "The value a reference resolved into stays: apply keeps what it did not set.",
			live:   []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"topic": "t-1", "topicRef": map[string]any{"name": "t"}})},
			manifests: []*unstructured.Unstructured{
				obj(gadget, "a", "g", map[string]any{"topicRef": map[string]any{"name": "t"}}),
			},
			want: []liveRow{{Name: "a/g", Action: Unchanged}},
		},
		"DefaultInAList": {
			reason:    "A default the API server set inside a list's element is no change.",
			live:      []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"rules": []any{map[string]any{"days": 1, "enabled": true}}})},
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"rules": []any{map[string]any{"days": 1}}})},
			want:      []liveRow{{Name: "a/g", Action: Unchanged}},
		},
		"ListChanged": {
			reason:    "An element that says something else is the manifest's, as written.",
			live:      []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"rules": []any{map[string]any{"days": 1, "enabled": true}}})},
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"rules": []any{map[string]any{"days": 2}}})},
			want: []liveRow{{Name: "a/g", Action: Change, Changes: []FieldChange{
				inPlace("rules", `[{"days":1,"enabled":true}]`, `[{"days":2}]`, "", false),
			}}},
		},
		"KeptWithoutRecord": {
			reason:    "A field the manifest omits stays when the cluster does not record that apply set it (an object made by create).",
			live:      []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"visibilityTimeout": 30, "size": "s"})},
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "g", vt(30))},
			want:      []liveRow{{Name: "a/g", Action: Unchanged}},
		},
		"ReleasedLastApplied": {
			reason: "A field the last client-side apply set and the manifest omits is released.",
			live: []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"visibilityTimeout": 30, "size": "s"},
				annotated(lastAppliedAnnotation, `{"spec":{"forProvider":{"visibilityTimeout":30,"size":"s"}}}`))},
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "g", vt(30))},
			want: []liveRow{{Name: "a/g", Action: Change, Changes: []FieldChange{{
				Field: "spec.forProvider.size", Current: "s", Desired: "(unset)", Effect: Released,
				Note: "omitted, the field is no longer managed: nothing is sent, and the cloud keeps the value it has",
			}}}},
		},
		"ReleasedServerSideApply": {
			reason: "A field a server-side Apply set and the manifest omits is released; fields another manager set stay.",
			live: []*unstructured.Unstructured{obj(gadget, "a", "g", map[string]any{"visibilityTimeout": 30, "size": "s", "policy": "p"},
				func(u *unstructured.Unstructured) {
					u.SetManagedFields([]metav1.ManagedFieldsEntry{
						{Manager: "flux", Operation: metav1.ManagedFieldsOperationApply, FieldsType: "FieldsV1",
							FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:spec":{"f:forProvider":{"f:visibilityTimeout":{},"f:size":{}}}}`)}},
						{Manager: "kubectl-edit", Operation: metav1.ManagedFieldsOperationUpdate, FieldsType: "FieldsV1",
							FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:spec":{"f:forProvider":{"f:policy":{}}}}`)}},
					})
				})},
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "g", vt(30))},
			want: []liveRow{{Name: "a/g", Action: Change, Changes: []FieldChange{{
				Field: "spec.forProvider.size", Current: "s", Desired: "(unset)", Effect: Released,
				Note: "omitted, the field is no longer managed: nothing is sent, and the cloud keeps the value it has",
			}}}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := ComputeLive(context.Background(), cluster(tc.live...), liveKinds, tc.manifests, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, rows(r), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("%s\nlive plan: -want +got:\n%s", tc.reason, d)
			}
		})
	}
}

// TestLiveReads: the live read is one LIST per kind, in the narrowest namespace that answers the question, and
// never a GET (a Lister cannot): what makes a live plan of a large fleet take about the time of one LIST per kind.
func TestLiveReads(t *testing.T) {
	many := make([]*unstructured.Unstructured, 0, 1200)
	for i := range 1200 {
		many = append(many, obj(gadget, "a", fmt.Sprintf("g-%04d", i), nil))
	}
	cases := map[string]struct {
		reason    string
		live      []*unstructured.Unstructured
		manifests []*unstructured.Unstructured
		o         LiveOptions
		want      []listCall
	}{
		"OneNamespace": {
			reason:    "Manifests in one namespace: one LIST of each kind they name, in that namespace.",
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "x", nil), obj(gadget, "a", "y", nil), obj(gizmo, "a", "z", nil)},
			want:      []listCall{{Kind: "Gizmo", Namespace: "a", Limit: listPage}, {Kind: "Gadget", Namespace: "a", Limit: listPage}},
		},
		"Namespaces": {
			reason:    "Manifests in two namespaces: one LIST of the kind, of every namespace.",
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "x", nil), obj(gadget, "b", "y", nil)},
			want:      []listCall{{Kind: "Gadget", Limit: listPage}},
		},
		"Namespace": {
			reason:    "-n: one LIST in that namespace.",
			manifests: []*unstructured.Unstructured{obj(gadget, "", "x", nil)},
			o:         LiveOptions{Scope: Scope{Namespace: "a"}, DefaultNamespace: "a"},
			want:      []listCall{{Kind: "Gadget", Namespace: "a", Limit: listPage}},
		},
		"Prune": {
			reason:    "--prune: every kind, a kind whose last resource left the manifests too.",
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "x", nil)},
			o:         LiveOptions{Prune: true},
			want:      []listCall{{Kind: "Gizmo", Namespace: "a", Limit: listPage}, {Kind: "Gadget", Namespace: "a", Limit: listPage}},
		},
		"Pages": {
			reason:    "1,200 objects are three pages of 500.",
			live:      many,
			manifests: []*unstructured.Unstructured{obj(gadget, "a", "x", nil)},
			want:      []listCall{{Kind: "Gadget", Namespace: "a", Limit: listPage}, {Kind: "Gadget", Namespace: "a", Limit: listPage}, {Kind: "Gadget", Namespace: "a", Limit: listPage}},
		},
		"Nothing": {
			reason:    "No manifest of the provider's kinds: nothing to read.",
			manifests: []*unstructured.Unstructured{{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c"}}}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := cluster(tc.live...)
			if _, err := ComputeLive(context.Background(), c, liveKinds, tc.manifests, tc.o); err != nil {
				t.Fatal(err)
			}
			// The kinds are listed at once: their order is not the plan's business.
			sorted := cmpopts.SortSlices(func(a, b listCall) bool { return a.Kind < b.Kind })
			if d := cmp.Diff(tc.want, c.calls, sorted, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("%s\nLIST calls: -want +got:\n%s", tc.reason, d)
			}
		})
	}
}

func TestLiveNotServed(t *testing.T) {
	c := cluster()
	delete(c.served, gizmo)
	r, err := ComputeLive(context.Background(), c, liveKinds, []*unstructured.Unstructured{obj(gizmo, "a", "z", nil)}, LiveOptions{})
	if err != nil {
		t.Fatalf("a kind the cluster does not serve is no error: %v", err)
	}
	if d := cmp.Diff([]liveRow{{Name: "a/z", Action: Create}}, rows(r)); d != "" {
		t.Errorf("nothing of a kind without a CRD is live: -want +got:\n%s", d)
	}
	if d := cmp.Diff([]string{"Gizmo.other.stateful.dev: the cluster does not serve this kind (no CRD): nothing of it is live"}, r.Notes); d != "" {
		t.Errorf("notes: -want +got:\n%s", d)
	}
}

func TestLiveNamespaceMismatch(t *testing.T) {
	_, err := ComputeLive(context.Background(), cluster(), liveKinds, []*unstructured.Unstructured{obj(gadget, "b", "x", nil)},
		LiveOptions{Scope: Scope{Namespace: "a"}, DefaultNamespace: "a"})
	if err == nil || !strings.Contains(err.Error(), "not -n a") {
		t.Errorf("a manifest in another namespace than -n: want an error saying so, got %v", err)
	}
}

// TestLiveText: the text of a live plan has a cloud column, marks drift and says once what drift means; notes
// follow.
func TestLiveText(t *testing.T) {
	r := Report{
		Summary: Summary{Change: 1},
		Resources: []Resource{{APIVersion: "test.stateful.dev/v1alpha1", Kind: "Gadget", Namespace: "a", Name: "g", Action: Change, Changes: []FieldChange{
			{Field: "spec.forProvider.visibilityTimeout", Current: "30", Desired: "60", Effect: "in place", When: "now", Cloud: "99", Drift: true},
			{Field: "spec.forProvider.size", Current: "s", Desired: "m", Effect: "restart", When: "now", Cloud: "s"},
			{Field: "spec.forProvider.password", Current: "(sensitive)", Desired: "(sensitive, changed)", Effect: "in place", When: "now"},
		}}},
		Notes: []string{"Gizmo.other.stateful.dev: the cluster does not serve this kind (no CRD): nothing of it is live"},
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `Gadget a/g (test.stateful.dev/v1alpha1): change
  spec.forProvider.visibilityTimeout  30 → 60                             in place, now  cloud: 99 (drift)
  spec.forProvider.size               s → m                               restart, now   cloud: s
  spec.forProvider.password           (sensitive) → (sensitive, changed)  in place, now
0 to create, 1 to change, 0 to delete, 0 unchanged
` + driftNote + `
note: Gizmo.other.stateful.dev: the cluster does not serve this kind (no CRD): nothing of it is live
`
	if d := cmp.Diff(want, b.String()); d != "" {
		t.Errorf("-want +got:\n%s", d)
	}
	b.Reset()
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"| effect | cloud |", "| `99` **(drift)** |", "| `s` |"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("markdown lacks %q:\n%s", s, b.String())
		}
	}
	if d := cmp.Diff([]string{"Gadget a/g: spec.forProvider.visibilityTimeout drift (cloud: 99)"}, r.Findings([]string{"drift"})); d != "" {
		t.Errorf("--fail-on drift: -want +got:\n%s", d)
	}
}
