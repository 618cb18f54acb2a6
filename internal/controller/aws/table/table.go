// Package table reconciles DynamoDB Tables.
package table

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stateful-dev/provider-stateful/apis/aws/dynamodb/v1alpha1"
	awsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws"
	ddbclient "github.com/stateful-dev/provider-stateful/internal/clients/aws/dynamodb"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

const (
	errDescribe = "cannot describe the table"
	errTTL      = "cannot read the table's time to live"
	errPITR     = "cannot read the table's point-in-time recovery"
	errTags     = "cannot read the table's tags"
	errCreate   = "cannot create the table"
	errUpdate   = "cannot update the table"
	errDelete   = "cannot delete the table"
	errTag      = "cannot tag the table"
	errUntag    = "cannot untag the table"
)

// adoption is how a Table asks to adopt or observe what the provider did not make, and the allowedAdoptions list
// that admits it through a ClusterProviderConfig.
var adoption = managedkind.Adoption[*v1alpha1.Table]{List: "tables", Requested: func(cr *v1alpha1.Table) *bool { return cr.Spec.AdoptExisting }}

// Kind is the DynamoDB Table kind.
func Kind() managedkind.Kind[*v1alpha1.Table, *credentials.AWSAccount, ddbclient.API] {
	region := func(cr *v1alpha1.Table) string { return cr.Spec.ForProvider.Region }
	return managedkind.Kind[*v1alpha1.Table, *credentials.AWSAccount, ddbclient.API]{
		GVK: v1alpha1.TableGroupVersionKind, Object: &v1alpha1.Table{}, List: func() resource.ManagedList { return &v1alpha1.TableList{} },
		Cloud: managedkind.AWS, Noun: "table", Adoption: adoption, References: References, Location: region,
		Fields: fields, Doc: "dynamodb-table", Deletion: deletion,
		NewAPI: managedkind.AWSClient("dynamodb", region, func(cfg aws.Config, region string, _ *credentials.AWSAccount) ddbclient.API {
			return ddbclient.New(cfg, region)
		}),
		NewExternal: func(c managedkind.Conn[*v1alpha1.Table, *credentials.AWSAccount, ddbclient.API]) managed.TypedExternalClient[*v1alpha1.Table] {
			return &external{Conn: c}
		},
		Options: func(o managedkind.Options) []managed.ReconcilerOption {
			return []managed.ReconcilerOption{managedkind.ShortPollWhile(o, o.BusyPoll, func(mg resource.Managed) bool {
				t, ok := mg.(*v1alpha1.Table)
				return ok && (inFlight(t.Status.AtProvider.Status) ||
					len(t.Status.AtProvider.PendingChanges) > 0 ||
					indexInFlight(t.Status.AtProvider.IndexStatuses))
			})}
		},
	}
}

// external manages one Table for the length of one reconcile. Observe leaves what it read for Update and Delete.
type external struct {
	// Conn is what the connector resolved for this reconcile: the service client, the account, the recorder and
	// the ownership rule bound to this resource.
	managedkind.Conn[*v1alpha1.Table, *credentials.AWSAccount, ddbclient.API]

	obs        observed
	tags       map[string]string
	pending    changes
	tagsDiffer bool
	tagField   string // the tag keys that differ, named for the event
	// ownerUnknown: the table's tags could not be read yet (it is not ACTIVE), so it is neither changed nor deleted.
	ownerUnknown bool
}

// indexInFlight reports whether an index is being built, changed or removed: changes wait for it, so it is
// polled closely.
func indexInFlight(statuses map[string]string) bool {
	for _, s := range statuses {
		if s != statusActive {
			return true
		}
	}
	return false
}

// listTags reads every page of the table's tags: an ownership tag on the second page is still an ownership tag.
func (e *external) listTags(ctx context.Context, arn *string) (map[string]string, error) {
	tags := map[string]string{}
	in := &dynamodb.ListTagsOfResourceInput{ResourceArn: arn}
	for {
		out, err := e.API.ListTagsOfResource(ctx, in)
		if err != nil {
			return nil, errors.Wrap(awsclient.Clean(err), errTags)
		}
		for _, t := range out.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		if aws.ToString(out.NextToken) == "" {
			return tags, nil
		}
		in.NextToken = out.NextToken
	}
}

// ownCreate asks the lease's record whether the table is this Table's own create.
func ownCreate(u managedkind.Unconfirmed) (bool, error) {
	if u == nil {
		return false, nil
	}
	return u()
}

