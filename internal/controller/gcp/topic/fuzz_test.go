package topic

import (
	"slices"
	"testing"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/protobuf/proto"

	"github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/pubsub/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/fuzzpick"
)

// fuzzSpec is a Topic spec the CRD admits, with retentions Pub/Sub refuses among them.
func fuzzSpec(p *fuzzpick.Bytes) v1alpha1.TopicParameters {
	s := v1alpha1.TopicParameters{
		MessageRetentionDuration: fuzzpick.Ptr(p, "10m", "168h", "744h", "1h30m", "600s", "5m", "745h"),
		KMSKeyName:               fuzzpick.Ptr(p, "projects/p/locations/l/keyRings/r/cryptoKeys/a", "projects/p/locations/l/keyRings/r/cryptoKeys/b"),
	}
	if p.Bool() {
		s.Labels = map[string]string{}
		for _, k := range []string{"team", "env", "goog-managed"} {
			if v := fuzzpick.Ptr(p, "a", "b"); v != nil {
				s.Labels[k] = *v
			}
		}
	}
	if p.Bool() {
		var regions []string // a set of at least one
		for _, r := range []string{"europe-west1", "europe-west4", "us-central1"} {
			if p.Bool() {
				regions = append(regions, r)
			}
		}
		if len(regions) == 0 {
			regions = []string{"europe-west1"}
		}
		if p.Bool() {
			slices.Reverse(regions)
		}
		s.MessageStoragePolicy = &v1alpha1.MessageStoragePolicy{AllowedPersistenceRegions: regions, EnforceInTransit: fuzzpick.Ptr(p, false, true)}
	}
	if p.Bool() {
		s.SchemaSettings = &v1alpha1.SchemaSettings{Schema: fuzzpick.One(p, "projects/p/schemas/a", "projects/p/schemas/b"),
			Encoding: fuzzpick.Ptr(p, "JSON", "BINARY"), FirstRevisionID: fuzzpick.Ptr(p, "r1", "r2"), LastRevisionID: fuzzpick.Ptr(p, "r2", "r3")}
	}
	return s
}

// asPubSub is a topic as Pub/Sub reports it after storing t: regions in an order of its own, whatever order they
// were sent in.
func asPubSub(t *pubsubpb.Topic) *pubsubpb.Topic {
	t = proto.Clone(t).(*pubsubpb.Topic)
	if s := t.GetMessageStoragePolicy(); s != nil {
		slices.Sort(s.AllowedPersistenceRegions)
		slices.Reverse(s.AllowedPersistenceRegions)
	}
	t.State = pubsubpb.Topic_ACTIVE
	return t
}

// FuzzConverges: a spec's topic, created and read back as Pub/Sub spells it, has nothing left to change; from a
// topic made from any other spec the one update Changes asks for (its mask applied as Pub/Sub applies it) leaves
// nothing to change, and changes nothing the spec leaves unset — not even inside a field it sets.
func FuzzConverges(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{2, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 0, 2, 1, 1, 1, 2, 2, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 2})
	f.Add([]byte{7, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 3, 1, 2, 0, 1, 0, 0, 1, 2, 0, 1, 1, 1, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		p := fuzzpick.New(b)
		want, other := fuzzSpec(p), fuzzSpec(p)
		cr := newTopic(func(tp *v1alpha1.Topic) { tp.Spec.ForProvider = want })
		defaults := map[string]string{"managed-by": "ps"}
		labels, ignore := desiredLabels(cr, defaults), managedkind.IgnoredPrefixes(want.Labels, []string{"goog-"})

		created, err := Desired("projects/p/topics/orders", want, labels, nil)
		if _, rerr := retention(want.MessageRetentionDuration); (err != nil) != (rerr != nil) {
			t.Fatalf("Desired: %v, for a retention that parses with %v", err, rerr)
		}
		if err != nil {
			return
		}
		got := asPubSub(created)
		if cs, err := Changes(want, got, managedkind.TagDiff(labels, got.GetLabels(), ignore)); err != nil || len(cs) != 0 {
			t.Fatalf("created and read back, the topic still differs in %v (%v)", cs.Fields(), err)
		}

		before, err := Desired("projects/p/topics/orders", other, desiredLabels(newTopic(func(tp *v1alpha1.Topic) { tp.Spec.ForProvider = other }), defaults), nil)
		if err != nil {
			return
		}
		before = asPubSub(before)
		cs, err := Changes(want, before, managedkind.TagDiff(labels, before.GetLabels(), ignore))
		if err != nil {
			if want.KMSKeyName == nil || *want.KMSKeyName == before.GetKmsKeyName() {
				t.Fatalf("from another topic: %v", err)
			}
			return // the key is set at creation: refused, as it must be
		}
		set, remove := managedkind.TagChanges(labels, before.GetLabels(), ignore)
		update, err := Desired(before.GetName(), want, managedkind.ReplacedSet(before.GetLabels(), set, remove), before)
		if err != nil {
			t.Fatal(err)
		}
		after, err := fake.Masked(before, update, cs.Requests())
		if err != nil {
			t.Fatal(err)
		}
		after = asPubSub(after)
		if cs, err := Changes(want, after, managedkind.TagDiff(labels, after.GetLabels(), ignore)); err != nil || len(cs) != 0 {
			t.Fatalf("after the update %v the topic still differs in %v (%v)", cs.Requests(), cs.Fields(), err)
		}
		unmanaged(t, want, before, after)
	})
}

// unmanaged fails when the update changed what the spec leaves unset.
func unmanaged(t *testing.T, want v1alpha1.TopicParameters, before, after *pubsubpb.Topic) {
	t.Helper()
	if want.MessageRetentionDuration == nil && !proto.Equal(before.GetMessageRetentionDuration(), after.GetMessageRetentionDuration()) {
		t.Errorf("messageRetentionDuration is unset, yet the update changed it from %v to %v", before.GetMessageRetentionDuration(), after.GetMessageRetentionDuration())
	}
	if s := want.MessageStoragePolicy; s != nil && s.EnforceInTransit == nil && before.GetMessageStoragePolicy() != nil &&
		before.GetMessageStoragePolicy().GetEnforceInTransit() != after.GetMessageStoragePolicy().GetEnforceInTransit() {
		t.Errorf("messageStoragePolicy.enforceInTransit is unset, yet the update changed it from %t", before.GetMessageStoragePolicy().GetEnforceInTransit())
	}
	if s := want.SchemaSettings; s != nil && before.GetSchemaSettings() != nil {
		// Revisions belong to their schema: only for the same schema are they kept.
		b, a := before.GetSchemaSettings(), after.GetSchemaSettings()
		same := b.GetSchema() == s.Schema
		if s.Encoding == nil && b.GetEncoding() != a.GetEncoding() || same && s.FirstRevisionID == nil && b.GetFirstRevisionId() != a.GetFirstRevisionId() ||
			same && s.LastRevisionID == nil && b.GetLastRevisionId() != a.GetLastRevisionId() {
			t.Errorf("the update changed what schemaSettings leaves unset: from %v to %v", b, a)
		}
	}
	if want.MessageStoragePolicy == nil && !proto.Equal(before.GetMessageStoragePolicy(), after.GetMessageStoragePolicy()) ||
		want.SchemaSettings == nil && !proto.Equal(before.GetSchemaSettings(), after.GetSchemaSettings()) {
		t.Errorf("the update changed a policy the spec leaves unset: from %v to %v", before, after)
	}
}
