// Package dbinstance reconciles RDS DBInstances.
package dbinstance

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	corev1 "k8s.io/api/core/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
	awsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws"
	rdsclient "github.com/stateful-dev/provider-stateful/internal/clients/aws/rds"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

const (
	errDescribe = "cannot describe the DB instance"
	errCreate   = "cannot create the DB instance"
	errModify   = "cannot modify the DB instance"
	errDelete   = "cannot delete the DB instance"
	errTag      = "cannot tag the DB instance"
	errUntag    = "cannot untag the DB instance"

	groupPassword = "masterPasswordSecretRef"
)

// adoption is how a DBInstance asks to adopt or observe what the provider did not make, and the allowedAdoptions list
// that admits it through a ClusterProviderConfig.
var adoption = managedkind.Adoption[*v1alpha1.DBInstance]{
	List:      "dbInstances",
	Requested: func(cr *v1alpha1.DBInstance) *bool { return cr.Spec.AdoptExisting },
	Caseless:  true,
}

// Kind is the RDS DBInstance kind.
func Kind() managedkind.Kind[*v1alpha1.DBInstance, *credentials.AWSAccount, rdsclient.API] {
	region := func(cr *v1alpha1.DBInstance) string { return cr.Spec.ForProvider.Region }
	return managedkind.Kind[*v1alpha1.DBInstance, *credentials.AWSAccount, rdsclient.API]{
		GVK: v1alpha1.DBInstanceGroupVersionKind, Object: &v1alpha1.DBInstance{}, List: func() resource.ManagedList { return &v1alpha1.DBInstanceList{} },
		Cloud: managedkind.AWS, Noun: "DB instance", Adoption: adoption, References: References, Location: region,
		Fields: fields, Doc: "rds-dbinstance", Deletion: deletion,
		NewAPI: managedkind.AWSClient("rds", region, func(cfg aws.Config, region string, _ *credentials.AWSAccount) rdsclient.API {
			return rdsclient.New(cfg, region)
		}),
		NewExternal: func(c managedkind.Conn[*v1alpha1.DBInstance, *credentials.AWSAccount, rdsclient.API]) managed.TypedExternalClient[*v1alpha1.DBInstance] {
			return &external{Conn: c}
		},
		Options: func(o managedkind.Options) []managed.ReconcilerOption {
			return []managed.ReconcilerOption{managedkind.ShortPollWhile(o, o.BusyPoll, func(mg resource.Managed) bool {
				db, ok := mg.(*v1alpha1.DBInstance)
				return ok && db.Status.AtProvider.Status != "" && inFlight(db.Status.AtProvider.Status)
			})}
		},
	}
}

// external manages one DBInstance for the length of one reconcile. Observe leaves what it read for Update and
// Delete.
type external struct {
	// Conn is what the connector resolved for this reconcile: the service client, the account, the recorder, the
	// provider's Kubernetes client (the generated password's Secret) and the ownership rule bound to this resource.
	managedkind.Conn[*v1alpha1.DBInstance, *credentials.AWSAccount, rdsclient.API]

	inst       types.DBInstance
	changed    changes
	rotate     bool
	tagsDiffer bool
	drift      []string
}

