package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// A ProviderConfigSpec configures how the provider reaches each cloud. Each cloud has its own section; a managed
// resource uses the section of its cloud and fails with a clear condition when that section is missing.
// +kubebuilder:validation:XValidation:rule="!has(self.aws) || self.aws.credentials.source != 'Vault' || has(self.vault)",message="aws.credentials.source Vault needs spec.vault"
// +kubebuilder:validation:XValidation:rule="!has(self.gcp) || self.gcp.credentials.source != 'Vault' || has(self.vault)",message="gcp.credentials.source Vault needs spec.vault"
type ProviderConfigSpec struct {
	// AllowedNamespaces restricts which namespaces' managed resources a ClusterProviderConfig serves: the
	// namespaces named, and those whose labels match the selector. Unset, it serves every namespace (Crossplane's
	// convention) — on a shared cluster, set it: a managed resource without a providerConfigRef uses
	// ClusterProviderConfig/default, and through it the identity the config grants. The provider checks it on
	// every connect; a refused managed resource gets no usage record and never reaches the cloud. Not allowed on a
	// ProviderConfig, which serves its own namespace only.
	// +optional
	AllowedNamespaces *NamespaceSelection `json:"allowedNamespaces,omitempty"`

	// Vault connects the config to HashiCorp Vault, for credentials sources of type Vault.
	// +optional
	Vault *VaultConfig `json:"vault,omitempty"`

	// AWS configures credentials, endpoint and tagging for AWS managed resources.
	// +optional
	AWS *AWSConfig `json:"aws,omitempty"`

	// GCP configures project, credentials, endpoints and labelling for Google Cloud managed resources.
	// +optional
	GCP *GCPConfig `json:"gcp,omitempty"`
}

// A NamespaceSelection selects namespaces by name and by label. A namespace is selected when it is named or when
// its labels match the selector; an empty selector ({}) selects every namespace.
// +kubebuilder:validation:XValidation:rule="has(self.names) || has(self.selector)",message="name namespaces, a selector, or both"
type NamespaceSelection struct {
	// Names of the selected namespaces.
	// +optional
	// +kubebuilder:validation:MaxItems=256
	// +kubebuilder:validation:items:MaxLength=63
	// +listType=set
	Names []string `json:"names,omitempty"`

	// Selector selects namespaces by their labels.
	// +optional
	Selector *LabelSelector `json:"selector,omitempty"`
}

// A LabelSelector selects objects by their labels: metav1.LabelSelector's fields, bounded. The bounds could not
// be CEL rules over metav1.LabelSelector: a rule over every value of every expression costs the API server more
// than 100 times its budget for a list whose size the schema does not bound.
// +structType=atomic
type LabelSelector struct {
	// MatchLabels are labels an object must have, with these values. A label key is a prefix of at most 253
	// characters, '/', and a name of at most 63; a value is at most 63 characters.
	// +optional
	// +kubebuilder:validation:MaxProperties=16
	// +kubebuilder:validation:XValidation:rule="self.all(k, size(k) <= 317 && size(self[k]) <= 63)",message="a label key is at most 317 characters (a 253-character prefix, '/', a 63-character name) and a value at most 63"
	MatchLabels map[string]string `json:"matchLabels,omitempty"`

	// MatchExpressions are requirements an object's labels must meet, all of them.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=16
	MatchExpressions []LabelSelectorRequirement `json:"matchExpressions,omitempty"`
}

// A LabelSelectorRequirement is a label key, an operator and values.
type LabelSelectorRequirement struct {
	// Key is the label key.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=317
	Key string `json:"key"`

	// Operator is In, NotIn, Exists or DoesNotExist.
	// +kubebuilder:validation:Enum=In;NotIn;Exists;DoesNotExist
	Operator metav1.LabelSelectorOperator `json:"operator"`

	// Values of the label: with In and NotIn, at least one; with Exists and DoesNotExist, none.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MaxLength=63
	Values []string `json:"values,omitempty"`
}

