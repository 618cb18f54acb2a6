package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// BucketParameters are the configurable fields of a Bucket. Fields left unset are not managed: the provider
// neither reads nor changes them, and reports what the cloud has in status.atProvider.
//
// A policy with a statement that allows everyone ("Effect": "Allow" with "Principal": "*" and no condition) is
// public, and S3 refuses it while blockPublicPolicy is on: the CRD refuses the pair first. Other public forms
// (a principal of {"AWS": "*"}) are left to S3, which answers AccessDenied.
// +kubebuilder:validation:XValidation:rule=`!(has(self.publicAccessBlock) && has(self.publicAccessBlock.blockPublicPolicy) && self.publicAccessBlock.blockPublicPolicy && has(self.policy) && self.policy.matches(r'\{[^{}]*"Effect"\s*:\s*"Allow"[^{}]*"Principal"\s*:\s*"\*"[^{}]*\}|\{[^{}]*"Principal"\s*:\s*"\*"[^{}]*"Effect"\s*:\s*"Allow"[^{}]*\}'))`,message="the policy allows everyone (Principal \"*\") and publicAccessBlock.blockPublicPolicy is on: S3 refuses such a policy; turn blockPublicPolicy off or narrow the policy"
type BucketParameters struct {
	// Region the bucket lives in. Immutable.
	// +kubebuilder:validation:Pattern=`^[a-z]{2}(-[a-z]+)+-[0-9]+$`
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="region is immutable"
	Region string `json:"region"`

	// Tags to set on the bucket, in addition to the ProviderConfig's default tags and the provider's ownership
	// tags (stateful.dev/*). Keys under "aws:" and the ProviderConfig's ignored prefixes are never touched.
	// +optional
	// AWS allows 50 tags a resource; 40 leaves room for the ProviderConfig's default tags and the ownership tags.
	// +kubebuilder:validation:MaxProperties=40
	// +kubebuilder:validation:XValidation:rule="self.all(k, !k.startsWith('aws:') && !k.startsWith('stateful.dev/'))",message="tag keys starting with aws: or stateful.dev/ are reserved"
	// +kubebuilder:validation:XValidation:rule="self.all(k, size(k) <= 128 && size(self[k]) <= 256)",message="tag keys are at most 128 characters and values at most 256 (AWS)"
	Tags map[string]string `json:"tags"`

	// Versioning of the bucket's objects. A bucket that was never versioned counts as Suspended.
	// +optional
	// +kubebuilder:validation:Enum=Enabled;Suspended
	Versioning *string `json:"versioning,omitempty"`

	// ServerSideEncryption sets the default encryption of new objects.
	// +optional
	ServerSideEncryption *ServerSideEncryption `json:"serverSideEncryption,omitempty"`

	// PublicAccessBlock blocks public access to the bucket and its objects.
	// +optional
	PublicAccessBlock *PublicAccessBlock `json:"publicAccessBlock,omitempty"`

	// ObjectOwnership controls object ownership and whether ACLs apply. BucketOwnerEnforced disables ACLs.
	// +optional
	// +kubebuilder:validation:Enum=BucketOwnerEnforced;BucketOwnerPreferred;ObjectWriter
	ObjectOwnership *string `json:"objectOwnership,omitempty"`

	// Lifecycle expires and transitions objects. lifecycle: {} removes every rule.
	// +optional
	Lifecycle *Lifecycle `json:"lifecycle,omitempty"`

	// CORS sets the bucket's cross-origin rules, evaluated in order. cors: {} removes them.
	// +optional
	CORS *CORS `json:"cors,omitempty"`

	// Policy is the bucket policy, a JSON document. It is compared by meaning: key order, whitespace and a
	// one-element array versus a single value never cause an update. An empty string removes the policy.
	// +optional
	// +kubebuilder:validation:MaxLength=20480
	// +kubebuilder:validation:XValidation:rule="self == '' || self.startsWith('{')",message="policy must be a JSON object"
	Policy *string `json:"policy,omitempty"`

	// ForceDestroy deletes every object, object version and delete marker before deleting the bucket. Off by
	// default: deleting a non-empty bucket is then refused with a clear condition.
	// +optional
	ForceDestroy *bool `json:"forceDestroy,omitempty"`
}

