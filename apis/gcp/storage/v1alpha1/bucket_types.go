package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// BucketParameters are the configurable fields of a Bucket. Fields left unset are not managed: the provider
// neither reads nor changes them, and reports what Cloud Storage has in status.atProvider.
type BucketParameters struct {
	// Location of the bucket: a region (europe-west1), a dual-region (EUR4) or a multi-region (EU, US, ASIA).
	// Compared without regard to case (Cloud Storage reports it in upper case). Immutable.
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9-]{2,40}$`
	// +kubebuilder:validation:MaxLength=40
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="location is immutable"
	Location string `json:"location"`

	// StorageClass is the default class of new objects.
	// +optional
	// +kubebuilder:validation:Enum=STANDARD;NEARLINE;COLDLINE;ARCHIVE
	StorageClass *string `json:"storageClass,omitempty"`

	// NOTE: no omitempty, so that an explicit {} survives the provider's writes of the object; nil is written as
	// null, which the API server drops.

	// Labels on the bucket. Keys and values: lowercase letters, digits, '_' and '-', at most 63 characters; keys
	// start with a letter. Unset, labels other tools set are kept; {} removes every label but the
	// ProviderConfig's default labels and the ownership labels.
	// +optional
	// +kubebuilder:validation:MaxProperties=60
	// +kubebuilder:validation:XValidation:rule="self.all(k, size(k) <= 63 && size(self[k]) <= 63)",message="label keys and values are at most 63 characters (Google Cloud)"
	Labels map[string]string `json:"labels"`

	// Versioning keeps noncurrent object generations.
	// +optional
	Versioning *bool `json:"versioning,omitempty"`

	// UniformBucketLevelAccess turns object ACLs off: access is granted by IAM only. Once on for 90 days it
	// cannot be turned off.
	// +optional
	UniformBucketLevelAccess *bool `json:"uniformBucketLevelAccess,omitempty"`

	// PublicAccessPrevention is enforced (no public access, whatever IAM says) or inherited (from the
	// organization policy).
	// +optional
	// +kubebuilder:validation:Enum=enforced;inherited
	PublicAccessPrevention *string `json:"publicAccessPrevention,omitempty"`

	// SoftDeleteRetention keeps deleted objects recoverable this long: 0s turns soft delete off, otherwise 168h
	// (7 days) to 2160h (90 days). New buckets get 168h.
	// +optional
	// +kubebuilder:validation:Pattern=`^([0-9]+(s|m|h))+$`
	// +kubebuilder:validation:MaxLength=64
	SoftDeleteRetention *string `json:"softDeleteRetention,omitempty"`

	// RequesterPays makes the requester, not the bucket's project, pay for access.
	// +optional
	RequesterPays *bool `json:"requesterPays,omitempty"`

	// DefaultKMSKeyName is the Cloud KMS key new objects are encrypted with,
	// projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>; "" uses Google-managed keys.
	// +optional
	// +kubebuilder:validation:Pattern=`^(projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+)?$`
	// +kubebuilder:validation:MaxLength=512
	DefaultKMSKeyName *string `json:"defaultKMSKeyName,omitempty"`

	// Logging writes usage and storage logs into another bucket. {} turns logging off.
	// +optional
	Logging *BucketLogging `json:"logging,omitempty"`

	// NOTE: no omitempty, so that an explicit [] survives the provider's writes of the object.

	// LifecycleRules act on objects by age, version and class. Compared as a set: order means nothing. Unset,
	// the bucket's rules are unmanaged; [] removes them all. At most 100 rules (Cloud Storage), with at most 32
	// prefixes and suffixes in all, so that the spec stays small.
	// +optional
	// +kubebuilder:validation:MaxItems=100
	// +kubebuilder:validation:XValidation:rule="self.map(r, has(r.condition.matchesPrefix) ? size(r.condition.matchesPrefix) : 0).sum() + self.map(r, has(r.condition.matchesSuffix) ? size(r.condition.matchesSuffix) : 0).sum() <= 32",message="the rules have at most 32 matchesPrefix and matchesSuffix entries in all"
	LifecycleRules []LifecycleRule `json:"lifecycleRules"`

	// NOTE: no omitempty, so that an explicit [] survives the provider's writes of the object.

	// CORS are the bucket's cross-origin rules, compared as a set. Unset, unmanaged; [] removes them all. At most 16
	// rules with 32 origins and response headers in all, so that the spec stays small.
	// +optional
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:rule="self.map(r, has(r.origins) ? size(r.origins) : 0).sum() + self.map(r, has(r.responseHeaders) ? size(r.responseHeaders) : 0).sum() <= 32",message="the rules have at most 32 origins and responseHeaders entries in all"
	CORS []CORS `json:"cors"`

	// RetentionPolicy keeps every object for at least retentionPeriod. {} removes the policy (unless locked).
	// +optional
	RetentionPolicy *RetentionPolicy `json:"retentionPolicy,omitempty"`
}

// A LifecycleRule is an action and the conditions an object must meet for it.
// +kubebuilder:validation:XValidation:rule="self.action.type == 'SetStorageClass' ? has(self.action.storageClass) : !has(self.action.storageClass)",message="action.storageClass is required with SetStorageClass, and only then"
type LifecycleRule struct {
	// Action is what happens to a matching object.
	Action LifecycleAction `json:"action"`

	// Condition is what an object must meet; every field set must hold.
	Condition LifecycleCondition `json:"condition"`
}

// A LifecycleAction is what a rule does.
type LifecycleAction struct {
	// Type of the action.
	// +kubebuilder:validation:Enum=Delete;SetStorageClass;AbortIncompleteMultipartUpload
	Type string `json:"type"`

	// StorageClass to move objects to, with SetStorageClass.
	// +optional
	// +kubebuilder:validation:Enum=STANDARD;NEARLINE;COLDLINE;ARCHIVE
	StorageClass *string `json:"storageClass,omitempty"`
}

// A LifecycleCondition selects objects.
// +kubebuilder:validation:MinProperties=1
type LifecycleCondition struct {
	// AgeDays since the object's creation.
	// +optional
	// +kubebuilder:validation:Minimum=0
	AgeDays *int64 `json:"ageDays,omitempty"`

	// CreatedBefore a date, YYYY-MM-DD (UTC).
	// +optional
	// +kubebuilder:validation:Pattern=`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`
	// +kubebuilder:validation:MaxLength=10
	CreatedBefore *string `json:"createdBefore,omitempty"`

	// IsLive selects live (true) or noncurrent (false) versions.
	// +optional
	IsLive *bool `json:"isLive,omitempty"`

	// NumNewerVersions selects versions with at least this many newer ones.
	// +optional
	// +kubebuilder:validation:Minimum=0
	NumNewerVersions *int64 `json:"numNewerVersions,omitempty"`

	// DaysSinceNoncurrentTime selects versions noncurrent for at least this many days.
	// +optional
	// +kubebuilder:validation:Minimum=0
	DaysSinceNoncurrentTime *int64 `json:"daysSinceNoncurrentTime,omitempty"`

	// MatchesStorageClass selects objects of these classes.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=7
	// +kubebuilder:validation:items:Enum=STANDARD;NEARLINE;COLDLINE;ARCHIVE;MULTI_REGIONAL;REGIONAL;DURABLE_REDUCED_AVAILABILITY
	MatchesStorageClass []string `json:"matchesStorageClass,omitempty"`

	// MatchesPrefix selects objects whose names start with one of these (an object name is at most 1024 bytes).
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=1024
	MatchesPrefix []string `json:"matchesPrefix,omitempty"`

	// MatchesSuffix selects objects whose names end with one of these (an object name is at most 1024 bytes).
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=1024
	MatchesSuffix []string `json:"matchesSuffix,omitempty"`
}

// A CORS rule lets browsers of some origins make some requests.
type CORS struct {
	// Origins allowed, e.g. https://example.com, or "*": each a scheme, a host name (at most 253 characters) and a
	// port.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=300
	// +listType=set
	Origins []string `json:"origins"`

	// Methods allowed, e.g. GET.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=8
	// +kubebuilder:validation:items:MaxLength=16
	// +listType=set
	Methods []string `json:"methods"`

	// ResponseHeaders browsers may read: names of at most 128 characters.
	// +optional
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=128
	// +listType=set
	ResponseHeaders []string `json:"responseHeaders,omitempty"`

	// MaxAgeSeconds browsers may cache a preflight answer.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MaxAgeSeconds *int64 `json:"maxAgeSeconds,omitempty"`
}

// A RetentionPolicy keeps objects from being deleted or replaced before they are retentionPeriod old.
// +kubebuilder:validation:XValidation:rule="has(self.retentionPeriod) || !has(self.locked)",message="locked needs a retentionPeriod"
type RetentionPolicy struct {
	// RetentionPeriod, e.g. "720h"; whole seconds, at most 100 years.
	// +optional
	// +kubebuilder:validation:Pattern=`^([0-9]+(s|m|h))+$`
	// +kubebuilder:validation:MaxLength=64
	RetentionPeriod *string `json:"retentionPeriod,omitempty"`

	// Locked locks the policy: IRREVERSIBLE. A locked policy can never be removed or shortened, and the bucket
	// cannot be deleted until every object has aged out. The provider locks only when this says true, once, with
	// the metageneration of the observation that showed the exact period asked for. Once locked, false is refused.
	// +optional
	Locked *bool `json:"locked,omitempty"`
}

// BucketLogging is where a bucket's access logs go.
// +kubebuilder:validation:XValidation:rule="has(self.logBucket) || !has(self.logObjectPrefix)",message="logObjectPrefix needs a logBucket"
type BucketLogging struct {
	// LogBucket receives the logs.
	// +optional
	// +kubebuilder:validation:Pattern=`^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$`
	// +kubebuilder:validation:MaxLength=63
	LogBucket *string `json:"logBucket,omitempty"`

	// LogObjectPrefix prefixes the log objects' names; the bucket's name when unset.
	// +optional
	// +kubebuilder:validation:MaxLength=900
	LogObjectPrefix *string `json:"logObjectPrefix,omitempty"`
}

// BucketObservation is the bucket as Cloud Storage reports it.
type BucketObservation struct {
	// Location in upper case, e.g. EU or EUROPE-WEST1.
	Location string `json:"location,omitempty"`

	// LocationType is region, dual-region or multi-region.
	LocationType string `json:"locationType,omitempty"`

	// StorageClass of new objects.
	StorageClass string `json:"storageClass,omitempty"`

	// Labels on the bucket, all of them, including default, ownership and ignored ones.
	Labels map[string]string `json:"labels,omitempty"`

	// Versioning in effect.
	// +optional
	Versioning bool `json:"versioning"`

	// UniformBucketLevelAccess in effect.
	// +optional
	UniformBucketLevelAccess bool `json:"uniformBucketLevelAccess"`

	// PublicAccessPrevention in effect: enforced or inherited.
	PublicAccessPrevention string `json:"publicAccessPrevention,omitempty"`

	// SoftDeleteRetention in effect, e.g. "604800s"; "0s" when off.
	SoftDeleteRetention string `json:"softDeleteRetention,omitempty"`

	// RequesterPays in effect.
	// +optional
	RequesterPays bool `json:"requesterPays"`

	// DefaultKMSKeyName in effect, if any.
	DefaultKMSKeyName string `json:"defaultKMSKeyName,omitempty"`

	// LogBucket receiving the bucket's logs, if any.
	LogBucket string `json:"logBucket,omitempty"`

	// LogObjectPrefix of the log objects, if any.
	LogObjectPrefix string `json:"logObjectPrefix,omitempty"`

	// LifecycleRuleCount is how many lifecycle rules are in effect.
	LifecycleRuleCount int `json:"lifecycleRuleCount,omitempty"`

	// CORSRuleCount is how many CORS rules are in effect.
	CORSRuleCount int `json:"corsRuleCount,omitempty"`

	// RetentionPeriod of the retention policy, e.g. "86400s", if any.
	RetentionPeriod string `json:"retentionPeriod,omitempty"`

	// RetentionLocked is true once the retention policy is locked (irreversible).
	// +optional
	RetentionLocked bool `json:"retentionLocked"`

	// Metageneration is the bucket's configuration version.
	Metageneration int64 `json:"metageneration,omitempty"`
}

// A BucketSpec defines the desired state of a Bucket.
// The fields crossplane's ManagedResourceSpec brings are bounded here, where markers can reach them (issue 23 §2).
// +kubebuilder:validation:XValidation:rule="!has(self.managementPolicies) || size(self.managementPolicies) <= 6",message="managementPolicies has at most 6 entries, one per action"
// +kubebuilder:validation:XValidation:rule="!has(self.providerConfigRef) || (size(self.providerConfigRef.kind) <= 63 && size(self.providerConfigRef.name) <= 253)",message="providerConfigRef: kind is at most 63 characters, name at most 253 (a Kubernetes object name)"
// +kubebuilder:validation:XValidation:rule="!has(self.writeConnectionSecretToRef) || size(self.writeConnectionSecretToRef.name) <= 253",message="writeConnectionSecretToRef.name is at most 253 characters (a Secret name)"
type BucketSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`

	// ForProvider holds the bucket's configuration.
	ForProvider BucketParameters `json:"forProvider"`

	// AdoptExisting lets this Bucket take over an existing bucket of its name that carries no ownership labels (one
	// made outside Crossplane). Without it such a bucket is left untouched. A bucket labelled for another Bucket is
	// never adopted. ObserveOnly management policies observe an unlabelled bucket without this.
	// +optional
	AdoptExisting *bool `json:"adoptExisting,omitempty"`

	// ForceDestroy deletes every object generation in the bucket before the bucket itself, when the Bucket is
	// deleted. Without it a bucket that still holds objects is not deleted: the Bucket reports that and waits.
	// +optional
	ForceDestroy *bool `json:"forceDestroy,omitempty"`
}

