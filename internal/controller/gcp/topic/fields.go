package topic

import "github.com/stateful-dev/provider-stateful/internal/controller/managedkind"

// invalid is what internal/clients/gcp/errors.go classifies as the cloud rejecting the input, for any field an
// UpdateTopic or CreateTopic carries.
var invalid = []string{"InvalidArgument"}

// fields is the Topic's spec.forProvider, as Changes compares it and Update sends it (convert.go).
var fields = managedkind.Fields{
	// The CRD keeps it immutable and Changes returns an error, before any call, when the topic's key differs (an
	// adopted topic, a key set later); only Create sends it. Unset, the topic keeps Google's encryption or its key.
	{
		Path: "kmsKeyName", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.Refused, Terminal: invalid,
		Note:   "set at creation; a topic with another key is refused before any call: delete and re-create the Topic",
		Source: "https://cloud.google.com/pubsub/docs/cmek",
	},
	// retention parses the spec and compares durations, so "168h" matches Pub/Sub's "604800s".
	{
		Path: "messageRetentionDuration", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: invalid,
		Note:   "as a duration (168h is Pub/Sub's 604800s); outside 10m–744h is refused before any call",
		Source: "https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics/patch",
	},
	// storageInSync sorts and compacts the regions; Desired sends enforceInTransit back as observed when unset,
	// because Pub/Sub replaces the policy whole.
	{
		Path: "messageStoragePolicy", Compare: managedkind.AsSet, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: invalid,
		Note:   "regions as a set; enforceInTransit compared when set, and kept as it is when not",
		Source: "https://cloud.google.com/pubsub/docs/resource-location-restriction",
	},
	// schemaInSync compares the schema always and the rest only when set; Desired keeps the observed encoding, and
	// the observed revisions while the schema stays the same.
	{
		Path: "schemaSettings", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: invalid,
		Note:   "the schema; encoding and revisions when set (unset, the encoding is kept, and the revisions while the schema stays the same)",
		Source: "https://cloud.google.com/pubsub/docs/associate-schema-topic",
	},
	// TagDiff and IgnoredPrefixes (managedkind/tags.go): unset labels add only the default and ownership ones.
	{
		Path: "labels", Compare: managedkind.AsKeys, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: invalid,
		Note: "beside the ProviderConfig's defaultLabels and the ownership labels; set ({} too), other keys are removed " +
			"but goog- and ignoreLabelPrefixes ones; unset, other tools' labels are kept; invalid keys or values are refused " +
			"before any call",
		Source: "https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics/patch",
	},
}
