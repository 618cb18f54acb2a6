// Package subscription reconciles Pub/Sub Subscriptions.
package subscription

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
	errGet      = "cannot get the subscription"
	errCreate   = "cannot create the subscription"
	errUpdate   = "cannot update the subscription"
	errDelete   = "cannot delete the subscription"
	errGetTopic = "cannot get the topic"
)

// adoption is how a Subscription asks to adopt or observe what the provider did not make, and the allowedAdoptions list
// that admits it through a ClusterProviderConfig.
var adoption = managedkind.Adoption[*v1alpha1.Subscription]{
	List:      "subscriptions",
	Requested: func(cr *v1alpha1.Subscription) *bool { return cr.Spec.AdoptExisting },
}

// Kind is the Pub/Sub Subscription kind.
func Kind() managedkind.Kind[*v1alpha1.Subscription, *credentials.GCPAccount, pubsubclient.SubscriptionAPI] {
	return managedkind.Kind[*v1alpha1.Subscription, *credentials.GCPAccount, pubsubclient.SubscriptionAPI]{
		GVK: v1alpha1.SubscriptionGroupVersionKind, Object: &v1alpha1.Subscription{}, List: func() resource.ManagedList { return &v1alpha1.SubscriptionList{} },
		Cloud: managedkind.GCP, Noun: "subscription", Adoption: adoption, Endpoint: managedkind.PubSubEndpoint,
		Fields: fields, Doc: "pubsub-subscription", Deletion: deletion,
		NewAPI: func(ctx context.Context, a *credentials.GCPAccount, _ *v1alpha1.Subscription) (pubsubclient.SubscriptionAPI, error) {
			// Topics are read through the account's topic client, the one the Topic kind uses: one connection each.
			topics, err := credentials.Cached(a, "pubsub/topics", func() (*pubsubclient.Topics, error) {
				return pubsubclient.NewTopics(ctx, a.TokenSource, a.Endpoints.PubSub, a.ReadOnly)
			})
			if err != nil {
				return nil, err
			}
			admin, err := credentials.Cached(a, "pubsub/subscriptions", func() (*pubsubclient.SubscriptionAdmin, error) {
				return pubsubclient.NewSubscriptions(ctx, a.TokenSource, a.Endpoints.PubSub, a.ReadOnly)
			})
			if err != nil {
				return nil, err
			}
			return admin.With(topics), nil
		},
		NewExternal: func(
			c managedkind.Conn[*v1alpha1.Subscription, *credentials.GCPAccount, pubsubclient.SubscriptionAPI],
		) managed.TypedExternalClient[*v1alpha1.Subscription] {
			return &external{Conn: c}
		},
	}
}

// external manages one Subscription for the length of one reconcile. Observe leaves what it read for Update.
type external struct {
	// Conn is what the connector resolved for this reconcile: the service client, the account, the recorder
	// and the ownership rule bound to this resource.
	managedkind.Conn[*v1alpha1.Subscription, *credentials.GCPAccount, pubsubclient.SubscriptionAPI]

	observed *pubsubpb.Subscription
	changed  managedkind.Changes[string]
}