// A BucketStatus represents the observed state of a Bucket.
type BucketStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	AtProvider BucketObservation `json:"atProvider,omitempty"`
}

// A Bucket is a Cloud Storage bucket in the ProviderConfig's project. Its name (the crossplane.io/external-name
// annotation, or metadata.name when that is unset) is the bucket name, unique across Google Cloud. Its connection
// details are the bucket's name, its gs:// URL and its self link.
//
// The provider labels every bucket it creates with the Bucket's namespace, name and UID, and never changes or
// deletes a bucket labelled for another Bucket.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="LOCATION",type="string",JSONPath=".status.atProvider.location"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,stateful,gcp}
// +kubebuilder:validation:XValidation:rule="oldSelf.hasValue() || (self.metadata.name.matches('^[a-z0-9]([a-z0-9-]*[a-z0-9])?([.][a-z0-9]([a-z0-9-]*[a-z0-9])?)*$') && size(self.metadata.name) >= 3 && size(self.metadata.name) <= 63)",message="metadata.name is the bucket name: 3 to 63 lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit",optionalOldSelf=true
// +kubebuilder:validation:XValidation:rule="oldSelf.hasValue() || (!self.metadata.name.startsWith('goog') && !self.metadata.name.matches('g[o0]{2}g[l1]e'))",message="bucket names may not start with goog or contain google or a look-alike",optionalOldSelf=true
type Bucket struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   BucketSpec   `json:"spec"`
	Status BucketStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// BucketList contains a list of Bucket.
type BucketList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Bucket `json:"items"`
}
