// Package gcsbucket reconciles Cloud Storage Buckets.
package gcsbucket

import (
	"context"
	"net/http"

	"cloud.google.com/go/storage"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
	gcpclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp"
	gcsclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/storage"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

const (
	errGet     = "cannot get the bucket"
	errCreate  = "cannot create the bucket"
	errUpdate  = "cannot update the bucket"
	errDelete  = "cannot delete the bucket"
	errObjects = "cannot delete the bucket's objects"

	// deleteBatch bounds the object generations one reconcile deletes; the next reconcile goes on.
	deleteBatch = 500
)

// adoption is how a Bucket asks to adopt or observe what the provider did not make, and the allowedAdoptions list
// that admits it through a ClusterProviderConfig.
var adoption = managedkind.Adoption[*v1alpha1.Bucket]{List: "buckets", Requested: func(cr *v1alpha1.Bucket) *bool { return cr.Spec.AdoptExisting }}

// Kind is the Cloud Storage Bucket kind.
func Kind() managedkind.Kind[*v1alpha1.Bucket, *credentials.GCPAccount, gcsclient.BucketAPI] {
	return managedkind.Kind[*v1alpha1.Bucket, *credentials.GCPAccount, gcsclient.BucketAPI]{
		GVK: v1alpha1.BucketGroupVersionKind, Object: &v1alpha1.Bucket{}, List: func() resource.ManagedList { return &v1alpha1.BucketList{} },
		Cloud: managedkind.GCP, Noun: "bucket", Fields: fields, Doc: "gcs-bucket", Deletion: deletion, Adoption: adoption, References: References,
		Invalid: gcsclient.IsInvalidInput, Endpoint: managedkind.StorageEndpoint,
		NewAPI: managedkind.GCPClient[*v1alpha1.Bucket]("storage", func(ctx context.Context, a *credentials.GCPAccount) (gcsclient.BucketAPI, error) {
			c, err := gcsclient.NewBuckets(ctx, a.TokenSource, a.Endpoints.Storage, a.ReadOnly)
			if err != nil {
				return nil, err
			}
			return c, nil
		}),
		NewExternal: func(c managedkind.Conn[*v1alpha1.Bucket, *credentials.GCPAccount, gcsclient.BucketAPI]) managed.TypedExternalClient[*v1alpha1.Bucket] {
			return &external{Conn: c}
		},
	}
}

// external manages one Bucket for the length of one reconcile. Observe leaves what it read for Update.
type external struct {
	// Conn is what the connector resolved for this reconcile: the service client, the account, the recorder
	// and the ownership rule bound to this resource.
	managedkind.Conn[*v1alpha1.Bucket, *credentials.GCPAccount, gcsclient.BucketAPI]

	observed *storage.BucketAttrs
	changed  managedkind.Changes[update]
	// requesterPays: the bucket was observed with Requester Pays on in this reconcile.
	requesterPays bool
}

// Observe reads the bucket, decides whether it is this Bucket's (the ownership rule shared by every kind), and
// compares what the spec manages. It never writes.
func (e *external) Observe(ctx context.Context, cr *v1alpha1.Bucket) (managed.ExternalObservation, error) {
	name := meta.GetExternalName(cr)
	if err := gcsclient.ValidateBucketName(name); err != nil {
		return managed.ExternalObservation{}, err
	}
	p := cr.Spec.ForProvider
	// A resource being deleted is not refused for its spec: see managedkind.WhileDeleting.
	if !meta.WasDeleted(cr) {
		if err := gcpclient.ValidLabels(p.Labels); err != nil {
			return managed.ExternalObservation{}, errors.Wrap(err, "spec.forProvider.labels")
		}
	}
	o, err := e.bucket(cr).Attrs(ctx, name)
	if gcsclient.Code(err) == http.StatusBadRequest && !e.billed(cr) {
		// A bucket whose Requester Pays another tool turned on (or one being adopted) refuses a read that names no
		// project to bill, before anything says it is on: the read is made again, billed.
		o, err = e.API.UserProject(e.Account.ProjectID).Attrs(ctx, name)
	}
	switch {
	case err == nil:
	case gcsclient.IsNotFound(err):
		return managed.ExternalObservation{ResourceExists: false}, nil
	default:
		return managed.ExternalObservation{}, errors.Wrap(gcsclient.Clean(err), errGet)
	}
	e.requesterPays = o.RequesterPays
	if absent, err := e.Own.Apply(ctx, cr, name, o.Labels); absent || err != nil {
		return managed.ExternalObservation{ResourceExists: false}, err
	}
	if obs, deleting := managedkind.WhileDeleting(cr); deleting {
		return obs, nil
	}
	desired, ignore := desiredLabels(cr, e.Account), managedkind.IgnoredPrefixes(p.Labels, e.Account.IgnoreLabelPrefixes)
	set, remove := managedkind.TagChanges(desired, o.Labels, ignore)
	if e.changed, err = Changes(p, o, managedkind.TagDiff(desired, o.Labels, ignore), set, remove); err != nil {
		return managed.ExternalObservation{}, err
	}
	e.observed = o
	cr.Status.AtProvider = Observation(o)
	cr.SetConditions(xpv2.Available())
	return managed.ExternalObservation{
		ResourceExists:    true,
		ResourceUpToDate:  len(e.changed) == 0,
		ConnectionDetails: connectionDetails(name),
		Diff:              e.changed.Diff(),
	}, nil
}

// Create makes the bucket with its settings and its ownership labels in one call, so no crash leaves an unlabelled
// bucket behind. Bucket names are global: 409 means the name is taken, here or in any other project.
func (e *external) Create(ctx context.Context, cr *v1alpha1.Bucket) (managed.ExternalCreation, error) {
	name := meta.GetExternalName(cr)
	attrs, err := CreateAttrs(cr.Spec.ForProvider, desiredLabels(cr, e.Account))
	if err != nil {
		return managed.ExternalCreation{}, managedkind.NothingMade(err)
	}
	if attrs.Logging != nil {
		if err := e.admitLogBucket(ctx, cr, attrs.Logging.LogBucket); err != nil {
			return managed.ExternalCreation{}, managedkind.NothingMade(err)
		}
	}
	err = e.API.Create(ctx, e.Account.ProjectID, name, attrs)
	switch {
	case err == nil:
	case gcsclient.Code(err) == http.StatusConflict:
		// Labelled in the same call: were it this create's, the next observation finds it marked as this Bucket's.
		return managed.ExternalCreation{}, managedkind.NothingMade(errors.Errorf("bucket name %q is taken (bucket names are global across Google Cloud): "+
			"set spec.adoptExisting if the bucket is yours and not another Bucket's, or choose another name", name))
	case gcsclient.IsRefused(err):
		return managed.ExternalCreation{}, managedkind.NothingMade(errors.Wrap(gcsclient.Clean(err), errCreate))
	default:
		return managed.ExternalCreation{}, errors.Wrap(gcsclient.Clean(err), errCreate)
	}
	return managed.ExternalCreation{ConnectionDetails: connectionDetails(name)}, nil
}

// Update sends every difference in one PATCH and records what it changed.
func (e *external) Update(ctx context.Context, cr *v1alpha1.Bucket) (managed.ExternalUpdate, error) {
	if len(e.changed) == 0 {
		return managed.ExternalUpdate{}, nil
	}
	name := meta.GetExternalName(cr)
	u, patch, lock := Update(e.changed)
	// The log bucket the spec names is admitted on every update, whatever changes, as at create.
	if l := cr.Spec.ForProvider.Logging; l != nil && ptr.Deref(l.LogBucket, "") != "" {
		if err := e.admitLogBucket(ctx, cr, *l.LogBucket); err != nil {
			return managed.ExternalUpdate{}, err
		}
	}
	if patch {
		if _, err := e.bucket(cr).Update(ctx, name, u); err != nil {
			return managed.ExternalUpdate{}, errors.Wrap(gcsclient.Clean(err), errUpdate)
		}
	}
	if lock {
		// Irreversible: only with the metageneration of the observation that showed the policy the spec asks to
		// lock, so a policy changed since — by anyone — is never locked.
		if err := e.bucket(cr).LockRetentionPolicy(ctx, name, e.observed.MetaGeneration); err != nil {
			return managed.ExternalUpdate{}, errors.Wrap(gcsclient.Clean(err), "cannot lock the bucket's retention policy")
		}
	}
	managedkind.RecordChanges(e.Record, cr, e.changed.Fields())
	return managed.ExternalUpdate{}, nil
}

// admitLogBucket checks, for a shared (ClusterProviderConfig) identity, that the bucket logs are to be written into
// is one a Bucket of cr's namespace made or adopted — its ownership labels say so. Otherwise one tenant could write
// into another's bucket with the platform's rights. With a namespaced config the tenant's own credentials decide.
func (e *external) admitLogBucket(ctx context.Context, cr *v1alpha1.Bucket, logBucket string) error {
	if !e.Account.Shared || logBucket == meta.GetExternalName(cr) {
		return nil
	}
	a, err := e.API.Attrs(ctx, logBucket)
	switch {
	case err == nil:
	case gcsclient.IsNotFound(err):
		return errors.Errorf("log bucket %q does not exist", logBucket)
	default:
		return errors.Wrapf(gcsclient.Clean(err), "cannot get the log bucket %q", logBucket)
	}
	if !managedkind.GCPLabels.InNamespace(a.Labels, cr.GetNamespace()) {
		return errors.Errorf("log bucket %q is not a Bucket of namespace %s: through a ClusterProviderConfig a Bucket may only log into buckets "+
			"its namespace's Buckets made or adopted (use a namespaced ProviderConfig with credentials that may reach it)", logBucket, cr.GetNamespace())
	}
	return nil
}

// Delete deletes the bucket. With forceDestroy every object generation goes first, a batch per reconcile; without
// it a bucket that still holds objects is refused with what to do, and nothing in it is touched.
func (e *external) Delete(ctx context.Context, cr *v1alpha1.Bucket) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	name := meta.GetExternalName(cr)
	if ptr.Deref(cr.Spec.ForceDestroy, false) {
		gens, err := e.bucket(cr).Generations(ctx, name, deleteBatch)
		if err != nil {
			return managed.ExternalDelete{}, errors.Wrap(gcsclient.Clean(err), errObjects)
		}
		for _, g := range gens {
			if err := e.bucket(cr).DeleteGeneration(ctx, name, g); err != nil && !gcsclient.IsNotFound(err) {
				return managed.ExternalDelete{}, errors.Wrap(gcsclient.Clean(err), errObjects)
			}
		}
		if len(gens) == deleteBatch {
			// More may remain: the next reconcile goes on (the runtime requeues a deletion in progress).
			return managed.ExternalDelete{}, nil
		}
	}
	err := e.bucket(cr).Delete(ctx, name)
	switch {
	case err == nil, gcsclient.IsNotFound(err):
		return managed.ExternalDelete{}, nil
	case gcsclient.Code(err) == http.StatusConflict:
		return managed.ExternalDelete{}, errors.Errorf("bucket %q is not empty: delete its objects, "+
			"or set spec.forceDestroy to true to delete every object generation with it", name)
	default:
		return managed.ExternalDelete{}, errors.Wrap(gcsclient.Clean(err), errDelete)
	}
}

