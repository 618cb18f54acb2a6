package managedkind

import (
	"context"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/awstest"
)

var driftFields = Fields{
	{Path: "versioning", Compare: ByValue, Unset: Unmanaged, Effect: InPlace, Source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html"},
	{Path: "tags", Compare: AsKeys, Unset: Unmanaged, Effect: InPlace, Source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html"},
}

// drifted is a bucket in sync with generation 1 of its spec whose versioning was suspended behind the provider's
// back, and whose team tag was changed.
func drifted(b *v1alpha1.Bucket) {
	b.Spec.ForProvider.Versioning = ptr.To("Enabled")
	b.Spec.ForProvider.Tags = map[string]string{"team": "a"}
	b.Status.AtProvider.Versioning = "Suspended"
	b.Status.AtProvider.Tags = map[string]string{"team": "b", "other": "x"}
	b.SetConditions(xpv2.Available())
}

func holding(b *v1alpha1.Bucket) {
	b.SetAnnotations(map[string]string{apisv1alpha1.AnnotationDrift: apisv1alpha1.DriftHold})
}

func driftAt(r xpv2.ConditionReason, gen int64) modifier {
	return func(b *v1alpha1.Bucket) {
		b.SetConditions(driftCondition(corev1.ConditionFalse, r, gen, metav1.Now(), "recorded"))
	}
}

func TestHoldDrift(t *testing.T) {
	differs := managed.ExternalObservation{ResourceExists: true, Diff: "versioning; tags[team]"}
	inSync := managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}
	const held = "versioning (spec: Enabled, cloud: Suspended); tags[team] (spec: a, cloud: b)"
	type want struct {
		upToDate bool
		reason   xpv2.ConditionReason
		gen      int64
		message  string
		events   int
	}
	cases := map[string]struct {
		reason string
		mods   []modifier
		obs    managed.ExternalObservation
		want   want
	}{
		"NotHeld": {
			reason: "Without the annotation drift is reverted as always, and no condition is written.",
			mods:   []modifier{drifted}, obs: differs,
		},
		"AnnotationRemoved": {
			reason: "A resource that held drift and no longer does says so: drift is reverted again.",
			mods:   []modifier{drifted, driftAt(apisv1alpha1.ReasonInSync, 1)}, obs: differs,
			want: want{reason: apisv1alpha1.ReasonDriftNotHeld, gen: 1, message: "the provider reverts it within a poll"},
		},
		"InSyncRecorded": {
			reason: "In sync, the generation is recorded, so that a later difference is known to be drift.",
			mods:   []modifier{holding, drifted}, obs: inSync,
			want: want{upToDate: true, reason: apisv1alpha1.ReasonInSync, gen: 1, message: "matches generation 1 of the spec"},
		},
		"NeverInSync": {
			reason: "A difference before the resource was ever in sync (an adoption, a hold just switched on) is applied.",
			mods:   []modifier{holding, drifted}, obs: differs,
		},
		"Held": {
			reason: "A difference at the generation last found in sync is drift: held, named with the spec's and the cloud's values, one event.",
			mods:   []modifier{holding, drifted, driftAt(apisv1alpha1.ReasonInSync, 1)}, obs: differs,
			want: want{upToDate: true, reason: apisv1alpha1.ReasonDriftHeld, gen: 1, message: held, events: 1},
		},
		"SpecChanged": {
			reason: "A difference at a newer generation is the spec's change on its way: applied, held drift with it.",
			mods:   []modifier{holding, drifted, driftAt(apisv1alpha1.ReasonInSync, 0)}, obs: differs,
			want: want{reason: apisv1alpha1.ReasonInSync},
		},
		"StillCreating": {
			reason: "The rest of a new resource's spec is not drift.",
			mods:   []modifier{holding, drifted, driftAt(apisv1alpha1.ReasonInSync, 1), func(b *v1alpha1.Bucket) { b.SetConditions(xpv2.Creating()) }},
			obs:    differs, want: want{reason: apisv1alpha1.ReasonInSync, gen: 1, message: "recorded"},
		},
		"ObserveOnly": {
			reason: "A resource that only observes writes nothing anyway (WouldChange reports): no hold.",
			mods:   []modifier{holding, drifted, withPolicies(xpv2.ManagementActionObserve)}, obs: differs,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cr := bucket(tc.mods...)
			r := &awstest.Recorder{}
			got := holdDrift(cr, tc.obs, driftFields, r)
			c := cr.GetCondition(apisv1alpha1.TypeDrift)
			if diff := cmp.Diff(tc.want.upToDate, got.ResourceUpToDate); diff != "" {
				t.Errorf("%s\nResourceUpToDate: -want, +got:\n%s", tc.reason, diff)
			}
			if tc.want.upToDate && !tc.obs.ResourceUpToDate && got.Diff != "" {
				t.Errorf("%s\nheld drift still has a diff: %q", tc.reason, got.Diff)
			}
			if diff := cmp.Diff(tc.want.reason, c.Reason); diff != "" {
				t.Errorf("%s\nDrift reason: -want, +got:\n%s", tc.reason, diff)
			}
			if tc.want.gen != 0 && c.ObservedGeneration != tc.want.gen {
				t.Errorf("%s\nDrift observedGeneration %d, want %d", tc.reason, c.ObservedGeneration, tc.want.gen)
			}
			if !strings.Contains(c.Message, tc.want.message) {
				t.Errorf("%s\nDrift message %q does not say %q", tc.reason, c.Message, tc.want.message)
			}
			if diff := cmp.Diff(tc.want.events, len(r.Events)); diff != "" {
				t.Errorf("%s\nevents: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestDriftApproval walks a hold through its life: held with a token; a wrong token changes nothing and records
// nothing new; the right one passes the drift to the update; drift that changed while held needs a new token.
func TestDriftApproval(t *testing.T) {
	differs := managed.ExternalObservation{ResourceExists: true, Diff: "versioning; tags[team]"}
	cr := bucket(holding, drifted, driftAt(apisv1alpha1.ReasonInSync, 1))
	r := &awstest.Recorder{}
	holdDrift(cr, differs, driftFields, r)
	first := cr.GetCondition(apisv1alpha1.TypeDrift)
	token := tokenOf(t, first.Message)

	// A poll later, the same drift, a wrong token: still held, the same condition, no second event.
	cr.Annotations[apisv1alpha1.AnnotationRevertDrift] = "not-the-token"
	if got := holdDrift(cr, differs, driftFields, r); !got.ResourceUpToDate {
		t.Fatal("a wrong token reverted the drift")
	}
	if diff := cmp.Diff(first.Message, cr.GetCondition(apisv1alpha1.TypeDrift).Message); diff != "" {
		t.Errorf("the hold changed on a later poll: -first, +now:\n%s", diff)
	}
	if len(r.Events) != 1 {
		t.Errorf("%d events, want the one of the hold's start", len(r.Events))
	}

	// The drift changes while held: a new token; the old one approves nothing.
	cr.Annotations[apisv1alpha1.AnnotationRevertDrift] = token
	cr.Status.AtProvider.Versioning = "Disabled"
	if got := holdDrift(cr, differs, driftFields, r); !got.ResourceUpToDate {
		t.Fatal("a token given for other drift reverted this one")
	}
	second := cr.GetCondition(apisv1alpha1.TypeDrift)
	if tokenOf(t, second.Message) == token || !strings.Contains(second.Message, "cloud: Disabled") || len(r.Events) != 2 {
		t.Fatalf("drift changed while held: want a new hold naming the new value with a new token and event, got %q (%d events)", second.Message, len(r.Events))
	}

	// Its own token approves it: the update reverts it.
	cr.Annotations[apisv1alpha1.AnnotationRevertDrift] = tokenOf(t, second.Message)
	got := holdDrift(cr, differs, driftFields, r)
	if got.ResourceUpToDate || got.Diff != differs.Diff {
		t.Fatalf("an approved hold was not passed to the update: %+v", got)
	}
	if c := cr.GetCondition(apisv1alpha1.TypeDrift); c.Reason != apisv1alpha1.ReasonDriftReverting {
		t.Errorf("approved: Drift reason %q, want %q", c.Reason, apisv1alpha1.ReasonDriftReverting)
	}
	// Until it is in sync again, the approved revert goes on (a failed update is retried).
	if got := holdDrift(cr, differs, driftFields, r); got.ResourceUpToDate {
		t.Error("the revert stopped before the resource was in sync")
	}
	holdDrift(cr, managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, driftFields, r)
	if c := cr.GetCondition(apisv1alpha1.TypeDrift); c.Reason != apisv1alpha1.ReasonInSync || c.Status != corev1.ConditionFalse {
		t.Errorf("reverted: Drift %s/%s, want False/InSync", c.Status, c.Reason)
	}
}

func tokenOf(t *testing.T, msg string) string {
	t.Helper()
	_, after, ok := strings.Cut(msg, apisv1alpha1.AnnotationRevertDrift+"=")
	if !ok {
		t.Fatalf("no token in %q", msg)
	}
	return strings.SplitN(after, ";", 2)[0]
}

func TestDeclaredHoldsDrift(t *testing.T) {
	cr := bucket(holding, drifted, driftAt(apisv1alpha1.ReasonInSync, 1))
	d := &declared[*v1alpha1.Bucket]{
		TypedExternalClient: diffClient{obs: managed.ExternalObservation{ResourceExists: true, Diff: "versioning"}},
		fields:              driftFields, record: &awstest.Recorder{},
	}
	o, err := d.Observe(context.Background(), cr)
	if err != nil || !o.ResourceUpToDate {
		t.Errorf("the chain's declared step did not hold the drift: %+v, %v", o, err)
	}
}

func TestValueAt(t *testing.T) {
	m := map[string]any{
		"tags":           map[string]any{"team": "a", "env": "dev"},
		"columnFamilies": []any{map[string]any{"name": "d", "gcRule": map[string]any{"maxVersions": int64(2)}}},
		"rules":          []any{"x", "y"},
		"attributes":     map[string]any{"VisibilityTimeout": "30"},
	}
	cases := map[string]struct {
		reason     string
		path, rest string
		want       any
		found      bool
	}{
		"Path":       {reason: "A dotted path.", path: "attributes.VisibilityTimeout", want: "30", found: true},
		"Key":        {reason: "A map's key.", path: "tags", rest: "[team]", want: "a", found: true},
		"Keys":       {reason: "Several keys, as TagField names them.", path: "tags", rest: "[env,team,gone]", want: map[string]any{"team": "a", "env": "dev"}, found: true},
		"Named":      {reason: "A list's element by name, then its field.", path: "columnFamilies", rest: "[d].gcRule", want: map[string]any{"maxVersions": int64(2)}, found: true},
		"Index":      {reason: "A list's element by index.", path: "rules", rest: "[1]", want: "y", found: true},
		"MissingKey": {reason: "A key the map lacks is not found.", path: "tags", rest: "[nope]"},
		"Missing":    {reason: "A path that is not there is not found.", path: "nope.deeper"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, found := ValueAt(m, tc.path, tc.rest)
			if diff := cmp.Diff(tc.want, got); diff != "" || found != tc.found {
				t.Errorf("%s\nValueAt(%q, %q): found %v, -want, +got:\n%s", tc.reason, tc.path, tc.rest, found, diff)
			}
		})
	}
}