// Observe reads the subscription, decides whether it is this Subscription's (the ownership rule shared by every
// kind), and compares what the spec manages. It never writes.
func (e *external) Observe(ctx context.Context, cr *v1alpha1.Subscription) (managed.ExternalObservation, error) {
	id := meta.GetExternalName(cr)
	if err := pubsubclient.ValidateID("subscription", id); err != nil {
		return managed.ExternalObservation{}, err
	}
	p := cr.Spec.ForProvider
	// A resource being deleted is not refused for its spec: see managedkind.WhileDeleting.
	if !meta.WasDeleted(cr) {
		if err := gcpclient.ValidLabels(p.Labels); err != nil {
			return managed.ExternalObservation{}, errors.Wrap(err, "spec.forProvider.labels")
		}
		if err := AdmitSpec(e.Account.Shared, p); err != nil {
			return managed.ExternalObservation{}, err
		}
	}
	s, err := e.API.GetSubscription(ctx, &pubsubpb.GetSubscriptionRequest{Subscription: pubsubclient.SubscriptionName(e.Account.ProjectID, id)})
	switch {
	case err == nil:
	case gcpclient.IsNotFound(err):
		return managed.ExternalObservation{ResourceExists: false}, nil
	default:
		return managed.ExternalObservation{}, errors.Wrap(gcpclient.Clean(err), errGet)
	}
	if absent, err := e.Own.Apply(ctx, cr, id, s.GetLabels()); absent || err != nil {
		return managed.ExternalObservation{ResourceExists: false}, err
	}
	if obs, deleting := managedkind.WhileDeleting(cr); deleting {
		return obs, nil
	}
	labelDiff := managedkind.TagDiff(desiredLabels(cr, e.Account.DefaultLabels), s.GetLabels(),
		managedkind.IgnoredPrefixes(p.Labels, e.Account.IgnoreLabelPrefixes))
	if e.changed, err = Changes(e.Account.ProjectID, p, s, labelDiff); err != nil {
		return managed.ExternalObservation{}, err
	}
	e.observed = s
	cr.Status.AtProvider = Observation(s)
	if why := Unusable(s); why != "" {
		cr.SetConditions(xpv2.Unavailable().WithMessage(why))
	} else {
		cr.SetConditions(xpv2.Available())
	}
	return managed.ExternalObservation{
		ResourceExists:    true,
		ResourceUpToDate:  len(e.changed) == 0,
		ConnectionDetails: connectionDetails(s),
		Diff:              e.changed.Diff(),
	}, nil
}

// Create makes the subscription with its settings and its ownership labels in one call, once the topics it names
// may be reached from its namespace.
func (e *external) Create(ctx context.Context, cr *v1alpha1.Subscription) (managed.ExternalCreation, error) {
	id := meta.GetExternalName(cr)
	p := cr.Spec.ForProvider
	topic := Topic(e.Account.ProjectID, p)
	if topic == "" {
		return managed.ExternalCreation{}, managedkind.NothingMade(errors.New("spec.forProvider.topic is not set: the topic reference is not resolved yet"))
	}
	if err := e.admitTopics(ctx, cr, topic, DeadLetterTopic(e.Account.ProjectID, p)); err != nil {
		return managed.ExternalCreation{}, managedkind.NothingMade(err)
	}
	s, err := Desired(pubsubclient.SubscriptionName(e.Account.ProjectID, id), e.Account.ProjectID, p, desiredLabels(cr, e.Account.DefaultLabels), nil)
	if err != nil {
		return managed.ExternalCreation{}, managedkind.NothingMade(err)
	}
	out, err := e.API.CreateSubscription(ctx, s)
	switch {
	case err == nil:
	case gcpclient.IsAlreadyExists(err):
		// Labelled in the same call: were it this create's, the next observation finds it marked as this Subscription's.
		return managed.ExternalCreation{}, managedkind.NothingMade(errors.Errorf("a subscription named %q exists and was not created by this Subscription: "+
			"set spec.adoptExisting to take it over, or choose another name", id))
	case gcpclient.IsNotFound(err):
		return managed.ExternalCreation{}, managedkind.NothingMade(
			errors.New("cannot create the subscription: its topic or dead-letter topic does not exist"))
	case gcpclient.IsRefused(err):
		return managed.ExternalCreation{}, managedkind.NothingMade(errors.Wrap(gcpclient.Clean(err), errCreate))
	default:
		return managed.ExternalCreation{}, errors.Wrap(gcpclient.Clean(err), errCreate)
	}
	return managed.ExternalCreation{ConnectionDetails: connectionDetails(out)}, nil
}

