// Package v1alpha1 contains the Cloud Storage managed resource types (group storage.gcp.stateful.dev).
// +kubebuilder:object:generate=true
// +groupName=storage.gcp.stateful.dev
// +versionName=v1alpha1
package v1alpha1