// ServerSideEncryption is a bucket's default encryption.
// +kubebuilder:validation:XValidation:rule="self.algorithm == 'aws:kms' || !has(self.kmsKeyID)",message="kmsKeyID needs algorithm aws:kms"
type ServerSideEncryption struct {
	// Algorithm of the default encryption.
	// +kubebuilder:validation:Enum=AES256;"aws:kms"
	Algorithm string `json:"algorithm"`

	// KMSKeyID is the KMS key (ID, ARN or alias) for aws:kms. Unset means the AWS managed key aws/s3. KMS takes at
	// most 2048 characters.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	KMSKeyID *string `json:"kmsKeyID,omitempty"`

	// BucketKeyEnabled uses an S3 Bucket Key, cutting KMS requests.
	// +optional
	BucketKeyEnabled *bool `json:"bucketKeyEnabled,omitempty"`
}

// PublicAccessBlock is a bucket's public access block. Fields left out are false.
type PublicAccessBlock struct {
	// BlockPublicACLs refuses requests that set a public ACL.
	// +optional
	BlockPublicACLs *bool `json:"blockPublicAcls,omitempty"`
	// IgnorePublicACLs makes S3 ignore public ACLs on the bucket and its objects.
	// +optional
	IgnorePublicACLs *bool `json:"ignorePublicAcls,omitempty"`
	// BlockPublicPolicy refuses a bucket policy that grants public access.
	// +optional
	BlockPublicPolicy *bool `json:"blockPublicPolicy,omitempty"`
	// RestrictPublicBuckets limits a bucket with a public policy to AWS services and the owner's account.
	// +optional
	RestrictPublicBuckets *bool `json:"restrictPublicBuckets,omitempty"`
}

// Lifecycle holds a bucket's lifecycle rules.
type Lifecycle struct {
	// Rules, each with a unique ID. No rules (lifecycle: {}) removes every rule. At most 16 here (S3 takes 1000):
	// each may carry a 1024-character prefix, and the spec must stay small.
	// +optional
	// +kubebuilder:validation:MaxItems=16
	// +listType=map
	// +listMapKey=id
	Rules []LifecycleRule `json:"rules"`
}

// LifecycleRule expires or transitions the objects it selects.
// +kubebuilder:validation:XValidation:rule="has(self.expirationDays) || has(self.expiredObjectDeleteMarker) || has(self.noncurrentVersionExpirationDays) || has(self.abortIncompleteMultipartUploadDays) || has(self.transitions) || has(self.noncurrentVersionTransitions)",message="a lifecycle rule needs at least one action"
// +kubebuilder:validation:XValidation:rule="!has(self.expirationDays) || !has(self.expiredObjectDeleteMarker)",message="expirationDays and expiredObjectDeleteMarker cannot be combined"
type LifecycleRule struct {
	// ID names the rule.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	ID string `json:"id"`

	// Enabled turns the rule on. Defaults to true.
	// +optional
	// +kubebuilder:default=true
	Enabled *bool `json:"enabled,omitempty"`

	// Prefix selects objects whose key starts with it. Unset selects every object. An S3 key is at most 1024 bytes.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	Prefix *string `json:"prefix,omitempty"`

	// ExpirationDays expires current objects this many days after creation.
	// +optional
	// +kubebuilder:validation:Minimum=1
	ExpirationDays *int32 `json:"expirationDays,omitempty"`

	// ExpiredObjectDeleteMarker removes delete markers that no longer hide any version.
	// +optional
	ExpiredObjectDeleteMarker *bool `json:"expiredObjectDeleteMarker,omitempty"`

	// NoncurrentVersionExpirationDays deletes noncurrent versions this many days after they became noncurrent.
	// +optional
	// +kubebuilder:validation:Minimum=1
	NoncurrentVersionExpirationDays *int32 `json:"noncurrentVersionExpirationDays,omitempty"`

	// AbortIncompleteMultipartUploadDays aborts multipart uploads not completed within this many days.
	// +optional
	// +kubebuilder:validation:Minimum=1
	AbortIncompleteMultipartUploadDays *int32 `json:"abortIncompleteMultipartUploadDays,omitempty"`

	// Transitions move current objects to another storage class.
	// +optional
	// +kubebuilder:validation:MaxItems=10
	Transitions []Transition `json:"transitions"`

	// NoncurrentVersionTransitions move noncurrent versions to another storage class.
	// +optional
	// +kubebuilder:validation:MaxItems=10
	NoncurrentVersionTransitions []Transition `json:"noncurrentVersionTransitions"`
}