// AsSelector converts s as metav1.LabelSelectorAsSelector does: nil selects nothing, {} everything.
func (s *LabelSelector) AsSelector() (labels.Selector, error) {
	if s == nil {
		return labels.Nothing(), nil
	}
	ls := &metav1.LabelSelector{MatchLabels: s.MatchLabels}
	for _, r := range s.MatchExpressions {
		ls.MatchExpressions = append(ls.MatchExpressions, metav1.LabelSelectorRequirement{Key: r.Key, Operator: r.Operator, Values: r.Values})
	}
	return metav1.LabelSelectorAsSelector(ls)
}

// ReferencePatterns are the names an allowedReferences list admits. A pattern is matched as Go's path.Match does
// ('*' within one '/'-separated segment, '?' one character, '[a-z]' a class) after "{namespace}" is replaced by
// the managed resource's namespace: "alias/{namespace}/*" lets team-a name alias/team-a/orders and not
// alias/team-b/orders. Next to {namespace} there must be the start or end of the pattern or a character no
// namespace name holds ('/', ':', '.', '_'), or "{namespace}-*" would let namespace team name team-a's; a
// backslash is not allowed (no name holds one, and "\\-" is an escaped '-'). "*" alone admits any name, '/'
// included.
// +kubebuilder:validation:MaxItems=64
// +kubebuilder:validation:items:MaxLength=2048
// +kubebuilder:validation:XValidation:rule="self.all(p, !p.matches('[^/:._][{]namespace[}]|[{]namespace[}][^/:._]'))",message="put '/', ':', '.' or '_' next to {namespace}: a namespace name may continue into a letter, a digit, '-' or a wildcard"
// +kubebuilder:validation:XValidation:rule="self.all(p, !p.contains('\\\\'))",message="a pattern may not hold a backslash: no name holds one, and an escaped character would get past the rule next to {namespace}"
type ReferencePatterns []string

// AdoptionRules say which namespaces may adopt or observe which cloud resources through a ClusterProviderConfig.
// A resource is admitted when one rule lists its namespace (or lists none) and one of that rule's names matches
// its external name.
// +kubebuilder:validation:MaxItems=16
type AdoptionRules []AdoptionRule

// An AdoptionRule admits, for the managed resources of its namespaces, the cloud resources its names match.
type AdoptionRule struct {
	// Namespaces the rule applies to. Unset, every namespace the config serves: use "{namespace}" in the names
	// then, or every namespace may take the same resources.
	// +optional
	// +kubebuilder:validation:MaxItems=256
	// +kubebuilder:validation:items:MaxLength=63
	// +listType=set
	Namespaces []string `json:"namespaces,omitempty"`

	// Names are patterns (see ReferencePatterns) of the external names the rule admits, e.g. "billing-prod" with
	// namespaces [billing], or "{namespace}.legacy-*" for every namespace.
	Names AdoptionPatterns `json:"names"`
}

// AdoptionPatterns are ReferencePatterns of external names, which are short: fewer and shorter than reference
// patterns, so that the CRD's checks of every list of every kind stay within the API server's cost budget.
// +kubebuilder:validation:MinItems=1
// +kubebuilder:validation:MaxItems=16
// +kubebuilder:validation:items:MaxLength=256
// +kubebuilder:validation:XValidation:rule="self.all(p, !p.matches('[^/:._][{]namespace[}]|[{]namespace[}][^/:._]'))",message="put '/', ':', '.' or '_' next to {namespace}: a namespace name may continue into a letter, a digit, '-' or a wildcard"
// +kubebuilder:validation:XValidation:rule="self.all(p, !p.contains('\\\\'))",message="a pattern may not hold a backslash: no name holds one, and an escaped character would get past the rule next to {namespace}"
type AdoptionPatterns []string

