package topic

import (
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/durationpb"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
)

func TestChanges(t *testing.T) {
	observed := &pubsubpb.Topic{
		Name: "projects/p/topics/t", Labels: map[string]string{"team": "a"},
		MessageRetentionDuration: durationpb.New(7 * 24 * time.Hour),
		MessageStoragePolicy:     &pubsubpb.MessageStoragePolicy{AllowedPersistenceRegions: []string{"europe-west4", "europe-west1"}},
		SchemaSettings:           &pubsubpb.SchemaSettings{Schema: "projects/p/schemas/s", Encoding: pubsubpb.Encoding_JSON, FirstRevisionId: "r1"},
		KmsKeyName:               "projects/p/locations/l/keyRings/r/cryptoKeys/k",
	}
	cases := map[string]struct {
		reason     string
		p          v1alpha1.TopicParameters
		labelDiff  []string
		wantFields []string
		wantPaths  []string
		errHas     string
	}{
		"Unset": {reason: "Unset fields are unmanaged: nothing differs.", p: v1alpha1.TopicParameters{}},
		"SameInOtherSpellings": {
			reason: "168h is Pub/Sub's 604800s; regions compare as a set; an unset encoding or revision is not compared.",
			p: v1alpha1.TopicParameters{
				MessageRetentionDuration: ptr.To("168h"),
				MessageStoragePolicy:     &v1alpha1.MessageStoragePolicy{AllowedPersistenceRegions: []string{"europe-west1", "europe-west4"}},
				SchemaSettings:           &v1alpha1.SchemaSettings{Schema: "projects/p/schemas/s"},
				KMSKeyName:               ptr.To("projects/p/locations/l/keyRings/r/cryptoKeys/k"),
			},
		},
		"Differs": {
			reason: "Each differing field is one change, with the update mask path that fixes it.",
			p: v1alpha1.TopicParameters{
				MessageRetentionDuration: ptr.To("24h"),
				MessageStoragePolicy:     &v1alpha1.MessageStoragePolicy{AllowedPersistenceRegions: []string{"europe-west1"}, EnforceInTransit: ptr.To(true)},
				SchemaSettings:           &v1alpha1.SchemaSettings{Schema: "projects/p/schemas/s", Encoding: ptr.To("BINARY")},
			},
			labelDiff:  []string{"team"},
			wantFields: []string{"labels[team]", "messageRetentionDuration", "messageStoragePolicy", "schemaSettings"},
			wantPaths:  []string{"labels", "message_retention_duration", "message_storage_policy", "schema_settings"},
		},
		"EnforceInTransit": {
			reason:     "enforceInTransit is compared when set.",
			p:          v1alpha1.TopicParameters{MessageStoragePolicy: &v1alpha1.MessageStoragePolicy{AllowedPersistenceRegions: []string{"europe-west1", "europe-west4"}, EnforceInTransit: ptr.To(true)}},
			wantFields: []string{"messageStoragePolicy"}, wantPaths: []string{"message_storage_policy"},
		},
		"KMSKey": {
			reason: "The KMS key is set at creation: a different one is an error, not an update.",
			p:      v1alpha1.TopicParameters{KMSKeyName: ptr.To("projects/p/locations/l/keyRings/r/cryptoKeys/other")},
			errHas: "set when the topic is created",
		},
		"RetentionOutOfBounds": {
			reason: "Retention Pub/Sub would refuse is refused before any call.",
			p:      v1alpha1.TopicParameters{MessageRetentionDuration: ptr.To("5m")},
			errHas: "10m to 744h",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			l, err := Changes(tc.p, observed, tc.labelDiff)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("%s\nwant an error with %q, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantFields, l.Fields(), cmpEmpty); diff != "" {
				t.Errorf("%s\nfields: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantPaths, l.Requests(), cmpEmpty); diff != "" {
				t.Errorf("%s\nmask paths: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// cmpEmpty treats nil and empty slices alike.
var cmpEmpty = cmp.FilterValues(func(a, b []string) bool { return len(a) == 0 && len(b) == 0 }, cmp.Ignore())

func TestObservation(t *testing.T) {
	got := Observation(&pubsubpb.Topic{Name: "projects/p/topics/t", MessageRetentionDuration: durationpb.New(time.Hour), State: pubsubpb.Topic_ACTIVE})
	want := v1alpha1.TopicObservation{Name: "projects/p/topics/t", MessageRetentionDuration: "3600s", State: "ACTIVE"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("-want, +got:\n%s", diff)
	}
}

// An update replaces messageStoragePolicy and schemaSettings whole: what the spec leaves unset inside them is sent
// as observed, not reset (found by FuzzConverges: enforceInTransit turned off, the schema's revisions dropped).
func TestDesiredKeepsUnmanagedParts(t *testing.T) {
	observed := &pubsubpb.Topic{
		MessageStoragePolicy: &pubsubpb.MessageStoragePolicy{AllowedPersistenceRegions: []string{"europe-west1"}, EnforceInTransit: true},
		SchemaSettings:       &pubsubpb.SchemaSettings{Schema: "projects/p/schemas/s", Encoding: pubsubpb.Encoding_BINARY, FirstRevisionId: "r1", LastRevisionId: "r2"},
	}
	cases := map[string]struct {
		reason   string
		p        v1alpha1.TopicParameters
		observed *pubsubpb.Topic
		want     *pubsubpb.Topic
	}{
		"Create": {
			reason: "At create nothing is observed: what the spec leaves unset is Pub/Sub's default.",
			p: v1alpha1.TopicParameters{MessageStoragePolicy: &v1alpha1.MessageStoragePolicy{AllowedPersistenceRegions: []string{"europe-west4"}},
				SchemaSettings: &v1alpha1.SchemaSettings{Schema: "projects/p/schemas/s"}},
			want: &pubsubpb.Topic{Name: "projects/p/topics/t", MessageStoragePolicy: &pubsubpb.MessageStoragePolicy{AllowedPersistenceRegions: []string{"europe-west4"}},
				SchemaSettings: &pubsubpb.SchemaSettings{Schema: "projects/p/schemas/s"}},
		},
		"SameSchema": {
			reason: "Other regions keep enforceInTransit; the same schema keeps its encoding and revisions.",
			p: v1alpha1.TopicParameters{MessageStoragePolicy: &v1alpha1.MessageStoragePolicy{AllowedPersistenceRegions: []string{"europe-west4"}},
				SchemaSettings: &v1alpha1.SchemaSettings{Schema: "projects/p/schemas/s", LastRevisionID: ptr.To("r3")}},
			observed: observed,
			want: &pubsubpb.Topic{Name: "projects/p/topics/t", MessageStoragePolicy: &pubsubpb.MessageStoragePolicy{AllowedPersistenceRegions: []string{"europe-west4"}, EnforceInTransit: true},
				SchemaSettings: &pubsubpb.SchemaSettings{Schema: "projects/p/schemas/s", Encoding: pubsubpb.Encoding_BINARY, FirstRevisionId: "r1", LastRevisionId: "r3"}},
		},
		"OtherSchema": {
			reason:   "Another schema keeps the encoding, not the revisions of the one it replaces.",
			p:        v1alpha1.TopicParameters{SchemaSettings: &v1alpha1.SchemaSettings{Schema: "projects/p/schemas/other"}},
			observed: observed,
			want:     &pubsubpb.Topic{Name: "projects/p/topics/t", SchemaSettings: &pubsubpb.SchemaSettings{Schema: "projects/p/schemas/other", Encoding: pubsubpb.Encoding_BINARY}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Desired("projects/p/topics/t", tc.p, nil, tc.observed)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, protocmp.Transform()); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
