//go:build integration

package integration

import (
	"context"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	pubsubv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

func topicName(name string) string { return "projects/" + gcpProject + "/topics/" + name }

func topic(ns, name string, mutate ...func(*pubsubv1alpha1.Topic)) *pubsubv1alpha1.Topic {
	tp := &pubsubv1alpha1.Topic{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	for _, m := range mutate {
		m(tp)
	}
	return tp
}

// cloudTopic reads the topic from pstest directly.
func cloudTopic(t *testing.T, name string) *pubsubpb.Topic {
	t.Helper()
	tp, err := directTopics.GetTopic(context.Background(), &pubsubpb.GetTopicRequest{Topic: topicName(name)})
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

var gcpMarker = managedkind.GCPLabels

// The Topic's row of the contract every kind keeps (contract_test.go), against pstest through the counting gRPC
// forwarder.
var topicContract = kindContract{
	kind: "Topic", newObj: func() managedObj { return &pubsubv1alpha1.Topic{} },
	minimal: func(ns, name string) managedObj { return topic(ns, name) },
	rich: func(_ *testing.T, ns, name string) managedObj {
		return topic(ns, name, func(tp *pubsubv1alpha1.Topic) {
			tp.Spec.ForProvider = pubsubv1alpha1.TopicParameters{
				Labels: map[string]string{"team": "a"}, MessageRetentionDuration: ptr.To("168h"),
				KMSKeyName:           ptr.To("projects/" + gcpProject + "/locations/europe-west1/keyRings/r/cryptoKeys/k"),
				MessageStoragePolicy: &pubsubv1alpha1.MessageStoragePolicy{AllowedPersistenceRegions: []string{"europe-west4", "europe-west1"}, EnforceInTransit: ptr.To(true)},
				SchemaSettings:       &pubsubv1alpha1.SchemaSettings{Schema: "projects/" + gcpProject + "/schemas/orders", Encoding: ptr.To("JSON")},
			}
		})
	},
	poll: "GetTopic", tagWrites: []string{"UpdateTopic"},
	tags: func(t *testing.T, name string) map[string]string { return cloudTopic(t, name).GetLabels() },
	full: func(t *testing.T, name string) {
		_, err := directTopics.CreateTopic(context.Background(), &pubsubpb.Topic{
			Name: topicName(name), Labels: map[string]string{"team": "legacy"},
			MessageRetentionDuration: durationpb.New(48 * time.Hour),
			MessageStoragePolicy:     &pubsubpb.MessageStoragePolicy{AllowedPersistenceRegions: []string{"us-east1"}},
			SchemaSettings:           &pubsubpb.SchemaSettings{Schema: "projects/" + gcpProject + "/schemas/legacy", Encoding: pubsubpb.Encoding_BINARY},
		})
		if err != nil {
			t.Fatal(err)
		}
	},
	config: func(t *testing.T, name string) string {
		tp := proto.Clone(cloudTopic(t, name)).(*pubsubpb.Topic)
		tp.Labels = nil
		return protojson.Format(tp)
	},
	withDriftField: func(mg managedObj) {
		mg.(*pubsubv1alpha1.Topic).Spec.ForProvider.MessageRetentionDuration = ptr.To("24h")
	},
	drift: func(t *testing.T, name string) {
		if _, err := directTopics.UpdateTopic(context.Background(), &pubsubpb.UpdateTopicRequest{
			Topic:      &pubsubpb.Topic{Name: topicName(name), MessageRetentionDuration: durationpb.New(72 * time.Hour)},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"message_retention_duration"}},
		}); err != nil {
			t.Fatal(err)
		}
	},
	reverted: func(t *testing.T, name string) (bool, string) {
		d := cloudTopic(t, name).GetMessageRetentionDuration().AsDuration()
		return d == 24*time.Hour, d.String()
	},
	driftField: "messageRetentionDuration",
	updateOp:   "UpdateTopic", ignoreUpdate: answerOK("UpdateTopic"),
	wire:   func() wireCounter { return pubsubProxy },
	key:    topicName,
	marker: &gcpMarker,
}

func init() { contracts = append(contracts, topicContract) }
