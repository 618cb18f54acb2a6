// The marker: the tags (or labels) that name the managed resource that made or adopted a cloud resource, as each
// cloud spells them. The rule that reads it is in ownership.go.

package managedkind

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A Marker is how one cloud spells the ownership marker: tags or labels that name the managed resource that made
// (or adopted) a cloud resource. The default external name is metadata.name without the namespace, so team-a/data
// and team-b/data would otherwise both lease "data".
type Marker struct {
	// NamespaceKey, NameKey and UIDKey are the keys of the managed resource's parts.
	NamespaceKey, NameKey, UIDKey string
	// InstallationKey is the key of the provider installation's part (see Installation).
	InstallationKey string
	// value spells a part as the cloud allows it; nil keeps it as it is.
	value func(string) string
}

// AWSTags marks with tags, whose keys and values allow every character a Kubernetes name has.
var AWSTags = Marker{
	NamespaceKey:    "stateful.dev/namespace",
	NameKey:         "stateful.dev/name",
	UIDKey:          "stateful.dev/uid",
	InstallationKey: "stateful.dev/installation",
}

// GCPLabels marks with labels: keys and values only of lowercase letters, digits, '_' and '-', at most 63 characters.
// A name's dots become underscores (Kubernetes names have no underscore, so two names never spell alike), and a
// longer value keeps its first 50 characters and a hash of the whole.
var GCPLabels = Marker{
	NamespaceKey:    "stateful-dev_namespace",
	NameKey:         "stateful-dev_name",
	UIDKey:          "stateful-dev_uid",
	InstallationKey: "stateful-dev_installation",
	value:           gcpLabelValue,
}

// gcpLabelMax is the longest GCPLabels label value.
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
		s += " of provider installation " + o.Installation + " (this one is " + CurrentInstallation().ID +
			"; to take its resources over, stop it and start this provider with --handover-from=" + o.Installation + ")"
	}
	return s
}
