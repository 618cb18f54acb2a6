// Package bttable reconciles Bigtable Tables.
package bttable

import (
	"context"

	"cloud.google.com/go/bigtable/admin/apiv2/adminpb"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/stateful-dev/provider-stateful/apis/gcp/bigtable/v1alpha1"
	gcpclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp"
	btclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/bigtable"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

const (
	errGet      = "cannot get the table"
	errCreate   = "cannot create the table"
	errFamilies = "cannot change the table's column families"
	errProtect  = "cannot change the table's deletion protection"
	errDelete   = "cannot delete the table"
)

// instance is where a table lives, for leases: table IDs are unique within an instance.
func instance(cr *v1alpha1.Table) string { return cr.Spec.ForProvider.Instance }

// adoption is how a Table asks to adopt or observe what the provider did not make, and the allowedAdoptions list
// that admits it through a ClusterProviderConfig.
var adoption = managedkind.Adoption[*v1alpha1.Table]{
	List:      "bigtableTables",
	Requested: func(cr *v1alpha1.Table) *bool { return cr.Spec.AdoptExisting },
	Name:      func(t *v1alpha1.Table) string { return t.Spec.ForProvider.Instance + "/" + meta.GetExternalName(t) },
}

// Kind is the Bigtable Table kind.
func Kind() managedkind.Kind[*v1alpha1.Table, *credentials.GCPAccount, btclient.TableAPI] {
	return managedkind.Kind[*v1alpha1.Table, *credentials.GCPAccount, btclient.TableAPI]{
		GVK: v1alpha1.TableGroupVersionKind, Object: &v1alpha1.Table{}, List: func() resource.ManagedList { return &v1alpha1.TableList{} },
		Cloud: managedkind.GCP, Noun: "table", Fields: fields, Doc: "bigtable-table", Deletion: deletion, MarksAfterCreate: true, Adoption: adoption,
		References: References, Location: instance, Endpoint: managedkind.BigtableEndpoint,
		NewAPI: managedkind.GCPClient[*v1alpha1.Table]("bigtable/tables", func(ctx context.Context, a *credentials.GCPAccount) (btclient.TableAPI, error) {
			c, err := btclient.NewTables(ctx, a.TokenSource, a.Endpoints.Bigtable, a.ReadOnly)
			if err != nil {
				return nil, err
			}
			return c, nil
		}),
		NewExternal: func(c managedkind.Conn[*v1alpha1.Table, *credentials.GCPAccount, btclient.TableAPI]) managed.TypedExternalClient[*v1alpha1.Table] {
			return &external{Conn: c}
		},
	}
}

// external manages one Table for the length of one reconcile. Observe leaves what it read for Update.
type external struct {
	// Conn is what the connector resolved for this reconcile: the service client, the account, the recorder
	// and the ownership rule bound to this resource, whose lease is the only marker a Bigtable table has (what
	// this resource created, and who holds a name).
	managedkind.Conn[*v1alpha1.Table, *credentials.GCPAccount, btclient.TableAPI]

	observed *adminpb.Table
	changed  managedkind.Changes[request]
}

// Observe reads the table, decides whether it is this Table's — by its lease, since tables carry no labels — and
// compares what the spec manages. It never writes.
func (e *external) Observe(ctx context.Context, cr *v1alpha1.Table) (managed.ExternalObservation, error) {
	id := meta.GetExternalName(cr)
	if err := btclient.ValidateID(id); err != nil {
		return managed.ExternalObservation{}, err
	}
	p := cr.Spec.ForProvider
	name := btclient.TableName(e.Account.ProjectID, p.Instance, id)
	t, err := e.API.GetTable(ctx, &adminpb.GetTableRequest{Name: name, View: adminpb.Table_SCHEMA_VIEW})
	switch {
	case err == nil:
	case gcpclient.IsNotFound(err):
		return managed.ExternalObservation{ResourceExists: false}, nil
	default:
		return managed.ExternalObservation{}, errors.Wrap(gcpclient.Clean(err), errGet)
	}
	// A create whose answer was lost leaves a table this Table may have made: the crash window covers it
	// (MarksAfterCreate).
	if absent, err := e.Own.Apply(ctx, cr, id, nil); absent || err != nil {
		if absent {
			// Never silent: a Table that lost its lease (a cluster rebuilt from Git) and is deleted leaves its
			// table in place, and whoever deleted it should know the table is still there.
			e.Record.Event(cr, event.Warning("LeftInPlace", errors.Errorf("table %q is left in place: "+
				"nothing shows it is this Table's (no claim; a table carries no marker). Adopt it (spec.adoptExisting, "+
				"and through a ClusterProviderConfig an allowedAdoptions.bigtableTables rule) to manage or delete it", name)))
		}
		return managed.ExternalObservation{ResourceExists: false}, e.leasedBy(ctx, cr, id, err)
	}
	if err := e.leaseAdopted(ctx, cr); err != nil {
		return managed.ExternalObservation{}, err
	}
	if obs, deleting := managedkind.WhileDeleting(cr); deleting {
		// Delete reads the table's deletion protection.
		e.observed = t
		return obs, nil
	}
	if e.changed, err = Changes(p, t); err != nil {
		return managed.ExternalObservation{}, err
	}
	e.observed = t
	cr.Status.AtProvider = Observation(t)
	cr.SetConditions(xpv2.Available())
	return managed.ExternalObservation{
		ResourceExists:    true,
		ResourceUpToDate:  len(e.changed) == 0,
		ConnectionDetails: connectionDetails(t.GetName(), e.Account.ProjectID, p.Instance),
		Diff:              e.changed.Diff(),
	}, nil
}

// leaseAdopted takes the lease on an adopted table at once. A labelled kind's adoption writes its marker, and the
// lease comes with that write; a Bigtable table has no marker, so without this an adoption that changes nothing
// would hold no lease, and a Table of another namespace could adopt the same table too.
func (e *external) leaseAdopted(ctx context.Context, cr *v1alpha1.Table) error {
	if !e.Own.Adopts(cr) || managedkind.OnlyObserves(cr.GetManagementPolicies()) || meta.WasDeleted(cr) {
		return nil
	}
	return e.Own.Take(ctx, cr)
}

// leasedBy names the Table that holds the lease on the table, when another one does: with no labels, that is how
// a table is known to be another's.
func (e *external) leasedBy(ctx context.Context, cr *v1alpha1.Table, id string, err error) error {
	if err == nil {
		return nil
	}
	holder, herr := e.Own.Holder(ctx, cr)
	if herr != nil || holder == "" || holder == cr.GetNamespace()+"/"+cr.GetName() {
		return err
	}
	return errors.Errorf("table %q belongs to Table %s (it holds the table's claim): refusing to manage it", id, holder)
}

// Create makes the table with its families, deletion protection and split keys in one call: a table that exists
// already is another's until adoption is asked for.
func (e *external) Create(ctx context.Context, cr *v1alpha1.Table) (managed.ExternalCreation, error) {
	id := meta.GetExternalName(cr)
	p := cr.Spec.ForProvider
	req, err := CreateRequest(btclient.InstanceName(e.Account.ProjectID, p.Instance), id, p)
	if err != nil {
		return managed.ExternalCreation{}, managedkind.NothingMade(err)
	}
	out, err := e.API.CreateTable(ctx, req)
	switch {
	case err == nil:
	case gcpclient.IsAlreadyExists(err):
		// NOTE: not NothingMade: a table carries no marker, and a create whose first attempt went through unanswered
		// meets AlreadyExists when retried — the lease's record of the attempt is all that says it is this Table's.
		return managed.ExternalCreation{}, errors.Errorf("a table named %q exists in instance %s and was not created by this Table: "+
			"set spec.adoptExisting to take it over, or choose another name", id, p.Instance)
	case gcpclient.IsRefused(err):
		return managed.ExternalCreation{}, managedkind.NothingMade(errors.Wrap(gcpclient.Clean(err), errCreate))
	default:
		return managed.ExternalCreation{}, errors.Wrap(gcpclient.Clean(err), errCreate)
	}
	return managed.ExternalCreation{ConnectionDetails: connectionDetails(out.GetName(), e.Account.ProjectID, p.Instance)}, nil
}

// Update sends the family modifications in one ModifyColumnFamilies, and the deletion protection before them
// (turned off, so drops may follow) or after them (turned on).
func (e *external) Update(ctx context.Context, cr *v1alpha1.Table) (managed.ExternalUpdate, error) {
	name := e.observed.GetName()
	var mods []*adminpb.ModifyColumnFamiliesRequest_Modification
	flush := func() error {
		if len(mods) == 0 {
			return nil
		}
		_, err := e.API.ModifyColumnFamilies(ctx, &adminpb.ModifyColumnFamiliesRequest{Name: name, Modifications: mods})
		mods = nil
		return errors.Wrap(gcpclient.Clean(err), errFamilies)
	}
	for _, c := range e.changed {
		if c.Request.Family != nil {
			mods = append(mods, c.Request.Family)
			continue
		}
		if err := flush(); err != nil {
			return managed.ExternalUpdate{}, err
		}
		if err := e.API.UpdateDeletionProtection(ctx, name, *c.Request.Protection); err != nil {
			return managed.ExternalUpdate{}, errors.Wrap(gcpclient.Clean(err), errProtect)
		}
	}
	if err := flush(); err != nil {
		return managed.ExternalUpdate{}, err
	}
	managedkind.RecordChanges(e.Record, cr, e.changed.Fields())
	return managed.ExternalUpdate{}, nil
}

// Delete deletes the table, unless deletion protection is on. Observe has already established that it is this
// Table's.
func (e *external) Delete(ctx context.Context, cr *v1alpha1.Table) (managed.ExternalDelete, error) {
	cr.SetConditions(xpv2.Deleting())
	id := meta.GetExternalName(cr)
	if e.observed.GetDeletionProtection() {
		// The managed reconciler sends no update to a resource being deleted: a spec that turned protection off is
		// applied here, and the delete follows on the next reconcile.
		if dp := cr.Spec.ForProvider.DeletionProtection; dp != nil && !*dp {
			return managed.ExternalDelete{}, errors.Wrap(gcpclient.Clean(e.API.UpdateDeletionProtection(ctx, e.observed.GetName(), false)), errProtect)
		}
		return managed.ExternalDelete{}, errors.Errorf("table %q has deletion protection: set spec.forProvider.deletionProtection to false first", id)
	}
	err := e.API.DeleteTable(ctx, &adminpb.DeleteTableRequest{Name: btclient.TableName(e.Account.ProjectID, cr.Spec.ForProvider.Instance, id)})
	if err != nil && !gcpclient.IsNotFound(err) {
		return managed.ExternalDelete{}, errors.Wrap(gcpclient.Clean(err), errDelete)
	}
	return managed.ExternalDelete{}, nil
}

// Disconnect does nothing: clients are cached per ProviderConfig and outlive the reconcile.
func (e *external) Disconnect(context.Context) error { return nil }