// Disconnect does nothing: clients are cached per ProviderConfig and outlive the reconcile.
func (e *external) Disconnect(context.Context) error { return nil }

// billed reports whether calls to cr's bucket are billed to the config's project: while Requester Pays is on — as
// the spec asks, as the last observation or this reconcile's showed — Cloud Storage refuses any call to the bucket
// that names no project to bill, turning Requester Pays off included.
func (e *external) billed(cr *v1alpha1.Bucket) bool {
	return ptr.Deref(cr.Spec.ForProvider.RequesterPays, false) || cr.Status.AtProvider.RequesterPays || e.requesterPays
}

// bucket is the API for calls to cr's bucket, billed to the config's project when Requester Pays is on. A bucket
// without it is not billed: naming a project would need a permission on it (serviceusage.services.use) that
// nothing else asks for.
func (e *external) bucket(cr *v1alpha1.Bucket) gcsclient.BucketAPI {
	if e.billed(cr) {
		return e.API.UserProject(e.Account.ProjectID)
	}
	return e.API
}

// desiredLabels is the label set the bucket should carry.
func desiredLabels(cr *v1alpha1.Bucket, acct *credentials.GCPAccount) map[string]string {
	return managedkind.GCPLabels.DesiredTags(cr, cr.Spec.ForProvider.Labels, acct.DefaultLabels)
}
