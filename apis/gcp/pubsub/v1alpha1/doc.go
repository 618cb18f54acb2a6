// Package v1alpha1 contains the Pub/Sub managed resource types (group pubsub.gcp.stateful.dev).
// +kubebuilder:object:generate=true
// +groupName=pubsub.gcp.stateful.dev
// +versionName=v1alpha1
package v1alpha1
