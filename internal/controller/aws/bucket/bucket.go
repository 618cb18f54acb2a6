// Package bucket reconciles S3 Buckets.
package bucket

import (
	"context"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	awsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws"
	s3client "github.com/stateful-dev/provider-stateful/internal/clients/aws/s3"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

const (
	errHead    = "cannot check whether the bucket exists"
	errGetTags = "cannot read bucket tags"
	errPutTags = "cannot set bucket tags"
	errCreate  = "cannot create bucket"
	errDelete  = "cannot delete bucket"
)

// adoption is how a Bucket asks to adopt or observe what the provider did not make, and the allowedAdoptions list
// that admits it through a ClusterProviderConfig.
var adoption = managedkind.Adoption[*v1alpha1.Bucket]{List: "buckets", Requested: func(cr *v1alpha1.Bucket) *bool { return cr.Spec.AdoptExisting }}

// Kind is the S3 Bucket kind.
func Kind() managedkind.Kind[*v1alpha1.Bucket, *credentials.AWSAccount, s3client.API] {
	written := &managedkind.WrittenTags{}
	return managedkind.Kind[*v1alpha1.Bucket, *credentials.AWSAccount, s3client.API]{
		GVK: v1alpha1.BucketGroupVersionKind, Object: &v1alpha1.Bucket{}, List: func() resource.ManagedList { return &v1alpha1.BucketList{} },
		Cloud: managedkind.AWS, Noun: "bucket", MarksAfterCreate: true, Adoption: adoption, References: References,
		Fields: fields, Doc: "s3-bucket", Deletion: deletion,
		// Bucket names are unique across regions: a lease on one ignores the region (no Location).
		NewAPI: managedkind.AWSClient("s3", func(cr *v1alpha1.Bucket) string { return cr.Spec.ForProvider.Region },
			func(cfg aws.Config, region string, acct *credentials.AWSAccount) s3client.API {
				return s3client.New(cfg, region, acct.Endpoint != nil && acct.Endpoint.S3UsePathStyle)
			}),
		NewExternal: func(c managedkind.Conn[*v1alpha1.Bucket, *credentials.AWSAccount, s3client.API]) managed.TypedExternalClient[*v1alpha1.Bucket] {
			return &external{Conn: c, written: written}
		},
	}
}

// external manages one Bucket for the length of one reconcile. Observe leaves what it read for Update.
type external struct {
	// Conn is what the connector resolved for this reconcile: the service client, the account, the recorder and
	// the ownership rule bound to this resource.
	managedkind.Conn[*v1alpha1.Bucket, *credentials.AWSAccount, s3client.API]
	// written holds the tag set a create put, for the observation that confirms it (S3 tagging reads are
	// eventually consistent).
	written *managedkind.WrittenTags

	observedTags map[string]string
	tagsDiffer   bool
	changed      changes  // sub-configurations that differ, in apply order
	drift        []string // what differs, for the diff and the event
}

// Observe reads the bucket's existence and tags, decides whether the bucket is this Bucket's (see ownership.go),
// and compares what the spec manages. It never writes, to the cloud or to the API server, and reports "does not
// exist" only when S3 says so: any other failure is an error, so that a delete in progress never drops the
// finalizer of a bucket it could not see.
func (e *external) Observe(ctx context.Context, cr *v1alpha1.Bucket) (managed.ExternalObservation, error) {
	name := meta.GetExternalName(cr)
	if err := s3client.ValidateBucketName(name); err != nil {
		return managed.ExternalObservation{}, err
	}
	region := cr.Spec.ForProvider.Region

	head, err := e.API.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)})
	switch {
	case err == nil:
	case s3client.IsNotFound(err):
		return managed.ExternalObservation{ResourceExists: false}, nil
	case s3client.IsForbidden(err), awsclient.HTTPStatus(err) == http.StatusBadRequest:
		return managed.ExternalObservation{}, e.explain(ctx, name, err)
	default:
		return managed.ExternalObservation{}, errors.Wrap(awsclient.Clean(err), errHead)
	}

	tags, ok := e.written.Take(cr.GetUID())
	if !ok {
		if tags, err = e.getTags(ctx, name); err != nil {
			return managed.ExternalObservation{}, err
		}
	}
	if absent, err := e.Own.Apply(ctx, cr, name, tags); absent || err != nil {
		return managed.ExternalObservation{ResourceExists: false}, err
	}
	if r := aws.ToString(head.BucketRegion); r != "" && r != region {
		return managed.ExternalObservation{}, errors.Errorf("bucket %q is in region %s, not %s", name, r, region)
	}

	p := cr.Spec.ForProvider
	cfg, err := e.readConfig(ctx, name, p)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	if e.changed, err = configDiff(name, p, cfg); err != nil {
		return managed.ExternalObservation{}, errors.Wrap(err, "spec.forProvider.policy is not a valid policy document")
	}
	cr.Status.AtProvider = v1alpha1.BucketObservation{ARN: arn(region, name), Region: region, Tags: tags}
	fillObservation(&cr.Status.AtProvider, p, cfg)
	cr.SetConditions(xpv2.Available())

	e.observedTags = tags
	e.drift = nil
	wantTags := managedkind.AWSTags.DesiredTags(cr, cr.Spec.ForProvider.Tags, e.Account.DefaultTags)
	if d := managedkind.TagDiff(wantTags, tags, managedkind.IgnoredPrefixes(cr.Spec.ForProvider.Tags, e.Account.IgnoreTagPrefixes)); len(d) > 0 {
		e.tagsDiffer = true
		e.drift = append(e.drift, managedkind.TagField(d))
	}
	e.drift = append(e.drift, e.changed.Fields()...)
	return managed.ExternalObservation{
		ResourceExists:    true,
		ResourceUpToDate:  len(e.drift) == 0,
		ConnectionDetails: connectionDetails(region, name, e.Account.Endpoint),
		Diff:              strings.Join(e.drift, "; "),
	}, nil
}

