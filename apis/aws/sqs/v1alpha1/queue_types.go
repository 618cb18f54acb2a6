package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// QueueParameters are the configurable fields of a Queue. Fields left unset are not managed: the provider neither
// reads nor changes them, and reports what SQS has in status.atProvider.
// +kubebuilder:validation:XValidation:rule="has(self.fifoQueue) && self.fifoQueue || (!has(self.contentBasedDeduplication) && !has(self.deduplicationScope) && !has(self.fifoThroughputLimit))",message="contentBasedDeduplication, deduplicationScope and fifoThroughputLimit apply to FIFO queues only"
// +kubebuilder:validation:XValidation:rule="!has(self.fifoThroughputLimit) || self.fifoThroughputLimit != 'perMessageGroupId' || (has(self.deduplicationScope) && self.deduplicationScope == 'messageGroup')",message="fifoThroughputLimit perMessageGroupId needs deduplicationScope messageGroup"
type QueueParameters struct {
	// Region the queue lives in. Immutable.
	// +kubebuilder:validation:Pattern=`^[a-z]{2}(-[a-z]+)+-[0-9]+$`
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="region is immutable"
	Region string `json:"region"`

	// FIFOQueue makes a FIFO queue; its name must end in .fifo. Immutable.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="fifoQueue is immutable"
	FIFOQueue *bool `json:"fifoQueue,omitempty"`

	// DelaySeconds delays the delivery of every new message, 0 to 900.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=900
	DelaySeconds *int32 `json:"delaySeconds,omitempty"`

	// MaximumMessageSize in bytes, 1024 to 1048576.
	// +optional
	// +kubebuilder:validation:Minimum=1024
	// +kubebuilder:validation:Maximum=1048576
	MaximumMessageSize *int32 `json:"maximumMessageSize,omitempty"`

	// MessageRetentionPeriod in seconds, 60 (1 minute) to 1209600 (14 days).
	// +optional
	// +kubebuilder:validation:Minimum=60
	// +kubebuilder:validation:Maximum=1209600
	MessageRetentionPeriod *int32 `json:"messageRetentionPeriod,omitempty"`

	// VisibilityTimeout in seconds, 0 to 43200 (12 hours).
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=43200
	VisibilityTimeout *int32 `json:"visibilityTimeout,omitempty"`

	// ReceiveMessageWaitTimeSeconds enables long polling, 0 to 20.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=20
	ReceiveMessageWaitTimeSeconds *int32 `json:"receiveMessageWaitTimeSeconds,omitempty"`

	// ContentBasedDeduplication (FIFO only) deduplicates by a hash of the message body.
	// +optional
	ContentBasedDeduplication *bool `json:"contentBasedDeduplication,omitempty"`

	// DeduplicationScope (FIFO only) is messageGroup or queue.
	// +optional
	// +kubebuilder:validation:Enum=messageGroup;queue
	DeduplicationScope *string `json:"deduplicationScope,omitempty"`

	// FIFOThroughputLimit (FIFO only) is perQueue or perMessageGroupId (high throughput).
	// +optional
	// +kubebuilder:validation:Enum=perQueue;perMessageGroupId
	FIFOThroughputLimit *string `json:"fifoThroughputLimit,omitempty"`

	// ServerSideEncryption of messages at rest.
	// +optional
	ServerSideEncryption *QueueEncryption `json:"serverSideEncryption,omitempty"`

	// Policy is the queue's access policy, a JSON IAM policy document. It is compared semantically: formatting,
	// key order and single-element arrays do not count as changes. An empty string says the queue has no policy.
	// +optional
	// +kubebuilder:validation:MaxLength=20480
	// +kubebuilder:validation:XValidation:rule="self == '' || self.startsWith('{')",message="policy must be a JSON object"
	Policy *string `json:"policy,omitempty"`

	// RedrivePolicy sends messages received too often to a dead-letter queue.
	// +optional
	RedrivePolicy *RedrivePolicy `json:"redrivePolicy,omitempty"`

	// RedriveAllowPolicy says which source queues may use this queue as their dead-letter queue.
	// +optional
	RedriveAllowPolicy *RedriveAllowPolicy `json:"redriveAllowPolicy,omitempty"`

	// Tags to set on the queue, in addition to the ProviderConfig's default tags and the provider's ownership tags
	// (stateful.dev/*). Keys under "aws:" and the ProviderConfig's ignored prefixes are never touched.
	// +optional
	// AWS allows 50 tags a resource; 40 leaves room for the ProviderConfig's default tags and the ownership tags.
	// +kubebuilder:validation:MaxProperties=40
	// +kubebuilder:validation:XValidation:rule="self.all(k, !k.startsWith('aws:') && !k.startsWith('stateful.dev/'))",message="tag keys starting with aws: or stateful.dev/ are reserved"
	// +kubebuilder:validation:XValidation:rule="self.all(k, size(k) <= 128 && size(self[k]) <= 256)",message="tag keys are at most 128 characters and values at most 256 (AWS)"
	Tags map[string]string `json:"tags"`
}

