// Package mr holds what every managed kind shares, whatever its cloud: the ownership rule that keeps two managed
// resources from claiming one cloud resource (with a per-cloud spelling of its marker), tag and label set logic
// with defaults and ignored prefixes, the events an update records, the claim on a cloud name around creates and
// updates, and the admission of a resource by its ProviderConfig.
package mr

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A Marker is how one cloud spells the ownership marker: tags or labels that name the managed resource that made
// (or adopted) a cloud resource. The default external name is metadata.name without the namespace, so team-a/data
// and team-b/data would otherwise both claim "data".
type Marker struct {
	// NamespaceKey, NameKey and UIDKey are the keys of the managed resource's parts.
	NamespaceKey, NameKey, UIDKey string
	// InstallationKey is the key of the provider installation's part (see Installation).
	InstallationKey string
	// value spells a part as the cloud allows it; nil keeps it as it is.
	value func(string) string
}

// AWS marks with tags, whose keys and values allow every character a Kubernetes name has.
var AWS = Marker{NamespaceKey: "stateful.dev/namespace", NameKey: "stateful.dev/name", UIDKey: "stateful.dev/uid", InstallationKey: "stateful.dev/installation"}

// GCP marks with labels: keys and values only of lowercase letters, digits, '_' and '-', at most 63 characters.
// A name's dots become underscores (Kubernetes names have no underscore, so two names never spell alike), and a
// longer value keeps its first 50 characters and a hash of the whole.
var GCP = Marker{NamespaceKey: "stateful-dev_namespace", NameKey: "stateful-dev_name", UIDKey: "stateful-dev_uid", InstallationKey: "stateful-dev_installation", value: gcpLabelValue}

// gcpLabelMax is the longest GCP label value.
const gcpLabelMax = 63

func gcpLabelValue(v string) string {
	v = strings.ReplaceAll(strings.ToLower(v), ".", "_")
	if len(v) <= gcpLabelMax {
		return v
	}
	h := sha256.Sum256([]byte(v))
	return v[:50] + "-" + hex.EncodeToString(h[:])[:12]
}

func (m Marker) spell(v string) string {
	if m.value == nil {
		return v
	}
	return m.value(v)
}

// A Managed is what the ownership rule needs of a managed resource.
type Managed interface {
	metav1.Object
	GetManagementPolicies() xpv2.ManagementPolicies
}

// An Owner is the managed resource a cloud resource's marker names, as the cloud spells it.
type Owner struct {
	Namespace, Name, UID string
	// Installation is the provider installation that marked it; empty in a marker older than installations.
	Installation string
	marker       Marker
}

// OwnerOf returns the owner recorded in tags, and false when they carry no marker.
func (m Marker) OwnerOf(tags map[string]string) (Owner, bool) {
	o := Owner{Namespace: tags[m.NamespaceKey], Name: tags[m.NameKey], UID: tags[m.UIDKey], Installation: tags[m.InstallationKey], marker: m}
	return o, o.Name != ""
}

// InNamespace reports whether tags mark a cloud resource as made (or adopted) by a managed resource of namespace
// ns of this installation: what a resource may name through a shared identity.
func (m Marker) InNamespace(tags map[string]string, ns string) bool {
	o, tagged := m.OwnerOf(tags)
	return tagged && o.Namespace == m.spell(ns) && o.ours()
}

// Tags returns the tags (or labels) that mark a cloud resource as mg's, made by this installation.
func (m Marker) Tags(mg metav1.Object) map[string]string {
	return map[string]string{m.NamespaceKey: m.spell(mg.GetNamespace()), m.NameKey: m.spell(mg.GetName()), m.UIDKey: m.spell(string(mg.GetUID())),
		m.InstallationKey: m.spell(CurrentInstallation().ID)}
}

// Is reports whether the owner is mg, of this installation (see Installation.ours). The UID is not compared: a
// managed resource deleted with an orphaning management policy and created again from Git under the same
// namespace and name is the same resource to its users, and takes its cloud resource back (its UID mark is then
// updated). Another namespace, name or live installation never matches.
func (o Owner) Is(mg metav1.Object) bool {
	return o.Namespace == o.marker.spell(mg.GetNamespace()) && o.Name == o.marker.spell(mg.GetName()) && o.ours()
}

func (o Owner) ours() bool {
	return CurrentInstallation().ours(o.Installation)
}

// describe names the owner for a refusal: "Bucket team-a/data", and its installation when it is another's.
func (o Owner) describe(kind string) string {
	s := kind + " " + o.Namespace + "/" + o.Name
	if !o.ours() {
		s += " of provider installation " + o.Installation + " (this one is " + CurrentInstallation().ID + "; to take its resources over, stop it and start this provider with --handover-from=" + o.Installation + ")"
	}
	return s
}

// Ownership is Observe's verdict on whose cloud resource it found.
type Ownership int

const (
	// OwnedByCR: the marker names the managed resource.
	OwnedByCR Ownership = iota
	// Adoptable: untagged, and the managed resource may take it (explicit adoption, ObserveOnly, or its own
	// unconfirmed create).
	Adoptable
	// OwnedByOther: the ownership tags name another managed resource. Never modified or deleted.
	OwnedByOther
	// NotOurs: untagged and nothing says the managed resource may take it.
	NotOurs
)

// An Unconfirmed says whether an untagged cloud resource is the managed resource's own all the same: by the record
// on its name's claim (see OwnRecord). It is asked only about an untagged resource; nil means never.
type Unconfirmed func() (bool, error)

// Judge applies the ownership rule to a cloud resource carrying tags; adopt says the resource may take an unmarked
// one (Adoption.Adopt: it asks to adopt or only observes, and its config admits it).
func (m Marker) Judge(mg Managed, adopt bool, unconfirmed Unconfirmed, tags map[string]string) (Ownership, error) {
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

// Claim applies the ownership rule in Observe, for a cloud resource of the given kind (for messages: "bucket",
// "Bucket") and name carrying tags. It returns absent when the managed resource must report the cloud resource as
// not existing — it is being deleted, and what it found is not its own, so it lets go without touching it — and an
// error when the resource is another's, or untagged with nothing allowing adoption.
func (m Marker) Claim(mg Managed, adopt bool, unconfirmed Unconfirmed, tags map[string]string, noun, kind, name string) (absent bool, err error) {
	verdict, err := m.Judge(mg, adopt, unconfirmed, tags)
	if err != nil {
		return false, err
	}
	switch verdict {
	case OwnedByOther:
		if meta.WasDeleted(mg) {
			return true, nil
		}
		o, _ := m.OwnerOf(tags)
		return false, errors.Errorf("%s %q belongs to %s: refusing to manage it", noun, name, o.describe(kind))
	case NotOurs:
		if meta.WasDeleted(mg) {
			return true, nil
		}
		return false, errors.Errorf("%s %q already exists and was not created by this %s: set spec.adoptExisting to take it over (through a ClusterProviderConfig, where its allowedAdoptions admit it), or choose another name", noun, name, kind)
	default:
		return false, nil
	}
}
