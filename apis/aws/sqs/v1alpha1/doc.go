// Package v1alpha1 contains the SQS managed resource types (group sqs.aws.stateful.dev).
// +kubebuilder:object:generate=true
// +groupName=sqs.aws.stateful.dev
// +versionName=v1alpha1
package v1alpha1
