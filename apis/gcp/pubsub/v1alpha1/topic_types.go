package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// TopicParameters are the configurable fields of a Topic. Fields left unset are not managed: the provider neither
// reads nor changes them, and reports what Pub/Sub has in status.atProvider.
type TopicParameters struct {
	// NOTE: no omitempty, so that an explicit {} survives the provider's writes of the object; nil is written as
	// null, which the API server drops.

	// Labels on the topic. Keys and values: lowercase letters, digits, '_' and '-', at most 63 characters; keys
	// start with a letter. Unset, labels other tools set are kept; {} removes every label but the
	// ProviderConfig's default labels and the ownership labels.
	// +optional
	// +kubebuilder:validation:MaxProperties=60
	// +kubebuilder:validation:XValidation:rule="self.all(k, size(k) <= 63 && size(self[k]) <= 63)",message="label keys and values are at most 63 characters (Google Cloud)"
	Labels map[string]string `json:"labels"`

	// MessageRetentionDuration keeps published messages this long, even acknowledged ones, so subscriptions can
	// seek back: 10m to 744h (31 days), e.g. "168h".
	// +optional
	// +kubebuilder:validation:Pattern=`^([0-9]+(s|m|h))+$`
	// +kubebuilder:validation:MaxLength=64
	MessageRetentionDuration *string `json:"messageRetentionDuration,omitempty"`

	// KMSKeyName is the Cloud KMS key that encrypts the topic's messages,
	// projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>. Set at creation; immutable.
	// +optional
	// +kubebuilder:validation:Pattern=`^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$`
	// +kubebuilder:validation:MaxLength=512
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="kmsKeyName is immutable"
	KMSKeyName *string `json:"kmsKeyName,omitempty"`

	// MessageStoragePolicy restricts the regions where messages are stored.
	// +optional
	MessageStoragePolicy *MessageStoragePolicy `json:"messageStoragePolicy,omitempty"`

	// SchemaSettings validate published messages against a schema.
	// +optional
	SchemaSettings *SchemaSettings `json:"schemaSettings,omitempty"`
}

// MessageStoragePolicy restricts where a topic's messages are stored.
type MessageStoragePolicy struct {
	// AllowedPersistenceRegions are the regions messages may be stored in, e.g. europe-west1.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=50
	// +kubebuilder:validation:items:Pattern=`^[a-z]+-[a-z]+[0-9]+$`
	// +kubebuilder:validation:items:MaxLength=63
	// +listType=set
	AllowedPersistenceRegions []string `json:"allowedPersistenceRegions"`

	// EnforceInTransit also keeps messages in those regions while they are published and delivered.
	// +optional
	EnforceInTransit *bool `json:"enforceInTransit,omitempty"`
}

// SchemaSettings tie a topic to a Pub/Sub schema.
type SchemaSettings struct {
	// Schema is the schema's name, projects/<p>/schemas/<s>.
	// +kubebuilder:validation:Pattern=`^projects/[^/]+/schemas/[^/]+$`
	// +kubebuilder:validation:MaxLength=320
	Schema string `json:"schema"`

	// Encoding of published messages.
	// +optional
	// +kubebuilder:validation:Enum=JSON;BINARY
	Encoding *string `json:"encoding,omitempty"`

	// FirstRevisionID is the oldest schema revision messages are validated against.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	FirstRevisionID *string `json:"firstRevisionID,omitempty"`

	// LastRevisionID is the newest schema revision messages are validated against.
	// +optional
	// +kubebuilder:validation:MaxLength=128
	LastRevisionID *string `json:"lastRevisionID,omitempty"`
}

// TopicObservation is the topic as Pub/Sub reports it.
type TopicObservation struct {
	// Name is the topic's full name, projects/<project>/topics/<id>.
	Name string `json:"name,omitempty"`

	// Labels on the topic, all of them, including default, ownership and ignored ones.
	Labels map[string]string `json:"labels,omitempty"`

	// MessageRetentionDuration as Pub/Sub reports it, e.g. "604800s"; empty when unset.
	MessageRetentionDuration string `json:"messageRetentionDuration,omitempty"`

	// KMSKeyName encrypting the topic's messages, if any.
	KMSKeyName string `json:"kmsKeyName,omitempty"`

	// MessageStoragePolicy in effect, if any.
	MessageStoragePolicy *MessageStoragePolicy `json:"messageStoragePolicy,omitempty"`

	// SchemaSettings in effect, if any.
	SchemaSettings *SchemaSettings `json:"schemaSettings,omitempty"`

	// State of the topic: ACTIVE, or INGESTION_RESOURCE_ERROR.
	State string `json:"state,omitempty"`
}

// A TopicSpec defines the desired state of a Topic.
// The fields crossplane's ManagedResourceSpec brings are bounded here, where markers can reach them (issue 23 §2).
// +kubebuilder:validation:XValidation:rule="!has(self.managementPolicies) || size(self.managementPolicies) <= 6",message="managementPolicies has at most 6 entries, one per action"
// +kubebuilder:validation:XValidation:rule="!has(self.providerConfigRef) || (size(self.providerConfigRef.kind) <= 63 && size(self.providerConfigRef.name) <= 253)",message="providerConfigRef: kind is at most 63 characters, name at most 253 (a Kubernetes object name)"
// +kubebuilder:validation:XValidation:rule="!has(self.writeConnectionSecretToRef) || size(self.writeConnectionSecretToRef.name) <= 253",message="writeConnectionSecretToRef.name is at most 253 characters (a Secret name)"
type TopicSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`

	// ForProvider holds the topic's configuration.
	ForProvider TopicParameters `json:"forProvider"`

	// AdoptExisting lets this Topic take over an existing topic of its name that carries no ownership labels (one
	// made outside Crossplane). Without it such a topic is left untouched. A topic labelled for another Topic is
	// never adopted. ObserveOnly management policies observe an unlabelled topic without this.
	// +optional
	AdoptExisting *bool `json:"adoptExisting,omitempty"`
}

// A TopicStatus represents the observed state of a Topic.
type TopicStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	AtProvider TopicObservation `json:"atProvider,omitempty"`
}

// A Topic is a Pub/Sub topic in the ProviderConfig's project. Its name (the crossplane.io/external-name
// annotation, or metadata.name when that is unset) is the topic ID. Its connection details are the topic's full
// name (name).
//
// The provider labels every topic it creates with the Topic's namespace, name and UID, and never changes or
// deletes a topic labelled for another Topic.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="RETENTION",type="string",JSONPath=".status.atProvider.messageRetentionDuration"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,stateful,gcp}
// +kubebuilder:validation:XValidation:rule="oldSelf.hasValue() || (self.metadata.name.matches('^[a-z][a-z0-9.-]{2,252}$') && !self.metadata.name.startsWith('goog'))",message="metadata.name is the topic ID: 3 to 253 characters, starting with a letter, not with goog",optionalOldSelf=true
type Topic struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   TopicSpec   `json:"spec"`
	Status TopicStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// TopicList contains a list of Topic.
type TopicList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Topic `json:"items"`
}