// Observe describes the table (and, when the spec manages them, its TTL and point-in-time recovery), applies the
// ownership rule, and lists the changes still to make. While the table or an index is not ACTIVE it is reported
// Creating and left alone: DynamoDB refuses changes then.
func (e *external) Observe(ctx context.Context, cr *v1alpha1.Table) (managed.ExternalObservation, error) {
	name := meta.GetExternalName(cr)
	if err := ddbclient.ValidateTableName(name); err != nil {
		// The name actually used: the external name may name another table than metadata.name, which the CRD checks.
		return managed.ExternalObservation{}, err
	}
	out, err := e.API.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	switch {
	case err == nil && out.Table != nil:
	case err == nil, ddbclient.IsNotFound(err):
		return managed.ExternalObservation{ResourceExists: false}, nil
	default:
		return managed.ExternalObservation{}, errors.Wrap(awsclient.Clean(err), errDescribe)
	}
	e.obs.Table = out.Table
	unconfirmed := e.Own.OwnRecord(ctx, cr)
	if e.tags, err = e.listTags(ctx, out.Table.TableArn); err != nil {
		if out.Table.TableStatus == statusActive {
			return managed.ExternalObservation{}, err
		}
		// DynamoDB answers ListTagsOfResource with an error while a table is being created: whose the table is
		// cannot be read yet. A create this Table made (its lease's record) is its own; otherwise nothing is
		// judged — no write, no delete, no connection details — until the table is ACTIVE and its tags tell.
		if own, rerr := ownCreate(unconfirmed); rerr != nil || !own {
			e.ownerUnknown = true
			cr.SetConditions(xpv2.Creating().WithMessage("the table is " + string(out.Table.TableStatus) +
				": whose it is is known once it is ACTIVE and its tags can be read"))
			return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
		}
		e.tags = nil
		cr.Status.AtProvider = observation(e.obs, e.tags, nil)
		cr.SetConditions(xpv2.Creating().WithMessage("the table is " + string(out.Table.TableStatus)))
		return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: connectionDetails(name, out.Table)}, nil
	}
	if absent, err := e.Own.Apply(ctx, cr, name, e.tags); absent || err != nil {
		return managed.ExternalObservation{ResourceExists: false}, err
	}
	details := connectionDetails(name, out.Table)
	if c, b := notActive(out.Table.TableStatus, managedkind.StillCreating(cr)); b {
		cr.Status.AtProvider = observation(e.obs, e.tags, nil)
		cr.SetConditions(c)
		return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details}, nil
	}
	if b, why := indexBusy(out.Table); b {
		cr.Status.AtProvider = observation(e.obs, e.tags, nil)
		// A table that was Ready serves traffic while an index is built; a new one is not Ready until its whole spec
		// is applied (TTL and point-in-time recovery wait for the index), so it stays Creating.
		if managedkind.StillCreating(cr) {
			cr.SetConditions(xpv2.Creating().WithMessage(why))
		} else {
			cr.SetConditions(xpv2.Available().WithMessage(why))
		}
		return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details}, nil
	}

	p := cr.Spec.ForProvider
	if p.TimeToLive != nil {
		t, err := e.API.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)})
		if err != nil {
			return managed.ExternalObservation{}, errors.Wrap(awsclient.Clean(err), errTTL)
		}
		e.obs.TTL = t.TimeToLiveDescription
	}
	if p.PointInTimeRecovery != nil {
		b, err := e.API.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(name)})
		if err != nil {
			return managed.ExternalObservation{}, errors.Wrap(awsclient.Clean(err), errPITR)
		}
		if b.ContinuousBackupsDescription != nil {
			e.obs.PITR = b.ContinuousBackupsDescription.PointInTimeRecoveryDescription
		}
	}
	if e.pending, err = diff(name, p, e.obs); err != nil {
		return managed.ExternalObservation{}, err
	}
	cr.Status.AtProvider = observation(e.obs, e.tags, e.pending)
	cr.SetConditions(xpv2.Available())

	drift := append(changes(nil), e.pending...)
	wantTags := managedkind.AWSTags.DesiredTags(cr, p.Tags, e.Account.DefaultTags)
	if d := managedkind.TagDiff(wantTags, e.tags, managedkind.IgnoredPrefixes(p.Tags, e.Account.IgnoreTagPrefixes)); len(d) > 0 {
		e.tagsDiffer, e.tagField = true, managedkind.TagField(d)
		drift.Add(e.tagField, request{})
	}
	return managed.ExternalObservation{
		ResourceExists: true, ResourceUpToDate: len(drift) == 0, ConnectionDetails: details, Diff: drift.Diff(),
	}, nil
}

// Create makes the table, its indexes and its ownership tags in one call. A replay after a lost response finds the
// table and the ownership rule decides.
func (e *external) Create(ctx context.Context, cr *v1alpha1.Table) (managed.ExternalCreation, error) {
	name := meta.GetExternalName(cr)
	tags := managedkind.AWSTags.DesiredTags(cr, cr.Spec.ForProvider.Tags, e.Account.DefaultTags)
	_, err := e.API.CreateTable(ctx, createInput(name, cr.Spec.ForProvider, tags))
	switch {
	case err == nil:
	case ddbclient.IsInUse(err):
		// Tagged in the same call: were it this create's, the next observation finds it marked as this Table's.
		return managed.ExternalCreation{}, managedkind.NothingMade(
			errors.Errorf("table %q exists already: the next observation decides whether it is this Table's", name))
	case awsclient.IsRefused(err):
		return managed.ExternalCreation{}, managedkind.NothingMade(errors.Wrap(awsclient.Clean(err), errCreate))
	default:
		return managed.ExternalCreation{}, errors.Wrap(awsclient.Clean(err), errCreate)
	}
	return managed.ExternalCreation{}, nil
}

