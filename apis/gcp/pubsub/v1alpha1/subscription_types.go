package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// SubscriptionParameters are the configurable fields of a Subscription. Fields left unset are not managed: the
// provider neither reads nor changes them, and reports what Pub/Sub has in status.atProvider. For the policies
// (pushConfig, deadLetterPolicy, retryPolicy) an empty object says "none" explicitly: pull delivery, no dead
// letters, immediate redelivery.
// +kubebuilder:validation:XValidation:rule="has(self.topic) || has(self.topicRef) || has(self.topicSelector)",message="set topic, topicRef or topicSelector"
type SubscriptionParameters struct {
	// Topic the subscription receives from: a topic ID in the ProviderConfig's project, or a full name
	// projects/<project>/topics/<id>. Set it, or let topicRef or topicSelector set it from a Topic's
	// status.atProvider.name. Set at creation; immutable.
	// +optional
	// +kubebuilder:validation:MaxLength=300
	// +kubebuilder:validation:Pattern=`^(projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/topics/)?[A-Za-z][A-Za-z0-9._~+%-]{2,254}$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="topic is immutable: a subscription is attached to its topic at creation"
	// +crossplane:generate:reference:type=Topic
	// +crossplane:generate:reference:extractor=TopicName()
	// +crossplane:generate:reference:refFieldName=TopicRef
	// +crossplane:generate:reference:selectorFieldName=TopicSelector
	Topic *string `json:"topic,omitempty"`

	// TopicRef names a Topic in this namespace to subscribe to.
	// +optional
	// +kubebuilder:validation:XValidation:rule="!has(self.namespace)",message="namespace must be omitted: a reference resolves in the resource's own namespace"
	// +kubebuilder:validation:XValidation:rule="size(self.name) <= 253",message="name is at most 253 characters (a Kubernetes object name)"
	TopicRef *xpv2.NamespacedReference `json:"topicRef,omitempty"`

	// TopicSelector selects a Topic in this namespace to subscribe to.
	// +optional
	// +kubebuilder:validation:XValidation:rule="!has(self.namespace)",message="namespace must be omitted: a selector resolves in the resource's own namespace"
	// +kubebuilder:validation:XValidation:rule="!has(self.matchLabels) || size(self.matchLabels) <= 16",message="matchLabels has at most 16 labels"
	// +kubebuilder:validation:XValidation:rule="!has(self.matchLabels) || self.matchLabels.all(k, size(k) <= 317 && size(self.matchLabels[k]) <= 63)",message="a label key is at most 317 characters (a 253-character prefix, '/', a 63-character name) and a value at most 63"
	TopicSelector *xpv2.NamespacedSelector `json:"topicSelector,omitempty"`

	// NOTE: no omitempty, so that an explicit {} survives the provider's writes of the object; nil is written as
	// null, which the API server drops.

	// Labels on the subscription. Keys and values: lowercase letters, digits, '_' and '-', at most 63 characters;
	// keys start with a letter. Unset, labels other tools set are kept; {} removes every label but the
	// ProviderConfig's default labels and the ownership labels.
	// +optional
	// +kubebuilder:validation:MaxProperties=60
	// +kubebuilder:validation:XValidation:rule="self.all(k, size(k) <= 63 && size(self[k]) <= 63)",message="label keys and values are at most 63 characters (Google Cloud)"
	Labels map[string]string `json:"labels"`

	// AckDeadlineSeconds is how long a subscriber has to acknowledge a message before it is redelivered, 10 to 600.
	// +optional
	// +kubebuilder:validation:Minimum=10
	// +kubebuilder:validation:Maximum=600
	AckDeadlineSeconds *int32 `json:"ackDeadlineSeconds,omitempty"`

	// MessageRetentionDuration keeps unacknowledged (and, with retainAckedMessages, acknowledged) messages this
	// long: 10m to 168h (7 days).
	// +optional
	// +kubebuilder:validation:Pattern=`^([0-9]+(s|m|h))+$`
	// +kubebuilder:validation:MaxLength=64
	MessageRetentionDuration *string `json:"messageRetentionDuration,omitempty"`

	// RetainAckedMessages keeps acknowledged messages for the retention duration, so subscribers can seek back.
	// +optional
	RetainAckedMessages *bool `json:"retainAckedMessages,omitempty"`

	// ExpirationTTL deletes the subscription after this long without subscriber activity: a duration of at least
	// 24h, e.g. "744h", or "never".
	// +optional
	// +kubebuilder:validation:Pattern=`^(never|([0-9]+(s|m|h))+)$`
	// +kubebuilder:validation:MaxLength=64
	ExpirationTTL *string `json:"expirationTTL,omitempty"`

	// DeadLetterPolicy forwards messages that were not acknowledged after maxDeliveryAttempts to a dead-letter
	// topic. {} removes the policy.
	// +optional
	DeadLetterPolicy *DeadLetterPolicy `json:"deadLetterPolicy,omitempty"`

	// RetryPolicy delays redelivery with exponential backoff between the two bounds. {} removes the policy:
	// messages are redelivered at once.
	// +optional
	RetryPolicy *RetryPolicy `json:"retryPolicy,omitempty"`

	// Filter delivers only the messages whose attributes match it, e.g. attributes.region = "eu". Set at
	// creation; immutable.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="filter is immutable: Pub/Sub sets it at creation"
	Filter *string `json:"filter,omitempty"`

	// EnableMessageOrdering delivers messages with the same ordering key in publish order. Set at creation;
	// immutable.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="enableMessageOrdering is immutable: Pub/Sub sets it at creation"
	EnableMessageOrdering *bool `json:"enableMessageOrdering,omitempty"`

	// EnableExactlyOnceDelivery guarantees that an acknowledged message is not redelivered.
	// +optional
	EnableExactlyOnceDelivery *bool `json:"enableExactlyOnceDelivery,omitempty"`

	// PushConfig delivers messages to an HTTPS endpoint. {} is pull delivery.
	// +optional
	PushConfig *PushConfig `json:"pushConfig,omitempty"`
}

