package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// DBInstanceParameters are the configurable fields of a DBInstance. Fields left unset are not managed: the
// provider neither reads nor changes them, and reports what RDS has in status.atProvider.
// +kubebuilder:validation:XValidation:rule="!has(self.iops) || (has(self.storageType) && self.storageType in ['io1', 'io2', 'gp3'])",message="iops needs storageType io1, io2 or gp3"
// +kubebuilder:validation:XValidation:rule="!has(self.storageThroughput) || (has(self.storageType) && self.storageType == 'gp3')",message="storageThroughput needs storageType gp3"
// +kubebuilder:validation:XValidation:rule="!has(self.maxAllocatedStorage) || (has(self.allocatedStorage) && self.maxAllocatedStorage > self.allocatedStorage)",message="maxAllocatedStorage must be larger than allocatedStorage"
type DBInstanceParameters struct {
	// Region the instance lives in. Immutable.
	// +kubebuilder:validation:Pattern=`^[a-z]{2}(-[a-z]+)+-[0-9]+$`
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="region is immutable"
	Region string `json:"region"`

	// Engine is the database engine. Immutable.
	// +kubebuilder:validation:Enum=postgres;mysql;mariadb
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="engine is immutable"
	Engine string `json:"engine"`

	// EngineVersion is the engine version, or a prefix of it: "16" is satisfied by 16.4, so automatic minor upgrades
	// do not cause an update loop. Unset: RDS's default for the engine.
	// +optional
	// +kubebuilder:validation:Pattern=`^[0-9]+(\.[0-9]+)*$`
	// +kubebuilder:validation:MaxLength=32
	EngineVersion *string `json:"engineVersion,omitempty"`

	// DBInstanceClass is the instance class, e.g. db.t4g.micro.
	// +kubebuilder:validation:Pattern=`^db\.[a-z0-9]+\.[a-z0-9]+$`
	// +kubebuilder:validation:MaxLength=64
	DBInstanceClass string `json:"dbInstanceClass"`

	// AllocatedStorage in GiB, 20 to 65536.
	// +optional
	// +kubebuilder:validation:Minimum=20
	// +kubebuilder:validation:Maximum=65536
	AllocatedStorage *int32 `json:"allocatedStorage,omitempty"`

	// StorageType is gp2, gp3, io1, io2 or standard.
	// +optional
	// +kubebuilder:validation:Enum=gp2;gp3;io1;io2;standard
	StorageType *string `json:"storageType,omitempty"`

	// IOPS provisioned (io1, io2, gp3).
	// +optional
	// +kubebuilder:validation:Minimum=1000
	IOPS *int32 `json:"iops,omitempty"`

	// StorageThroughput in MiB/s (gp3).
	// +optional
	// +kubebuilder:validation:Minimum=125
	StorageThroughput *int32 `json:"storageThroughput,omitempty"`

	// MaxAllocatedStorage enables storage autoscaling up to this many GiB.
	// +optional
	MaxAllocatedStorage *int32 `json:"maxAllocatedStorage,omitempty"`

	// MasterUsername is the master user's name. Immutable.
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_]{0,62}$`
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="masterUsername is immutable"
	MasterUsername string `json:"masterUsername"`

	// MasterPasswordSecretRef is the key of a Secret in this DBInstance's namespace that holds the master password.
	MasterPasswordSecretRef PasswordSecretRef `json:"masterPasswordSecretRef"`

	// DBName is the database created with the instance. Immutable.
	// +optional
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_]{0,62}$`
	// +kubebuilder:validation:MaxLength=63
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="dbName is immutable"
	DBName *string `json:"dbName,omitempty"`

	// Port the database listens on.
	// +optional
	// +kubebuilder:validation:Minimum=1150
	// +kubebuilder:validation:Maximum=65535
	Port *int32 `json:"port,omitempty"`

	// MultiAZ runs a standby in another availability zone.
	// +optional
	MultiAZ *bool `json:"multiAZ,omitempty"`

	// PubliclyAccessible gives the instance a public address.
	// +optional
	PubliclyAccessible *bool `json:"publiclyAccessible,omitempty"`

	// BackupRetentionPeriod in days, 0 (no backups) to 35.
	// +optional
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=35
	BackupRetentionPeriod *int32 `json:"backupRetentionPeriod,omitempty"`

	// PreferredBackupWindow is a daily UTC window, hh24:mi-hh24:mi.
	// +optional
	// +kubebuilder:validation:Pattern=`^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$`
	// +kubebuilder:validation:MaxLength=11
	PreferredBackupWindow *string `json:"preferredBackupWindow,omitempty"`

	// PreferredMaintenanceWindow is a weekly UTC window, ddd:hh24:mi-ddd:hh24:mi; the day is compared without case.
	// +optional
	// +kubebuilder:validation:MaxLength=19
	// +kubebuilder:validation:Pattern=`^([Mm][Oo][Nn]|[Tt][Uu][Ee]|[Ww][Ee][Dd]|[Tt][Hh][Uu]|[Ff][Rr][Ii]|[Ss][Aa][Tt]|[Ss][Uu][Nn]):([01][0-9]|2[0-3]):[0-5][0-9]-([Mm][Oo][Nn]|[Tt][Uu][Ee]|[Ww][Ee][Dd]|[Tt][Hh][Uu]|[Ff][Rr][Ii]|[Ss][Aa][Tt]|[Ss][Uu][Nn]):([01][0-9]|2[0-3]):[0-5][0-9]$`
	PreferredMaintenanceWindow *string `json:"preferredMaintenanceWindow,omitempty"`

	// DeletionProtection makes RDS refuse to delete the instance.
	// +optional
	DeletionProtection *bool `json:"deletionProtection,omitempty"`

	// DBParameterGroupName is the parameter group, at most 255 characters (RDS).
	// +optional
	// +kubebuilder:validation:MaxLength=255
	DBParameterGroupName *string `json:"dbParameterGroupName,omitempty"`

	// DBSubnetGroupName is the subnet group, at most 255 characters (RDS). Immutable.
	// +optional
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="dbSubnetGroupName is immutable"
	DBSubnetGroupName *string `json:"dbSubnetGroupName,omitempty"`

	// VPCSecurityGroupIDs are the VPC security groups (sg- and 17 hex digits); their order does not matter. A network
	// interface takes at most 16 (a VPC quota, 5 by default).
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:MaxLength=32
	VPCSecurityGroupIDs []string `json:"vpcSecurityGroupIDs"`

	// KMSKeyID encrypts the storage with this key (ID, ARN or alias; KMS takes at most 2048 characters); it implies
	// storageEncrypted. Immutable.
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="kmsKeyID is immutable"
	KMSKeyID *string `json:"kmsKeyID,omitempty"`

	// StorageEncrypted encrypts the storage (with the AWS-managed key unless kmsKeyID is set). Immutable.
	// +optional
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="storageEncrypted is immutable"
	StorageEncrypted *bool `json:"storageEncrypted,omitempty"`

	// ApplyImmediately applies changes now instead of in the next maintenance window. Changes waiting for the
	// window are reported in status.atProvider.pendingModifiedValues and are not sent again.
	// +optional
	ApplyImmediately *bool `json:"applyImmediately,omitempty"`

	// FinalSnapshot says what happens to the data when the DBInstance is deleted: a snapshot under identifier, or
	// none (skip). Deletion is refused, with a clear condition, until it is set.
	// +optional
	FinalSnapshot *FinalSnapshot `json:"finalSnapshot,omitempty"`

	// Tags to set on the instance, in addition to the ProviderConfig's default tags and the provider's ownership
	// tags (stateful.dev/*).
	// +optional
	// AWS allows 50 tags a resource; 40 leaves room for the ProviderConfig's default tags and the ownership tags.
	// +kubebuilder:validation:MaxProperties=40
	// +kubebuilder:validation:XValidation:rule="self.all(k, !k.startsWith('aws:') && !k.startsWith('stateful.dev/'))",message="tag keys starting with aws: or stateful.dev/ are reserved"
	// +kubebuilder:validation:XValidation:rule="self.all(k, size(k) <= 128 && size(self[k]) <= 256)",message="tag keys are at most 128 characters and values at most 256 (AWS)"
	Tags map[string]string `json:"tags"`
}