// Update applies the first pending change — DynamoDB takes one per UpdateTable, and refuses the next until the
// table is ACTIVE again, which the next poll (short while a change is pending) waits for — and the tags.
func (e *external) Update(ctx context.Context, cr *v1alpha1.Table) (managed.ExternalUpdate, error) {
	var applied []string
	if len(e.pending) > 0 {
		c := e.pending[0]
		var err error
		switch r := c.Request; {
		case r.Table != nil:
			_, err = e.API.UpdateTable(ctx, r.Table)
		case r.TTL != nil:
			_, err = e.API.UpdateTimeToLive(ctx, r.TTL)
		case r.PITR != nil:
			_, err = e.API.UpdateContinuousBackups(ctx, r.PITR)
		}
		switch {
		case err == nil:
		case ddbclient.IsInUse(err):
			return managed.ExternalUpdate{}, errors.Errorf("table %q is busy with another change: %s follows once it is ACTIVE",
				meta.GetExternalName(cr), c.Field)
		default:
			return managed.ExternalUpdate{}, errors.Wrapf(awsclient.Clean(err), "%s (%s)", errUpdate, c.Field)
		}
		applied = append(applied, c.Field)
	}
	if e.tagsDiffer {
		set, remove := managedkind.TagChanges(
			managedkind.AWSTags.DesiredTags(cr, cr.Spec.ForProvider.Tags, e.Account.DefaultTags),
			e.tags,
			managedkind.IgnoredPrefixes(cr.Spec.ForProvider.Tags, e.Account.IgnoreTagPrefixes),
		)
		arn := e.obs.Table.TableArn
		if len(set) > 0 {
			in := &dynamodb.TagResourceInput{ResourceArn: arn}
			for k, v := range set {
				in.Tags = append(in.Tags, tagOf(k, v))
			}
			if _, err := e.API.TagResource(ctx, in); err != nil {
				return managed.ExternalUpdate{}, errors.Wrap(awsclient.Clean(err), errTag)
			}
		}
		if len(remove) > 0 {
			if _, err := e.API.UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: arn, TagKeys: remove}); err != nil {
				return managed.ExternalUpdate{}, errors.Wrap(awsclient.Clean(err), errUntag)
			}
		}
		applied = append(applied, e.tagField)
	}
	managedkind.RecordChanges(e.Record, cr, applied)
	return managed.ExternalUpdate{}, nil
}

// Delete deletes the table, unless deletion protection is on.
func (e *external) Delete(ctx context.Context, cr *v1alpha1.Table) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	name := meta.GetExternalName(cr)
	if e.ownerUnknown {
		return managed.ExternalDelete{}, errors.Errorf("table %q is %s and its tags cannot be read yet: "+
			"it is deleted once it is ACTIVE and its tags show it is this Table's", name, e.obs.Table.TableStatus)
	}
	if t := e.obs.Table; t != nil {
		if aws.ToBool(t.DeletionProtectionEnabled) {
			// The managed reconciler sends no update to a resource being deleted: a spec that turned protection off
			// is applied here, and the delete follows on the next reconcile.
			if dp := cr.Spec.ForProvider.DeletionProtection; dp != nil && !*dp {
				in := &dynamodb.UpdateTableInput{TableName: aws.String(name), DeletionProtectionEnabled: aws.Bool(false)}
				if _, err := e.API.UpdateTable(ctx, in); err != nil {
					return managed.ExternalDelete{}, errors.Wrap(awsclient.Clean(err), errUpdate)
				}
				return managed.ExternalDelete{}, nil
			}
			return managed.ExternalDelete{}, errors.Errorf("table %q has deletion protection: set spec.forProvider.deletionProtection to false first", name)
		}
		if t.TableStatus == "DELETING" {
			return managed.ExternalDelete{}, nil
		}
	}
	_, err := e.API.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	switch {
	case err == nil, ddbclient.IsNotFound(err):
		return managed.ExternalDelete{}, nil
	case ddbclient.IsInUse(err):
		return managed.ExternalDelete{}, errors.Errorf("table %q is busy with a change: deleting it once it is ACTIVE", name)
	default:
		return managed.ExternalDelete{}, errors.Wrap(awsclient.Clean(err), errDelete)
	}
}

// Disconnect does nothing: clients are cached per ProviderConfig and outlive the reconcile.
func (e *external) Disconnect(context.Context) error { return nil }
