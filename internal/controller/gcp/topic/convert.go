package topic

import (
	"fmt"
	"slices"
	"time"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/protobuf/types/known/durationpb"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"

	"github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	pubsubclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/pubsub"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// ConnName is the connection detail key of the topic's full name.
const ConnName = "name"

// Update mask paths of the fields a Topic manages.
const (
	pathLabels    = "labels"
	pathRetention = "message_retention_duration"
	pathStorage   = "message_storage_policy"
	pathSchema    = "schema_settings"
)

// Pub/Sub's bounds on a topic's message retention.
const (
	minRetention = 10 * time.Minute
	maxRetention = 31 * 24 * time.Hour
)

// retention parses the spec's retention within Pub/Sub's bounds for a topic.
func retention(s *string) (*durationpb.Duration, error) {
	return pubsubclient.Duration("messageRetentionDuration", s, minRetention, maxRetention)
}

// Desired is the topic the spec describes, with labels (default, spec and ownership labels merged by the caller).
// At create observed is nil; in an update it fills what the spec leaves unset inside a policy it sets —
// enforceInTransit, the schema's encoding, and its revisions while the schema stays the same (revisions of another
// schema mean nothing for this one) — because Pub/Sub replaces a policy as a whole, and an unset field is not the
// provider's to change.
func Desired(name string, p v1alpha1.TopicParameters, labels map[string]string, observed *pubsubpb.Topic) (*pubsubpb.Topic, error) {
	r, err := retention(p.MessageRetentionDuration)
	if err != nil {
		return nil, err
	}
	t := &pubsubpb.Topic{Name: name, Labels: labels, MessageRetentionDuration: r, KmsKeyName: ptr.Deref(p.KMSKeyName, "")}
	if s := p.MessageStoragePolicy; s != nil {
		t.MessageStoragePolicy = &pubsubpb.MessageStoragePolicy{AllowedPersistenceRegions: s.AllowedPersistenceRegions,
			EnforceInTransit: ptr.Deref(s.EnforceInTransit, observed.GetMessageStoragePolicy().GetEnforceInTransit())}
	}
	if s := p.SchemaSettings; s != nil {
		o := observed.GetSchemaSettings()
		t.SchemaSettings = &pubsubpb.SchemaSettings{Schema: s.Schema, Encoding: o.GetEncoding()}
		if s.Encoding != nil {
			t.SchemaSettings.Encoding = pubsubpb.Encoding(pubsubpb.Encoding_value[*s.Encoding])
		}
		if o.GetSchema() != s.Schema {
			o = nil
		}
		t.SchemaSettings.FirstRevisionId = ptr.Deref(s.FirstRevisionID, o.GetFirstRevisionId())
		t.SchemaSettings.LastRevisionId = ptr.Deref(s.LastRevisionID, o.GetLastRevisionId())
	}
	return t, nil
}

// Changes lists what differs between the spec and the observed topic, each with the update mask path that fixes
// it; unset fields are not compared. labelDiff are the label keys that differ (see managedkind.TagDiff). A different KMS key
// is an error: Pub/Sub sets it at creation only.
func Changes(p v1alpha1.TopicParameters, observed *pubsubpb.Topic, labelDiff []string) (managedkind.Changes[string], error) {
	var l managedkind.Changes[string]
	if p.KMSKeyName != nil && *p.KMSKeyName != observed.GetKmsKeyName() {
		return nil, errors.Errorf("the topic is encrypted with %q, not spec.forProvider.kmsKeyName %q: "+
			"the key is set when the topic is created; delete and re-create the Topic to change it", observed.GetKmsKeyName(), *p.KMSKeyName)
	}
	l.AddIf(len(labelDiff) > 0, managedkind.LabelField(labelDiff), func() string { return pathLabels })
	r, err := retention(p.MessageRetentionDuration)
	if err != nil {
		return nil, err
	}
	l.AddIf(r != nil && r.AsDuration() != observed.GetMessageRetentionDuration().AsDuration(),
		"messageRetentionDuration", func() string { return pathRetention })
	l.AddIf(p.MessageStoragePolicy != nil && !storageInSync(*p.MessageStoragePolicy, observed.GetMessageStoragePolicy()),
		"messageStoragePolicy", func() string { return pathStorage })
	l.AddIf(p.SchemaSettings != nil && !schemaInSync(*p.SchemaSettings, observed.GetSchemaSettings()), "schemaSettings", func() string { return pathSchema })
	return l, nil
}

// storageInSync compares regions as a set; enforceInTransit only when the spec sets it.
func storageInSync(want v1alpha1.MessageStoragePolicy, got *pubsubpb.MessageStoragePolicy) bool {
	a, b := slices.Clone(want.AllowedPersistenceRegions), slices.Clone(got.GetAllowedPersistenceRegions())
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b)) && (want.EnforceInTransit == nil || *want.EnforceInTransit == got.GetEnforceInTransit())
}

