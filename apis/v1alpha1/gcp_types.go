package v1alpha1

// GCPCredentialsSource is where the provider gets Google Cloud credentials from.
type GCPCredentialsSource string

// GCP credential sources.
const (
	// GCPCredentialsSecret reads a service-account key (JSON) from a Kubernetes Secret.
	GCPCredentialsSecret GCPCredentialsSource = "Secret"
	// GCPCredentialsFilesystem reads a service-account key file from the provider's filesystem.
	GCPCredentialsFilesystem GCPCredentialsSource = "Filesystem"
	// GCPCredentialsInjectedIdentity uses Application Default Credentials: GKE workload identity, the metadata
	// server, or the provider process's GOOGLE_APPLICATION_CREDENTIALS.
	GCPCredentialsInjectedIdentity GCPCredentialsSource = "InjectedIdentity"
	// GCPCredentialsVault reads credentials through the config's Vault connection.
	GCPCredentialsVault GCPCredentialsSource = "Vault"
)

// GCPConfig configures access to Google Cloud or its emulators.
type GCPConfig struct {
	// ProjectID is the project the managed resources live in.
	// +kubebuilder:validation:Pattern=`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`
	// +kubebuilder:validation:MaxLength=30
	ProjectID string `json:"projectID"`

	// Credentials the provider calls Google Cloud with.
	Credentials GCPCredentials `json:"credentials"`

	// Impersonate makes the provider act as another service account, with the credentials above as the caller
	// (which needs roles/iam.serviceAccountTokenCreator on it).
	// +optional
	Impersonate *GCPImpersonation `json:"impersonate,omitempty"`

	// Endpoints override each service's endpoint, for emulators (fake-gcs-server, the Pub/Sub and Bigtable
	// emulators) or private endpoints.
	// +optional
	Endpoints *GCPEndpoints `json:"endpoints,omitempty"`

	// DefaultLabels are added to every labelled resource made with this config. A resource's own labels win on a
	// key conflict. Keys and values: lowercase letters, digits, '_' and '-', at most 63 characters; a key starts
	// with a letter (the provider checks the characters: a rule in the CRD would cost the API server more than the
	// guarantee is worth; the CRD checks the lengths).
	// +optional
	// +kubebuilder:validation:MaxProperties=32
	// +kubebuilder:validation:XValidation:rule="self.all(k, size(k) <= 63 && size(self[k]) <= 63)",message="label keys and values are at most 63 characters (Google Cloud)"
	DefaultLabels map[string]string `json:"defaultLabels,omitempty"`

	// IgnoreLabelPrefixes lists label key prefixes that the provider never adds, changes or removes, for labels
	// owned by other tools. The "goog-" prefix (labels Google Cloud sets itself) is always ignored.
	// +optional
	// +kubebuilder:validation:MaxItems=20
	// +kubebuilder:validation:items:MaxLength=63
	IgnoreLabelPrefixes []string `json:"ignoreLabelPrefixes,omitempty"`

	// AllowedReferences lists what managed resources may name through this ClusterProviderConfig that the
	// provider does not make: Cloud KMS keys and Bigtable instances. Unset, a list admits nothing: a resource
	// naming a key, or a Table in an instance, is refused before any cloud call.
	// Not allowed on a ProviderConfig, where the tenant's own credentials decide. Patterns as for
	// ReferencePatterns.
	// +optional
	AllowedReferences *GCPAllowedReferences `json:"allowedReferences,omitempty"`

	// AllowedAdoptions lists which namespaces may take over (spec.adoptExisting) or observe (managementPolicies
	// without Create, Update or Delete) which cloud resources the provider did not make, through this
	// ClusterProviderConfig. Unset, no namespace may: such a resource is refused before any cloud call. Not
	// allowed on a ProviderConfig, where the tenant's own credentials decide.
	// +optional
	AllowedAdoptions *GCPAllowedAdoptions `json:"allowedAdoptions,omitempty"`
}

// GCPAllowedAdoptions are the adoption rules of each GCP kind; names are external names (bucket, topic ID,
// subscription ID), and "instance/table" for Bigtable tables.
type GCPAllowedAdoptions struct {
	// Buckets are Cloud Storage buckets.
	// +optional
	Buckets AdoptionRules `json:"buckets,omitempty"`

	// Topics are Pub/Sub topic IDs.
	// +optional
	Topics AdoptionRules `json:"topics,omitempty"`

	// Subscriptions are Pub/Sub subscription IDs.
	// +optional
	Subscriptions AdoptionRules `json:"subscriptions,omitempty"`

	// BigtableTables are "instance/table", e.g. "shared/{namespace}_orders".
	// +optional
	BigtableTables AdoptionRules `json:"bigtableTables,omitempty"`
}

// GCPAllowedReferences are patterns (see ReferencePatterns) of the names a managed resource may give.
type GCPAllowedReferences struct {
	// KMSKeys: full key names, e.g. "projects/p/locations/eu/keyRings/{namespace}/cryptoKeys/*".
	// +optional
	KMSKeys ReferencePatterns `json:"kmsKeys,omitempty"`

	// BigtableInstances: instance IDs Bigtable Tables may be created in, e.g. "{namespace}_tables" or "shared".
	// +optional
	BigtableInstances ReferencePatterns `json:"bigtableInstances,omitempty"`
}