// Transition moves objects to a storage class after a number of days.
type Transition struct {
	// Days after creation (or after becoming noncurrent, for noncurrent versions).
	// +kubebuilder:validation:Minimum=0
	Days int32 `json:"days"`

	// StorageClass to move to.
	// +kubebuilder:validation:Enum=STANDARD_IA;ONEZONE_IA;INTELLIGENT_TIERING;GLACIER;GLACIER_IR;DEEP_ARCHIVE
	StorageClass string `json:"storageClass"`
}

// CORS holds a bucket's CORS rules.
type CORS struct {
	// Rules, evaluated in order. No rules (cors: {}) removes them. At most 16 rules with 32 origins and headers in
	// all here (S3 takes 100 rules in a configuration of at most 64 KB), so that the spec stays small.
	// +optional
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:XValidation:rule="self.map(r, has(r.allowedOrigins) ? size(r.allowedOrigins) : 0).sum() + self.map(r, has(r.allowedHeaders) ? size(r.allowedHeaders) : 0).sum() + self.map(r, has(r.exposeHeaders) ? size(r.exposeHeaders) : 0).sum() <= 32",message="the rules have at most 32 allowedOrigins, allowedHeaders and exposeHeaders entries in all"
	Rules []CORSRule `json:"rules"`
}

// CORSRule allows cross-origin requests.
type CORSRule struct {
	// ID names the rule, at most 255 characters (S3).
	// +optional
	// +kubebuilder:validation:MaxLength=255
	ID *string `json:"id,omitempty"`

	// AllowedMethods are the HTTP methods allowed.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=5
	// +kubebuilder:validation:items:Enum=GET;PUT;POST;DELETE;HEAD
	AllowedMethods []string `json:"allowedMethods"`

	// AllowedOrigins are the origins allowed, "*" for any: each a scheme, a host name (at most 253 characters) and
	// a port.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=300
	AllowedOrigins []string `json:"allowedOrigins"`

	// AllowedHeaders are the request headers allowed in a preflight: names of at most 128 characters.
	// +optional
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=128
	AllowedHeaders []string `json:"allowedHeaders"`

	// ExposeHeaders are the response headers browsers may read: names of at most 128 characters.
	// +optional
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=128
	ExposeHeaders []string `json:"exposeHeaders"`

	// MaxAgeSeconds browsers may cache a preflight response.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MaxAgeSeconds *int32 `json:"maxAgeSeconds,omitempty"`
}

// BucketObservation is what the cloud reports for the bucket.
type BucketObservation struct {
	// ARN of the bucket.
	ARN string `json:"arn,omitempty"`

	// Region the bucket lives in.
	Region string `json:"region,omitempty"`

	// Tags on the bucket, all of them, including default, ownership and ignored ones.
	Tags map[string]string `json:"tags,omitempty"`

	// The sub-configurations below are read, and reported, only when the spec manages them. Their types carry no
	// validation: whatever the cloud reports must always fit in status.

	// Versioning status: Enabled, Suspended, or empty for a bucket never versioned.
	Versioning string `json:"versioning,omitempty"`

	// ServerSideEncryption is the default encryption.
	ServerSideEncryption *ServerSideEncryptionObservation `json:"serverSideEncryption,omitempty"`

	// PublicAccessBlock is the public access block.
	PublicAccessBlock *PublicAccessBlock `json:"publicAccessBlock,omitempty"`

	// ObjectOwnership is the object ownership setting.
	ObjectOwnership string `json:"objectOwnership,omitempty"`

	// LifecycleRuleIDs are the IDs of the lifecycle rules, in the order S3 reports them.
	LifecycleRuleIDs []string `json:"lifecycleRuleIDs,omitempty"`

	// CORSRuleCount is the number of CORS rules.
	CORSRuleCount int32 `json:"corsRuleCount,omitempty"`

	// Policy is the bucket policy, in canonical form (sorted keys, no whitespace).
	Policy string `json:"policy,omitempty"`
}

