package webhook

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
	"sigs.k8s.io/yaml"

	"github.com/stateful-dev/provider-stateful/internal/controller"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
	"github.com/stateful-dev/provider-stateful/internal/plan"
)

func obj(apiVersion, kind string, forProvider map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{
		"apiVersion": apiVersion, "kind": kind,
		"metadata": map[string]any{"namespace": "team-a", "name": "orders"},
		"spec":     map[string]any{"forProvider": forProvider},
	})
	return b
}

func TestWarnings(t *testing.T) {
	db := func(class string, now bool) []byte {
		return obj("rds.aws.stateful.dev/v1alpha1", "DBInstance", map[string]any{
			"region": "us-east-1", "engine": "postgres", "dbInstanceClass": class, "applyImmediately": now,
		})
	}
	queue := func(p map[string]any) []byte { return obj("sqs.aws.stateful.dev/v1alpha1", "Queue", p) }
	gcs := func(rules ...any) []byte {
		return obj("storage.gcp.stateful.dev/v1alpha1", "Bucket", map[string]any{"location": "EU", "lifecycleRules": rules})
	}
	rule := func(age int) map[string]any {
		return map[string]any{"action": map[string]any{"type": "Delete"}, "condition": map[string]any{"age": age}}
	}
	cases := map[string]struct {
		reason   string
		op       admissionv1.Operation
		kind     metav1.GroupVersionKind
		old, cur []byte
		want     []string
	}{
		"RestartNow": {
			reason: "A class change restarts the instance, now with applyImmediately: true.",
			op:     admissionv1.Update, kind: metav1.GroupVersionKind{Group: "rds.aws.stateful.dev", Version: "v1alpha1", Kind: "DBInstance"},
			old: db("db.t3.micro", true), cur: db("db.r6g.large", true),
			want: []string{"spec.forProvider.dbInstanceClass db.t3.micro -> db.r6g.large: restart, now (applyImmediately: true)"},
		},
		"RestartInWindow": {
			reason: "Without applyImmediately the restart waits for the maintenance window.",
			op:     admissionv1.Update, kind: metav1.GroupVersionKind{Group: "rds.aws.stateful.dev", Version: "v1alpha1", Kind: "DBInstance"},
			old: db("db.t3.micro", false), cur: db("db.r6g.large", false),
			want: []string{"spec.forProvider.dbInstanceClass db.t3.micro -> db.r6g.large: restart, in the maintenance window (applyImmediately is not true)"},
		},
		"InPlace": {
			reason: "A change applied in place, with no interruption, deserves no warning.",
			op:     admissionv1.Update, kind: metav1.GroupVersionKind{Group: "sqs.aws.stateful.dev", Version: "v1alpha1", Kind: "Queue"},
			old: queue(map[string]any{"region": "us-east-1", "visibilityTimeout": 30}), cur: queue(map[string]any{"region": "us-east-1", "visibilityTimeout": 60}),
		},
		"Released": {
			reason: "An omitted unmanaged field is no longer managed: the writer is told the cloud keeps its value.",
			op:     admissionv1.Update, kind: metav1.GroupVersionKind{Group: "sqs.aws.stateful.dev", Version: "v1alpha1", Kind: "Queue"},
			old: queue(map[string]any{"region": "us-east-1", "visibilityTimeout": 30}), cur: queue(map[string]any{"region": "us-east-1"}),
			want: []string{"spec.forProvider.visibilityTimeout omitted: no longer managed; the cloud keeps its value (30)"},
		},
		"Irreversible": {
			reason: "A change that cannot be undone says why.",
			op:     admissionv1.Update, kind: metav1.GroupVersionKind{Group: "sqs.aws.stateful.dev", Version: "v1alpha1", Kind: "Queue"},
			old: queue(map[string]any{"region": "us-east-1", "messageRetentionPeriod": 345600}), cur: queue(map[string]any{"region": "us-east-1", "messageRetentionPeriod": 60}),
			want: []string{"spec.forProvider.messageRetentionPeriod 345600 -> 60: irreversible, now (a shorter period deletes the messages already older than it; a change takes up to 15 minutes)"},
		},
		"DropsEntries": {
			reason: "Dropping list entries is said with a count instead of both lists, with the field's effect.",
			op:     admissionv1.Update, kind: metav1.GroupVersionKind{Group: "storage.gcp.stateful.dev", Version: "v1alpha1", Kind: "Bucket"},
			old: gcs(rule(30), rule(60), rule(90)), cur: gcs(rule(30)),
			want: []string{"spec.forProvider.lifecycleRules: this change drops 2 of its 3 entries: irreversible, now (rules in any order, " +
				"each rule's lists as sets, age 0 however Cloud Storage spells it; `[]` removes them all; an unparsa…)"},
		},
		"Delete": {
			reason: "A delete says what it does to the cloud resource.",
			op:     admissionv1.Delete, kind: metav1.GroupVersionKind{Group: "s3.aws.stateful.dev", Version: "v1alpha1", Kind: "Bucket"},
			old:  obj("s3.aws.stateful.dev/v1alpha1", "Bucket", map[string]any{"region": "us-east-1", "forceDestroy": true}),
			want: []string{"deleting this resource deletes every object version and delete marker in the bucket, then the bucket (forceDestroy)"},
		},
		"Unreadable": {
			reason: "An object the webhook cannot read is allowed with no warning: the CRD has judged it.",
			op:     admissionv1.Update, kind: metav1.GroupVersionKind{Group: "sqs.aws.stateful.dev", Version: "v1alpha1", Kind: "Queue"},
			old: []byte("{not json"), cur: queue(map[string]any{"region": "us-east-1"}),
		},
		"OtherKind": {
			reason: "A kind that is not the provider's is allowed with no warning.",
			op:     admissionv1.Update, kind: metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"},
			old: []byte(`{}`), cur: []byte(`{}`),
		},
	}
	w := Warnings{Kinds: plan.KindsOf(controller.Kinds())}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
				Operation: tc.op, Kind: tc.kind,
				OldObject: runtime.RawExtension{Raw: tc.old}, Object: runtime.RawExtension{Raw: tc.cur},
			}}
			got := w.Handle(context.Background(), req)
			if !got.Allowed {
				t.Fatalf("%s\nthe webhook denied a write: %+v", tc.reason, got.Result)
			}
			if diff := cmp.Diff(tc.want, got.Warnings); diff != "" {
				t.Errorf("%s\nwarnings: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestWebhookCoversEveryKind holds the packaged webhook configuration to the provider's kinds: every kind's
// updates and deletes, and nothing that would ever block a write.
func TestWebhookCoversEveryKind(t *testing.T) {
	root := filepath.Join("..", "..")
	b, err := os.ReadFile(filepath.Join(root, "package", "webhookconfigurations", "manifests.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg admissionregistrationv1.ValidatingWebhookConfiguration
	if err := yaml.UnmarshalStrict(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Webhooks) != 1 {
		t.Fatalf("%d webhooks, want the one Crossplane's package manager points at the package's Service", len(cfg.Webhooks))
	}
	wh := cfg.Webhooks[0]
	if wh.FailurePolicy == nil || *wh.FailurePolicy != admissionregistrationv1.Ignore || wh.TimeoutSeconds == nil || *wh.TimeoutSeconds > 3 {
		t.Error("the webhook must never block a write: failurePolicy Ignore and a timeout of a few seconds at most")
	}
	if wh.SideEffects == nil || *wh.SideEffects != admissionregistrationv1.SideEffectClassNone {
		t.Error("sideEffects must be None, or dry-run requests skip the webhook")
	}
	if wh.ClientConfig.Service == nil || wh.ClientConfig.Service.Path == nil || *wh.ClientConfig.Service.Path != Path {
		t.Errorf("the webhook's service path must be %s", Path)
	}
	var got []string
	for _, r := range wh.Rules {
		if !slices.Equal(r.Operations, []admissionregistrationv1.OperationType{admissionregistrationv1.Update, admissionregistrationv1.Delete}) {
			t.Errorf("%v: want UPDATE and DELETE", r.APIGroups)
		}
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				got = append(got, g+"/"+res)
			}
		}
	}
	var want []string
	kinds := map[string]bool{}
	for _, k := range controller.Kinds() {
		kinds[k.GroupVersionKind().GroupKind().String()] = true
	}
	for _, crd := range kindtest.CRDs(t) {
		if kinds[crd.Spec.Names.Kind+"."+crd.Spec.Group] {
			want = append(want, crd.Spec.Group+"/"+crd.Spec.Names.Plural)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" || len(want) != len(controller.Kinds()) {
		t.Errorf("the webhook's rules are not the provider's kinds: -kinds +rules:\n%s", diff)
	}
	if !strings.Contains(wh.MatchConditions[0].Expression, "object.spec != oldObject.spec") {
		t.Error("the match condition must leave out the provider's own metadata writes")
	}
}
