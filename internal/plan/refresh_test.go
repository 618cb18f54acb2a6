package plan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// refreshingKind is a gadget whose cloud holds cloud[name]: its Refresh compares a spec with it as a kind's Observe
// does (visibilityTimeout, size, tags key by key) and reports atProvider.
type refreshingKind struct {
	versionedKind
	cloud map[string]map[string]any
	mu    sync.Mutex
	calls map[string]int
}

func (k *refreshingKind) Refresh(_ context.Context, _ managedkind.RefreshEnv, obj map[string]any) (managedkind.Refreshed, error) {
	u := &unstructured.Unstructured{Object: obj}
	k.mu.Lock()
	k.calls[u.GetName()]++
	k.mu.Unlock()
	c, ok := k.cloud[u.GetName()]
	switch {
	case u.GetName() == "gone":
		return managedkind.Refreshed{}, nil
	case !ok:
		return managedkind.Refreshed{}, errors.New("cannot get ProviderConfig team-a/missing: not found")
	}
	spec, _, _ := unstructured.NestedMap(obj, "spec", "forProvider")
	var diff []string
	for _, f := range []string{"visibilityTimeout", "size"} {
		if v, set := spec[f]; set && fmt.Sprint(v) != fmt.Sprint(c[f]) {
			diff = append(diff, f)
		}
	}
	if tags, ok := spec["tags"].(map[string]any); ok {
		var keys []string
		ct, _ := c["tags"].(map[string]any)
		for k, v := range tags {
			if fmt.Sprint(ct[k]) != fmt.Sprint(v) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		if len(keys) > 0 {
			diff = append(diff, managedkind.TagField(keys))
		}
	}
	at := map[string]any{"attributes": map[string]any{"VisibilityTimeout": fmt.Sprint(c["visibilityTimeout"])}, "size": c["size"]}
	if c["tags"] != nil {
		at["tags"] = c["tags"]
	}
	return managedkind.Refreshed{Exists: true, Diff: diff, AtProvider: runtime.DeepCopyJSON(at)}, nil
}

func TestComputeLiveRefresh(t *testing.T) {
	g := func(name string, p map[string]any, more ...func(*unstructured.Unstructured)) *unstructured.Unstructured {
		return obj(gadget, "a", name, p, more...)
	}
	vt := func(v any) map[string]any { return map[string]any{"visibilityTimeout": v} }
	// The provider last saw 30: the refresh reads what the cloud holds now.
	lastSeen := atProvider(map[string]any{"attributes": map[string]any{"VisibilityTimeout": "30"}})
	observeOnly := func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedStringSlice(u.Object, []string{"Observe"}, "spec", "managementPolicies")
	}
	cloud := map[string]map[string]any{
		"drifted":  {"visibilityTimeout": 99.0, "size": 1.0},
		"held":     {"visibilityTimeout": 99.0, "size": 1.0},
		"changed":  {"visibilityTimeout": 99.0, "size": 1.0},
		"other":    {"visibilityTimeout": 99.0, "size": 1.0},
		"takes":    {"visibilityTimeout": 99.0, "size": 1.0},
		"observed": {"visibilityTimeout": 99.0, "size": 1.0},
		"insync":   {"visibilityTimeout": 30.0, "size": 1.0},
		"tagged":   {"visibilityTimeout": 30.0, "tags": map[string]any{"a": "x", "b": "y", "c": "3"}},
	}
	type row struct {
		Name         string
		Action       Action
		Changes      []FieldChange
		Drift        []Drift
		RefreshError string
		Missing      bool
		Calls        int
	}
	cases := map[string]struct {
		reason   string
		live     *unstructured.Unstructured
		manifest *unstructured.Unstructured
		want     row
	}{
		"UnchangedDrifted": {
			reason:   "An unchanged resource the cloud drifted from is listed with the cloud's value now; the provider reverts it, merged or not. One read.",
			live:     g("drifted", vt(30), lastSeen),
			manifest: g("drifted", vt(30)),
			want:     row{Name: "drifted", Action: Unchanged, Drift: []Drift{{Field: "spec.forProvider.visibilityTimeout", Spec: "30", Cloud: "99", Reverted: RevertedByProvider}}, Calls: 1},
		},
		"UnchangedHeld": {
			reason:   "A resource that holds drift keeps it until approved when the merge changes nothing of it.",
			live:     g("held", vt(30), lastSeen, annotated("stateful.dev/drift", "hold")),
			manifest: g("held", vt(30), annotated("stateful.dev/drift", "hold")),
			want:     row{Name: "held", Action: Unchanged, Drift: []Drift{{Field: "spec.forProvider.visibilityTimeout", Spec: "30", Cloud: "99", Reverted: RevertedHeld}}, Calls: 1},
		},
		"ChangeOverDrift": {
			reason:   "The merge changes the drifted field: it writes over the cloud's value. The change's cloud value is the cloud's now, not the last one seen. Two reads: live, then merged.",
			live:     g("changed", vt(30), lastSeen),
			manifest: g("changed", vt(60)),
			want: row{Name: "changed", Action: Change,
				Changes: []FieldChange{{Field: "spec.forProvider.visibilityTimeout", Current: "30", Desired: "60", Effect: "in place", When: "now", Cloud: "99", Drift: true}},
				Drift:   []Drift{{Field: "spec.forProvider.visibilityTimeout", Spec: "30", Cloud: "99", Reverted: RevertedByMerge}}, Calls: 2},
		},
		"ChangeOfAnotherField": {
			reason:   "The merge changes another field: the drift is the provider's to revert, merged or not.",
			live:     g("other", map[string]any{"visibilityTimeout": 30, "size": 1}, lastSeen),
			manifest: g("other", map[string]any{"visibilityTimeout": 30, "size": 2}),
			want: row{Name: "other", Action: Change,
				Changes: []FieldChange{{Field: "spec.forProvider.size", Current: "1", Desired: "2", Effect: "restart", When: "now", Cloud: "1"}},
				Drift:   []Drift{{Field: "spec.forProvider.visibilityTimeout", Spec: "30", Cloud: "99", Reverted: RevertedByProvider}}, Calls: 2},
		},
		"MergeTakesTheCloudsValue": {
			reason:   "The merged spec has the cloud's value: nothing is reverted.",
			live:     g("takes", vt(30), lastSeen),
			manifest: g("takes", vt(99)),
			want: row{Name: "takes", Action: Change,
				Changes: []FieldChange{{Field: "spec.forProvider.visibilityTimeout", Current: "30", Desired: "99", Effect: "in place", When: "now", Cloud: "99", Drift: true}},
				Drift:   []Drift{{Field: "spec.forProvider.visibilityTimeout", Spec: "30", Cloud: "99", Reverted: RevertedKept}}, Calls: 2},
		},
		"ObserveOnly": {
			reason:   "Policies that only observe write nothing over the drift.",
			live:     g("observed", vt(30), lastSeen, observeOnly),
			manifest: g("observed", vt(60), observeOnly),
			want: row{Name: "observed", Action: Change,
				Changes: []FieldChange{{Field: "spec.forProvider.visibilityTimeout", Current: "30", Desired: "60", Effect: "in place",
					When: "once spec.managementPolicies allow writes (they only observe)", Cloud: "99", Drift: true}},
				Drift: []Drift{{Field: "spec.forProvider.visibilityTimeout", Spec: "30", Cloud: "99", Reverted: RevertedObserveOnly}}, Calls: 2},
		},
		"Paused": {
			reason:   "A resource the merge leaves paused is not reconciled: nothing reverts the drift.",
			live:     g("drifted", vt(30), lastSeen, annotated("crossplane.io/paused", "true")),
			manifest: g("drifted", vt(30)),
			want:     row{Name: "drifted", Action: Unchanged, Drift: []Drift{{Field: "spec.forProvider.visibilityTimeout", Spec: "30", Cloud: "99", Reverted: RevertedPaused}}, Calls: 1},
		},
		"Unpaused": {
			reason:   "A merge that unpauses the resource and changes the field reverts it.",
			live:     g("changed", vt(30), lastSeen, annotated("crossplane.io/paused", "true")),
			manifest: g("changed", vt(60), annotated("crossplane.io/paused", "false")),
			want: row{Name: "changed", Action: Change,
				Changes: []FieldChange{{Field: "spec.forProvider.visibilityTimeout", Current: "30", Desired: "60", Effect: "in place", When: "now", Cloud: "99", Drift: true}},
				Drift:   []Drift{{Field: "spec.forProvider.visibilityTimeout", Spec: "30", Cloud: "99", Reverted: RevertedByMerge}}, Calls: 2},
		},
		"InSync": {
			reason:   "An unchanged resource the cloud agrees with is no drift.",
			live:     g("insync", vt(30), lastSeen),
			manifest: g("insync", vt(30)),
			want:     row{Name: "insync", Action: Unchanged, Calls: 1},
		},
		"TagsKeyByKey": {
			reason:   "A change naming several keys is drift key by key, each with its values.",
			live:     g("tagged", map[string]any{"visibilityTimeout": 30, "tags": map[string]any{"a": "1", "b": "2", "c": "3"}}, lastSeen),
			manifest: g("tagged", map[string]any{"visibilityTimeout": 30, "tags": map[string]any{"a": "1", "b": "2", "c": "3"}}),
			want: row{Name: "tagged", Action: Unchanged, Drift: []Drift{
				{Field: "spec.forProvider.tags[a]", Spec: "1", Cloud: "x", Reverted: RevertedByProvider},
				{Field: "spec.forProvider.tags[b]", Spec: "2", Cloud: "y", Reverted: RevertedByProvider},
			}, Calls: 1},
		},
		"CannotRead": {
			reason:   "A resource whose cloud cannot be read says why; the plan stands.",
			live:     g("broken", vt(30), lastSeen),
			manifest: g("broken", vt(60)),
			want: row{Name: "broken", Action: Change, RefreshError: "cannot get ProviderConfig team-a/missing: not found",
				Changes: []FieldChange{{Field: "spec.forProvider.visibilityTimeout", Current: "30", Desired: "60", Effect: "in place", When: "now", Cloud: "30"}}, Calls: 1},
		},
		"Gone": {
			reason:   "A cloud resource deleted behind the provider's back is said to be missing.",
			live:     g("gone", vt(30), lastSeen),
			manifest: g("gone", vt(30)),
			want:     row{Name: "gone", Action: Unchanged, Missing: true, Calls: 1},
		},
		"Create": {
			reason:   "Nothing is live to read for a create.",
			manifest: g("new", vt(30)),
			want:     row{Name: "new", Action: Create},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			k := &refreshingKind{versionedKind: versionedKind{gvk: gadget, fields: gadgetTable}, cloud: cloud, calls: map[string]int{}}
			kinds := Kinds{gadget.GroupKind(): k}
			var live []*unstructured.Unstructured
			if tc.live != nil {
				live = append(live, tc.live)
			}
			c := cluster(live...)
			var before []byte
			if tc.live != nil {
				before, _ = tc.live.MarshalJSON()
			}
			r, err := ComputeLive(context.Background(), c, kinds, []*unstructured.Unstructured{tc.manifest}, LiveOptions{Scope: Scope{Namespace: "a"}, Refresh: &managedkind.RefreshEnv{}})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Resources) != 1 || !r.Refreshed {
				t.Fatalf("want one refreshed resource, got %+v", r)
			}
			res := r.Resources[0]
			got := row{Name: res.Name, Action: res.Action, Changes: res.Changes, Drift: res.Drift, RefreshError: res.RefreshError, Missing: res.CloudMissing, Calls: k.calls[res.Name]}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, diff)
			}
			if tc.live != nil {
				after, _ := tc.live.MarshalJSON()
				if !bytes.Equal(before, after) {
					t.Errorf("%s: the live object was changed", tc.reason)
				}
			}
		})
	}
}