// Create makes the bucket and tags it as this Bucket's. It is safe to repeat: when S3 answers that this account
// already owns the bucket (a replay after a lost response, or a crash before the tags were written) the ownership
// rule decides, and a bucket tagged for another Bucket is refused untouched.
func (e *external) Create(ctx context.Context, cr *v1alpha1.Bucket) (managed.ExternalCreation, error) {
	name := meta.GetExternalName(cr)
	region := cr.Spec.ForProvider.Region
	observed := map[string]string(nil)

	_, err := e.API.CreateBucket(ctx, createInput(name, region))
	switch {
	case err == nil:
	case s3client.IsOwnedByYou(err):
		if observed, err = e.getTags(ctx, name); err != nil {
			return managed.ExternalCreation{}, err
		}
		// This Bucket holds the name's lease (taken just before Create) and Observe found no bucket moments ago: an
		// untagged bucket is this Bucket's own earlier attempt whose answer was lost.
		if o, tagged := managedkind.AWSTags.OwnerOf(observed); tagged && !o.Is(cr) {
			return managed.ExternalCreation{}, managedkind.NothingMade(
				errors.Errorf("bucket %q belongs to Bucket %s/%s: refusing to manage it", name, o.Namespace, o.Name))
		}
	case s3client.IsTakenByOtherAccount(err):
		return managed.ExternalCreation{}, managedkind.NothingMade(
			errors.Errorf("bucket name %q is taken by another AWS account: bucket names are global, choose another", name))
	case awsclient.IsRefused(err):
		return managed.ExternalCreation{}, managedkind.NothingMade(errors.Wrap(awsclient.Clean(err), errCreate))
	default:
		return managed.ExternalCreation{}, errors.Wrap(awsclient.Clean(err), errCreate)
	}

	tags, err := e.putTags(ctx, cr, observed)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	// Apply every sub-configuration now, so that the first observation after create finds the bucket as
	// specified rather than reporting it Ready before it is.
	if err := e.applyConfig(ctx, configChanges(name, cr.Spec.ForProvider)); err != nil {
		return managed.ExternalCreation{}, err
	}
	// PutBucketTagging replaced the whole set: the confirming observation need not read it back.
	e.written.Put(cr.GetUID(), tags)
	return managed.ExternalCreation{ConnectionDetails: connectionDetails(region, name, e.Account.Endpoint)}, nil
}

// Update brings what differs back to the spec, and says what it changed in an event: drift reverted when the spec
// has not changed since the last successful sync, a spec change otherwise.
func (e *external) Update(ctx context.Context, cr *v1alpha1.Bucket) (managed.ExternalUpdate, error) {
	if e.tagsDiffer {
		if _, err := e.putTags(ctx, cr, e.observedTags); err != nil {
			return managed.ExternalUpdate{}, err
		}
	}
	if err := e.applyConfig(ctx, e.changed); err != nil {
		return managed.ExternalUpdate{}, err
	}
	managedkind.RecordChanges(e.Record, cr, e.drift)
	return managed.ExternalUpdate{}, nil
}