// DeadLetterPolicy names the dead-letter topic and after how many attempts messages go there.
// +kubebuilder:validation:XValidation:rule="has(self.deadLetterTopic) || has(self.deadLetterTopicRef) || has(self.deadLetterTopicSelector) || !has(self.maxDeliveryAttempts)",message="maxDeliveryAttempts needs a dead-letter topic"
type DeadLetterPolicy struct {
	// DeadLetterTopic is the topic's full name, projects/<project>/topics/<id>, or its ID in the ProviderConfig's
	// project. Set it, or let deadLetterTopicRef or deadLetterTopicSelector set it from a Topic's
	// status.atProvider.name.
	// +optional
	// +kubebuilder:validation:MaxLength=300
	// +kubebuilder:validation:Pattern=`^(projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/topics/)?[A-Za-z][A-Za-z0-9._~+%-]{2,254}$`
	// +crossplane:generate:reference:type=Topic
	// +crossplane:generate:reference:extractor=TopicName()
	// +crossplane:generate:reference:refFieldName=DeadLetterTopicRef
	// +crossplane:generate:reference:selectorFieldName=DeadLetterTopicSelector
	DeadLetterTopic *string `json:"deadLetterTopic,omitempty"`

	// DeadLetterTopicRef names a Topic in this namespace as the dead-letter topic.
	// +optional
	// +kubebuilder:validation:XValidation:rule="!has(self.namespace)",message="namespace must be omitted: a reference resolves in the resource's own namespace"
	// +kubebuilder:validation:XValidation:rule="size(self.name) <= 253",message="name is at most 253 characters (a Kubernetes object name)"
	DeadLetterTopicRef *xpv2.NamespacedReference `json:"deadLetterTopicRef,omitempty"`

	// DeadLetterTopicSelector selects a Topic in this namespace as the dead-letter topic.
	// +optional
	// +kubebuilder:validation:XValidation:rule="!has(self.namespace)",message="namespace must be omitted: a selector resolves in the resource's own namespace"
	// +kubebuilder:validation:XValidation:rule="!has(self.matchLabels) || size(self.matchLabels) <= 16",message="matchLabels has at most 16 labels"
	// +kubebuilder:validation:XValidation:rule="!has(self.matchLabels) || self.matchLabels.all(k, size(k) <= 317 && size(self.matchLabels[k]) <= 63)",message="a label key is at most 317 characters (a 253-character prefix, '/', a 63-character name) and a value at most 63"
	DeadLetterTopicSelector *xpv2.NamespacedSelector `json:"deadLetterTopicSelector,omitempty"`

	// MaxDeliveryAttempts before a message goes to the dead-letter topic, 5 to 100 (Pub/Sub's default: 5).
	// +optional
	// +kubebuilder:validation:Minimum=5
	// +kubebuilder:validation:Maximum=100
	MaxDeliveryAttempts *int32 `json:"maxDeliveryAttempts,omitempty"`
}

