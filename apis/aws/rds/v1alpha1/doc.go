// Package v1alpha1 contains the RDS managed resource types (group rds.aws.stateful.dev).
// +kubebuilder:object:generate=true
// +groupName=rds.aws.stateful.dev
// +versionName=v1alpha1
package v1alpha1