// Delete deletes the bucket; with forceDestroy it first deletes every object version and delete marker. Observe
// has already established that the bucket is this Bucket's.
func (e *external) Delete(ctx context.Context, cr *v1alpha1.Bucket) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	name := meta.GetExternalName(cr)
	if ptr.Deref(cr.Spec.ForProvider.ForceDestroy, false) {
		if err := e.empty(ctx, name); err != nil {
			return managed.ExternalDelete{}, errors.Wrap(err, "cannot empty the bucket before deleting it")
		}
	} else {
		// A delete that must be refused is decided with a read, not by sending DeleteBucket on every retry.
		out, err := e.API.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(name), MaxKeys: aws.Int32(1)})
		switch {
		case s3client.IsNotFound(err):
			return managed.ExternalDelete{}, nil
		case err != nil:
			return managed.ExternalDelete{}, errors.Wrap(awsclient.Clean(err), "cannot check whether the bucket is empty")
		case len(out.Versions) > 0 || len(out.DeleteMarkers) > 0:
			return managed.ExternalDelete{}, errNotEmpty(name)
		}
	}
	_, err := e.API.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)})
	switch {
	case err == nil, s3client.IsNotFound(err):
		return managed.ExternalDelete{}, nil
	case s3client.IsNotEmpty(err):
		return managed.ExternalDelete{}, errNotEmpty(name)
	default:
		return managed.ExternalDelete{}, errors.Wrap(awsclient.Clean(err), errDelete)
	}
}

// errNotEmpty is the refusal to delete a bucket that holds objects.
func errNotEmpty(name string) error {
	return errors.Errorf("bucket %q is not empty: set spec.forProvider.forceDestroy to delete its objects with it, empty it, "+
		"or remove Delete from the management policies to keep it", name)
}

// Disconnect does nothing: clients are cached per ProviderConfig and outlive the reconcile.
func (e *external) Disconnect(context.Context) error { return nil }

// explain turns a bodyless HeadBucket error (a 400 or a 403: HEAD answers carry no error code) into what a read
// with a body says: refused credentials or signature (revoked, expired: the credentials cache then drops them, see
// awsclient.NewConfig), else for a 403 a bucket of another account or a denying policy.
func (e *external) explain(ctx context.Context, name string, headErr error) error {
	_, err := e.API.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(name)})
	switch {
	case awsclient.IsAuthFailure(err):
		return errors.Wrap(awsclient.Clean(err), "AWS refused the credentials")
	case s3client.IsForbidden(headErr):
		return errors.Errorf("bucket %q exists but cannot be read with these credentials: another AWS account owns it, or its policy denies access", name)
	default:
		return errors.Wrap(awsclient.Clean(headErr), errHead)
	}
}

// getTags returns the bucket's tags; S3 reports a bucket without tags as an error.
func (e *external) getTags(ctx context.Context, name string) (map[string]string, error) {
	out, err := e.API.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(name)})
	switch {
	case err == nil:
		return tagMap(out.TagSet), nil
	case s3client.IsNoTagSet(err):
		return nil, nil
	default:
		return nil, errors.Wrap(awsclient.Clean(err), errGetTags)
	}
}

// putTags replaces the bucket's tags with the desired ones, keeping the observed tags it leaves alone (ignored
// prefixes; every other key while the spec sets no tags).
// It returns the set it wrote.
func (e *external) putTags(ctx context.Context, cr *v1alpha1.Bucket, observed map[string]string) (map[string]string, error) {
	spec := cr.Spec.ForProvider.Tags
	set := tagsToPut(managedkind.AWSTags.DesiredTags(cr, spec, e.Account.DefaultTags), observed, managedkind.IgnoredPrefixes(spec, e.Account.IgnoreTagPrefixes))
	if _, err := e.API.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{
		Bucket: aws.String(meta.GetExternalName(cr)), Tagging: &types.Tagging{TagSet: set},
	}); err != nil {
		return nil, errors.Wrap(awsclient.Clean(err), errPutTags)
	}
	return tagMap(set), nil
}
