package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// TableParameters are the configurable fields of a Table. Fields left unset are not managed: the provider neither
// reads nor changes them, and reports what Bigtable has in status.atProvider.
type TableParameters struct {
	// Instance is the ID of the existing Bigtable instance the table lives in, in the ProviderConfig's project.
	// Immutable.
	// +kubebuilder:validation:Pattern=`^[a-z][a-z0-9-]{4,31}[a-z0-9]$`
	// +kubebuilder:validation:MaxLength=33
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="instance is immutable"
	Instance string `json:"instance"`

	// ColumnFamilies are the families the provider manages, each with its garbage-collection rule. Families that
	// are not listed are left alone (and reported in status); a family is deleted — with all its data, which is
	// irreversible — only when listed with drop: true. Unset, no family is managed.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=100
	ColumnFamilies []ColumnFamily `json:"columnFamilies,omitempty"`

	// DeletionProtection refuses deleting the table (and dropping its families) while true: the Table's deletion
	// waits until it is set to false.
	// +optional
	DeletionProtection *bool `json:"deletionProtection,omitempty"`

	// SplitKeys pre-split the new table at these row keys, for an even load from the start. Used at creation
	// only (Bigtable does not report them); immutable. A split key is at most 512 characters here (Bigtable takes
	// row keys of up to 4 KiB; 100 of those would make the spec too large).
	// +optional
	// +kubebuilder:validation:MaxItems=100
	// +kubebuilder:validation:items:MaxLength=512
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="splitKeys is immutable: they are used when the table is created"
	SplitKeys []string `json:"splitKeys,omitempty"`
}

// A ColumnFamily of a table.
// +kubebuilder:validation:XValidation:rule="!(has(self.drop) && self.drop && has(self.gcRule))",message="a family to drop has no gcRule"
type ColumnFamily struct {
	// Name of the family: letters, digits, '-', '_' and '.', at most 64 characters.
	// +kubebuilder:validation:Pattern=`^[-_.a-zA-Z0-9]{1,64}$`
	// +kubebuilder:validation:MaxLength=64
	Name string `json:"name"`

	// GCRule says which cells Bigtable may delete. {} keeps every cell. Unset, the rule is unmanaged (a new family
	// gets none).
	// +optional
	GCRule *GCRule `json:"gcRule,omitempty"`

	// Drop deletes the family and every cell in it: irreversible, and refused while deletionProtection is on.
	// +optional
	Drop *bool `json:"drop,omitempty"`
}

// A GCRule bounds the versions and the age of a family's cells.
// +kubebuilder:validation:XValidation:rule="has(self.maxVersions) && has(self.maxAge) ? has(self.mode) : !has(self.mode)",message="mode combines maxVersions and maxAge: set it when both are set, and only then"
type GCRule struct {
	// MaxVersions keeps at most this many versions of each cell.
	// +optional
	// +kubebuilder:validation:Minimum=1
	MaxVersions *int32 `json:"maxVersions,omitempty"`

	// MaxAge deletes cells older than this, e.g. "168h" (whole milliseconds).
	// +optional
	// +kubebuilder:validation:Pattern=`^([0-9]+(ms|s|m|h))+$`
	// +kubebuilder:validation:MaxLength=64
	MaxAge *string `json:"maxAge,omitempty"`

	// Mode combines maxVersions and maxAge: Union deletes a cell when either says so, Intersection only when both
	// do.
	// +optional
	// +kubebuilder:validation:Enum=Union;Intersection
	Mode *string `json:"mode,omitempty"`
}

// TableObservation is the table as Bigtable reports it.
type TableObservation struct {
	// Name is the table's full name, projects/<project>/instances/<instance>/tables/<id>.
	Name string `json:"name,omitempty"`

	// ColumnFamilies are all the table's families with their garbage-collection rules, e.g. "maxVersions=1 ||
	// maxAge=168h"; "" keeps every cell.
	ColumnFamilies map[string]string `json:"columnFamilies,omitempty"`

	// DeletionProtection in effect.
	// +optional
	DeletionProtection bool `json:"deletionProtection"`
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

	// AdoptExisting lets this Table take over an existing table of its name that it did not create. Bigtable
	// tables carry no labels: what a Table made is known from its claim (the create that succeeded), so without
	// this field any other table of that name is left untouched, as is a table another Table claims.
	// ObserveOnly management policies observe a table without this.
	// +optional
	AdoptExisting *bool `json:"adoptExisting,omitempty"`
}

// A TableStatus represents the observed state of a Table.
type TableStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	AtProvider TableObservation `json:"atProvider,omitempty"`
}

// A Table is a Bigtable table in an existing instance of the ProviderConfig's project. Its name (the
// crossplane.io/external-name annotation, or metadata.name when that is unset) is the table ID. Its connection
// details are the table's full name (name), project and instance.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="INSTANCE",type="string",JSONPath=".spec.forProvider.instance"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,stateful,gcp}
// +kubebuilder:validation:XValidation:rule="oldSelf.hasValue() || (self.metadata.name.matches('^[a-z0-9][a-z0-9.-]{0,49}$'))",message="metadata.name is the table ID: at most 50 characters",optionalOldSelf=true
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
