// Package v1alpha1 contains the DynamoDB managed resource types (group dynamodb.aws.stateful.dev).
// +kubebuilder:object:generate=true
// +groupName=dynamodb.aws.stateful.dev
// +versionName=v1alpha1
package v1alpha1
