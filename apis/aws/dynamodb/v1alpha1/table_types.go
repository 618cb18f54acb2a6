package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// TableParameters are the configurable fields of a Table. Fields left unset are not managed: the provider neither
// reads nor changes them, and reports what DynamoDB has in status.atProvider.
// +kubebuilder:validation:XValidation:rule="!has(self.billingMode) || self.billingMode != 'PROVISIONED' || has(self.provisionedThroughput)",message="billingMode PROVISIONED needs provisionedThroughput"
// +kubebuilder:validation:XValidation:rule="!has(self.billingMode) || self.billingMode != 'PAY_PER_REQUEST' || !has(self.provisionedThroughput)",message="provisionedThroughput applies to billingMode PROVISIONED only"
// +kubebuilder:validation:XValidation:rule="self.attributeDefinitions.exists(a, a.name == self.hashKey)",message="hashKey must be one of attributeDefinitions"
// +kubebuilder:validation:XValidation:rule="!has(self.rangeKey) || self.attributeDefinitions.exists(a, a.name == self.rangeKey)",message="rangeKey must be one of attributeDefinitions"
// +kubebuilder:validation:XValidation:rule="(has(self.globalSecondaryIndexes) ? self.globalSecondaryIndexes.map(i, has(i.projection.nonKeyAttributes) ? size(i.projection.nonKeyAttributes) : 0).sum() : 0) + (has(self.localSecondaryIndexes) ? self.localSecondaryIndexes.map(i, has(i.projection.nonKeyAttributes) ? size(i.projection.nonKeyAttributes) : 0).sum() : 0) <= 100",message="the indexes project at most 100 nonKeyAttributes in all (DynamoDB)"
type TableParameters struct {
	// Region the table lives in. Immutable.
	// +kubebuilder:validation:Pattern=`^[a-z]{2}(-[a-z]+)+-[0-9]+$`
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="region is immutable"
	Region string `json:"region"`

	// AttributeDefinitions type the attributes used as keys of the table and its indexes.
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=40
	AttributeDefinitions []AttributeDefinition `json:"attributeDefinitions"`

	// HashKey is the partition key attribute. Immutable.
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="hashKey is immutable"
	HashKey string `json:"hashKey"`

	// RangeKey is the sort key attribute. Immutable.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="rangeKey is immutable"
	RangeKey *string `json:"rangeKey,omitempty"`

	// BillingMode is PAY_PER_REQUEST or PROVISIONED. Unset, it is not managed: an existing table keeps its mode,
	// and a new one is created PROVISIONED when provisionedThroughput is set, PAY_PER_REQUEST otherwise.
	// +optional
	// +kubebuilder:validation:Enum=PAY_PER_REQUEST;PROVISIONED
	BillingMode string `json:"billingMode,omitempty"`

	// ProvisionedThroughput of the table (billingMode PROVISIONED).
	// +optional
	ProvisionedThroughput *Throughput `json:"provisionedThroughput,omitempty"`

	// GlobalSecondaryIndexes can be added, removed and re-provisioned; DynamoDB takes one such change per
	// UpdateTable, and the provider waits for the table to be ACTIVE between them. Unset, the table's indexes are
	// not managed; an empty list ([]) means no index: existing ones are removed.
	// +optional
	// +listType=map
	// +listMapKey=indexName
	// +kubebuilder:validation:MaxItems=20
	// NOTE: no omitempty, so that an explicit [] survives the provider's writes of the object; nil is written as
	// null, which the API server drops.
	GlobalSecondaryIndexes []GlobalSecondaryIndex `json:"globalSecondaryIndexes"`

	// LocalSecondaryIndexes exist from the table's creation on. Immutable.
	// +optional
	// +listType=map
	// +listMapKey=indexName
	// +kubebuilder:validation:MaxItems=5
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="localSecondaryIndexes are immutable"
	LocalSecondaryIndexes []LocalSecondaryIndex `json:"localSecondaryIndexes"`

	// TimeToLive expires items by an epoch-seconds attribute.
	// +optional
	TimeToLive *TimeToLive `json:"timeToLive,omitempty"`

	// PointInTimeRecovery enables continuous backups.
	// +optional
	PointInTimeRecovery *bool `json:"pointInTimeRecovery,omitempty"`

	// StreamViewType enables the table's stream with this view; "" disables it.
	// +optional
	// +kubebuilder:validation:Enum="";KEYS_ONLY;NEW_IMAGE;OLD_IMAGE;NEW_AND_OLD_IMAGES
	StreamViewType *string `json:"streamViewType,omitempty"`

	// ServerSideEncryption is OWNED (DynamoDB's key), AWS_MANAGED (aws/dynamodb) or KMS (kmsKeyID).
	// +optional
	ServerSideEncryption *TableEncryption `json:"serverSideEncryption,omitempty"`

	// TableClass is STANDARD or STANDARD_INFREQUENT_ACCESS.
	// +optional
	// +kubebuilder:validation:Enum=STANDARD;STANDARD_INFREQUENT_ACCESS
	TableClass *string `json:"tableClass,omitempty"`

	// DeletionProtection makes DynamoDB refuse to delete the table.
	// +optional
	DeletionProtection *bool `json:"deletionProtection,omitempty"`

	// Tags to set on the table, in addition to the ProviderConfig's default tags and the provider's ownership tags.
	// +optional
	// AWS allows 50 tags a resource; 40 leaves room for the ProviderConfig's default tags and the ownership tags.
	// +kubebuilder:validation:MaxProperties=40
	// +kubebuilder:validation:XValidation:rule="self.all(k, !k.startsWith('aws:') && !k.startsWith('stateful.dev/'))",message="tag keys starting with aws: or stateful.dev/ are reserved"
	// +kubebuilder:validation:XValidation:rule="self.all(k, size(k) <= 128 && size(self[k]) <= 256)",message="tag keys are at most 128 characters and values at most 256 (AWS)"
	Tags map[string]string `json:"tags"`
}

