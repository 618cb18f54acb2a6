// Package queue reconciles SQS Queues.
package queue

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	awsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws"
	sqsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws/sqs"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

const (
	errGetURL   = "cannot look up the queue"
	errGetAttrs = "cannot read the queue's attributes"
	errSetAttrs = "cannot set the queue's attributes"
	errGetTags  = "cannot read the queue's tags"
	errTag      = "cannot tag the queue"
	errUntag    = "cannot untag the queue"
	errCreate   = "cannot create the queue"
	errDelete   = "cannot delete the queue"
)

// adoption is how a Queue asks to adopt or observe what the provider did not make, and the allowedAdoptions list
// that admits it through a ClusterProviderConfig.
var adoption = managedkind.Adoption[*v1alpha1.Queue]{List: "queues", Requested: func(cr *v1alpha1.Queue) *bool { return cr.Spec.AdoptExisting }}

// Kind is the SQS Queue kind.
func Kind() managedkind.Kind[*v1alpha1.Queue, *credentials.AWSAccount, sqsclient.API] {
	region := func(cr *v1alpha1.Queue) string { return cr.Spec.ForProvider.Region }
	return managedkind.Kind[*v1alpha1.Queue, *credentials.AWSAccount, sqsclient.API]{
		GVK: v1alpha1.QueueGroupVersionKind, Object: &v1alpha1.Queue{}, List: func() resource.ManagedList { return &v1alpha1.QueueList{} },
		Cloud: managedkind.AWS, Noun: "queue", Adoption: adoption, References: References, Location: region,
		Fields: fields, Doc: "sqs-queue", Deletion: deletion,
		NewAPI: managedkind.AWSClient("sqs", region, func(cfg aws.Config, region string, _ *credentials.AWSAccount) sqsclient.API {
			// One per account and region: a queue's URL is looked up once, not on every poll.
			return sqsclient.KnownURLs(sqsclient.New(cfg, region))
		}),
		NewExternal: func(c managedkind.Conn[*v1alpha1.Queue, *credentials.AWSAccount, sqsclient.API]) managed.TypedExternalClient[*v1alpha1.Queue] {
			return &external{Conn: c}
		},
	}
}

// external manages one Queue for the length of one reconcile. Observe leaves what it read for Update.
type external struct {
	// Conn is what the connector resolved for this reconcile: the service client, the account, the recorder and
	// the ownership rule bound to this resource.
	managedkind.Conn[*v1alpha1.Queue, *credentials.AWSAccount, sqsclient.API]

	url          string
	observedTags map[string]string
	changed      changes
	tagsDiffer   bool
	drift        []string
}

// Observe looks the queue up by name, decides whether it is this Queue's (the ownership rule shared by every AWS
// kind), and compares what the spec manages. It never writes, and reports "does not exist" only when SQS says so.
func (e *external) Observe(ctx context.Context, cr *v1alpha1.Queue) (managed.ExternalObservation, error) {
	name := meta.GetExternalName(cr)
	p := cr.Spec.ForProvider
	if err := sqsclient.ValidateQueueName(name, ptr.Deref(p.FIFOQueue, false)); err != nil {
		return managed.ExternalObservation{}, err
	}
	u, err := e.API.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	switch {
	case err == nil:
	case sqsclient.IsNotFound(err):
		return managed.ExternalObservation{ResourceExists: false}, nil
	default:
		return managed.ExternalObservation{}, errors.Wrap(awsclient.Clean(err), errGetURL)
	}
	e.url = aws.ToString(u.QueueUrl)

	tags, err := e.tags(ctx)
	switch {
	case sqsclient.IsNotFound(err):
		// The URL came from memory and the queue has gone since (deleted behind the provider's back).
		return managed.ExternalObservation{ResourceExists: false}, nil
	case err != nil:
		return managed.ExternalObservation{}, err
	}
	if absent, err := e.Own.Apply(ctx, cr, name, tags); absent || err != nil {
		return managed.ExternalObservation{ResourceExists: false}, err
	}

	a, err := e.API.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       u.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll},
	})
	if err != nil {
		return managed.ExternalObservation{}, errors.Wrap(awsclient.Clean(err), errGetAttrs)
	}
	if fifo := strings.EqualFold(a.Attributes[attrFIFO], "true"); fifo != ptr.Deref(p.FIFOQueue, false) {
		return managed.ExternalObservation{}, errors.Errorf("queue %q is FIFO=%t and cannot change: fifoQueue is set when the queue is created", name, fifo)
	}
	desired, err := desiredAttributes(p)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	if e.changed, err = diff(desired, a.Attributes); err != nil {
		return managed.ExternalObservation{}, err
	}
	cr.Status.AtProvider = observation(e.url, a.Attributes, tags)
	cr.SetConditions(xpv2.Available())

	e.observedTags = tags
	e.drift = e.changed.Fields()
	wantTags := managedkind.AWSTags.DesiredTags(cr, p.Tags, e.Account.DefaultTags)
	if d := managedkind.TagDiff(wantTags, tags, managedkind.IgnoredPrefixes(p.Tags, e.Account.IgnoreTagPrefixes)); len(d) > 0 {
		e.tagsDiffer = true
		e.drift = append(e.drift, managedkind.TagField(d))
	}
	return managed.ExternalObservation{
		ResourceExists:    true,
		ResourceUpToDate:  len(e.drift) == 0,
		ConnectionDetails: connectionDetails(e.url, cr.Status.AtProvider.ARN),
		Diff:              strings.Join(e.drift, "; "),
	}, nil
}