// Update sends what differs in one UpdateSubscription, its mask naming exactly those fields, and records what it
// changed. The topics are admitted first, as at create, on every update and whatever changes: the subscription's
// own topic (what it reads, which the spec cannot change) and the dead-letter topic the spec names. A push
// endpoint set on a subscription of another's topic would send that topic's messages out.
func (e *external) Update(ctx context.Context, cr *v1alpha1.Subscription) (managed.ExternalUpdate, error) {
	if len(e.changed) == 0 {
		return managed.ExternalUpdate{}, nil
	}
	p := cr.Spec.ForProvider
	paths := e.changed.Requests()
	topic := e.observed.GetTopic()
	if topic == deletedTopic {
		// Its topic is gone: it reads nothing of anyone's.
		topic = ""
	}
	if err := e.admitTopics(ctx, cr, topic, DeadLetterTopic(e.Account.ProjectID, p)); err != nil {
		return managed.ExternalUpdate{}, err
	}
	set, remove := managedkind.TagChanges(desiredLabels(cr, e.Account.DefaultLabels), e.observed.GetLabels(),
		managedkind.IgnoredPrefixes(p.Labels, e.Account.IgnoreLabelPrefixes))
	s, err := Desired(e.observed.GetName(), e.Account.ProjectID, p, managedkind.ReplacedSet(e.observed.GetLabels(), set, remove), e.observed)
	if err != nil {
		return managed.ExternalUpdate{}, err
	}
	req := &pubsubpb.UpdateSubscriptionRequest{Subscription: s, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths}}
	if _, err := e.API.UpdateSubscription(ctx, req); err != nil {
		return managed.ExternalUpdate{}, errors.Wrap(gcpclient.Clean(err), errUpdate)
	}
	managedkind.RecordChanges(e.Record, cr, e.changed.Fields())
	return managed.ExternalUpdate{}, nil
}

// admitTopics checks, for a shared (ClusterProviderConfig) identity, that each named topic is one a Topic of cr's
// namespace made or adopted — its ownership labels say so. Otherwise one tenant could read another's messages
// (or write its dead letters into another's topic) with the platform's rights. With a namespaced config the
// tenant's own credentials decide, as for anything else it names.
func (e *external) admitTopics(ctx context.Context, cr *v1alpha1.Subscription, topics ...string) error {
	if !e.Account.Shared {
		return nil
	}
	for _, name := range topics {
		if name == "" {
			continue
		}
		t, err := e.API.GetTopic(ctx, &pubsubpb.GetTopicRequest{Topic: name})
		switch {
		case err == nil:
		case gcpclient.IsNotFound(err):
			return errors.Errorf("topic %q does not exist", name)
		default:
			return errors.Wrapf(gcpclient.Clean(err), "%s %q", errGetTopic, name)
		}
		if !managedkind.GCPLabels.InNamespace(t.GetLabels(), cr.GetNamespace()) {
			return errors.Errorf("topic %q is not a Topic of namespace %s: through a ClusterProviderConfig a Subscription may only name topics "+
				"its namespace's Topics made or adopted (use a namespaced ProviderConfig with credentials that may reach it)", name, cr.GetNamespace())
		}
	}
	return nil
}

// Delete deletes the subscription. Observe has already established that it is this Subscription's.
func (e *external) Delete(ctx context.Context, cr *v1alpha1.Subscription) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	name := pubsubclient.SubscriptionName(e.Account.ProjectID, meta.GetExternalName(cr))
	err := e.API.DeleteSubscription(ctx, &pubsubpb.DeleteSubscriptionRequest{Subscription: name})
	if err != nil && !gcpclient.IsNotFound(err) {
		return managed.ExternalDelete{}, errors.Wrap(gcpclient.Clean(err), errDelete)
	}
	return managed.ExternalDelete{}, nil
}

// Disconnect does nothing: clients are cached per ProviderConfig and outlive the reconcile.
func (e *external) Disconnect(context.Context) error { return nil }

// desiredLabels is the label set the subscription should carry.
func desiredLabels(cr *v1alpha1.Subscription, defaults map[string]string) map[string]string {
	return managedkind.GCPLabels.DesiredTags(cr, cr.Spec.ForProvider.Labels, defaults)
}
