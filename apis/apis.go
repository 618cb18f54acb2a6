// Package apis holds the provider's Kubernetes API types. It imports no cloud SDK.
package apis

import (
	"k8s.io/apimachinery/pkg/runtime"

	dynamodbv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/dynamodb/v1alpha1"
	rdsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	sqsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	bigtablev1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/bigtable/v1alpha1"
	pubsubv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	gcsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

// AddToSchemes registers every API group of the provider.
var AddToSchemes = runtime.SchemeBuilder{
	v1alpha1.SchemeBuilder.AddToScheme,
	s3v1alpha1.SchemeBuilder.AddToScheme,
	sqsv1alpha1.SchemeBuilder.AddToScheme,
	rdsv1alpha1.SchemeBuilder.AddToScheme,
	dynamodbv1alpha1.SchemeBuilder.AddToScheme,
	pubsubv1alpha1.SchemeBuilder.AddToScheme,
	bigtablev1alpha1.SchemeBuilder.AddToScheme,
	gcsv1alpha1.SchemeBuilder.AddToScheme,
}

// AddToScheme adds all of the provider's types to the supplied scheme.
func AddToScheme(s *runtime.Scheme) error {
	return AddToSchemes.AddToScheme(s)
}
