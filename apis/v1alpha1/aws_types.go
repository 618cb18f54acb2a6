package v1alpha1

// AWSCredentialsSource is where the provider gets AWS credentials from.
type AWSCredentialsSource string

// AWS credential sources.
const (
	// AWSCredentialsSecret reads an access key from a Kubernetes Secret.
	AWSCredentialsSecret AWSCredentialsSource = "Secret"
	// AWSCredentialsEnvironment uses the provider process's AWS_* environment variables.
	AWSCredentialsEnvironment AWSCredentialsSource = "Environment"
	// AWSCredentialsFilesystem reads a shared credentials file from the provider's filesystem.
	AWSCredentialsFilesystem AWSCredentialsSource = "Filesystem"
	// AWSCredentialsInjectedIdentity uses the AWS SDK's default chain (IRSA, EKS Pod Identity, instance profile).
	AWSCredentialsInjectedIdentity AWSCredentialsSource = "InjectedIdentity"
	// AWSCredentialsVault reads credentials through the config's Vault connection.
	AWSCredentialsVault AWSCredentialsSource = "Vault"
)

// AWSConfig configures access to AWS or an AWS-compatible endpoint.
type AWSConfig struct {
	// Credentials the provider signs AWS requests with.
	Credentials AWSCredentials `json:"credentials"`

	// Endpoint overrides the AWS service endpoints, for moto, LocalStack or an S3-compatible store.
	// +optional
	Endpoint *AWSEndpoint `json:"endpoint,omitempty"`

	// AssumeRole makes the provider assume this IAM role with the credentials above and act as the role.
	// +optional
	AssumeRole *AWSAssumeRole `json:"assumeRole,omitempty"`

	// DefaultTags are added to every taggable resource made with this config. A resource's own tags win on a
	// key conflict.
	// +optional
	// +kubebuilder:validation:MaxProperties=40
	// +kubebuilder:validation:XValidation:rule="self.all(k, size(k) <= 128 && size(self[k]) <= 256)",message="tag keys are at most 128 characters and values at most 256 (AWS)"
	DefaultTags map[string]string `json:"defaultTags,omitempty"`

	// IgnoreTagPrefixes lists tag key prefixes that the provider never adds, changes or removes, for tags owned by
	// other tools (cost allocation, security scanners). The "aws:" prefix is always ignored.
	// +optional
	// +kubebuilder:validation:MaxItems=20
	// +kubebuilder:validation:items:MaxLength=128
	IgnoreTagPrefixes []string `json:"ignoreTagPrefixes,omitempty"`

	// AllowedReferences lists what managed resources may name through this ClusterProviderConfig that the
	// provider does not make: KMS keys, RDS subnet and parameter groups, VPC security groups. Through the
	// platform's identity a tenant could otherwise put its database in another team's network or encrypt with
	// another team's key. A list that is unset allows nothing but the account's AWS-managed keys (alias/aws/...);
	// a resource that names anything else is refused before any cloud call. Not allowed on a ProviderConfig,
	// where the tenant's own credentials decide.
	// +optional
	AllowedReferences *AWSAllowedReferences `json:"allowedReferences,omitempty"`

	// AllowedAdoptions lists which namespaces may take over (spec.adoptExisting) or observe (managementPolicies
	// without Create, Update or Delete) which cloud resources the provider did not make, through this
	// ClusterProviderConfig. Through the platform's identity a tenant could otherwise adopt the platform's own
	// database and reset its password, or another team's queue. Unset, no namespace may: such a resource is
	// refused before any cloud call. Not allowed on a ProviderConfig, where the tenant's own credentials decide.
	// +optional
	AllowedAdoptions *AWSAllowedAdoptions `json:"allowedAdoptions,omitempty"`
}

// AWSAllowedAdoptions are the adoption rules of each AWS kind; names are external names (bucket, queue, DB
// instance identifier, table).
type AWSAllowedAdoptions struct {
	// Buckets are S3 buckets.
	// +optional
	Buckets AdoptionRules `json:"buckets,omitempty"`

	// Queues are SQS queues.
	// +optional
	Queues AdoptionRules `json:"queues,omitempty"`

	// DBInstances are RDS DB instances (identifiers compared without case, as RDS does).
	// +optional
	DBInstances AdoptionRules `json:"dbInstances,omitempty"`

	// Tables are DynamoDB tables.
	// +optional
	Tables AdoptionRules `json:"tables,omitempty"`
}

// AWSAllowedReferences are patterns (see ReferencePatterns) of the names a managed resource may give, one list
// per kind of reference.
type AWSAllowedReferences struct {
	// KMSKeys: key IDs, key ARNs, alias names or alias ARNs, exactly as resources spell them (a key named by
	// its ID is not matched by a pattern of its alias).
	// +optional
	KMSKeys ReferencePatterns `json:"kmsKeys,omitempty"`

	// DBSubnetGroups: RDS DB subnet group names (compared without case, as RDS does).
	// +optional
	DBSubnetGroups ReferencePatterns `json:"dbSubnetGroups,omitempty"`

	// DBParameterGroups: RDS DB parameter group names (compared without case, as RDS does).
	// +optional
	DBParameterGroups ReferencePatterns `json:"dbParameterGroups,omitempty"`

	// SecurityGroups: VPC security group IDs (sg-...).
	// +optional
	SecurityGroups ReferencePatterns `json:"securityGroups,omitempty"`
}