// PasswordSecretRef is a key of a Secret in the managed resource's namespace.
type PasswordSecretRef struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// Key in the Secret. Default: password. A Secret's keys are at most 253 characters.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:default=password
	Key string `json:"key,omitempty"`

	// Generate a random password into the Secret when the Secret or the key does not exist. An existing password is
	// never replaced: a restart never loses it.
	// +optional
	Generate *bool `json:"generate,omitempty"`
}

// FinalSnapshot is the decision about the data at deletion.
// +kubebuilder:validation:XValidation:rule="has(self.skip) && self.skip ? !has(self.identifier) : has(self.identifier)",message="set either skip: true or a snapshot identifier"
type FinalSnapshot struct {
	// Skip deletes the instance without a final snapshot.
	// +optional
	Skip *bool `json:"skip,omitempty"`

	// Identifier of the final snapshot.
	// +optional
	// +kubebuilder:validation:Pattern=`^[A-Za-z]([A-Za-z0-9]|-[A-Za-z0-9]){0,254}$`
	// +kubebuilder:validation:MaxLength=255
	Identifier *string `json:"identifier,omitempty"`
}

// DBInstanceObservation is the instance as RDS reports it.
type DBInstanceObservation struct {
	// ARN of the instance.
	ARN string `json:"arn,omitempty"`
	// Status is RDS's status: creating, available, modifying, backing-up, deleting, ...
	Status string `json:"status,omitempty"`
	// Address is the endpoint's host name.
	Address string `json:"address,omitempty"`
	// Port is the endpoint's port.
	Port int32 `json:"port,omitempty"`
	// EngineVersion running now.
	EngineVersion string `json:"engineVersion,omitempty"`
	// DBInstanceClass running now.
	DBInstanceClass string `json:"dbInstanceClass,omitempty"`
	// AllocatedStorage in GiB.
	AllocatedStorage int32 `json:"allocatedStorage,omitempty"`
	// StorageType running now.
	StorageType string `json:"storageType,omitempty"`
	// BackupRetentionPeriod in days (0: automated backups off).
	BackupRetentionPeriod *int32 `json:"backupRetentionPeriod,omitempty"`
	// MultiAZ is whether the instance has a standby in another Availability Zone.
	MultiAZ *bool `json:"multiAZ,omitempty"`
	// DeletionProtection is whether RDS refuses to delete the instance.
	DeletionProtection *bool `json:"deletionProtection,omitempty"`
	// PendingModifiedValues are changes waiting for the maintenance window, by field.
	PendingModifiedValues map[string]string `json:"pendingModifiedValues,omitempty"`
	// Tags on the instance, all of them.
	Tags map[string]string `json:"tags,omitempty"`
}

