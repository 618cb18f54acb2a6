// Package v1alpha1 contains the Bigtable managed resource types (group bigtable.gcp.stateful.dev).
// +kubebuilder:object:generate=true
// +groupName=bigtable.gcp.stateful.dev
// +versionName=v1alpha1
package v1alpha1
