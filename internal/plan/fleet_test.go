package plan

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// conds sets status.conditions, each "Type=Status/Reason: message", and status.observedGeneration to the
// object's generation (the provider reconciled the spec as it is).
func conds(cs ...string) func(*unstructured.Unstructured) {
	return func(u *unstructured.Unstructured) {
		var l []any
		for _, c := range cs {
			typ, rest, _ := strings.Cut(c, "=")
			status, rest, _ := strings.Cut(rest, "/")
			reason, msg, _ := strings.Cut(rest, ": ")
			l = append(l, map[string]any{"type": typ, "status": status, "reason": reason, "message": msg})
		}
		_ = unstructured.SetNestedSlice(u.Object, l, "status", "conditions")
		_ = unstructured.SetNestedField(u.Object, float64(u.GetGeneration()), "status", "observedGeneration")
	}
}

func observeOnlyPolicy(u *unstructured.Unstructured) {
	_ = unstructured.SetNestedStringSlice(u.Object, []string{"Observe"}, "spec", "managementPolicies")
}

const (
	ready  = "Ready=True/Available: "
	synced = "Synced=True/ReconcileSuccess: "
)

func TestFleetOf(t *testing.T) {
	heldMsg := "the cloud resource changed behind the provider's back and is left as it is until approved: " +
		"visibilityTimeout (spec: 30, cloud: 99); tags[team] (spec: a, cloud: b). To revert it to the spec: annotate " +
		"stateful.dev/revert-drift=0123456789ab; to keep the cloud's value: change the spec to it"
	cases := map[string]struct {
		reason string
		obj    *unstructured.Unstructured
		want   FleetResource
	}{
		"InSync": {
			reason: "Ready and Synced, nothing held: in sync.",
			obj:    obj(gadget, "a", "g", nil, conds(ready, synced)),
			want:   FleetResource{State: InSync},
		},
		"WouldChangeNothing": {
			reason: "Observe-only, WouldChange False InSync: promoting it changes nothing.",
			obj: obj(gadget, "a", "g", nil, observeOnlyPolicy, conds(ready, synced,
				"WouldChange=False/InSync: the cloud resource matches the spec: allowing writes would change nothing")),
			want: FleetResource{State: WouldChangeNothing, Reason: "InSync", ObserveOnly: true},
		},
		"WouldChange": {
			reason: "Observe-only, WouldChange True Differs: the fields writes would change, from the message.",
			obj: obj(gadget, "a", "g", nil, observeOnlyPolicy, conds(ready, synced,
				"WouldChange=True/Differs: spec.managementPolicies only observe; with writes allowed the provider would change: visibilityTimeout, tags[team]")),
			want: FleetResource{State: WouldChange, Fields: []string{"visibilityTimeout", "tags[team]"}, Reason: "Differs", ObserveOnly: true,
				Message: "spec.managementPolicies only observe; with writes allowed the provider would change: visibilityTimeout, tags[team]"},
		},
		"WritesAllowed": {
			reason: "A WouldChange left from before writes were allowed says nothing now.",
			obj: obj(gadget, "a", "g", nil, conds(ready, synced,
				"WouldChange=False/WritesAllowed: spec.managementPolicies allow writes: the provider brings the cloud resource to the spec")),
			want: FleetResource{State: InSync},
		},
		"DriftHeld": {
			reason: "Drift True Held: each drifted field with the spec's and the cloud's values.",
			obj:    obj(gadget, "a", "g", nil, conds(ready, synced, "Drift=True/Held: "+heldMsg)),
			want: FleetResource{State: DriftHeld, Reason: "Held", Message: heldMsg,
				Fields: []string{"visibilityTimeout (spec: 30, cloud: 99)", "tags[team] (spec: a, cloud: b)"}},
		},
		"DriftInSync": {
			reason: "Drift False InSync: nothing held.",
			obj:    obj(gadget, "a", "g", nil, conds(ready, synced, "Drift=False/InSync: the cloud resource matches generation 1 of the spec")),
			want:   FleetResource{State: InSync},
		},
		"NotSynced": {
			reason: "Synced False: not ready, with the reconcile's error.",
			obj:    obj(gadget, "a", "g", nil, conds("Ready=False/Creating: ", "Synced=False/ReconcileError: cannot observe: denied")),
			want:   FleetResource{State: NotReady, Reason: "ReconcileError", Message: "cannot observe: denied"},
		},
		"NotReady": {
			reason: "Synced but not Ready: not ready, with Ready's reason.",
			obj:    obj(gadget, "a", "g", nil, conds("Ready=False/Creating: ", synced)),
			want:   FleetResource{State: NotReady, Reason: "Creating"},
		},
		"NoConditions": {
			reason: "A resource the provider has not reconciled yet: not ready.",
			obj:    obj(gadget, "a", "g", nil),
			want:   FleetResource{State: NotReady, Reason: "NotReconciled", Message: "the provider has not reported Synced"},
		},
		"Rejected": {
			reason: "InputRejected True comes first: the cloud rejects the spec.",
			obj: obj(gadget, "a", "g", nil, conds(ready, "Synced=False/ReconcileError: rejected",
				"InputRejected=True/CloudRejectedSpec: InvalidAttributeValue: VisibilityTimeout")),
			want: FleetResource{State: Rejected, Reason: "CloudRejectedSpec", Message: "InvalidAttributeValue: VisibilityTimeout"},
		},
		"Pending": {
			reason: "Conditions of an older generation: not ready until the provider reconciles the spec as it is.",
			obj: obj(gadget, "a", "g", nil, observeOnlyPolicy, conds(ready, synced, "WouldChange=False/InSync: would change nothing"),
				func(u *unstructured.Unstructured) { u.SetGeneration(3) }),
			want: FleetResource{State: NotReady, Reason: "Pending", ObserveOnly: true,
				Message: "the provider has not reconciled generation 3 of the spec yet (last: 0)"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := FleetOf([]*unstructured.Unstructured{tc.obj}).Resources[0]
			if d := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(FleetResource{}, "APIVersion", "Kind", "Namespace", "Name")); d != "" {
				t.Errorf("%s\nstate: -want +got:\n%s", tc.reason, d)
			}
		})
	}
}