// QueueEncryption is SQS-managed encryption, or a KMS key.
// +kubebuilder:validation:XValidation:rule="self.type == 'KMS' || (!has(self.kmsKeyID) && !has(self.dataKeyReusePeriodSeconds))",message="kmsKeyID and dataKeyReusePeriodSeconds apply to type KMS only"
// +kubebuilder:validation:XValidation:rule="self.type != 'KMS' || has(self.kmsKeyID)",message="type KMS needs kmsKeyID"
type QueueEncryption struct {
	// Type is SQS (SQS-managed keys), KMS (a KMS key) or None.
	// +kubebuilder:validation:Enum=SQS;KMS;None
	Type string `json:"type"`

	// KMSKeyID is the KMS key: an ID, ARN or alias such as alias/aws/sqs (KMS takes at most 2048 characters).
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	KMSKeyID *string `json:"kmsKeyID,omitempty"`

	// DataKeyReusePeriodSeconds is how long SQS reuses a data key, 60 to 86400.
	// +optional
	// +kubebuilder:validation:Minimum=60
	// +kubebuilder:validation:Maximum=86400
	DataKeyReusePeriodSeconds *int32 `json:"dataKeyReusePeriodSeconds,omitempty"`
}

// RedrivePolicy moves messages to a dead-letter queue after maxReceiveCount receives.
// +kubebuilder:validation:XValidation:rule="has(self.deadLetterTargetARN) || has(self.deadLetterTargetRef) || has(self.deadLetterTargetSelector)",message="set deadLetterTargetARN, deadLetterTargetRef or deadLetterTargetSelector"
type RedrivePolicy struct {
	// DeadLetterTargetARN is the dead-letter queue's ARN, arn:<partition>:sqs:<region>:<account>:<name> (a queue
	// name is at most 80 characters). Set it, or let deadLetterTargetRef or deadLetterTargetSelector set it from
	// another Queue's status.atProvider.arn.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	// +crossplane:generate:reference:type=Queue
	// +crossplane:generate:reference:extractor=QueueARN()
	// +crossplane:generate:reference:refFieldName=DeadLetterTargetRef
	// +crossplane:generate:reference:selectorFieldName=DeadLetterTargetSelector
	DeadLetterTargetARN *string `json:"deadLetterTargetARN,omitempty"`

	// DeadLetterTargetRef names a Queue in this namespace whose ARN is the dead-letter target.
	// +optional
	// +kubebuilder:validation:XValidation:rule="!has(self.namespace)",message="namespace must be omitted: a reference resolves in the resource's own namespace"
	// +kubebuilder:validation:XValidation:rule="size(self.name) <= 253",message="name is at most 253 characters (a Kubernetes object name)"
	DeadLetterTargetRef *xpv2.NamespacedReference `json:"deadLetterTargetRef,omitempty"`

	// DeadLetterTargetSelector selects a Queue in this namespace whose ARN is the dead-letter target.
	// +optional
	// +kubebuilder:validation:XValidation:rule="!has(self.namespace)",message="namespace must be omitted: a selector resolves in the resource's own namespace"
	// +kubebuilder:validation:XValidation:rule="!has(self.matchLabels) || size(self.matchLabels) <= 16",message="matchLabels has at most 16 labels"
	// +kubebuilder:validation:XValidation:rule="!has(self.matchLabels) || self.matchLabels.all(k, size(k) <= 317 && size(self.matchLabels[k]) <= 63)",message="a label key is at most 317 characters (a 253-character prefix, '/', a 63-character name) and a value at most 63"
	DeadLetterTargetSelector *xpv2.NamespacedSelector `json:"deadLetterTargetSelector,omitempty"`

	// MaxReceiveCount is how many receives move a message to the dead-letter queue, 1 to 1000.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	MaxReceiveCount int32 `json:"maxReceiveCount"`
}

