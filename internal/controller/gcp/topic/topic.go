// Package topic reconciles Pub/Sub Topics.
package topic

import (
	"context"

	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	gcpclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp"
	pubsubclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/pubsub"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

const (
	errGet    = "cannot get the topic"
	errCreate = "cannot create the topic"
	errUpdate = "cannot update the topic"
	errDelete = "cannot delete the topic"
)

// adoption is how a Topic asks to adopt or observe what the provider did not make, and the allowedAdoptions list
// that admits it through a ClusterProviderConfig.
var adoption = managedkind.Adoption[*v1alpha1.Topic]{List: "topics", Requested: func(cr *v1alpha1.Topic) *bool { return cr.Spec.AdoptExisting }}

// Kind is the Pub/Sub Topic kind.
func Kind() managedkind.Kind[*v1alpha1.Topic, *credentials.GCPAccount, pubsubclient.TopicAPI] {
	return managedkind.Kind[*v1alpha1.Topic, *credentials.GCPAccount, pubsubclient.TopicAPI]{
		GVK: v1alpha1.TopicGroupVersionKind, Object: &v1alpha1.Topic{}, List: func() resource.ManagedList { return &v1alpha1.TopicList{} },
		Cloud: managedkind.GCP, Noun: "topic", Adoption: adoption, References: References, Endpoint: managedkind.PubSubEndpoint,
		Fields: fields, Doc: "pubsub-topic", Deletion: deletion,
		NewAPI: managedkind.GCPClient[*v1alpha1.Topic]("pubsub/topics", func(ctx context.Context, a *credentials.GCPAccount) (pubsubclient.TopicAPI, error) {
			// The Subscription kind reads topics through this client too, by the same key.
			t, err := pubsubclient.NewTopics(ctx, a.TokenSource, a.Endpoints.PubSub, a.ReadOnly)
			if err != nil {
				return nil, err
			}
			return t, nil
		}),
		NewExternal: func(c managedkind.Conn[*v1alpha1.Topic, *credentials.GCPAccount, pubsubclient.TopicAPI]) managed.TypedExternalClient[*v1alpha1.Topic] {
			return &external{Conn: c}
		},
	}
}

// external manages one Topic for the length of one reconcile. Observe leaves what it read for Update.
type external struct {
	// Conn is what the connector resolved for this reconcile: the service client, the account, the recorder
	// and the ownership rule bound to this resource.
	managedkind.Conn[*v1alpha1.Topic, *credentials.GCPAccount, pubsubclient.TopicAPI]

	observed *pubsubpb.Topic
	changed  managedkind.Changes[string]
}

// Observe reads the topic, decides whether it is this Topic's (the ownership rule shared by every kind), and
// compares what the spec manages. It never writes, and reports "does not exist" only when Pub/Sub says so.
func (e *external) Observe(ctx context.Context, cr *v1alpha1.Topic) (managed.ExternalObservation, error) {
	id := meta.GetExternalName(cr)
	if err := pubsubclient.ValidateID("topic", id); err != nil {
		return managed.ExternalObservation{}, err
	}
	// A resource being deleted is not refused for its spec: see managedkind.WhileDeleting.
	if !meta.WasDeleted(cr) {
		if err := gcpclient.ValidLabels(cr.Spec.ForProvider.Labels); err != nil {
			return managed.ExternalObservation{}, errors.Wrap(err, "spec.forProvider.labels")
		}
	}
	t, err := e.API.GetTopic(ctx, &pubsubpb.GetTopicRequest{Topic: pubsubclient.TopicName(e.Account.ProjectID, id)})
	switch {
	case err == nil:
	case gcpclient.IsNotFound(err):
		return managed.ExternalObservation{ResourceExists: false}, nil
	default:
		return managed.ExternalObservation{}, errors.Wrap(gcpclient.Clean(err), errGet)
	}
	if absent, err := e.Own.Apply(ctx, cr, id, t.GetLabels()); absent || err != nil {
		return managed.ExternalObservation{ResourceExists: false}, err
	}
	if obs, deleting := managedkind.WhileDeleting(cr); deleting {
		return obs, nil
	}
	p := cr.Spec.ForProvider
	labelDiff := managedkind.TagDiff(desiredLabels(cr, e.Account.DefaultLabels), t.GetLabels(),
		managedkind.IgnoredPrefixes(p.Labels, e.Account.IgnoreLabelPrefixes))
	if e.changed, err = Changes(p, t, labelDiff); err != nil {
		return managed.ExternalObservation{}, err
	}
	e.observed = t
	cr.Status.AtProvider = Observation(t)
	cr.SetConditions(xpv2.Available())
	return managed.ExternalObservation{
		ResourceExists:    true,
		ResourceUpToDate:  len(e.changed) == 0,
		ConnectionDetails: connectionDetails(t.GetName()),
		Diff:              e.changed.Diff(),
	}, nil
}

// Create makes the topic with its settings and its ownership labels in one call, so no crash can leave an
// unlabelled topic behind; a topic of that name that exists already is another's until adoption is asked for.
func (e *external) Create(ctx context.Context, cr *v1alpha1.Topic) (managed.ExternalCreation, error) {
	id := meta.GetExternalName(cr)
	t, err := Desired(pubsubclient.TopicName(e.Account.ProjectID, id), cr.Spec.ForProvider, desiredLabels(cr, e.Account.DefaultLabels), nil)
	if err != nil {
		return managed.ExternalCreation{}, managedkind.NothingMade(err)
	}
	out, err := e.API.CreateTopic(ctx, t)
	switch {
	case err == nil:
	case gcpclient.IsAlreadyExists(err):
		// Labelled in the same call: were it this create's, the next observation finds it marked as this Topic's.
		return managed.ExternalCreation{}, managedkind.NothingMade(errors.Errorf("a topic named %q exists and was not created by this Topic: "+
			"set spec.adoptExisting to take it over, or choose another name", id))
	case gcpclient.IsRefused(err):
		return managed.ExternalCreation{}, managedkind.NothingMade(errors.Wrap(gcpclient.Clean(err), errCreate))
	default:
		return managed.ExternalCreation{}, errors.Wrap(gcpclient.Clean(err), errCreate)
	}
	return managed.ExternalCreation{ConnectionDetails: connectionDetails(out.GetName())}, nil
}

// Update sends what differs in one UpdateTopic, its mask naming exactly those fields, and records what it
// changed.
func (e *external) Update(ctx context.Context, cr *v1alpha1.Topic) (managed.ExternalUpdate, error) {
	if len(e.changed) == 0 {
		return managed.ExternalUpdate{}, nil
	}
	p := cr.Spec.ForProvider
	set, remove := managedkind.TagChanges(desiredLabels(cr, e.Account.DefaultLabels), e.observed.GetLabels(),
		managedkind.IgnoredPrefixes(p.Labels, e.Account.IgnoreLabelPrefixes))
	t, err := Desired(e.observed.GetName(), p, managedkind.ReplacedSet(e.observed.GetLabels(), set, remove), e.observed)
	if err != nil {
		return managed.ExternalUpdate{}, err
	}
	if _, err := e.API.UpdateTopic(ctx, &pubsubpb.UpdateTopicRequest{Topic: t, UpdateMask: &fieldmaskpb.FieldMask{Paths: e.changed.Requests()}}); err != nil {
		return managed.ExternalUpdate{}, errors.Wrap(gcpclient.Clean(err), errUpdate)
	}
	managedkind.RecordChanges(e.Record, cr, e.changed.Fields())
	return managed.ExternalUpdate{}, nil
}

// Delete deletes the topic. Observe has already established that it is this Topic's.
func (e *external) Delete(ctx context.Context, cr *v1alpha1.Topic) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	err := e.API.DeleteTopic(ctx, &pubsubpb.DeleteTopicRequest{Topic: pubsubclient.TopicName(e.Account.ProjectID, meta.GetExternalName(cr))})
	if err != nil && !gcpclient.IsNotFound(err) {
		return managed.ExternalDelete{}, errors.Wrap(gcpclient.Clean(err), errDelete)
	}
	return managed.ExternalDelete{}, nil
}

// Disconnect does nothing: clients are cached per ProviderConfig and outlive the reconcile.
func (e *external) Disconnect(context.Context) error { return nil }