// The text and Markdown of a refreshed plan: an unchanged resource with drift is shown, each drifted field with
// what becomes of it, a resource not read with why; --fail-on drift names the drift read now.
func TestRefreshRender(t *testing.T) {
	r := Report{APIVersion: Version, Refreshed: true, Summary: Summary{Change: 1, Unchanged: 2}, Resources: []Resource{
		{APIVersion: "sqs.aws.stateful.dev/v1alpha1", Kind: "Queue", Namespace: "a", Name: "q", Action: Change,
			Changes: []FieldChange{{Field: "spec.forProvider.visibilityTimeout", Current: "30", Desired: "60", Effect: "in place", When: "now", Cloud: "99", Drift: true}},
			Drift:   []Drift{{Field: "spec.forProvider.visibilityTimeout", Spec: "30", Cloud: "99", Reverted: RevertedByMerge}}},
		{APIVersion: "sqs.aws.stateful.dev/v1alpha1", Kind: "Queue", Namespace: "a", Name: "same", Action: Unchanged,
			Drift: []Drift{{Field: "spec.forProvider.delaySeconds", Spec: "0", Cloud: "5", Reverted: RevertedByProvider}}},
		{APIVersion: "sqs.aws.stateful.dev/v1alpha1", Kind: "Queue", Namespace: "a", Name: "unread", Action: Unchanged, RefreshError: "cannot get ProviderConfig a/x: not found"},
		{APIVersion: "sqs.aws.stateful.dev/v1alpha1", Kind: "Queue", Namespace: "a", Name: "gone", Action: Unchanged, CloudMissing: true},
	}}
	var text, md strings.Builder
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	wantText := `Queue a/q (sqs.aws.stateful.dev/v1alpha1): change
  spec.forProvider.visibilityTimeout             30 → 60              in place, now  cloud: 99 (drift)
  drift now: spec.forProvider.visibilityTimeout  spec: 30, cloud: 99  reverted by this merge
Queue a/same (sqs.aws.stateful.dev/v1alpha1): unchanged
  drift now: spec.forProvider.delaySeconds  spec: 0, cloud: 5  the provider reverts it on its next poll (or holds it for review with stateful.dev/drift: hold), merged or not
Queue a/unread (sqs.aws.stateful.dev/v1alpha1): unchanged
  cloud not read: cannot get ProviderConfig a/x: not found
Queue a/gone (sqs.aws.stateful.dev/v1alpha1): unchanged
  cloud now: the cloud resource does not exist: the provider makes it where the management policies allow Create
0 to create, 1 to change, 0 to delete, 2 unchanged
read from the cloud now: 2 fields drifted, 1 reverted by this merge; 1 resources not read
` + driftNote + "\n"
	if diff := cmp.Diff(wantText, text.String()); diff != "" {
		t.Errorf("text: -want, +got:\n%s", diff)
	}
	for _, want := range []string{
		"**Read from the cloud now:** 2 fields drifted, 1 reverted by this merge; 1 resources not read",
		"| Queue `a/same` | `spec.forProvider.delaySeconds` | `0` | `5` | the provider reverts it on its next poll (or holds it for review with stateful.dev/drift: hold), merged or not |",
		"_Cloud not read:_ Queue `a/unread`: cannot get ProviderConfig a/x: not found",
		"_Cloud now:_ Queue `a/gone`: the cloud resource does not exist: the provider makes it where the management policies allow Create",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown: want a line %q in:\n%s", want, md.String())
		}
	}
	want := []string{
		"Queue a/q: spec.forProvider.visibilityTimeout drift (cloud now: 99)", "Queue a/same: spec.forProvider.delaySeconds drift (cloud now: 5)",
		"Queue a/gone: drift (the cloud resource does not exist)",
	}
	if diff := cmp.Diff(want, r.Findings([]string{"drift"})); diff != "" {
		t.Errorf("--fail-on drift: -want, +got:\n%s", diff)
	}
}
