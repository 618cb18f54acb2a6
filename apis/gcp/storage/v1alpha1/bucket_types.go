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
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="location is immutable"
	Location string `json:"location"`

	// StorageClass is the default class of new objects.
	// +optional
	// +kubebuilder:validation:Enum=STANDARD;NEARLINE;COLDLINE;ARCHIVE
	StorageClass *string `json:"storageClass,omitempty"`

	// Labels on the bucket. Keys and values: lowercase letters, digits, '_' and '-', at most 63 characters; keys
	// start with a letter. Unset, labels other tools set are kept; {} removes every label but the
	// ProviderConfig's default labels and the ownership labels.
	// +optional
	// +kubebuilder:validation:MaxProperties=60
	Labels map[string]string `json:"labels,omitempty"`

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
	SoftDeleteRetention *string `json:"softDeleteRetention,omitempty"`

	// RequesterPays makes the requester, not the bucket's project, pay for access.
	// +optional
	RequesterPays *bool `json:"requesterPays,omitempty"`

	// DefaultKMSKeyName is the Cloud KMS key new objects are encrypted with,
	// projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>; "" uses Google-managed keys.
	// +optional
	// +kubebuilder:validation:Pattern=`^(projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+)?$`
	DefaultKMSKeyName *string `json:"defaultKMSKeyName,omitempty"`

	// Logging writes usage and storage logs into another bucket. {} turns logging off.
	// +optional
	Logging *BucketLogging `json:"logging,omitempty"`
}

// BucketLogging is where a bucket's access logs go.
// +kubebuilder:validation:XValidation:rule="has(self.logBucket) || !has(self.logObjectPrefix)",message="logObjectPrefix needs a logBucket"
type BucketLogging struct {
	// LogBucket receives the logs.
	// +optional
	// +kubebuilder:validation:Pattern=`^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$`
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
	Versioning bool `json:"versioning,omitempty"`

	// UniformBucketLevelAccess in effect.
	UniformBucketLevelAccess bool `json:"uniformBucketLevelAccess,omitempty"`

	// PublicAccessPrevention in effect: enforced or inherited.
	PublicAccessPrevention string `json:"publicAccessPrevention,omitempty"`

	// SoftDeleteRetention in effect, e.g. "604800s"; "0s" when off.
	SoftDeleteRetention string `json:"softDeleteRetention,omitempty"`

	// RequesterPays in effect.
	RequesterPays bool `json:"requesterPays,omitempty"`

	// DefaultKMSKeyName in effect, if any.
	DefaultKMSKeyName string `json:"defaultKMSKeyName,omitempty"`

	// LogBucket receiving the bucket's logs, if any.
	LogBucket string `json:"logBucket,omitempty"`

	// LogObjectPrefix of the log objects, if any.
	LogObjectPrefix string `json:"logObjectPrefix,omitempty"`

	// Metageneration is the bucket's configuration version.
	Metageneration int64 `json:"metageneration,omitempty"`
}

// A BucketSpec defines the desired state of a Bucket.
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
// +kubebuilder:validation:XValidation:rule="self.metadata.name.matches('^[a-z0-9]([a-z0-9-]*[a-z0-9])?([.][a-z0-9]([a-z0-9-]*[a-z0-9])?)*$') && size(self.metadata.name) >= 3 && size(self.metadata.name) <= 63",message="metadata.name is the bucket name: 3 to 63 lowercase letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit"
// +kubebuilder:validation:XValidation:rule="!self.metadata.name.startsWith('goog') && !self.metadata.name.matches('g[o0]{2}g[l1]e')",message="bucket names may not start with goog or contain google or a look-alike"
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