// Create makes the queue with its attributes and its ownership tags in one call, so no crash can leave an
// untagged queue behind. SQS answers a repeated CreateQueue with identical attributes with the existing queue's
// URL, which makes a replay after a lost response safe.
func (e *external) Create(ctx context.Context, cr *v1alpha1.Queue) (managed.ExternalCreation, error) {
	name := meta.GetExternalName(cr)
	attrs, err := createAttributes(cr.Spec.ForProvider)
	if err != nil {
		return managed.ExternalCreation{}, managedkind.NothingMade(err)
	}
	if _, ok := attrs[attrRedrive]; ok {
		if err := e.admitDeadLetterTarget(ctx, cr); err != nil {
			return managed.ExternalCreation{}, managedkind.NothingMade(err)
		}
	}
	out, err := e.API.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName: aws.String(name), Attributes: attrs,
		Tags: managedkind.AWSTags.DesiredTags(cr, cr.Spec.ForProvider.Tags, e.Account.DefaultTags),
	})
	switch {
	case err == nil:
	case sqsclient.IsDeletedRecently(err):
		// The runtime retries with backoff: this message stays the same until SQS accepts the name again.
		return managed.ExternalCreation{}, managedkind.NothingMade(errors.Errorf("a queue named %q was deleted less than 60 seconds ago "+
			"and SQS refuses the name until then: retrying with backoff", name))
	case sqsclient.IsNameTaken(err):
		// Not this create's own: CreateQueue repeated with the same attributes succeeds.
		return managed.ExternalCreation{}, managedkind.NothingMade(errors.Errorf("a queue named %q exists with other attributes "+
			"and was not created by this Queue: set spec.adoptExisting to take it over, or choose another name", name))
	case awsclient.IsRefused(err):
		return managed.ExternalCreation{}, managedkind.NothingMade(errors.Wrap(awsclient.Clean(err), errCreate))
	default:
		return managed.ExternalCreation{}, errors.Wrap(awsclient.Clean(err), errCreate)
	}
	return managed.ExternalCreation{ConnectionDetails: connectionDetails(aws.ToString(out.QueueUrl), "")}, nil
}

