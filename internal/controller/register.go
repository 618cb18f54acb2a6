// Package controller registers every controller of the provider.
package controller

import (
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/stateful-dev/provider-stateful/internal/controller/aws/bucket"
	"github.com/stateful-dev/provider-stateful/internal/controller/aws/dbinstance"
	"github.com/stateful-dev/provider-stateful/internal/controller/aws/queue"
	"github.com/stateful-dev/provider-stateful/internal/controller/aws/table"
	"github.com/stateful-dev/provider-stateful/internal/controller/config"
	"github.com/stateful-dev/provider-stateful/internal/controller/gcp/bttable"
	"github.com/stateful-dev/provider-stateful/internal/controller/gcp/gcsbucket"
	"github.com/stateful-dev/provider-stateful/internal/controller/gcp/subscription"
	"github.com/stateful-dev/provider-stateful/internal/controller/gcp/topic"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// Kinds lists every managed kind, once.
func Kinds() []managedkind.Registration {
	return []managedkind.Registration{
		bucket.Kind(), queue.Kind(), dbinstance.Kind(), table.Kind(),
		topic.Kind(), subscription.Kind(), bttable.Kind(), gcsbucket.Kind(),
	}
}

// SetupGated registers the ProviderConfig controllers now and each managed kind's controller once its CRD exists.
func SetupGated(mgr ctrl.Manager, o managedkind.Options) error {
	kinds := Kinds()
	for _, k := range kinds {
		o.ManagedKinds = append(o.ManagedKinds, k.NewList)
	}
	if err := config.Setup(mgr, o); err != nil {
		return err
	}
	for _, k := range kinds {
		if err := k.Setup(mgr, o); err != nil {
			return err
		}
	}
	return nil
}