// ServerSideEncryptionObservation is the default encryption S3 reports.
type ServerSideEncryptionObservation struct {
	// Algorithm is AES256, aws:kms or aws:kms:dsse.
	Algorithm string `json:"algorithm,omitempty"`
	// KMSKeyID is the KMS key, as S3 reports it.
	KMSKeyID string `json:"kmsKeyID,omitempty"`
	// BucketKeyEnabled says whether an S3 Bucket Key is used.
	BucketKeyEnabled bool `json:"bucketKeyEnabled,omitempty"`
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

	// AdoptExisting lets this Bucket take over an existing bucket of its name that carries no ownership tags (one
	// made outside Crossplane): the provider tags it as this Bucket's and manages it from then on. Without it such
	// a bucket is left untouched and the Bucket reports that it exists and is not its own. A bucket tagged for
	// another Bucket is never adopted. ObserveOnly management policies observe an untagged bucket without this.
	// +optional
	AdoptExisting *bool `json:"adoptExisting,omitempty"`
}

// A BucketStatus represents the observed state of a Bucket.
type BucketStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	AtProvider BucketObservation `json:"atProvider,omitempty"`
}

// A Bucket is an S3 bucket. Its name (the crossplane.io/external-name annotation, or metadata.name when that is
// unset) is the bucket name, so metadata.name must be a valid bucket name.
//
// The provider tags every bucket it creates with the Bucket's namespace, name and UID, and never changes or deletes
// a bucket tagged for another Bucket (two namespaces naming a Bucket "data" cannot share or steal one S3 bucket).
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="REGION",type="string",JSONPath=".spec.forProvider.region"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,stateful,aws}
// +kubebuilder:validation:XValidation:rule="oldSelf.hasValue() || (size(self.metadata.name) >= 3 && size(self.metadata.name) <= 63)",message="metadata.name is the bucket name and must be 3 to 63 characters long",optionalOldSelf=true
// +kubebuilder:validation:XValidation:rule="oldSelf.hasValue() || (self.metadata.name.matches('^[a-z0-9][a-z0-9.-]*[a-z0-9]$') && !self.metadata.name.contains('..'))",message="metadata.name is the bucket name: lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, no two adjacent dots",optionalOldSelf=true
// +kubebuilder:validation:XValidation:rule="oldSelf.hasValue() || (!self.metadata.name.matches('^[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+$'))",message="metadata.name is the bucket name and must not be formatted as an IP address",optionalOldSelf=true
// +kubebuilder:validation:XValidation:rule="oldSelf.hasValue() || (!self.metadata.name.startsWith('xn--') && !self.metadata.name.startsWith('sthree-') && !self.metadata.name.startsWith('amzn-s3-demo-'))",message="metadata.name is the bucket name and must not start with xn--, sthree- or amzn-s3-demo-",optionalOldSelf=true
// +kubebuilder:validation:XValidation:rule="oldSelf.hasValue() || (!self.metadata.name.endsWith('-s3alias') && !self.metadata.name.endsWith('--ol-s3') && !self.metadata.name.endsWith('.mrap') && !self.metadata.name.endsWith('--x-s3') && !self.metadata.name.endsWith('--table-s3'))",message="metadata.name is the bucket name and must not end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3",optionalOldSelf=true
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
