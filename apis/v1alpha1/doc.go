// Package v1alpha1 contains the provider-wide configuration types: ProviderConfig, ClusterProviderConfig and
// ProviderConfigUsage, in the stateful.dev group.
// +kubebuilder:object:generate=true
// +groupName=stateful.dev
// +versionName=v1alpha1
package v1alpha1