// GCPCredentials selects where Google Cloud credentials come from.
// +kubebuilder:validation:XValidation:rule="self.source != 'Secret' || has(self.secretRef)",message="secretRef is required when source is Secret"
// +kubebuilder:validation:XValidation:rule="self.source != 'Filesystem' || has(self.filesystem)",message="filesystem is required when source is Filesystem"
// +kubebuilder:validation:XValidation:rule="self.source != 'Vault' || has(self.vault)",message="vault is required when source is Vault"
type GCPCredentials struct {
	// Source of the credentials. Filesystem and InjectedIdentity are the provider's own identity and are only
	// allowed on a ClusterProviderConfig.
	// +kubebuilder:validation:Enum=Secret;Filesystem;InjectedIdentity;Vault
	Source GCPCredentialsSource `json:"source"`

	// SecretRef points at the Secret key holding a service-account key (the JSON file Google Cloud issues).
	// +optional
	SecretRef *SecretKeySelector `json:"secretRef,omitempty"`

	// Filesystem points at a service-account key file.
	// +optional
	Filesystem *GCPFilesystemCredentials `json:"filesystem,omitempty"`

	// Vault says what to read through spec.vault when source is Vault.
	// +optional
	Vault *GCPVaultCredentials `json:"vault,omitempty"`
}

// GCPFilesystemCredentials locates a service-account key file.
type GCPFilesystemCredentials struct {
	// Path of the key file, at most 4096 characters (Linux's PATH_MAX).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	Path string `json:"path"`
}

// GCPVaultCredentials says which Google Cloud credentials to read through the config's Vault connection.
type GCPVaultCredentials struct {
	// KV reads a service-account key or an OAuth 2.0 access token from a KV version 2 secret.
	KV *VaultKVGCPCredentials `json:"kv"`
}

// VaultKVGCPCredentials locates a service-account key or an access token in a KV v2 secret. Exactly one of the
// two keys is set.
// +kubebuilder:validation:XValidation:rule="(has(self.serviceAccountKeyKey) ? 1 : 0) + (has(self.accessTokenKey) ? 1 : 0) == 1",message="set exactly one of serviceAccountKeyKey and accessTokenKey"
type VaultKVGCPCredentials struct {
	// Mount of the KV v2 secrets engine.
	// +optional
	// +kubebuilder:default=secret
	// +kubebuilder:validation:MaxLength=256
	Mount string `json:"mount,omitempty"`

	// Path of the secret under the mount.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	Path string `json:"path"`

	// ServiceAccountKeyKey is the secret's field holding a service-account key (JSON).
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	ServiceAccountKeyKey string `json:"serviceAccountKeyKey,omitempty"`

	// AccessTokenKey is the secret's field holding an OAuth 2.0 access token, kept fresh by whoever writes it
	// there; the provider reads it again every RefreshInterval.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	AccessTokenKey string `json:"accessTokenKey,omitempty"`

	// RefreshInterval is how often an access token is read again from Vault, e.g. "5m".
	// +optional
	// +kubebuilder:default="5m"
	// +kubebuilder:validation:Pattern=`^([0-9]+(s|m|h))+$`
	// +kubebuilder:validation:MaxLength=64
	RefreshInterval string `json:"refreshInterval,omitempty"`
}

// GCPImpersonation configures a service account to act as.
type GCPImpersonation struct {
	// TargetServiceAccount is the email of the service account to act as (an email address: at most 254
	// characters).
	// +kubebuilder:validation:Pattern=`^[a-z0-9-]+@[a-z0-9.-]+\.gserviceaccount\.com$`
	// +kubebuilder:validation:MaxLength=254
	TargetServiceAccount string `json:"targetServiceAccount"`

	// Delegates is the chain of service accounts from the caller to the target, each granting the next
	// roles/iam.serviceAccountTokenCreator, for delegated impersonation.
	// +optional
	// +kubebuilder:validation:MaxItems=10
	// +kubebuilder:validation:items:Pattern=`^[a-z0-9-]+@[a-z0-9.-]+\.gserviceaccount\.com$`
	// +kubebuilder:validation:items:MaxLength=254
	Delegates []string `json:"delegates,omitempty"`
}

// GCPEndpoints override Google Cloud service endpoints. On a namespaced ProviderConfig each must be one the
// provider's --allowed-endpoint admits.
type GCPEndpoints struct {
	// Storage is the Cloud Storage JSON API endpoint, e.g. http://127.0.0.1:4443/storage/v1/ for
	// fake-gcs-server.
	// +optional
	// +kubebuilder:validation:Pattern=`^https?://[^\s]+$`
	// +kubebuilder:validation:MaxLength=2048
	Storage *string `json:"storage,omitempty"`

	// PubSub is the Pub/Sub gRPC endpoint, host:port.
	// +optional
	PubSub *GCPGRPCEndpoint `json:"pubsub,omitempty"`

	// Bigtable is the Bigtable gRPC endpoint (data and admin), host:port.
	// +optional
	Bigtable *GCPGRPCEndpoint `json:"bigtable,omitempty"`
}

// GCPGRPCEndpoint is a gRPC endpoint.
type GCPGRPCEndpoint struct {
	// Address is host:port: a DNS name is at most 253 characters.
	// +kubebuilder:validation:Pattern=`^[^\s/:]+:[0-9]{1,5}$`
	// +kubebuilder:validation:MaxLength=259
	Address string `json:"address"`

	// Insecure connects without TLS and without credentials, as the emulators expect. Never for Google Cloud.
	// +optional
	Insecure bool `json:"insecure,omitempty"`
}
