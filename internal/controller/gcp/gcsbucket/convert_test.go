package gcsbucket

import (
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
)

func TestChanges(t *testing.T) {
	observed := &storage.BucketAttrs{
		Name: "b", Location: "EU", StorageClass: "STANDARD", VersioningEnabled: false,
		PublicAccessPrevention: storage.PublicAccessPreventionUnspecified,
		SoftDeletePolicy:       &storage.SoftDeletePolicy{RetentionDuration: 7 * 24 * time.Hour},
		Logging:                &storage.BucketLogging{LogBucket: "logs", LogObjectPrefix: "b"},
	}
	cases := map[string]struct {
		reason string
		p      v1alpha1.BucketParameters
		want   []string
		errHas string
	}{
		"Unmanaged": {reason: "Only the location set: nothing else is compared.", p: v1alpha1.BucketParameters{Location: "eu"}},
		"SameMeaning": {
			reason: "The location in another case, inherited PAP for GCS's unspecified, 168h for 604800s, the log bucket without a prefix: in sync.",
			p: v1alpha1.BucketParameters{Location: "eu", StorageClass: ptr.To("STANDARD"), PublicAccessPrevention: ptr.To("inherited"),
				SoftDeleteRetention: ptr.To("168h"), Logging: &v1alpha1.BucketLogging{LogBucket: ptr.To("logs")}, DefaultKMSKeyName: ptr.To("")},
		},
		"Each": {
			reason: "Each differing field is one change of the one PATCH, in a fixed order.",
			p: v1alpha1.BucketParameters{Location: "EU", StorageClass: ptr.To("NEARLINE"), Versioning: ptr.To(true), RequesterPays: ptr.To(true),
				UniformBucketLevelAccess: ptr.To(true), PublicAccessPrevention: ptr.To("enforced"), SoftDeleteRetention: ptr.To("0s"),
				DefaultKMSKeyName: ptr.To("projects/p/locations/eu/keyRings/r/cryptoKeys/k"), Logging: &v1alpha1.BucketLogging{}},
			want: []string{"storageClass", "versioning", "requesterPays", "uniformBucketLevelAccess", "publicAccessPrevention", "softDeleteRetention", "defaultKMSKeyName", "logging"},
		},
		"EmptyLogPrefix": {
			reason: "An empty log prefix is the default, which Cloud Storage reports as the bucket's name: in sync (found by FuzzConverges).",
			p:      v1alpha1.BucketParameters{Location: "EU", Logging: &v1alpha1.BucketLogging{LogBucket: ptr.To("logs"), LogObjectPrefix: ptr.To("")}},
		},
		"OtherLogPrefix": {
			reason: "A prefix the spec sets is compared.",
			p:      v1alpha1.BucketParameters{Location: "EU", Logging: &v1alpha1.BucketLogging{LogBucket: ptr.To("logs"), LogObjectPrefix: ptr.To("a")}},
			want:   []string{"logging"},
		},
		"OtherLocation":    {reason: "The location is set at creation.", p: v1alpha1.BucketParameters{Location: "US"}, errHas: "delete and re-create"},
		"SoftDeleteBounds": {reason: "Soft delete outside 0 or 7–90 days is refused before any call.", p: v1alpha1.BucketParameters{Location: "EU", SoftDeleteRetention: ptr.To("24h")}, errHas: "0s (off) or a duration from 168h"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			l, err := Changes(tc.p, observed, nil, nil, nil)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("%s\nwant an error with %q, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, l.Fields(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestUpdateKeepsUnsetLogPrefix(t *testing.T) {
	o := &storage.BucketAttrs{Location: "EU", Logging: &storage.BucketLogging{LogBucket: "old", LogObjectPrefix: "kept"}}
	l, err := Changes(v1alpha1.BucketParameters{Location: "EU", Logging: &v1alpha1.BucketLogging{LogBucket: ptr.To("new")}}, o, []string{"team"}, map[string]string{"team": "a"}, []string{"stale"})
	if err != nil {
		t.Fatal(err)
	}
	u, patch, lock := Update(l)
	if !patch || lock {
		t.Errorf("a PATCH and no lock: patch %t lock %t", patch, lock)
	}
	if diff := cmp.Diff(&storage.BucketLogging{LogBucket: "new", LogObjectPrefix: "kept"}, u.Logging); diff != "" {
		t.Errorf("a log prefix the spec leaves unset is sent as observed (the PATCH replaces logging): -want, +got:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"labels[team]", "logging"}, l.Fields()); diff != "" {
		t.Errorf("-want, +got:\n%s", diff)
	}
}

func TestCreateAttrs(t *testing.T) {
	a, err := CreateAttrs(v1alpha1.BucketParameters{Location: "eu", PublicAccessPrevention: ptr.To("enforced"), SoftDeleteRetention: ptr.To("0s"),
		Logging: &v1alpha1.BucketLogging{}, DefaultKMSKeyName: ptr.To("")}, map[string]string{"x": "y"})
	if err != nil {
		t.Fatal(err)
	}
	if a.PublicAccessPrevention != storage.PublicAccessPreventionEnforced || a.SoftDeletePolicy == nil || a.SoftDeletePolicy.RetentionDuration != 0 ||
		a.Logging != nil || a.Encryption != nil || a.Labels["x"] != "y" {
		t.Errorf("create attributes: %+v", a)
	}
	if d, _ := CreateAttrs(v1alpha1.BucketParameters{Location: "eu"}, nil); d.SoftDeletePolicy != nil || d.PublicAccessPrevention != storage.PublicAccessPreventionUnknown {
		t.Errorf("unset fields are left to Cloud Storage's defaults: %+v", d)
	}
}
