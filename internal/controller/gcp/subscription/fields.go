package subscription

import "github.com/stateful-dev/provider-stateful/internal/controller/managedkind"

// invalid is what internal/clients/gcp/errors.go classifies as the cloud rejecting the input, for any field a
// CreateSubscription or UpdateSubscription carries.
var invalid = []string{"InvalidArgument"}

// Google's documentation of the fields UpdateSubscription changes in place.
const (
	docPatch      = "https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.subscriptions/patch"
	docProperties = "https://cloud.google.com/pubsub/docs/subscription-properties"
	docFailures   = "https://cloud.google.com/pubsub/docs/handling-failures"
)

// fields is the Subscription's spec.forProvider, as Changes compares it and Update sends it (convert.go).
var fields = managedkind.Fields{
	// Topic qualifies an ID with the config's project; Changes refuses another topic before any call, and skips
	// the comparison once Pub/Sub reports _deleted-topic_ (Unusable says so instead). The CRD wants topic, topicRef
	// or topicSelector.
	{
		Path: "topic", Compare: managedkind.ByMeaning, Unset: managedkind.Required, Effect: managedkind.Refused, Terminal: invalid,
		Note: "as a full name (an ID is in the ProviderConfig's project); set it or topicRef or topicSelector; " +
			"another topic is refused before any call: delete and re-create the Subscription",
		Source: docPatch,
	},
	// Changes refuses a different filter before any call; Google: "you can't modify the filter" after creation.
	{
		Path: "filter", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.Refused, Terminal: invalid,
		Note:   "set at creation; a different filter is refused before any call: delete and re-create the Subscription",
		Source: "https://cloud.google.com/pubsub/docs/subscription-message-filter",
	},
	// Changes refuses a different value before any call; Google sets the ordering property when the subscription
	// is created.
	{
		Path: "enableMessageOrdering", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.Refused, Terminal: invalid,
		Note:   "set at creation; a different value is refused before any call: delete and re-create the Subscription",
		Source: "https://cloud.google.com/pubsub/docs/ordering",
	},
	// pushInSync: no endpoint wants pull delivery; authentication, wrapper and metadata are compared when set, and
	// desiredPush sends them back as observed when not. AdmitSpec refuses a service account through a
	// ClusterProviderConfig.
	{
		Path: "pushConfig", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: invalid,
		Note: "the endpoint (none is pull delivery); oidcToken, wrapper and writeMetadata when set, kept as they are when not; " +
			"oidcToken {} pushes unauthenticated; oidcToken.serviceAccountEmail is refused through a ClusterProviderConfig",
		Source: "https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.subscriptions/modifyPushConfig",
	},
	{
		Path: "ackDeadlineSeconds", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: invalid,
		Source: docProperties,
	},
	// Google supports exactly-once delivery on pull subscriptions only.
	{
		Path: "enableExactlyOnceDelivery", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: invalid,
		Note:   "pull subscriptions only (Google)",
		Source: "https://cloud.google.com/pubsub/docs/exactly-once-delivery",
	},
	// retryInSync: {} wants no policy; otherwise each bound the spec sets, and Desired sends the other as observed.
	{
		Path: "retryPolicy", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: invalid,
		Note: "each bound when set, as a duration (the other is kept); {} removes the policy (redelivery at once); " +
			"bounds above 600s are refused before any call",
		Source: docFailures,
	},
	// deadLetterInSync: {} wants no policy; the topic qualified like topic, the attempts when set (Desired keeps
	// the observed ones otherwise). admitTopics checks the topic through a ClusterProviderConfig.
	{
		Path: "deadLetterPolicy", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: invalid,
		Note: "the topic as a full name (an ID is in the ProviderConfig's project); maxDeliveryAttempts when set, kept as it is " +
			"when not; {} removes the policy; through a ClusterProviderConfig, only a Topic of the namespace",
		Source: docFailures,
	},
	// parse bounds the spec and sameDuration compares durations, so "24h" matches Pub/Sub's "86400s".
	{
		Path: "messageRetentionDuration", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: invalid,
		Note:   "as a duration (24h is Pub/Sub's 86400s); outside 10m–168h is refused before any call",
		Source: docProperties,
	},
	{
		Path: "retainAckedMessages", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: invalid,
		Source: docProperties,
	},
	// "never" is an expiration policy without a TTL; a TTL under 24h is refused by parse.
	{
		Path: "expirationTTL", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: invalid,
		Note:   "as a duration (744h is Pub/Sub's 2678400s); never is a policy without a TTL; under 24h is refused before any call",
		Source: docProperties,
	},
	// TagDiff and IgnoredPrefixes (managedkind/tags.go), as on the Topic.
	{
		Path: "labels", Compare: managedkind.AsKeys, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: invalid,
		Note: "beside the ProviderConfig's defaultLabels and the ownership labels; set ({} too), other keys are removed " +
			"but goog- and ignoreLabelPrefixes ones; unset, other tools' labels are kept; invalid keys or values are refused " +
			"before any call",
		Source: docPatch,
	},
}
