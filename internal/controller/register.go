// Package controller registers every controller of the provider.
package controller

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	ctrl "sigs.k8s.io/controller-runtime"

	dynamodbv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/dynamodb/v1alpha1"
	rdsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	sqsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	bigtablev1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/bigtable/v1alpha1"
	pubsubv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	gcsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"

	"github.com/stateful-dev/provider-stateful/internal/controller/aws/bucket"
	"github.com/stateful-dev/provider-stateful/internal/controller/aws/dbinstance"
	"github.com/stateful-dev/provider-stateful/internal/controller/aws/queue"
	"github.com/stateful-dev/provider-stateful/internal/controller/aws/table"
	"github.com/stateful-dev/provider-stateful/internal/controller/config"
	"github.com/stateful-dev/provider-stateful/internal/controller/gcp/bttable"
	"github.com/stateful-dev/provider-stateful/internal/controller/gcp/gcsbucket"
	"github.com/stateful-dev/provider-stateful/internal/controller/gcp/subscription"
	"github.com/stateful-dev/provider-stateful/internal/controller/gcp/topic"
	"github.com/stateful-dev/provider-stateful/internal/controller/setup"
)

// SetupGated registers the ProviderConfig controllers now and each managed kind's controller once its CRD exists.
func SetupGated(mgr ctrl.Manager, o setup.Options) error {
	o.ManagedKinds = []func() resource.ManagedList{
		func() resource.ManagedList { return &s3v1alpha1.BucketList{} },
		func() resource.ManagedList { return &sqsv1alpha1.QueueList{} },
		func() resource.ManagedList { return &rdsv1alpha1.DBInstanceList{} },
		func() resource.ManagedList { return &dynamodbv1alpha1.TableList{} },
		func() resource.ManagedList { return &pubsubv1alpha1.TopicList{} },
		func() resource.ManagedList { return &pubsubv1alpha1.SubscriptionList{} },
		func() resource.ManagedList { return &bigtablev1alpha1.TableList{} },
		func() resource.ManagedList { return &gcsv1alpha1.BucketList{} },
	}
	for _, s := range []func(ctrl.Manager, setup.Options) error{
		config.Setup,
		bucket.SetupGated,
		queue.SetupGated,
		dbinstance.SetupGated,
		table.SetupGated,
		topic.SetupGated,
		subscription.SetupGated,
		bttable.SetupGated,
		gcsbucket.SetupGated,
	} {
		if err := s(mgr, o); err != nil {
			return err
		}
	}
	return nil
}
