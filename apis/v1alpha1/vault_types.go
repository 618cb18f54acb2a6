package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// VaultConfig connects a ProviderConfig to HashiCorp Vault. Every cloud section of the config whose credentials
// source is Vault reads through this one connection: one login, one token per config.
// +kubebuilder:validation:XValidation:rule="self.address.startsWith('https://') || !has(self.caBundle)",message="caBundle needs an https:// address"
type VaultConfig struct {
	// Address of the Vault server. An https:// address is always verified, against caBundle or else the system
	// roots. http:// sends the token in clear text: only for a Vault on loopback, in development. On a namespaced
	// ProviderConfig it must be https and one the provider's --allowed-endpoint or --vault-allowed-address admits
	// (http only as --vault-insecure-address allows).
	// +kubebuilder:validation:Pattern=`^https?://[^\s/]+/?$`
	// +kubebuilder:validation:MaxLength=2048
	Address string `json:"address"`

	// Namespace is the Vault Enterprise namespace to use.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	Namespace *string `json:"namespace,omitempty"`

	// CABundle selects PEM-encoded CA certificates that sign the server's certificate.
	// +optional
	CABundle *SecretKeySelector `json:"caBundle,omitempty"`

	// Auth says how the provider logs in to Vault. Exactly one method.
	Auth VaultAuth `json:"auth"`
}

// VaultAuth is how the provider logs in to Vault.
// +kubebuilder:validation:XValidation:rule="(has(self.token) ? 1 : 0) + (has(self.kubernetes) ? 1 : 0) + (has(self.appRole) ? 1 : 0) == 1",message="set exactly one auth method: token, kubernetes or appRole"
type VaultAuth struct {
	// Token uses a Vault token stored in a Secret.
	// +optional
	Token *VaultTokenAuth `json:"token,omitempty"`

	// Kubernetes logs in with a short-lived service account token that the provider requests through the
	// TokenRequest API (RBAC: create on serviceaccounts/token). The login is repeated before the Vault token
	// expires, and when Vault refuses it.
	// +optional
	Kubernetes *VaultKubernetesAuth `json:"kubernetes,omitempty"`

	// AppRole logs in with a role ID and a secret ID from a Secret.
	// +optional
	AppRole *VaultAppRoleAuth `json:"appRole,omitempty"`
}

// VaultKubernetesAuth logs in with Vault's Kubernetes auth method.
type VaultKubernetesAuth struct {
	// Mount path of the auth method.
	// +optional
	// +kubebuilder:default=kubernetes
	// +kubebuilder:validation:MaxLength=256
	Mount string `json:"mount,omitempty"`

	// Role to log in as.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Role string `json:"role"`

	// ServiceAccount to authenticate as. On a namespaced ProviderConfig it is required and names a service
	// account of the config's own namespace (omit namespace): tenants authenticate as themselves. On a
	// ClusterProviderConfig it needs a namespace; unset, the provider uses its own pod's service account token.
	// +optional
	ServiceAccount *ServiceAccountReference `json:"serviceAccount,omitempty"`

	// Audiences of the requested token. Unset means "vault". On a namespaced ProviderConfig each must be one the
	// provider's --vault-allowed-audience allows (by default "vault" only): the token goes to the config's Vault
	// address, and one for another service's audience could be used there.
	// +optional
	// +kubebuilder:validation:MaxItems=8
	// +kubebuilder:validation:items:MaxLength=256
	Audiences []string `json:"audiences,omitempty"`
}

// ServiceAccountReference names a service account.
type ServiceAccountReference struct {
	// Name of the service account.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// Namespace of the service account: required on a ClusterProviderConfig; a ProviderConfig's service account is
	// in its own namespace (omit it).
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Namespace string `json:"namespace,omitempty"`
}

// VaultAppRoleAuth logs in with Vault's AppRole auth method.
type VaultAppRoleAuth struct {
	// Mount path of the auth method.
	// +optional
	// +kubebuilder:default=approle
	// +kubebuilder:validation:MaxLength=256
	Mount string `json:"mount,omitempty"`

	// RoleID of the role.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	RoleID string `json:"roleID"`

	// SecretIDRef selects the Secret key holding the secret ID.
	SecretIDRef SecretKeySelector `json:"secretIDRef"`
}

// VaultTokenAuth reads a Vault token from a Secret.
type VaultTokenAuth struct {
	// SecretRef selects the Secret key holding the token.
	SecretRef SecretKeySelector `json:"secretRef"`
}

// SecretKeySelector selects a key of a Secret. On a namespaced ProviderConfig the namespace must be omitted: the
// Secret is always read from the config's own namespace. On a ClusterProviderConfig it is required.
type SecretKeySelector struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// Namespace of the Secret.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Namespace string `json:"namespace,omitempty"`

	// Key in the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key"`
}

// AWSVaultCredentials says which AWS credentials to read through the config's Vault connection. Exactly one.
// +kubebuilder:validation:XValidation:rule="(has(self.kv) ? 1 : 0) + (has(self.secretsEngine) ? 1 : 0) == 1",message="set exactly one of kv and secretsEngine"
type AWSVaultCredentials struct {
	// KV reads a static access key from a KV version 2 secret.
	// +optional
	KV *VaultKVAWSCredentials `json:"kv,omitempty"`

	// SecretsEngine mints short-lived credentials with Vault's AWS secrets engine.
	// +optional
	SecretsEngine *VaultAWSSecretsEngine `json:"secretsEngine,omitempty"`
}