// TestFleetReport reads a fleet through the fake cluster and writes it each way: one LIST per kind, lines in the
// plan's order, a summary, the --fail-on classes a promotion gates on, and the JSON's fleet section.
func TestFleetReport(t *testing.T) {
	c := cluster(
		obj(gizmo, "a", "z", nil, conds("Ready=False/Creating: ", "Synced=False/ReconcileError: cannot observe: denied")),
		obj(gadget, "a", "synced", nil, conds(ready, synced)),
		obj(gadget, "a", "observed", nil, observeOnlyPolicy, conds(ready, synced,
			"WouldChange=True/Differs: spec.managementPolicies only observe; with writes allowed the provider would change: size")),
		obj(gadget, "b", "elsewhere", nil),
	)
	r, err := ReadFleet(context.Background(), c, liveKinds, Scope{Namespace: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]listCall{{Kind: "Gadget", Namespace: "a", Limit: listPage}, {Kind: "Gizmo", Namespace: "a", Limit: listPage}}, c.calls,
		cmpopts.SortSlices(func(a, b listCall) bool { return a.Kind < b.Kind })); d != "" {
		t.Errorf("LIST calls: -want +got:\n%s", d)
	}
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	want := `Gadget a/observed (test.stateful.dev/v1alpha1): would change: size
Gadget a/synced (test.stateful.dev/v1alpha1): in sync
Gizmo a/z (other.stateful.dev/v1alpha1): not ready: ReconcileError: cannot observe: denied
3 resources: 1 in sync, 0 would change nothing, 1 would change, 0 drift held, 1 not ready, 0 rejected
`
	if d := cmp.Diff(want, text.String()); d != "" {
		t.Errorf("text: -want +got:\n%s", d)
	}
	if d := cmp.Diff([]string{"Gadget a/observed: would change size", "Gizmo a/z: not-ready (ReconcileError)"},
		r.Findings([]string{"would-change", "not-ready", "create", "delete"})); d != "" {
		t.Errorf("--fail-on would-change,not-ready,create,delete: -want +got:\n%s", d)
	}
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		APIVersion string            `json:"apiVersion"`
		Resources  []json.RawMessage `json:"resources"`
		Fleet      struct {
			Summary   FleetSummary `json:"summary"`
			Resources []struct {
				Name  string `json:"name"`
				State string `json:"state"`
			} `json:"resources"`
		} `json:"fleet"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.APIVersion != Version || doc.Resources == nil || len(doc.Resources) != 0 {
		t.Errorf("JSON: want apiVersion %s and resources [], got %s", Version, js.String())
	}
	if d := cmp.Diff(FleetSummary{Resources: 3, InSync: 1, WouldChange: 1, NotReady: 1}, doc.Fleet.Summary); d != "" {
		t.Errorf("JSON fleet.summary: -want +got:\n%s", d)
	}
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| Gadget `a/observed` | would change: size |") {
		t.Errorf("markdown lacks the would-change row:\n%s", md.String())
	}
}