// AWSCredentials selects where AWS credentials come from.
// +kubebuilder:validation:XValidation:rule="self.source != 'Secret' || has(self.secretRef)",message="secretRef is required when source is Secret"
// +kubebuilder:validation:XValidation:rule="self.source != 'Filesystem' || has(self.filesystem)",message="filesystem is required when source is Filesystem"
// +kubebuilder:validation:XValidation:rule="self.source != 'Vault' || has(self.vault)",message="vault is required when source is Vault"
type AWSCredentials struct {
	// Source of the credentials. Environment, Filesystem and InjectedIdentity are the provider's own identity
	// and are only allowed on a ClusterProviderConfig.
	// +kubebuilder:validation:Enum=Secret;Environment;Filesystem;InjectedIdentity;Vault
	Source AWSCredentialsSource `json:"source"`

	// SecretRef points at a Secret holding an access key.
	// +optional
	SecretRef *AWSSecretCredentials `json:"secretRef,omitempty"`

	// Filesystem points at a shared credentials file (INI format, as written by `aws configure`).
	// +optional
	Filesystem *AWSFilesystemCredentials `json:"filesystem,omitempty"`

	// Vault says what to read through spec.vault when source is Vault.
	// +optional
	Vault *AWSVaultCredentials `json:"vault,omitempty"`
}

// AWSSecretCredentials locates an access key in a Kubernetes Secret.
type AWSSecretCredentials struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// Namespace of the Secret. Required on a ClusterProviderConfig; must be omitted on a ProviderConfig, which
	// reads Secrets only from its own namespace.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Namespace string `json:"namespace,omitempty"`

	// AccessKeyIDKey is the Secret key holding the access key ID.
	// +optional
	// +kubebuilder:default=access_key_id
	// +kubebuilder:validation:MaxLength=253
	AccessKeyIDKey string `json:"accessKeyIDKey,omitempty"`

	// SecretAccessKeyKey is the Secret key holding the secret access key.
	// +optional
	// +kubebuilder:default=secret_access_key
	// +kubebuilder:validation:MaxLength=253
	SecretAccessKeyKey string `json:"secretAccessKeyKey,omitempty"`

	// SessionTokenKey is the Secret key holding a session token, for temporary credentials. Unset means the
	// credentials have no session token.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	SessionTokenKey string `json:"sessionTokenKey,omitempty"`
}

// AWSFilesystemCredentials locates a shared credentials file.
type AWSFilesystemCredentials struct {
	// Path of the shared credentials file, at most 4096 characters (Linux's PATH_MAX).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	Path string `json:"path"`

	// Profile to read from the file.
	// +optional
	// +kubebuilder:default=default
	// +kubebuilder:validation:MaxLength=256
	Profile string `json:"profile,omitempty"`
}

// AWSEndpoint overrides the endpoint of every AWS service.
type AWSEndpoint struct {
	// URL of the endpoint, e.g. http://127.0.0.1:5000 for moto. On a namespaced ProviderConfig it must be one the
	// provider's --allowed-endpoint admits.
	// +kubebuilder:validation:Pattern=`^https?://[^\s]+$`
	// +kubebuilder:validation:MaxLength=2048
	URL string `json:"url"`

	// S3UsePathStyle addresses buckets as <url>/<bucket> instead of <bucket>.<host>; moto, LocalStack and most
	// S3-compatible stores need it.
	// +optional
	S3UsePathStyle bool `json:"s3UsePathStyle,omitempty"`
}

// AWSAssumeRole configures an IAM role to assume.
type AWSAssumeRole struct {
	// RoleARN is the ARN of the role to assume, at most 2048 characters (STS).
	// +kubebuilder:validation:Pattern=`^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$`
	// +kubebuilder:validation:MaxLength=2048
	RoleARN string `json:"roleARN"`

	// ExternalID is passed to sts:AssumeRole, for roles whose trust policy requires one: 2 to 1224 characters
	// (STS).
	// +optional
	// +kubebuilder:validation:MinLength=2
	// +kubebuilder:validation:MaxLength=1224
	ExternalID *string `json:"externalID,omitempty"`

	// SessionName names the role session in CloudTrail. Defaults to provider-stateful.
	// +optional
	// +kubebuilder:validation:Pattern=`^[\w+=,.@-]{2,64}$`
	// +kubebuilder:validation:MaxLength=64
	SessionName *string `json:"sessionName,omitempty"`

	// SessionTags are passed to sts:AssumeRole as session tags.
	// +optional
	// +kubebuilder:validation:MaxItems=50
	SessionTags []AWSSessionTag `json:"sessionTags,omitempty"`
}

// AWSSessionTag is an STS session tag.
type AWSSessionTag struct {
	// Key of the session tag.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	Key string `json:"key"`
	// Value of the session tag.
	// +kubebuilder:validation:MaxLength=256
	Value string `json:"value"`
}