// RedriveAllowPolicy says which queues may send their dead letters here.
// +kubebuilder:validation:XValidation:rule="self.redrivePermission == 'byQueue' ? size(self.sourceQueueARNs) > 0 : !has(self.sourceQueueARNs)",message="sourceQueueARNs is required with redrivePermission byQueue, and only then"
type RedriveAllowPolicy struct {
	// RedrivePermission is allowAll, denyAll or byQueue.
	// +kubebuilder:validation:Enum=allowAll;denyAll;byQueue
	RedrivePermission string `json:"redrivePermission"`

	// SourceQueueARNs are the queues allowed with byQueue, at most 10 (SQS).
	// +optional
	// +kubebuilder:validation:MaxItems=10
	// +kubebuilder:validation:items:MaxLength=256
	SourceQueueARNs []string `json:"sourceQueueARNs"`
}

// QueueObservation is the queue as SQS reports it.
type QueueObservation struct {
	// URL of the queue.
	URL string `json:"url,omitempty"`

	// ARN of the queue.
	ARN string `json:"arn,omitempty"`

	// Attributes are every attribute SQS reports, as strings, except the access policy and redrive policies,
	// which are reported in canonical form below.
	Attributes map[string]string `json:"attributes,omitempty"`

	// Policy is the access policy in canonical form.
	Policy string `json:"policy,omitempty"`

	// RedrivePolicy is the redrive policy JSON.
	RedrivePolicy string `json:"redrivePolicy,omitempty"`

	// RedriveAllowPolicy is the redrive-allow policy JSON.
	RedriveAllowPolicy string `json:"redriveAllowPolicy,omitempty"`

	// Tags on the queue, all of them, including default, ownership and ignored ones.
	Tags map[string]string `json:"tags,omitempty"`
}

// A QueueSpec defines the desired state of a Queue.
// The fields crossplane's ManagedResourceSpec brings are bounded here, where markers can reach them (issue 23 §2).
// +kubebuilder:validation:XValidation:rule="!has(self.managementPolicies) || size(self.managementPolicies) <= 6",message="managementPolicies has at most 6 entries, one per action"
// +kubebuilder:validation:XValidation:rule="!has(self.providerConfigRef) || (size(self.providerConfigRef.kind) <= 63 && size(self.providerConfigRef.name) <= 253)",message="providerConfigRef: kind is at most 63 characters, name at most 253 (a Kubernetes object name)"
// +kubebuilder:validation:XValidation:rule="!has(self.writeConnectionSecretToRef) || size(self.writeConnectionSecretToRef.name) <= 253",message="writeConnectionSecretToRef.name is at most 253 characters (a Secret name)"
type QueueSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`

	// ForProvider holds the queue's configuration.
	ForProvider QueueParameters `json:"forProvider"`

	// AdoptExisting lets this Queue take over an existing queue of its name that carries no ownership tags (one
	// made outside Crossplane). Without it such a queue is left untouched. A queue tagged for another Queue is never
	// adopted. ObserveOnly management policies observe an untagged queue without this.
	// +optional
	AdoptExisting *bool `json:"adoptExisting,omitempty"`
}

// A QueueStatus represents the observed state of a Queue.
type QueueStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	AtProvider QueueObservation `json:"atProvider,omitempty"`
}

// A Queue is an SQS queue. Its name (the crossplane.io/external-name annotation, or metadata.name when that is
// unset) is the queue name: a FIFO queue's ends in .fifo. Its connection details are the queue's url and arn.
//
// The provider tags every queue it creates with the Queue's namespace, name and UID, and never changes or deletes
// a queue tagged for another Queue.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="REGION",type="string",JSONPath=".spec.forProvider.region"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,stateful,aws}
// +kubebuilder:validation:XValidation:rule="oldSelf.hasValue() || (size(self.metadata.name) <= 80)",message="metadata.name is the queue name: at most 80 characters",optionalOldSelf=true
// +kubebuilder:validation:XValidation:rule="oldSelf.hasValue() || (self.metadata.name.matches('^[a-z0-9-]+([.]fifo)?$'))",message="metadata.name is the queue name: letters, digits and hyphens, with .fifo at the end of a FIFO queue's",optionalOldSelf=true
// NOTE: whether the queue's name ends in .fifo is checked by the provider on the name actually used — the
// crossplane.io/external-name annotation when set, which CEL cannot read (only metadata.name): a Queue "legacy"
// may import the FIFO queue "legacy.fifo".
type Queue struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   QueueSpec   `json:"spec"`
	Status QueueStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// QueueList contains a list of Queue.
type QueueList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Queue `json:"items"`
}