// AttributeDefinition types a key attribute.
type AttributeDefinition struct {
	// Name of the attribute.
	// +kubebuilder:validation:MaxLength=255
	Name string `json:"name"`
	// Type is S (string), N (number) or B (binary).
	// +kubebuilder:validation:Enum=S;N;B
	Type string `json:"type"`
}

// ThroughputObservation is the capacity DynamoDB reports.
type ThroughputObservation struct {
	// ReadCapacityUnits are the table's read capacity units now.
	ReadCapacityUnits int64 `json:"readCapacityUnits,omitempty"`
	// WriteCapacityUnits are the table's write capacity units now.
	WriteCapacityUnits int64 `json:"writeCapacityUnits,omitempty"`
}

// Throughput is provisioned capacity.
type Throughput struct {
	// ReadCapacityUnits are the read capacity units.
	// +kubebuilder:validation:Minimum=1
	ReadCapacityUnits int64 `json:"readCapacityUnits"`
	// WriteCapacityUnits are the write capacity units.
	// +kubebuilder:validation:Minimum=1
	WriteCapacityUnits int64 `json:"writeCapacityUnits"`
	// Autoscaled says Application Auto Scaling owns the capacity: the units above are what the table is created
	// with and a floor afterwards — a capacity the autoscaler raised is in sync, a lower one is raised to the floor,
	// and the provider never lowers what the autoscaler set (which would spend DynamoDB's daily decreases).
	// +optional
	Autoscaled *bool `json:"autoscaled,omitempty"`
}

// Projection says which attributes an index carries.
// +kubebuilder:validation:XValidation:rule="self.type == 'INCLUDE' ? has(self.nonKeyAttributes) : !has(self.nonKeyAttributes)",message="nonKeyAttributes go with projection type INCLUDE, and only with it"
type Projection struct {
	// Type is ALL, KEYS_ONLY or INCLUDE.
	// +kubebuilder:validation:Enum=ALL;KEYS_ONLY;INCLUDE
	Type string `json:"type"`
	// NonKeyAttributes projected with INCLUDE: at most 100 across all the table's indexes (DynamoDB), names of at
	// most 255 characters.
	// +optional
	// +kubebuilder:validation:MaxItems=100
	// +kubebuilder:validation:items:MaxLength=255
	NonKeyAttributes []string `json:"nonKeyAttributes"`
}

// A GlobalSecondaryIndex is an index with its own keys.
type GlobalSecondaryIndex struct {
	// IndexName names the index; a new name is a new index (the old one is removed).
	// +kubebuilder:validation:MaxLength=255
	IndexName string `json:"indexName"`
	// HashKey is the index's partition key, one of attributeDefinitions.
	// +kubebuilder:validation:MaxLength=255
	HashKey string `json:"hashKey"`
	// RangeKey is the index's sort key, one of attributeDefinitions.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	RangeKey *string `json:"rangeKey,omitempty"`
	// Projection says which attributes the index carries.
	Projection Projection `json:"projection"`
	// ProvisionedThroughput of the index (billingMode PROVISIONED).
	// +optional
	ProvisionedThroughput *Throughput `json:"provisionedThroughput,omitempty"`
}

