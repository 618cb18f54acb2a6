package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// BucketParameters are the configurable fields of a Bucket. Fields left unset are not managed: the provider
// neither reads nor changes them, and reports what the cloud has in status.atProvider.
type BucketParameters struct {
	// Region the bucket lives in. Immutable.
	// +kubebuilder:validation:Pattern=`^[a-z]{2}(-[a-z]+)+-[0-9]+$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="region is immutable"
	Region string `json:"region"`

	// Tags to set on the bucket, in addition to the ProviderConfig's default tags and the provider's ownership
	// tags (stateful.dev/*). Keys under "aws:" and the ProviderConfig's ignored prefixes are never touched.
	// +optional
	// +kubebuilder:validation:MaxProperties=40
	// +kubebuilder:validation:XValidation:rule="self.all(k, !k.startsWith('aws:') && !k.startsWith('stateful.dev/'))",message="tag keys starting with aws: or stateful.dev/ are reserved"
	Tags map[string]string `json:"tags,omitempty"`
}

// BucketObservation is what the cloud reports for the bucket.
type BucketObservation struct {
	// ARN of the bucket.
	ARN string `json:"arn,omitempty"`

	// Region the bucket lives in.
	Region string `json:"region,omitempty"`

	// Tags on the bucket, all of them, including default, ownership and ignored ones.
	Tags map[string]string `json:"tags,omitempty"`
}

// A BucketSpec defines the desired state of a Bucket.
type BucketSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`

	// ForProvider holds the bucket's configuration.
	ForProvider BucketParameters `json:"forProvider"`

	// AdoptExisting lets this Bucket take over an existing bucket of its name that carries no ownership tags (one
	// made outside Crossplane): the provider tags it as this Bucket's and manages it from then on. Without it such
	// a bucket is left untouched and the Bucket reports that it exists and is not its own. A bucket tagged for
	// another Bucket is never adopted. ObserveOnly management policies observe an untagged bucket without this.
	// +optional
	AdoptExisting bool `json:"adoptExisting,omitempty"`
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
// +kubebuilder:validation:XValidation:rule="size(self.metadata.name) >= 3 && size(self.metadata.name) <= 63",message="metadata.name is the bucket name and must be 3 to 63 characters long"
// +kubebuilder:validation:XValidation:rule="self.metadata.name.matches('^[a-z0-9][a-z0-9.-]*[a-z0-9]$') && !self.metadata.name.contains('..')",message="metadata.name is the bucket name: lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, no two adjacent dots"
// +kubebuilder:validation:XValidation:rule="!self.metadata.name.matches('^[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+$')",message="metadata.name is the bucket name and must not be formatted as an IP address"
// +kubebuilder:validation:XValidation:rule="!self.metadata.name.startsWith('xn--') && !self.metadata.name.startsWith('sthree-') && !self.metadata.name.startsWith('amzn-s3-demo-')",message="metadata.name is the bucket name and must not start with xn--, sthree- or amzn-s3-demo-"
// +kubebuilder:validation:XValidation:rule="!self.metadata.name.endsWith('-s3alias') && !self.metadata.name.endsWith('--ol-s3') && !self.metadata.name.endsWith('.mrap') && !self.metadata.name.endsWith('--x-s3') && !self.metadata.name.endsWith('--table-s3')",message="metadata.name is the bucket name and must not end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3"
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
