package bucket

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
)

// Ownership tags name the Bucket that made (or adopted) an S3 bucket. The default external name is metadata.name
// without the namespace, so team-a/data and team-b/data would otherwise both claim the bucket "data".
const (
	TagNamespace = "stateful.dev/namespace"
	TagName      = "stateful.dev/name"
	TagUID       = "stateful.dev/uid"
)

// An owner is the Bucket an S3 bucket's ownership tags name.
type owner struct {
	Namespace, Name, UID string
}

// ownerOf returns the owner recorded in tags, and false when the bucket carries no ownership tags.
func ownerOf(tags map[string]string) (owner, bool) {
	o := owner{Namespace: tags[TagNamespace], Name: tags[TagName], UID: tags[TagUID]}
	return o, o.Name != ""
}

// ownershipTags returns the tags that mark a bucket as cr's.
func ownershipTags(cr *v1alpha1.Bucket) map[string]string {
	return map[string]string{TagNamespace: cr.GetNamespace(), TagName: cr.GetName(), TagUID: string(cr.GetUID())}
}

// is reports whether the owner is cr. The UID is not compared: a Bucket deleted with an orphaning management
// policy and created again from Git under the same namespace and name is the same resource to its users, and
// takes its bucket back (its UID tag is then updated). Another namespace or name never matches.
func (o owner) is(cr *v1alpha1.Bucket) bool {
	return o.Namespace == cr.GetNamespace() && o.Name == cr.GetName()
}

// ownership is Observe's verdict on whose bucket it found.
type ownership int

const (
	// ownedByCR: the ownership tags name cr.
	ownedByCR ownership = iota
	// adoptable: untagged, and cr may take it (explicit adoption, ObserveOnly, or cr's own unconfirmed create).
	adoptable
	// ownedByOther: the ownership tags name another Bucket. Never modified or deleted.
	ownedByOther
	// notOurs: untagged and nothing says cr may take it.
	notOurs
)

// judge applies the ownership rule to a bucket carrying tags.
func judge(cr *v1alpha1.Bucket, tags map[string]string) ownership {
	o, tagged := ownerOf(tags)
	switch {
	case tagged && o.is(cr):
		return ownedByCR
	case tagged:
		return ownedByOther
	case cr.Spec.AdoptExisting || onlyObserves(cr.GetManagementPolicies()) || createUnconfirmed(cr):
		return adoptable
	default:
		return notOurs
	}
}

// createUnconfirmed reports whether cr's latest create attempt was never confirmed: the runtime wrote
// external-create-pending, then either nothing (the provider died during Create, between CreateBucket and
// PutBucketTagging) or external-create-failed (Create returned an error, perhaps after S3 made the bucket and the
// response was lost). An untagged bucket of cr's name is then the one cr made.
//
// NOTE: the annotations have one-second precision; a success stamped in the same second as the pending mark
// counts as confirmed.
func createUnconfirmed(o metav1.Object) bool {
	p := meta.GetExternalCreatePending(o)
	if p.IsZero() {
		return false
	}
	return meta.GetExternalCreateSucceeded(o).Before(p)
}

// onlyObserves reports whether the management policies forbid every write, as ObserveOnly does.
func onlyObserves(p xpv2.ManagementPolicies) bool {
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