// A LocalSecondaryIndex shares the table's hash key with another sort key.
type LocalSecondaryIndex struct {
	// IndexName names the index.
	// +kubebuilder:validation:MaxLength=255
	IndexName string `json:"indexName"`
	// RangeKey is the index's sort key, one of attributeDefinitions.
	// +kubebuilder:validation:MaxLength=255
	RangeKey string `json:"rangeKey"`
	// Projection says which attributes the index carries.
	Projection Projection `json:"projection"`
}

// TimeToLive is the TTL setting.
type TimeToLive struct {
	// AttributeName holds the expiry time, in epoch seconds.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	AttributeName string `json:"attributeName"`
	// Enabled turns TTL on or off.
	Enabled bool `json:"enabled"`
}

// TableEncryption is the encryption at rest.
// +kubebuilder:validation:XValidation:rule="self.type == 'KMS' ? has(self.kmsKeyID) : !has(self.kmsKeyID)",message="kmsKeyID goes with type KMS, and only with it"
type TableEncryption struct {
	// Type is OWNED (a key DynamoDB owns, no KMS charge), AWS_MANAGED (the aws/dynamodb KMS key) or KMS (a
	// customer key).
	// +kubebuilder:validation:Enum=OWNED;AWS_MANAGED;KMS
	Type string `json:"type"`
	// KMSKeyID is the customer key with type KMS: an ID, an ARN or an alias (KMS takes at most 2048 characters).
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	KMSKeyID *string `json:"kmsKeyID,omitempty"`
}

// TableObservation is the table as DynamoDB reports it.
type TableObservation struct {
	// ARN of the table.
	ARN string `json:"arn,omitempty"`
	// Status is CREATING, UPDATING, DELETING, ACTIVE, ...
	Status string `json:"status,omitempty"`
	// StreamARN is the latest stream's ARN, when the stream is on.
	StreamARN string `json:"streamARN,omitempty"`
	// BillingMode the table has.
	BillingMode string `json:"billingMode,omitempty"`
	// IndexStatuses are the global secondary indexes' states, by name.
	IndexStatuses map[string]string `json:"indexStatuses,omitempty"`
	// ProvisionedThroughput is the table's capacity now (provisioned billing).
	ProvisionedThroughput *ThroughputObservation `json:"provisionedThroughput,omitempty"`
	// TimeToLive is the TTL status (read only when the spec manages it).
	TimeToLive string `json:"timeToLive,omitempty"`
	// PointInTime is the point-in-time recovery status (read only when the spec manages it).
	PointInTime string `json:"pointInTimeRecovery,omitempty"`
	// Tags on the table, all of them.
	Tags map[string]string `json:"tags,omitempty"`
	// PendingChanges are the spec fields still to apply, in order: DynamoDB takes one change at a time.
	PendingChanges []string `json:"pendingChanges,omitempty"`
}

// A TableSpec defines the desired state of a Table.
// The fields crossplane's ManagedResourceSpec brings are bounded here, where markers can reach them (issue 23 §2).
// +kubebuilder:validation:XValidation:rule="!has(self.managementPolicies) || size(self.managementPolicies) <= 6",message="managementPolicies has at most 6 entries, one per action"
// +kubebuilder:validation:XValidation:rule="!has(self.providerConfigRef) || (size(self.providerConfigRef.kind) <= 63 && size(self.providerConfigRef.name) <= 253)",message="providerConfigRef: kind is at most 63 characters, name at most 253 (a Kubernetes object name)"
// +kubebuilder:validation:XValidation:rule="!has(self.writeConnectionSecretToRef) || size(self.writeConnectionSecretToRef.name) <= 253",message="writeConnectionSecretToRef.name is at most 253 characters (a Secret name)"
type TableSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`

	// ForProvider holds the table's configuration.
	ForProvider TableParameters `json:"forProvider"`

	// AdoptExisting lets this Table take over an existing table of its name that carries no ownership tags.
	// +optional
	AdoptExisting *bool `json:"adoptExisting,omitempty"`
}

// A TableStatus represents the observed state of a Table.
type TableStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	AtProvider TableObservation `json:"atProvider,omitempty"`
}

// A Table is a DynamoDB table. Its name (the crossplane.io/external-name annotation, or metadata.name) is the table
// name. Its connection details are tableName, arn and streamArn.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.status"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,stateful,aws}
// +kubebuilder:validation:XValidation:rule="oldSelf.hasValue() || (size(self.metadata.name) >= 3 && size(self.metadata.name) <= 255 && self.metadata.name.matches('^[a-z0-9.-]+$'))",message="metadata.name is the table name: 3 to 255 characters",optionalOldSelf=true
type Table struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   TableSpec   `json:"spec"`
	Status TableStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// TableList contains a list of Table.
type TableList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Table `json:"items"`
}
