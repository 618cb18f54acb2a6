// Package v1alpha1 contains the S3 managed resource types (group s3.aws.stateful.dev).
// +kubebuilder:object:generate=true
// +groupName=s3.aws.stateful.dev
// +versionName=v1alpha1
package v1alpha1