// RetryPolicy bounds the exponential backoff between redeliveries.
type RetryPolicy struct {
	// MinimumBackoff, 0s to 600s (Pub/Sub's default: 10s).
	// +optional
	// +kubebuilder:validation:Pattern=`^([0-9]+(s|m))+$`
	// +kubebuilder:validation:MaxLength=64
	MinimumBackoff *string `json:"minimumBackoff,omitempty"`

	// MaximumBackoff, 0s to 600s (Pub/Sub's default: 600s).
	// +optional
	// +kubebuilder:validation:Pattern=`^([0-9]+(s|m))+$`
	// +kubebuilder:validation:MaxLength=64
	MaximumBackoff *string `json:"maximumBackoff,omitempty"`
}

// PushConfig is where and how messages are pushed. Without a pushEndpoint it is pull delivery.
// +kubebuilder:validation:XValidation:rule="has(self.pushEndpoint) || (!has(self.oidcToken) && !has(self.wrapper) && !has(self.writeMetadata))",message="oidcToken, wrapper and writeMetadata need a pushEndpoint"
// +kubebuilder:validation:XValidation:rule="!has(self.writeMetadata) || (has(self.wrapper) && self.wrapper == 'None')",message="writeMetadata needs wrapper None"
type PushConfig struct {
	// PushEndpoint is the HTTPS URL messages are pushed to.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:Pattern=`^https://[^\s]+$`
	PushEndpoint *string `json:"pushEndpoint,omitempty"`

	// OIDCToken authenticates each push with a token Google signs for a service account; {} sends pushes
	// unauthenticated. A service account only with a namespaced ProviderConfig: through a ClusterProviderConfig a
	// tenant would borrow the platform's right to act as the service accounts it may use.
	// +optional
	OIDCToken *OIDCToken `json:"oidcToken,omitempty"`

	// Wrapper is PubSub (the message in Pub/Sub's JSON envelope) or None (the message data as the request body).
	// +optional
	// +kubebuilder:validation:Enum=PubSub;None
	Wrapper *string `json:"wrapper,omitempty"`

	// WriteMetadata, with wrapper None, sends the message's attributes as HTTP headers.
	// +optional
	WriteMetadata *bool `json:"writeMetadata,omitempty"`
}

// OIDCToken is the identity pushes carry.
// +kubebuilder:validation:XValidation:rule="has(self.serviceAccountEmail) || !has(self.audience)",message="audience needs a serviceAccountEmail"
type OIDCToken struct {
	// ServiceAccountEmail whose identity the token carries.
	// +optional
	// +kubebuilder:validation:Pattern=`^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9.-]+\.iam\.gserviceaccount\.com$`
	// +kubebuilder:validation:MaxLength=254
	ServiceAccountEmail *string `json:"serviceAccountEmail,omitempty"`

	// Audience of the token; the push endpoint when unset.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	Audience *string `json:"audience,omitempty"`
}

