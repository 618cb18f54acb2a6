package topic

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/durationpb"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/pubsub/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
)

// fieldsObserved is the topic TestChanges observes.
func fieldsObserved() *pubsubpb.Topic {
	return &pubsubpb.Topic{
		Name: "projects/p/topics/t", Labels: map[string]string{"team": "a"},
		MessageRetentionDuration: durationpb.New(7 * 24 * time.Hour),
		MessageStoragePolicy:     &pubsubpb.MessageStoragePolicy{AllowedPersistenceRegions: []string{"europe-west4", "europe-west1"}},
		SchemaSettings:           &pubsubpb.SchemaSettings{Schema: "projects/p/schemas/s", Encoding: pubsubpb.Encoding_JSON, FirstRevisionId: "r1"},
		KmsKeyName:               "projects/p/locations/l/keyRings/r/cryptoKeys/k",
	}
}

// Every change the change list names is a field the table declares, and one the provider may send: the docs, the
// drift events and the change-impact plan read the table, so a change it cannot explain is a bug.
func TestFieldsDeclareChanges(t *testing.T) {
	if err := fields.Check(); err != nil {
		t.Fatal(err)
	}
	type changeCase struct {
		reason    string
		p         v1alpha1.TopicParameters
		labelDiff []string
		// want are the declared paths the change names fall under, in order.
		want []string
	}
	cases := map[string]changeCase{
		"Labels": {
			reason: "A label change names its keys, under labels.", labelDiff: []string{"env", "team"},
			want: []string{"labels"},
		},
		"Retention": {
			reason: "Another retention is messageRetentionDuration.", p: v1alpha1.TopicParameters{MessageRetentionDuration: ptr.To("24h")},
			want: []string{"messageRetentionDuration"},
		},
		"Regions": {
			reason: "Other regions change the storage policy.",
			p:      v1alpha1.TopicParameters{MessageStoragePolicy: &v1alpha1.MessageStoragePolicy{AllowedPersistenceRegions: []string{"europe-west1"}}},
			want:   []string{"messageStoragePolicy"},
		},
		"EnforceInTransit": {
			reason: "enforceInTransit is part of the storage policy group.",
			p:      v1alpha1.TopicParameters{MessageStoragePolicy: &v1alpha1.MessageStoragePolicy{AllowedPersistenceRegions: []string{"europe-west1", "europe-west4"}, EnforceInTransit: ptr.To(true)}},
			want:   []string{"messageStoragePolicy"},
		},
		"SchemaEncoding": {
			reason: "An encoding or revision change is part of the schema settings group.",
			p:      v1alpha1.TopicParameters{SchemaSettings: &v1alpha1.SchemaSettings{Schema: "projects/p/schemas/s", Encoding: ptr.To("BINARY"), LastRevisionID: ptr.To("r2")}},
			want:   []string{"schemaSettings"},
		},
		"Everything": {
			reason: "Each differing field is one change, each declared.",
			p: v1alpha1.TopicParameters{
				MessageRetentionDuration: ptr.To("24h"),
				MessageStoragePolicy:     &v1alpha1.MessageStoragePolicy{AllowedPersistenceRegions: []string{"us-east1"}},
				SchemaSettings:           &v1alpha1.SchemaSettings{Schema: "projects/p/schemas/other"},
				KMSKeyName:               ptr.To("projects/p/locations/l/keyRings/r/cryptoKeys/k"),
			},
			labelDiff: []string{"team"},
			want:      []string{"labels", "messageRetentionDuration", "messageStoragePolicy", "schemaSettings"},
		},
	}
	kindtest.DeclaredChanges(t, fields, cases, func(tc changeCase) kindtest.Change {
		l, err := Changes(tc.p, fieldsObserved(), tc.labelDiff)
		return kindtest.Change{Reason: tc.reason, Names: l.Fields(), Err: err, Want: tc.want}
	})
}

// The fields the table declares refused are exactly those Changes refuses to change, with the error it gives.
func TestFieldsRefused(t *testing.T) {
	cases := map[string]struct {
		reason string
		p      v1alpha1.TopicParameters
		errHas string
	}{
		"kmsKeyName": {
			reason: "The KMS key is set at creation: another one is an error, not an update.",
			p:      v1alpha1.TopicParameters{KMSKeyName: ptr.To("projects/p/locations/l/keyRings/r/cryptoKeys/other")},
			errHas: "the key is set when the topic is created; delete and re-create the Topic",
		},
	}
	if diff := cmp.Diff(slices.Sorted(maps.Keys(cases)), kindtest.RefusedPaths(fields)); diff != "" {
		t.Errorf("the refused fields: -refused by Changes, +declared refused:\n%s", diff)
	}
	for path, tc := range cases {
		t.Run(path, func(t *testing.T) {
			_, err := Changes(tc.p, fieldsObserved(), nil)
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Errorf("%s\nwant an error with %q, got %v", tc.reason, tc.errHas, err)
			}
		})
	}
}

// TestUnsetIsUnmanaged holds Observe to the table's Compare and Unset columns (kindtest.Unmanaged): a topic whose
// every setting and label differs from the spec's and from Pub/Sub's defaults (its key is the spec's: a key cannot
// change).
func TestUnsetIsUnmanaged(t *testing.T) {
	key := "projects/p/locations/l/keyRings/r/cryptoKeys/k"
	full := v1alpha1.TopicParameters{
		Labels: map[string]string{"team": "a"}, MessageRetentionDuration: ptr.To("1h"), KMSKeyName: ptr.To(key),
		MessageStoragePolicy: &v1alpha1.MessageStoragePolicy{AllowedPersistenceRegions: []string{"europe-west1"}, EnforceInTransit: ptr.To(false)},
		SchemaSettings:       &v1alpha1.SchemaSettings{Schema: "projects/p/schemas/a", Encoding: ptr.To("JSON")},
	}
	labels := managedkind.GCPLabels.DesiredTags(newTopic(), map[string]string{"team": "b"}, map[string]string{"managed-by": "ps"})
	cloud := &pubsubpb.Topic{
		Name: "projects/p/topics/orders", KmsKeyName: key, Labels: labels, MessageRetentionDuration: durationpb.New(2 * time.Hour),
		MessageStoragePolicy: &pubsubpb.MessageStoragePolicy{AllowedPersistenceRegions: []string{"us-east1"}, EnforceInTransit: true},
		SchemaSettings:       &pubsubpb.SchemaSettings{Schema: "projects/p/schemas/b", Encoding: pubsubpb.Encoding_BINARY},
	}
	kindtest.Unmanaged(t, fields, func(p v1alpha1.TopicParameters) ([]string, error) {
		cr := newTopic(func(tp *v1alpha1.Topic) { tp.Spec.ForProvider = p })
		f := &fake.Topics{MockGetTopic: func(*pubsubpb.GetTopicRequest) (*pubsubpb.Topic, error) { return cloud, nil }}
		o, err := ext(f).Observe(context.Background(), cr)
		return kindtest.DiffNames(o.Diff), err
	}, full)
}

// TestTerminalErrors holds the table's terminal errors to what the kind classifies as rejected input.
func TestTerminalErrors(t *testing.T) {
	kindtest.Terminal(t, fields, Kind().Rejects, kindtest.GRPCStatus)
}