// Observe describes the instance, decides whether it is this DBInstance's, and compares what the spec manages —
// only while it is available: a creating or modifying instance is reported as such (Ready=False, Creating) and
// left alone, since RDS refuses a modification then. The master password is compared with the one last published
// to the connection Secret; it is never written to status.
func (e *external) Observe(ctx context.Context, cr *v1alpha1.DBInstance) (managed.ExternalObservation, error) {
	id := meta.GetExternalName(cr)
	if err := rdsclient.ValidateIdentifier(id); err != nil {
		// The name actually used: the external name may name another instance than metadata.name, which the CRD
		// checks.
		return managed.ExternalObservation{}, err
	}
	out, err := e.API.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	switch {
	case err == nil && len(out.DBInstances) > 0:
	case err == nil, rdsclient.IsNotFound(err):
		return managed.ExternalObservation{ResourceExists: false}, nil
	default:
		return managed.ExternalObservation{}, errors.Wrap(awsclient.Clean(err), errDescribe)
	}
	e.inst = out.DBInstances[0]
	tags := tagMap(e.inst.TagList)
	if absent, err := e.Own.Apply(ctx, cr, id, tags); absent || err != nil {
		return managed.ExternalObservation{ResourceExists: false}, err
	}
	p := cr.Spec.ForProvider
	if got := aws.ToString(e.inst.Engine); got != p.Engine {
		return managed.ExternalObservation{}, errors.Errorf("DB instance %q runs %s, not %s: the engine cannot change", id, got, p.Engine)
	}
	cr.Status.AtProvider = observation(e.inst)

	source, known, err := readPassword(ctx, e.Kube, cr)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	applied, err := appliedPassword(ctx, e.Kube, cr)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	details := e.details(cr, applied)

	status := aws.ToString(e.inst.DBInstanceStatus)
	cr.SetConditions(readyFor(status))
	if status != statusAvailable {
		// Change nothing until RDS is done: it refuses a modification in any other state.
		return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details}, nil
	}

	e.changed = diff(p, e.inst)
	// Set the password when the referenced Secret's is not the one last applied, or was removed and may be
	// generated again — or when there is no record of an applied one: an adopted instance, or a create whose
	// connection Secret was never written. Only a password the provider set is ever published, so an adopted
	// instance's connection Secret never shows a password the instance may not have. Without a connection Secret
	// there is nowhere to record it: no rotation. ObserveOnly never sets one (the runtime sends no update).
	e.rotate = cr.GetWriteConnectionSecretToReference() != nil && !managedkind.OnlyObserves(cr.GetManagementPolicies()) &&
		(applied == "" || !known || source != applied)
	if o, marked := managedkind.AWSTags.OwnerOf(tags); e.rotate && !known && applied == "" && marked && o.Is(cr) {
		// The instance is this DBInstance's, so a password was set or kept before, and both the password Secret and
		// the connection Secret that recorded it are gone: a cluster rebuilt from Git, where they lived only in
		// etcd. Generating a new one would lock out everything outside the cluster that uses the old one, so the
		// instance keeps its password until someone says which: the old one restored into the Secret, or a new one
		// written there. Deleting only the password Secret (the connection Secret still records what was applied)
		// stays the way to have a new one generated.
		e.rotate = false
		cr.SetConditions(passwordUnknown(id, cr.Spec.ForProvider.MasterPasswordSecretRef))
	} else if cr.GetCondition(TypeMasterPassword).Status != corev1.ConditionUnknown {
		cr.SetConditions(passwordKnown())
	}
	e.drift = e.changed.Fields()
	if e.rotate {
		e.drift = append(e.drift, groupPassword)
	}
	wantTags := managedkind.AWSTags.DesiredTags(cr, p.Tags, e.Account.DefaultTags)
	if d := managedkind.TagDiff(wantTags, tags, managedkind.IgnoredPrefixes(p.Tags, e.Account.IgnoreTagPrefixes)); len(d) > 0 {
		e.tagsDiffer = true
		e.drift = append(e.drift, managedkind.TagField(d))
	}
	return managed.ExternalObservation{
		ResourceExists:    true,
		ResourceUpToDate:  len(e.drift) == 0,
		ConnectionDetails: details,
		Diff:              strings.Join(e.drift, "; "),
	}, nil
}

// details are the connection details with password.
func (e *external) details(cr *v1alpha1.DBInstance, password string) managed.ConnectionDetails {
	host, port := "", int32(0)
	if ep := e.inst.Endpoint; ep != nil {
		host, port = aws.ToString(ep.Address), aws.ToInt32(ep.Port)
	}
	db := aws.ToString(cr.Spec.ForProvider.DBName)
	return connectionDetails(cr.Spec.ForProvider.Engine, cr.Spec.ForProvider.MasterUsername, password, db, host, port)
}