// schemaInSync compares the schema; encoding and revisions only when the spec sets them.
func schemaInSync(want v1alpha1.SchemaSettings, got *pubsubpb.SchemaSettings) bool {
	return want.Schema == got.GetSchema() &&
		(want.Encoding == nil || *want.Encoding == got.GetEncoding().String()) &&
		(want.FirstRevisionID == nil || *want.FirstRevisionID == got.GetFirstRevisionId()) &&
		(want.LastRevisionID == nil || *want.LastRevisionID == got.GetLastRevisionId())
}

// Observation is the topic as status.atProvider reports it.
func Observation(t *pubsubpb.Topic) v1alpha1.TopicObservation {
	o := v1alpha1.TopicObservation{Name: t.GetName(), Labels: t.GetLabels(), KMSKeyName: t.GetKmsKeyName()}
	if r := t.GetMessageRetentionDuration(); r != nil {
		o.MessageRetentionDuration = fmt.Sprintf("%ds", int64(r.AsDuration().Seconds()))
	}
	if s := t.GetMessageStoragePolicy(); s != nil {
		o.MessageStoragePolicy = &v1alpha1.MessageStoragePolicy{
			AllowedPersistenceRegions: s.GetAllowedPersistenceRegions(),
			EnforceInTransit:          ptr.To(s.GetEnforceInTransit()),
		}
	}
	if s := t.GetSchemaSettings(); s != nil {
		o.SchemaSettings = &v1alpha1.SchemaSettings{
			Schema:          s.GetSchema(),
			Encoding:        ptr.To(s.GetEncoding().String()),
			FirstRevisionID: nonEmpty(s.GetFirstRevisionId()),
			LastRevisionID:  nonEmpty(s.GetLastRevisionId()),
		}
	}
	if t.GetState() != pubsubpb.Topic_STATE_UNSPECIFIED {
		o.State = t.GetState().String()
	}
	return o
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// connectionDetails are the topic's full name.
func connectionDetails(name string) managed.ConnectionDetails {
	return managed.ConnectionDetails{ConnName: []byte(name)}
}

// desiredLabels is the label set the topic should carry.
func desiredLabels(cr *v1alpha1.Topic, defaults map[string]string) map[string]string {
	return managedkind.GCPLabels.DesiredTags(cr, cr.Spec.ForProvider.Labels, defaults)
}

// References lists what the Topic names that the provider does not make: its KMS key.
func References(cr *v1alpha1.Topic) []credentials.Reference {
	return []credentials.Reference{{List: "kmsKeys", Field: "spec.forProvider.kmsKeyName", Value: ptr.Deref(cr.Spec.ForProvider.KMSKeyName, "")}}
}

// deletion is what deleting the Topic does: Pub/Sub keeps the topic's subscriptions, detached
// (https://cloud.google.com/pubsub/docs/delete-topic).
func deletion(*v1alpha1.Topic) managedkind.Deletion {
	return managedkind.Deletion{Deletes: true, What: "deletes the topic; its subscriptions stay, detached (they receive nothing more)"}
}