// SubscriptionObservation is the subscription as Pub/Sub reports it.
type SubscriptionObservation struct {
	// Name is the subscription's full name, projects/<project>/subscriptions/<id>.
	Name string `json:"name,omitempty"`

	// Topic is the topic's full name; _deleted-topic_ once the topic was deleted.
	Topic string `json:"topic,omitempty"`

	// Labels on the subscription, all of them, including default, ownership and ignored ones.
	Labels map[string]string `json:"labels,omitempty"`

	// AckDeadlineSeconds in effect.
	AckDeadlineSeconds int32 `json:"ackDeadlineSeconds,omitempty"`

	// MessageRetentionDuration as Pub/Sub reports it, e.g. "604800s".
	MessageRetentionDuration string `json:"messageRetentionDuration,omitempty"`

	// RetainAckedMessages in effect.
	// +optional
	RetainAckedMessages bool `json:"retainAckedMessages"`

	// ExpirationTTL in effect, e.g. "2678400s", or "never".
	ExpirationTTL string `json:"expirationTTL,omitempty"`

	// DeadLetterTopic of the dead-letter policy, if any.
	DeadLetterTopic string `json:"deadLetterTopic,omitempty"`

	// MaxDeliveryAttempts of the dead-letter policy, if any.
	MaxDeliveryAttempts int32 `json:"maxDeliveryAttempts,omitempty"`

	// MinimumBackoff of the retry policy, if any.
	MinimumBackoff string `json:"minimumBackoff,omitempty"`

	// MaximumBackoff of the retry policy, if any.
	MaximumBackoff string `json:"maximumBackoff,omitempty"`

	// Filter in effect, if any.
	Filter string `json:"filter,omitempty"`

	// EnableMessageOrdering in effect.
	// +optional
	EnableMessageOrdering bool `json:"enableMessageOrdering"`

	// EnableExactlyOnceDelivery in effect.
	// +optional
	EnableExactlyOnceDelivery bool `json:"enableExactlyOnceDelivery"`

	// PushEndpoint is where messages are pushed; empty for pull delivery.
	PushEndpoint string `json:"pushEndpoint,omitempty"`

	// PushServiceAccountEmail is the identity of pushes, if they carry one.
	PushServiceAccountEmail string `json:"pushServiceAccountEmail,omitempty"`

	// TopicMessageRetentionDuration is the topic's retention, which bounds how far back the subscription can seek.
	TopicMessageRetentionDuration string `json:"topicMessageRetentionDuration,omitempty"`

	// Detached is true once the subscription was detached from its topic: it receives nothing more.
	// +optional
	Detached bool `json:"detached"`

	// State of the subscription: ACTIVE, or RESOURCE_ERROR.
	State string `json:"state,omitempty"`
}

// A SubscriptionSpec defines the desired state of a Subscription.
// The fields crossplane's ManagedResourceSpec brings are bounded here, where markers can reach them (issue 23 §2).
// +kubebuilder:validation:XValidation:rule="!has(self.managementPolicies) || size(self.managementPolicies) <= 6",message="managementPolicies has at most 6 entries, one per action"
// +kubebuilder:validation:XValidation:rule="!has(self.providerConfigRef) || (size(self.providerConfigRef.kind) <= 63 && size(self.providerConfigRef.name) <= 253)",message="providerConfigRef: kind is at most 63 characters, name at most 253 (a Kubernetes object name)"
// +kubebuilder:validation:XValidation:rule="!has(self.writeConnectionSecretToRef) || size(self.writeConnectionSecretToRef.name) <= 253",message="writeConnectionSecretToRef.name is at most 253 characters (a Secret name)"
type SubscriptionSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`

	// ForProvider holds the subscription's configuration.
	ForProvider SubscriptionParameters `json:"forProvider"`

	// AdoptExisting lets this Subscription take over an existing subscription of its name that carries no
	// ownership labels (one made outside Crossplane). Without it such a subscription is left untouched. A
	// subscription labelled for another Subscription is never adopted. ObserveOnly management policies observe an
	// unlabelled subscription without this.
	// +optional
	AdoptExisting *bool `json:"adoptExisting,omitempty"`
}

// A SubscriptionStatus represents the observed state of a Subscription.
type SubscriptionStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	AtProvider SubscriptionObservation `json:"atProvider,omitempty"`
}

// A Subscription is a Pub/Sub subscription in the ProviderConfig's project. Its name (the crossplane.io/external-name
// annotation, or metadata.name when that is unset) is the subscription ID. Its connection details are the
// subscription's and the topic's full names (name, topic).
//
// Through a ClusterProviderConfig (the platform's identity, shared by namespaces), a Subscription may name only
// topics that a Topic of its own namespace made or adopted: its topic and its dead-letter topic. With a namespaced
// ProviderConfig the tenant's own credentials decide what it may reach.
//
// The provider labels every subscription it creates with the Subscription's namespace, name and UID, and never
// changes or deletes a subscription labelled for another Subscription.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="TOPIC",type="string",JSONPath=".status.atProvider.topic"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,stateful,gcp}
// +kubebuilder:validation:XValidation:rule="oldSelf.hasValue() || (self.metadata.name.matches('^[a-z][a-z0-9.-]{2,252}$') && !self.metadata.name.startsWith('goog'))",message="metadata.name is the subscription ID: 3 to 253 characters, starting with a letter, not with goog",optionalOldSelf=true
type Subscription struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   SubscriptionSpec   `json:"spec"`
	Status SubscriptionStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// SubscriptionList contains a list of Subscription.
type SubscriptionList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Subscription `json:"items"`
}