// Create makes the instance with its ownership tags in one call, generating the master password into its Secret
// first when asked to. A replay after a lost response finds the instance by its identifier and the ownership
// rule decides.
func (e *external) Create(ctx context.Context, cr *v1alpha1.DBInstance) (managed.ExternalCreation, error) {
	id := meta.GetExternalName(cr)
	pw, err := ensurePassword(ctx, e.Kube, cr)
	if err != nil {
		return managed.ExternalCreation{}, managedkind.NothingMade(err)
	}
	p := cr.Spec.ForProvider
	if err := checkPassword(p.Engine, pw, p.MasterPasswordSecretRef); err != nil {
		// Not a rejection of the spec: fixing the Secret retries, with backoff, and no call reaches RDS meanwhile.
		return managed.ExternalCreation{}, managedkind.NothingMade(err)
	}
	_, err = e.API.CreateDBInstance(ctx, createInput(id, p, pw, managedkind.AWSTags.DesiredTags(cr, p.Tags, e.Account.DefaultTags)))
	switch {
	case err == nil:
	case rdsclient.IsAlreadyExists(err):
		out, derr := e.API.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
		if derr != nil || len(out.DBInstances) == 0 {
			return managed.ExternalCreation{}, errors.Wrap(awsclient.Clean(err), errCreate)
		}
		if o, tagged := managedkind.AWSTags.OwnerOf(tagMap(out.DBInstances[0].TagList)); !tagged || !o.Is(cr) {
			// Not this create's: it tags the instance in the same call.
			return managed.ExternalCreation{}, managedkind.NothingMade(errors.Errorf("DB instance %q already exists and was not created by this DBInstance: "+
				"set spec.adoptExisting to take it over, or choose another identifier", id))
		}
	case awsclient.IsRefused(err):
		return managed.ExternalCreation{}, managedkind.NothingMade(errors.Wrap(awsclient.Clean(err), errCreate))
	default:
		return managed.ExternalCreation{}, errors.Wrap(awsclient.Clean(err), errCreate)
	}
	return managed.ExternalCreation{ConnectionDetails: connectionDetails(p.Engine, p.MasterUsername, pw, aws.ToString(p.DBName), "", 0)}, nil
}

// Update sends one ModifyDBInstance with what differs (and the new password when the Secret's changed), then the
// tags, and records what it changed. Observe only reports differences while the instance is available.
func (e *external) Update(ctx context.Context, cr *v1alpha1.DBInstance) (managed.ExternalUpdate, error) {
	id := meta.GetExternalName(cr)
	var details managed.ConnectionDetails
	if len(e.changed) > 0 || e.rotate {
		pw := ""
		if e.rotate {
			var err error
			if pw, err = ensurePassword(ctx, e.Kube, cr); err != nil {
				return managed.ExternalUpdate{}, err
			}
			if err := checkPassword(cr.Spec.ForProvider.Engine, pw, cr.Spec.ForProvider.MasterPasswordSecretRef); err != nil {
				return managed.ExternalUpdate{}, err
			}
		}
		_, err := e.API.ModifyDBInstance(ctx, modifyInput(id, cr.Spec.ForProvider, e.changed, pw))
		switch {
		case err == nil:
		case rdsclient.IsInvalidState(err):
			return managed.ExternalUpdate{}, errors.Errorf("DB instance %q cannot be modified in its current state: retrying once it is available", id)
		default:
			return managed.ExternalUpdate{}, errors.Wrap(awsclient.Clean(err), errModify)
		}
		if e.rotate {
			details = e.details(cr, pw)
		}
	}
	if e.tagsDiffer {
		set, remove := managedkind.TagChanges(
			managedkind.AWSTags.DesiredTags(cr, cr.Spec.ForProvider.Tags, e.Account.DefaultTags),
			tagMap(e.inst.TagList),
			managedkind.IgnoredPrefixes(cr.Spec.ForProvider.Tags, e.Account.IgnoreTagPrefixes),
		)
		if len(set) > 0 {
			if _, err := e.API.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: e.inst.DBInstanceArn, Tags: tagList(set)}); err != nil {
				return managed.ExternalUpdate{}, errors.Wrap(awsclient.Clean(err), errTag)
			}
		}
		if len(remove) > 0 {
			if _, err := e.API.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: e.inst.DBInstanceArn, TagKeys: remove}); err != nil {
				return managed.ExternalUpdate{}, errors.Wrap(awsclient.Clean(err), errUntag)
			}
		}
	}
	managedkind.RecordChanges(e.Record, cr, e.drift)
	return managed.ExternalUpdate{ConnectionDetails: details}, nil
}