// A ProviderConfigStatus is the observed state of a ProviderConfig.
type ProviderConfigStatus struct {
	xpv2.ProviderConfigStatus `json:",inline"`

	// Vault is the state of the config's Vault connection and of the credentials read through it. It never holds
	// a token or a key.
	// +optional
	Vault *VaultStatus `json:"vault,omitempty"`
}

// A ProviderConfig configures the provider for managed resources in its own namespace. It can only read Secrets of
// that namespace and cannot use the provider's own identity (Environment, Filesystem, InjectedIdentity): those are
// reserved to ClusterProviderConfigs, which only cluster administrators can create.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="AWS",type="string",JSONPath=".spec.aws.credentials.source",description="Where the AWS credentials come from."
// +kubebuilder:printcolumn:name="GCP",type="string",JSONPath=".spec.gcp.credentials.source",description="Where the Google Cloud credentials come from."
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="USERS",type="integer",JSONPath=".status.users"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,provider,stateful}
type ProviderConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +kubebuilder:validation:XValidation:rule="(!has(self.aws) || !has(self.aws.allowedReferences)) && (!has(self.gcp) || !has(self.gcp.allowedReferences))",message="allowedReferences applies to ClusterProviderConfigs: with a ProviderConfig the tenant's own credentials decide what its resources may name"
	// +kubebuilder:validation:XValidation:rule="(!has(self.aws) || !has(self.aws.allowedAdoptions)) && (!has(self.gcp) || !has(self.gcp.allowedAdoptions))",message="allowedAdoptions applies to ClusterProviderConfigs: with a ProviderConfig the tenant's own credentials decide what its resources may adopt"
	// +kubebuilder:validation:XValidation:rule="!has(self.allowedNamespaces)",message="allowedNamespaces applies to ClusterProviderConfigs: a ProviderConfig serves its own namespace only"
	// +kubebuilder:validation:XValidation:rule="!has(self.aws) || self.aws.credentials.source in ['Secret', 'Vault']",message="a namespaced ProviderConfig can only use credentials from a Secret in its own namespace or from Vault: Environment, Filesystem and InjectedIdentity are the provider's own identity and need a ClusterProviderConfig"
	// +kubebuilder:validation:XValidation:rule="!has(self.vault) || ((!has(self.vault.caBundle) || !has(self.vault.caBundle.namespace)) && (!has(self.vault.auth.token) || !has(self.vault.auth.token.secretRef.namespace)) && (!has(self.vault.auth.appRole) || !has(self.vault.auth.appRole.secretIDRef.namespace)))",message="vault Secret references must omit namespace: a namespaced ProviderConfig reads Secrets only from its own namespace"
	// +kubebuilder:validation:XValidation:rule="!has(self.vault) || !has(self.vault.auth.kubernetes) || (has(self.vault.auth.kubernetes.serviceAccount) && !has(self.vault.auth.kubernetes.serviceAccount.namespace))",message="a namespaced ProviderConfig authenticates to Vault as a service account of its own namespace: set vault.auth.kubernetes.serviceAccount.name and omit its namespace"
	// +kubebuilder:validation:XValidation:rule="!has(self.aws) || !has(self.aws.credentials.secretRef) || !has(self.aws.credentials.secretRef.namespace)",message="aws.credentials.secretRef.namespace must be omitted: a namespaced ProviderConfig reads Secrets only from its own namespace"
	// +kubebuilder:validation:XValidation:rule="!has(self.gcp) || self.gcp.credentials.source in ['Secret', 'Vault']",message="a namespaced ProviderConfig can only use GCP credentials from a Secret in its own namespace or from Vault: Filesystem and InjectedIdentity are the provider's own identity and need a ClusterProviderConfig"
	// +kubebuilder:validation:XValidation:rule="!has(self.gcp) || !has(self.gcp.credentials.secretRef) || !has(self.gcp.credentials.secretRef.namespace)",message="gcp.credentials.secretRef.namespace must be omitted: a namespaced ProviderConfig reads Secrets only from its own namespace"
	Spec   ProviderConfigSpec   `json:"spec"`
	Status ProviderConfigStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ProviderConfigList contains a list of ProviderConfig.
type ProviderConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ProviderConfig `json:"items"`
}

// A ClusterProviderConfig configures the provider for managed resources of the namespaces it allows
// (spec.allowedNamespaces; unset: every namespace). A managed resource without a providerConfigRef uses
// ClusterProviderConfig/default. Only cluster administrators should be able to create or change one: it can grant
// the provider's own identity.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="AWS",type="string",JSONPath=".spec.aws.credentials.source",description="Where the AWS credentials come from."
// +kubebuilder:printcolumn:name="GCP",type="string",JSONPath=".spec.gcp.credentials.source",description="Where the Google Cloud credentials come from."
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="USERS",type="integer",JSONPath=".status.users"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,provider,stateful}
type ClusterProviderConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +kubebuilder:validation:XValidation:rule="!has(self.aws) || self.aws.credentials.source != 'Secret' || !has(self.aws.credentials.secretRef) || has(self.aws.credentials.secretRef.namespace)",message="aws.credentials.secretRef.namespace is required on a ClusterProviderConfig"
	// +kubebuilder:validation:XValidation:rule="!has(self.gcp) || self.gcp.credentials.source != 'Secret' || !has(self.gcp.credentials.secretRef) || has(self.gcp.credentials.secretRef.namespace)",message="gcp.credentials.secretRef.namespace is required on a ClusterProviderConfig"
	// +kubebuilder:validation:XValidation:rule="!has(self.vault) || ((!has(self.vault.caBundle) || has(self.vault.caBundle.namespace)) && (!has(self.vault.auth.token) || has(self.vault.auth.token.secretRef.namespace)) && (!has(self.vault.auth.appRole) || has(self.vault.auth.appRole.secretIDRef.namespace)))",message="vault Secret references need a namespace on a ClusterProviderConfig"
	// +kubebuilder:validation:XValidation:rule="!has(self.vault) || !has(self.vault.auth.kubernetes) || !has(self.vault.auth.kubernetes.serviceAccount) || has(self.vault.auth.kubernetes.serviceAccount.namespace)",message="vault.auth.kubernetes.serviceAccount needs a namespace on a ClusterProviderConfig"
	Spec   ProviderConfigSpec   `json:"spec"`
	Status ProviderConfigStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ClusterProviderConfigList contains a list of ClusterProviderConfig.
type ClusterProviderConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterProviderConfig `json:"items"`
}

// A ProviderConfigUsage records that a managed resource uses a ProviderConfig or a ClusterProviderConfig; an
// in-use config cannot be deleted.
//
// NOTE: crossplane-runtime's usage tracker writes namespaced usages (in the managed resource's namespace) for both
// config kinds, labelled with the config's kind, so one usage kind serves both: the ClusterProviderConfig
// controller counts them across all namespaces.
// +kubebuilder:object:root=true
// +kubebuilder:printcolumn:name="CONFIG-KIND",type="string",JSONPath=".providerConfigRef.kind"
// +kubebuilder:printcolumn:name="CONFIG-NAME",type="string",JSONPath=".providerConfigRef.name"
// +kubebuilder:printcolumn:name="RESOURCE-KIND",type="string",JSONPath=".resourceRef.kind"
// +kubebuilder:printcolumn:name="RESOURCE-NAME",type="string",JSONPath=".resourceRef.name"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,provider,stateful}
type ProviderConfigUsage struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	xpv2.TypedProviderConfigUsage `json:",inline"`
}

// +kubebuilder:object:root=true

// ProviderConfigUsageList contains a list of ProviderConfigUsage.
type ProviderConfigUsageList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ProviderConfigUsage `json:"items"`
}
