// The ownership rule, one vocabulary for every kind: the marker (marker.go) names the managed resource that made or
// adopted a cloud resource; the lease (leases.go) reserves its cloud name before the first write and records the
// latest create attempt; the verdict is what Observe makes of a cloud resource it found. The connector binds the
// rule to one resource for one reconcile (Ownership), and both the chain and the kind's Observe use that value.

package managedkind

import (
	"context"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// An Ownership is the ownership rule bound by the connector to one resource for one reconcile: what the kind's
// Observe asks (Apply) and what the chain takes and releases (the lease on the resource's cloud name).
type Ownership[T resource.ModernManaged] struct {
	// Marker is how the cloud spells the marker.
	Marker Marker
	// Leases and Name are the lease on the resource's cloud name: the store, and the name as leases know it. Leases
	// is nil where there are none (unit tests of a kind alone).
	Leases *Leases
	Name   func(context.Context, T) (CloudName, error)
	// Adoption and Reach say whether the resource may take an unmarked cloud resource: it asks to adopt or only
	// observes, and its account's reach admits it (Adoption.Adopt; a nil Reach is a namespaced config's).
	Adoption Adoption[T]
	Reach    *credentials.Reach
	// MarksAfterCreate says the kind's create cannot mark what it makes (S3's CreateBucket; a Bigtable table has
	// no marker at all), so an unmarked resource may be the resource's own create whose answer was lost: the crash
	// window (CreateUnconfirmed) then covers it.
	MarksAfterCreate bool
	// Kind and Noun name the cloud resource in refusals: "Bucket", "bucket".
	Kind, Noun string
}

// Apply is the rule in Observe, for the cloud resource called name carrying marks (nil where the kind has no
// marker). It returns absent when the resource must report the cloud resource as not existing — it is being
// deleted, and what it found is not its own, so it lets go without touching it — and an error when the cloud
// resource is another's, or unmarked with nothing allowing adoption.
func (o Ownership[T]) Apply(ctx context.Context, cr T, name string, marks map[string]string) (absent bool, err error) {
	verdict, err := o.Marker.Judge(cr, o.Adopts(cr), o.OwnRecord(ctx, cr), marks)
	if err != nil {
		return false, err
	}
	switch verdict {
	case OwnedByOther:
		if meta.WasDeleted(cr) {
			return true, nil
		}
		owner, _ := o.Marker.OwnerOf(marks)
		return false, errors.Errorf("%s %q belongs to %s: refusing to manage it", o.Noun, name, owner.describe(o.Kind))
	case NotOurs:
		if meta.WasDeleted(cr) {
			return true, nil
		}
		return false, errors.Errorf("%s %q already exists and was not created by this %s: set spec.adoptExisting to take it over "+
			"(through a ClusterProviderConfig, where its allowedAdoptions admit it), or choose another name", o.Noun, name, o.Kind)
	default:
		return false, nil
	}
}

// OwnRecord returns the Unconfirmed that says whether an unmarked resource is cr's own by the record on its name's
// lease — asked only about an unmarked resource, so it costs a read only then:
//   - cr created it: cr holds the lease, and its create on this name succeeded after the attempt the lease
//     recorded. A marker wiped by another tool (a PutBucketTagging that replaces the set) is then restored, and
//     deleting cr deletes the resource instead of silently orphaning it;
//   - where the kind marks after creating (MarksAfterCreate), cr's latest create attempt is unconfirmed and recent
//     (CreateUnconfirmed) and was made on this very name — the lease records an attempt at or after the latest
//     pending mark. An external name edited to point at someone's unmarked resource never qualifies.
func (o Ownership[T]) OwnRecord(ctx context.Context, cr T) Unconfirmed {
	if o.Leases == nil {
		return nil
	}
	return func() (bool, error) {
		s, err := o.Name(ctx, cr)
		if err != nil {
			return false, err
		}
		last, held, err := o.Leases.LastAttempt(ctx, s, cr)
		if err != nil || !held {
			return false, err
		}
		// The annotations have one-second precision; the attempt was recorded before the create's outcome.
		attempt := last.Truncate(time.Second)
		if ok := meta.GetExternalCreateSucceeded(cr); !ok.IsZero() && !ok.Before(attempt) {
			return true, nil
		}
		return o.MarksAfterCreate && CreateUnconfirmed(cr, time.Now()) && !attempt.Before(meta.GetExternalCreatePending(cr).Truncate(time.Second)), nil
	}
}

// Adopts reports whether cr may take an unmarked cloud resource.
func (o Ownership[T]) Adopts(cr T) bool { return o.Adoption.Adopt(o.Reach, cr) }

// Take takes the lease on cr's cloud name now: for a kind without a marker, whose adoption writes nothing that
// would take it (see Leases.Take). Nothing to take without leases.
func (o Ownership[T]) Take(ctx context.Context, cr T) error {
	if o.Leases == nil {
		return nil
	}
	s, err := o.Name(ctx, cr)
	if err != nil {
		return err
	}
	_, err = o.Leases.Take(ctx, s, cr, false)
	return err
}

// Holder returns who holds the lease on cr's cloud name ("namespace/name"), or "" when nobody does.
func (o Ownership[T]) Holder(ctx context.Context, cr T) (string, error) {
	if o.Leases == nil {
		return "", nil
	}
	s, err := o.Name(ctx, cr)
	if err != nil {
		return "", err
	}
	return o.Leases.Holder(ctx, s)
}

// A Verdict is Observe's judgement on whose cloud resource it found.
type Verdict int

const (
	// OwnedByCR means the marker names the managed resource.
	OwnedByCR Verdict = iota
	// Adoptable means untagged, and the managed resource may take it (explicit adoption, ObserveOnly, or its own
	// unconfirmed create).
	Adoptable
	// OwnedByOther means the ownership tags name another managed resource. Never modified or deleted.
	OwnedByOther
	// NotOurs means untagged and nothing says the managed resource may take it.
	NotOurs
)

// An Unconfirmed says whether an untagged cloud resource is the managed resource's own all the same: by the record
// on its name's lease (see OwnRecord). It is asked only about an untagged resource; nil means never.
type Unconfirmed func() (bool, error)

// Judge applies the ownership rule to a cloud resource carrying tags; adopt says the resource may take an unmarked
// one (Adoption.Adopt: it asks to adopt or only observes, and its config admits it).
func (m Marker) Judge(mg Managed, adopt bool, unconfirmed Unconfirmed, tags map[string]string) (Verdict, error) {
	o, tagged := m.OwnerOf(tags)
	switch {
	case tagged && o.Is(mg):
		return OwnedByCR, nil
	case tagged:
		return OwnedByOther, nil
	case adopt:
		return Adoptable, nil
	case unconfirmed == nil:
		return NotOurs, nil
	}
	ok, err := unconfirmed()
	if err != nil || !ok {
		return NotOurs, err
	}
	return Adoptable, nil
}

// CrashWindow bounds the crash-window rule: an unconfirmed create older than this no longer explains an untagged
// resource. A provider that was down longer asks for spec.adoptExisting instead.
const CrashWindow = 15 * time.Minute

// CreateUnconfirmed reports whether the latest create attempt was never confirmed, and is recent: the runtime wrote
// external-create-pending, then either nothing (the provider died during Create, between the create call and the
// tagging) or external-create-failed (Create returned an error, perhaps after the cloud made the resource and the
// response was lost). It says nothing of the name the attempt used: see OwnRecord.
//
// NOTE: the annotations have one-second precision; a success stamped in the same second as the pending mark
// counts as confirmed.
func CreateUnconfirmed(o metav1.Object, now time.Time) bool {
	p := meta.GetExternalCreatePending(o)
	if p.IsZero() || now.Sub(p) > CrashWindow {
		return false
	}
	return meta.GetExternalCreateSucceeded(o).Before(p)
}

// OnlyObserves reports whether the management policies forbid every write, as ObserveOnly does.
func OnlyObserves(p xpv2.ManagementPolicies) bool {
	if len(p) == 0 {
		return false
	}
	for _, a := range p {
		switch a {
		case xpv2.ManagementActionAll, xpv2.ManagementActionCreate, xpv2.ManagementActionUpdate, xpv2.ManagementActionDelete:
			return false
		}
	}
	return true
}