// Delete deletes the instance as spec.forProvider.finalSnapshot decides, and refuses to guess when it is unset.
func (e *external) Delete(ctx context.Context, cr *v1alpha1.DBInstance) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	id := meta.GetExternalName(cr)
	fs := cr.Spec.ForProvider.FinalSnapshot
	switch {
	case fs == nil:
		return managed.ExternalDelete{}, errors.Errorf("DB instance %q is not deleted until spec.forProvider.finalSnapshot says what happens to its data: "+
			"skip: true, or a snapshot identifier", id)
	case aws.ToBool(e.inst.DeletionProtection):
		// The managed reconciler sends no update to a resource being deleted: a spec that turned protection off is
		// applied here, and the delete follows on the next reconcile.
		if dp := cr.Spec.ForProvider.DeletionProtection; dp != nil && !*dp {
			in := &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(id), DeletionProtection: aws.Bool(false), ApplyImmediately: aws.Bool(true)}
			if _, err := e.API.ModifyDBInstance(ctx, in); err != nil {
				return managed.ExternalDelete{}, errors.Wrap(awsclient.Clean(err), errModify)
			}
			return managed.ExternalDelete{}, nil
		}
		return managed.ExternalDelete{}, errors.Errorf("DB instance %q has deletion protection: set spec.forProvider.deletionProtection to false first", id)
	case aws.ToString(e.inst.DBInstanceStatus) == "deleting":
		return managed.ExternalDelete{}, nil
	}
	// A final snapshot identifier RDS refused as taken is not sent again until the spec changes: it would be
	// refused on every reconcile, forever.
	if err := managedkind.DeleteRejected(cr); err != nil {
		return managed.ExternalDelete{}, err
	}
	in := &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(id), SkipFinalSnapshot: fs.Skip}
	if fs.Identifier != nil {
		in.FinalDBSnapshotIdentifier, in.SkipFinalSnapshot = fs.Identifier, aws.Bool(false)
	}
	_, err := e.API.DeleteDBInstance(ctx, in)
	switch {
	case err == nil, rdsclient.IsNotFound(err):
		return managed.ExternalDelete{}, nil
	case rdsclient.IsInvalidState(err):
		return managed.ExternalDelete{}, errors.Errorf("DB instance %q cannot be deleted while %s: retrying", id, aws.ToString(e.inst.DBInstanceStatus))
	case rdsclient.IsSnapshotExists(err):
		err = errors.Errorf("a DB snapshot named %q exists already (DBSnapshotAlreadyExists), so the final snapshot cannot be taken: "+
			"set spec.forProvider.finalSnapshot.identifier to another name, or delete that snapshot and then change the spec (any change retries)",
			aws.ToString(fs.Identifier))
		managedkind.RecordDeleteRejection(cr, err)
		return managed.ExternalDelete{}, err
	default:
		return managed.ExternalDelete{}, errors.Wrap(awsclient.Clean(err), errDelete)
	}
}

// Disconnect does nothing: clients are cached per ProviderConfig and outlive the reconcile.
func (e *external) Disconnect(context.Context) error { return nil }