// VaultAWSSecretsEngine mints AWS credentials with Vault's AWS secrets engine. New credentials are minted when two
// thirds of the current ones' lifetime has passed, never per reconcile.
// +kubebuilder:validation:XValidation:rule="self.credentialType != 'iam_user' || (!has(self.roleARN) && !has(self.roleSessionName))",message="roleARN and roleSessionName apply to STS credential types only"
type VaultAWSSecretsEngine struct {
	// Mount path of the AWS secrets engine.
	// +optional
	// +kubebuilder:default=aws
	// +kubebuilder:validation:MaxLength=256
	Mount string `json:"mount,omitempty"`

	// Role of the secrets engine to mint credentials for.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Role string `json:"role"`

	// CredentialType of the role: iam_user (a leased IAM user key), or STS credentials from assumed_role,
	// federation_token or session_token.
	// +kubebuilder:validation:Enum=iam_user;assumed_role;federation_token;session_token
	CredentialType string `json:"credentialType"`

	// RoleARN picks one of the role's ARNs, for assumed_role roles that have several (at most 2048 characters, as
	// STS takes).
	// +optional
	// +kubebuilder:validation:MaxLength=2048
	RoleARN *string `json:"roleARN,omitempty"`

	// TTL requested for STS credentials, e.g. "1h". Unset means the role's default.
	// +optional
	// +kubebuilder:validation:Pattern=`^([0-9]+(s|m|h))+$`
	// +kubebuilder:validation:MaxLength=64
	TTL *string `json:"ttl,omitempty"`

	// RoleSessionName for assumed_role, so cloud audit logs map back to this config. Defaults to one derived
	// from the config's kind, namespace and name.
	// +optional
	// +kubebuilder:validation:Pattern=`^[\w+=,.@-]{2,64}$`
	// +kubebuilder:validation:MaxLength=64
	RoleSessionName *string `json:"roleSessionName,omitempty"`
}

// VaultKVAWSCredentials locates an access key in a KV v2 secret.
type VaultKVAWSCredentials struct {
	// Mount of the KV v2 secrets engine.
	// +optional
	// +kubebuilder:default=secret
	// +kubebuilder:validation:MaxLength=256
	Mount string `json:"mount,omitempty"`

	// Path of the secret under the mount.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	Path string `json:"path"`

	// AccessKeyIDKey is the secret's field holding the access key ID.
	// +optional
	// +kubebuilder:default=access_key_id
	// +kubebuilder:validation:MaxLength=256
	AccessKeyIDKey string `json:"accessKeyIDKey,omitempty"`

	// SecretAccessKeyKey is the secret's field holding the secret access key.
	// +optional
	// +kubebuilder:default=secret_access_key
	// +kubebuilder:validation:MaxLength=256
	SecretAccessKeyKey string `json:"secretAccessKeyKey,omitempty"`

	// SessionTokenKey is the secret's field holding a session token, if any.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	SessionTokenKey string `json:"sessionTokenKey,omitempty"`
}

// VaultStatus is the observed state of a config's Vault connection. It shows whether the provider holds a token
// Vault accepts and how fresh the credentials read through it are; it never holds a token or a key.
type VaultStatus struct {
	// AuthMethod is the auth method in use: token, kubernetes or appRole.
	AuthMethod string `json:"authMethod,omitempty"`
	// Authenticated is true while the provider holds a token Vault accepted.
	Authenticated bool `json:"authenticated"`
	// TokenExpiresAt is when the token expires unless renewed; unset for a token that does not expire.
	// +optional
	TokenExpiresAt *metav1.Time `json:"tokenExpiresAt,omitempty"`
	// LastLogin is when the provider last logged in (Kubernetes and AppRole auth).
	// +optional
	LastLogin *metav1.Time `json:"lastLogin,omitempty"`
	// LastTokenRenewal is when the token was last renewed.
	// +optional
	LastTokenRenewal *metav1.Time `json:"lastTokenRenewal,omitempty"`
	// AWS is the state of the AWS credentials read from Vault, once a managed resource has used them.
	// +optional
	AWS *VaultCredentialsStatus `json:"aws,omitempty"`
	// GCP is the state of the Google Cloud credentials read from Vault, once a managed resource has used them.
	// +optional
	GCP *VaultCredentialsStatus `json:"gcp,omitempty"`
}

// VaultCredentialsStatus is the observed state of cloud credentials read from Vault.
type VaultCredentialsStatus struct {
	// Kind is kv for a static key, or the secrets engine's credential type.
	Kind string `json:"kind,omitempty"`
	// ExpiresAt is when the credentials' lease ends unless renewed; unset for static keys.
	// +optional
	ExpiresAt *metav1.Time `json:"expiresAt,omitempty"`
	// LastIssued is when the credentials were last read or minted.
	// +optional
	LastIssued *metav1.Time `json:"lastIssued,omitempty"`
	// LastRenewal is when their lease was last renewed.
	// +optional
	LastRenewal *metav1.Time `json:"lastRenewal,omitempty"`
}
