package gcsbucket

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/api/googleapi"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
	gcsclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/storage"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/storage/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
)

// TestFieldsDeclareChanges holds the change list to the table: every name Changes emits, for each group that can
// change, is a declared field — the one a reader of the docs would look up.
func TestFieldsDeclareChanges(t *testing.T) {
	observed := &storage.BucketAttrs{
		Name: "b", Location: "EU", StorageClass: "STANDARD", MetaGeneration: 3,
		PublicAccessPrevention: storage.PublicAccessPreventionUnspecified,
		SoftDeletePolicy:       &storage.SoftDeletePolicy{RetentionDuration: 7 * 24 * time.Hour},
		Logging:                &storage.BucketLogging{LogBucket: "logs", LogObjectPrefix: "b"},
		RetentionPolicy:        &storage.RetentionPolicy{RetentionPeriod: 24 * time.Hour},
	}
	cases := map[string]struct {
		reason string
		p      v1alpha1.BucketParameters
		labels []string
		want   []string
	}{
		"Settings": {
			reason: "Each plain setting differs: each change is the field of its name.",
			p: v1alpha1.BucketParameters{Location: "EU", StorageClass: ptr.To("NEARLINE"), Versioning: ptr.To(true), RequesterPays: ptr.To(true),
				UniformBucketLevelAccess: ptr.To(true), PublicAccessPrevention: ptr.To("enforced"), SoftDeleteRetention: ptr.To("0s"),
				DefaultKMSKeyName: ptr.To("projects/p/locations/eu/keyRings/r/cryptoKeys/k"), Logging: &v1alpha1.BucketLogging{}},
			want: []string{"storageClass", "versioning", "requesterPays", "uniformBucketLevelAccess", "publicAccessPrevention", "softDeleteRetention", "defaultKMSKeyName", "logging"},
		},
		"Labels": {
			reason: "A label change names its keys: it belongs to labels.",
			p:      v1alpha1.BucketParameters{Location: "EU"}, labels: []string{"env", "team"},
			want: []string{"labels"},
		},
		"Rules": {
			reason: "Lifecycle and CORS rules are each one group.",
			p: v1alpha1.BucketParameters{Location: "EU",
				LifecycleRules: []v1alpha1.LifecycleRule{{Action: v1alpha1.LifecycleAction{Type: "Delete"}, Condition: v1alpha1.LifecycleCondition{AgeDays: ptr.To[int64](30)}}},
				CORS:           []v1alpha1.CORS{{Origins: []string{"*"}, Methods: []string{"GET"}}}},
			want: []string{"lifecycleRules", "cors"},
		},
		"RetentionPeriod": {
			reason: "Another period is the policy's PATCH, and no lock meanwhile.",
			p:      v1alpha1.BucketParameters{Location: "EU", RetentionPolicy: &v1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("48h"), Locked: ptr.To(true)}},
			want:   []string{"retentionPolicy"},
		},
		"RetentionLock": {
			reason: "The lock, alone once the period is right, is its own field: the irreversible one.",
			p:      v1alpha1.BucketParameters{Location: "EU", RetentionPolicy: &v1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("24h"), Locked: ptr.To(true)}},
			want:   []string{fieldLock},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var set map[string]string
			if len(tc.labels) > 0 {
				set = map[string]string{}
				for _, k := range tc.labels {
					set[k] = "x"
				}
			}
			l, err := Changes(tc.p, observed, tc.labels, set, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, kindtest.Declared(t, fields, l.Fields()), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\ndeclared fields of the changes: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
	if f, _ := fields.Lookup(fieldLock); f.Effect != managedkind.Irreversible {
		t.Errorf("the retention lock is declared %q: locking cannot be undone", f.Effect)
	}
}

// FuzzFieldsDeclareChanges: from a bucket made from any spec, whatever Changes asks to bring it to any other spec
// is declared.
func FuzzFieldsDeclareChanges(f *testing.F) {
	f.Add([]byte{}, []byte{})
	f.Add(bytes.Repeat([]byte{1}, 60), bytes.Repeat([]byte{2}, 60))
	f.Add(bytes.Repeat([]byte{3}, 60), bytes.Repeat([]byte{5}, 60))
	f.Fuzz(func(t *testing.T, wantSpec, otherSpec []byte) {
		want, other := fuzzSpec(wantSpec), fuzzSpec(otherSpec)
		created, err := CreateAttrs(other, map[string]string{"team": "a", "old": "b"})
		if err != nil {
			return
		}
		l, err := Changes(want, asGCS(created), []string{"old", "team"}, map[string]string{"team": "b"}, []string{"old"})
		if err != nil {
			return
		}
		kindtest.Declared(t, fields, l.Fields())
	})
}

// TestFieldsRefused: the fields declared Refused are exactly those the code refuses to change — the location,
// which Changes refuses before any call (TestFieldTables holds them to the fields the CRD keeps immutable).
func TestFieldsRefused(t *testing.T) {
	_, err := Changes(v1alpha1.BucketParameters{Location: "US"}, &storage.BucketAttrs{Location: "EU"}, nil, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "a bucket's location is set when it is created") {
		t.Errorf("another location: want the refusal, got %v", err)
	}
	if diff := cmp.Diff([]string{"location"}, kindtest.RefusedPaths(fields)); diff != "" {
		t.Errorf("refused fields: -code refuses +declared:\n%s", diff)
	}
}

// TestUnsetIsUnmanaged holds Observe to the table's Compare and Unset columns (kindtest.Unmanaged): a bucket whose
// every setting and label differs from the spec's and from Cloud Storage's defaults, and one whose retention policy
// is to be locked (a lock goes alone, so it is a spec of its own).
func TestUnsetIsUnmanaged(t *testing.T) {
	full := v1alpha1.BucketParameters{
		Location: "EU", StorageClass: ptr.To("STANDARD"), Labels: map[string]string{"team": "a"}, Versioning: ptr.To(false),
		UniformBucketLevelAccess: ptr.To(false), PublicAccessPrevention: ptr.To("inherited"), SoftDeleteRetention: ptr.To("168h"),
		RequesterPays: ptr.To(false), DefaultKMSKeyName: ptr.To(""), Logging: &v1alpha1.BucketLogging{},
		LifecycleRules: []v1alpha1.LifecycleRule{}, CORS: []v1alpha1.CORS{}, RetentionPolicy: &v1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("24h")},
	}
	lockOnly := v1alpha1.BucketParameters{Location: "EU", RetentionPolicy: &v1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("48h"), Locked: ptr.To(true)}}
	cloud := &storage.BucketAttrs{
		Name: "orders-data", Location: "EU", StorageClass: "NEARLINE", VersioningEnabled: true, RequesterPays: true,
		Labels:                   managedkind.GCPLabels.DesiredTags(newBucket(), map[string]string{"team": "b"}, map[string]string{"managed-by": "ps"}),
		UniformBucketLevelAccess: storage.UniformBucketLevelAccess{Enabled: true},
		PublicAccessPrevention:   storage.PublicAccessPreventionEnforced,
		SoftDeletePolicy:         &storage.SoftDeletePolicy{RetentionDuration: 30 * 24 * time.Hour},
		Encryption:               &storage.BucketEncryption{DefaultKMSKeyName: "projects/p/locations/eu/keyRings/r/cryptoKeys/k"},
		Logging:                  &storage.BucketLogging{LogBucket: "logs", LogObjectPrefix: "orders-data"},
		Lifecycle:                storage.Lifecycle{Rules: []storage.LifecycleRule{{Action: storage.LifecycleAction{Type: "Delete"}, Condition: storage.LifecycleCondition{AgeInDays: 30}}}},
		CORS:                     []storage.CORS{{Origins: []string{"*"}, Methods: []string{"GET"}}},
		RetentionPolicy:          &storage.RetentionPolicy{RetentionPeriod: 48 * time.Hour},
	}
	kindtest.Unmanaged(t, fields, func(p v1alpha1.BucketParameters) ([]string, error) {
		cr := newBucket(func(b *v1alpha1.Bucket) { b.Spec.ForProvider = p })
		f := &fake.Buckets{MockAttrs: func(string) (*storage.BucketAttrs, error) { return cloud, nil }}
		f.MockUserProject = func(string) gcsclient.BucketAPI { return f }
		o, err := ext(f).Observe(context.Background(), cr)
		return kindtest.DiffNames(o.Diff), err
	}, full, lockOnly)
}

// TestTerminalErrors holds the table's terminal errors to what the kind classifies as rejected input: a 412 as
// Cloud Storage sends it for an organisation policy (the retention lock's own 412 is retried).
func TestTerminalErrors(t *testing.T) {
	kindtest.Terminal(t, fields, Kind().Rejects, func(code string) error {
		n, err := strconv.Atoi(code)
		if err != nil {
			t.Fatalf("Cloud Storage's terminal errors are HTTP statuses, not %q", code)
		}
		msg := "refused"
		if n == http.StatusPreconditionFailed {
			msg = "Request violates constraint 'constraints/storage.publicAccessPrevention'"
		}
		return &googleapi.Error{Code: n, Message: msg}
	})
}