// Update brings the attributes and tags that differ back to the spec, and records what it changed. The
// dead-letter target the spec names is admitted first on every update, whatever changes: its ownership may have
// changed hands since the create.
func (e *external) Update(ctx context.Context, cr *v1alpha1.Queue) (managed.ExternalUpdate, error) {
	if cr.Spec.ForProvider.RedrivePolicy != nil {
		if err := e.admitDeadLetterTarget(ctx, cr); err != nil {
			return managed.ExternalUpdate{}, err
		}
	}
	if len(e.changed) > 0 {
		attrs := setAttributes(e.changed)
		if _, err := e.API.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(e.url), Attributes: attrs}); err != nil {
			return managed.ExternalUpdate{}, errors.Wrap(awsclient.Clean(err), errSetAttrs)
		}
	}
	if e.tagsDiffer {
		set, remove := managedkind.TagChanges(
			managedkind.AWSTags.DesiredTags(cr, cr.Spec.ForProvider.Tags, e.Account.DefaultTags),
			e.observedTags,
			managedkind.IgnoredPrefixes(cr.Spec.ForProvider.Tags, e.Account.IgnoreTagPrefixes),
		)
		if len(set) > 0 {
			if _, err := e.API.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(e.url), Tags: set}); err != nil {
				return managed.ExternalUpdate{}, errors.Wrap(awsclient.Clean(err), errTag)
			}
		}
		if len(remove) > 0 {
			if _, err := e.API.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: aws.String(e.url), TagKeys: remove}); err != nil {
				return managed.ExternalUpdate{}, errors.Wrap(awsclient.Clean(err), errUntag)
			}
		}
	}
	managedkind.RecordChanges(e.Record, cr, e.drift)
	return managed.ExternalUpdate{}, nil
}

// admitDeadLetterTarget checks, for a shared (ClusterProviderConfig) identity, that the dead-letter queue is one
// a Queue of cr's namespace made or adopted — its ownership tags say so. Otherwise one tenant could send its
// failed messages into another's queue with the platform's rights. With a namespaced config the tenant's own
// credentials decide. It runs at create and on every update of a queue with a redrive policy (one lookup and one
// tag read), never while in sync.
func (e *external) admitDeadLetterTarget(ctx context.Context, cr *v1alpha1.Queue) error {
	if !e.Account.Shared {
		return nil
	}
	target := ptr.Deref(cr.Spec.ForProvider.RedrivePolicy.DeadLetterTargetARN, "")
	a, err := arn.Parse(target)
	switch {
	case err != nil || a.Service != "sqs":
		return errors.Errorf("spec.forProvider.redrivePolicy.deadLetterTargetARN %q is not an SQS queue ARN", target)
	case a.Region != cr.Spec.ForProvider.Region:
		return errors.Errorf("dead-letter queue %q is in %s: SQS needs it in the queue's region, %s", target, a.Region, cr.Spec.ForProvider.Region)
	}
	u, err := e.API.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(a.Resource), QueueOwnerAWSAccountId: aws.String(a.AccountID)})
	switch {
	case err == nil:
	case sqsclient.IsNotFound(err):
		return errors.Errorf("dead-letter queue %q does not exist", target)
	default:
		return errors.Wrapf(awsclient.Clean(err), "cannot look up the dead-letter queue %q", target)
	}
	out, err := e.API.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: u.QueueUrl})
	if err != nil {
		return errors.Wrapf(awsclient.Clean(err), "cannot read the tags of the dead-letter queue %q", target)
	}
	if !managedkind.AWSTags.InNamespace(out.Tags, cr.GetNamespace()) {
		return errors.Errorf("dead-letter queue %q is not a Queue of namespace %s: through a ClusterProviderConfig a Queue may only send dead letters "+
			"to queues its namespace's Queues made or adopted (use a namespaced ProviderConfig with credentials that may reach it)", target, cr.GetNamespace())
	}
	return nil
}

// Delete deletes the queue. Observe has already established that it is this Queue's.
func (e *external) Delete(ctx context.Context, cr *v1alpha1.Queue) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	_, err := e.API.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(e.url)})
	if err != nil && !sqsclient.IsNotFound(err) {
		return managed.ExternalDelete{}, errors.Wrap(awsclient.Clean(err), errDelete)
	}
	return managed.ExternalDelete{}, nil
}

// Disconnect does nothing: clients are cached per ProviderConfig and outlive the reconcile.
func (e *external) Disconnect(context.Context) error { return nil }

func (e *external) tags(ctx context.Context) (map[string]string, error) {
	out, err := e.API.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(e.url)})
	if err != nil {
		return nil, errors.Wrap(awsclient.Clean(err), errGetTags)
	}
	return out.Tags, nil
}