// A DBInstanceSpec defines the desired state of a DBInstance.
// The fields crossplane's ManagedResourceSpec brings are bounded here, where markers can reach them (issue 23 §2).
// +kubebuilder:validation:XValidation:rule="!has(self.managementPolicies) || size(self.managementPolicies) <= 6",message="managementPolicies has at most 6 entries, one per action"
// +kubebuilder:validation:XValidation:rule="!has(self.providerConfigRef) || (size(self.providerConfigRef.kind) <= 63 && size(self.providerConfigRef.name) <= 253)",message="providerConfigRef: kind is at most 63 characters, name at most 253 (a Kubernetes object name)"
// +kubebuilder:validation:XValidation:rule="!has(self.writeConnectionSecretToRef) || size(self.writeConnectionSecretToRef.name) <= 253",message="writeConnectionSecretToRef.name is at most 253 characters (a Secret name)"
type DBInstanceSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`

	// ForProvider holds the instance's configuration.
	ForProvider DBInstanceParameters `json:"forProvider"`

	// AdoptExisting lets this DBInstance take over an existing instance of its identifier that carries no ownership
	// tags. An instance tagged for another DBInstance is never adopted.
	// +optional
	AdoptExisting *bool `json:"adoptExisting,omitempty"`
}

// A DBInstanceStatus represents the observed state of a DBInstance.
type DBInstanceStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`

	AtProvider DBInstanceObservation `json:"atProvider,omitempty"`
}

// A DBInstance is an RDS database instance. Its name (the crossplane.io/external-name annotation, or
// metadata.name) is the DB instance identifier. Its connection details are endpoint, port, username, password,
// database and dsn; the password appears nowhere else.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.status"
// +kubebuilder:printcolumn:name="ENGINE",type="string",JSONPath=".spec.forProvider.engine"
// +kubebuilder:printcolumn:name="VERSION",type="string",JSONPath=".status.atProvider.engineVersion"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,stateful,aws}
// +kubebuilder:validation:XValidation:rule="oldSelf.hasValue() || (size(self.metadata.name) <= 63 && self.metadata.name.matches('^[a-z]([a-z0-9]|-[a-z0-9])*$'))",message="metadata.name is the DB instance identifier: 1 to 63 lowercase letters, digits and hyphens, starting with a letter, no double or trailing hyphen",optionalOldSelf=true
type DBInstance struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   DBInstanceSpec   `json:"spec"`
	Status DBInstanceStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// DBInstanceList contains a list of DBInstance.
type DBInstanceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []DBInstance `json:"items"`
}
