// Package claim makes the decision "which managed resource owns this cloud name" atomic. Two managed resources in
// two namespaces may name the same cloud resource (same account, region, kind and name) and be applied in the
// same sync; cloud APIs cannot settle it — S3's CreateBucket answers success to its owner in us-east-1 and
// BucketAlreadyOwnedByYou elsewhere, before any ownership tag exists, and tag-then-read lets each read back its
// own tag before the other writes. The API server can: a claim is a Lease named after the cloud resource, and
// creating it fails with AlreadyExists for the loser.
//
// A claim is taken before the first write to the cloud resource (a create, or the tagging that adopts it) and
// released once the resource is deleted. It records, in its renew time, the latest create attempt on that name:
// the crash-window rule (an untagged resource the managed resource's own unconfirmed create made) holds only for
// that attempt.
package claim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Labels and annotations of a claim, for people reading them with kubectl.
const (
	LabelClaim          = "stateful.dev/claim"
	AnnotationScope     = "stateful.dev/scope"
	AnnotationKind      = "stateful.dev/kind"
	AnnotationNamespace = "stateful.dev/namespace"
	AnnotationName      = "stateful.dev/name"
	AnnotationUID       = "stateful.dev/uid"
)

// A Scope names one cloud resource: its kind, the account (and endpoint) it lives in, its location ("" for a
// name that is global, like an S3 bucket's), and its name.
type Scope struct {
	Kind     schema.GroupVersionKind
	Account  string
	Location string
	Name     string
}

func (s Scope) String() string {
	return strings.Join([]string{s.Kind.GroupKind().String(), s.Account, s.Location, s.Name}, "|")
}

// leaseName is a stable, valid object name for the scope.
func (s Scope) leaseName() string {
	h := sha256.Sum256([]byte(s.String()))
	return "claim-" + hex.EncodeToString(h[:16])
}

// A Holder is the managed resource that holds a claim.
type Holder interface {
	GetNamespace() string
	GetName() string
	GetUID() types.UID
}

func identity(h Holder) string { return h.GetNamespace() + "/" + h.GetName() }

// A ClaimedError says another managed resource holds the claim.
type ClaimedError struct{ msg string }

func (e *ClaimedError) Error() string { return e.msg }

// IsClaimed reports whether err says another managed resource holds the claim.
func IsClaimed(err error) bool {
	var c *ClaimedError
	return errors.As(err, &c)
}

// A Store keeps claims as Leases in one namespace (the provider's own).
type Store struct {
	kube      client.Client // writes
	reader    client.Reader // reads straight from the API server: no Lease informer
	namespace string
	now       func() time.Time

	// held remembers, by lease name, the claims this process has seen held or has written: who holds each and its
	// latest recorded create attempt. Only the provider writes its claims (Take and Release, here), so what it
	// last wrote or read stays true until it writes again; it answers LastAttempt without a read, which kinds
	// whose ownership is the claim alone (Bigtable tables, no labels) ask on every poll.
	held sync.Map // lease name → claimed
}

// claimed is what held remembers of one claim.
type claimed struct {
	holder  string
	attempt time.Time
}

// NewStore returns a Store of claims in namespace.
func NewStore(kube client.Client, reader client.Reader, namespace string) *Store {
	return &Store{kube: kube, reader: reader, namespace: namespace, now: time.Now}
}

// Take claims s for h and records a create attempt now (attempt true), or makes sure h holds it (attempt false,
// answered from memory once seen). It fails with a ClaimedError when another managed resource that still exists
// holds the claim; a claim whose holder is gone is taken over — the cloud resource's ownership tags, if it still
// exists, keep protecting it.
func (st *Store) Take(ctx context.Context, s Scope, h Holder, attempt bool) error {
	name := s.leaseName()
	if v, ok := st.held.Load(name); ok && v.(claimed).holder == identity(h) && !attempt {
		return nil
	}
	now := metav1.NewMicroTime(st.now())
	l := &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Namespace: st.namespace, Name: name, Labels: map[string]string{LabelClaim: "true"}},
		Spec:       coordinationv1.LeaseSpec{AcquireTime: &now, RenewTime: &now},
	}
	stamp(l, s, h)
	err := st.kube.Create(ctx, l)
	switch {
	case err == nil:
		st.held.Store(name, claimed{holder: identity(h), attempt: now.Time})
		return nil
	case !kerrors.IsAlreadyExists(err):
		return errors.Wrapf(err, "cannot claim %s %q", s.Kind.Kind, s.Name)
	}
	cur := &coordinationv1.Lease{}
	if err := st.reader.Get(ctx, types.NamespacedName{Namespace: st.namespace, Name: name}, cur); err != nil {
		return errors.Wrapf(err, "cannot read the claim on %s %q", s.Kind.Kind, s.Name)
	}
	holder := ptr.Deref(cur.Spec.HolderIdentity, "")
	if holder != identity(h) {
		gone, err := st.holderGone(ctx, s.Kind, holder)
		if err != nil {
			return err
		}
		if !gone {
			return &ClaimedError{msg: s.Kind.Kind + " " + holder + " claims " + strings.ToLower(s.Kind.Kind) + " " + strconv.Quote(s.Name) + " in this account: refusing to manage it; choose another name"}
		}
		cur.Spec.AcquireTime, cur.Spec.RenewTime = &now, &now
	}
	if holder == identity(h) && !attempt && cur.Annotations[AnnotationUID] == string(h.GetUID()) {
		st.remember(name, cur)
		return nil
	}
	if attempt {
		// The renew time records the latest create attempt on this name (see LastAttempt).
		cur.Spec.RenewTime = &now
	}
	stamp(cur, s, h)
	// NOTE: the update carries the resourceVersion just read: of two resources taking over a stale claim at once,
	// one gets a conflict.
	if err := st.kube.Update(ctx, cur); err != nil {
		return errors.Wrapf(err, "cannot claim %s %q", s.Kind.Kind, s.Name)
	}
	st.remember(name, cur)
	return nil
}

// remember records a claim as read or written.
func (st *Store) remember(name string, l *coordinationv1.Lease) {
	c := claimed{holder: ptr.Deref(l.Spec.HolderIdentity, "")}
	if l.Spec.RenewTime != nil {
		c.attempt = l.Spec.RenewTime.Time
	}
	st.held.Store(name, c)
}

// LastAttempt returns when h last attempted to create s, and false when h does not hold the claim. A claim this
// process remembers h holding is answered without a read.
func (st *Store) LastAttempt(ctx context.Context, s Scope, h Holder) (time.Time, bool, error) {
	name := s.leaseName()
	if v, ok := st.held.Load(name); ok && v.(claimed).holder == identity(h) && !v.(claimed).attempt.IsZero() {
		return v.(claimed).attempt, true, nil
	}
	cur := &coordinationv1.Lease{}
	err := st.reader.Get(ctx, types.NamespacedName{Namespace: st.namespace, Name: name}, cur)
	switch {
	case kerrors.IsNotFound(err):
		return time.Time{}, false, nil
	case err != nil:
		return time.Time{}, false, errors.Wrapf(err, "cannot read the claim on %s %q", s.Kind.Kind, s.Name)
	}
	if ptr.Deref(cur.Spec.HolderIdentity, "") != identity(h) || cur.Spec.RenewTime == nil {
		return time.Time{}, false, nil
	}
	st.remember(name, cur)
	return cur.Spec.RenewTime.Time, true, nil
}

// Holder returns who holds the claim on s ("namespace/name"), or "" when nobody does or the holder no longer
// exists: for kinds whose cloud resources carry no marker, the claim is what says whose a resource is.
func (st *Store) Holder(ctx context.Context, s Scope) (string, error) {
	cur := &coordinationv1.Lease{}
	err := st.reader.Get(ctx, types.NamespacedName{Namespace: st.namespace, Name: s.leaseName()}, cur)
	switch {
	case kerrors.IsNotFound(err):
		return "", nil
	case err != nil:
		return "", errors.Wrapf(err, "cannot read the claim on %s %q", s.Kind.Kind, s.Name)
	}
	holder := ptr.Deref(cur.Spec.HolderIdentity, "")
	if holder == "" {
		return "", nil
	}
	gone, err := st.holderGone(ctx, s.Kind, holder)
	if err != nil || gone {
		return "", err
	}
	return holder, nil
}

// Release drops h's claim on s, once the cloud resource is deleted. A claim held by another is left alone.
func (st *Store) Release(ctx context.Context, s Scope, h Holder) error {
	name := s.leaseName()
	st.held.Delete(name)
	cur := &coordinationv1.Lease{}
	err := st.reader.Get(ctx, types.NamespacedName{Namespace: st.namespace, Name: name}, cur)
	switch {
	case kerrors.IsNotFound(err):
		return nil
	case err != nil:
		return errors.Wrapf(err, "cannot read the claim on %s %q", s.Kind.Kind, s.Name)
	case ptr.Deref(cur.Spec.HolderIdentity, "") != identity(h):
		return nil
	}
	err = st.kube.Delete(ctx, cur, client.Preconditions{UID: &cur.UID, ResourceVersion: &cur.ResourceVersion})
	if err != nil && !kerrors.IsNotFound(err) && !kerrors.IsConflict(err) {
		return errors.Wrapf(err, "cannot release the claim on %s %q", s.Kind.Kind, s.Name)
	}
	return nil
}

// holderGone reports whether the managed resource "namespace/name" of kind no longer exists.
func (st *Store) holderGone(ctx context.Context, kind schema.GroupVersionKind, holder string) (bool, error) {
	ns, name, ok := strings.Cut(holder, "/")
	if !ok {
		return true, nil
	}
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(kind)
	err := st.reader.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, m)
	switch {
	case kerrors.IsNotFound(err):
		return true, nil
	case err != nil:
		return false, errors.Wrapf(err, "cannot check whether %s %s still exists", kind.Kind, holder)
	}
	return false, nil
}

func stamp(l *coordinationv1.Lease, s Scope, h Holder) {
	id := identity(h)
	l.Spec.HolderIdentity = &id
	if l.Annotations == nil {
		l.Annotations = map[string]string{}
	}
	l.Annotations[AnnotationScope] = s.String()
	l.Annotations[AnnotationKind] = s.Kind.GroupKind().String()
	l.Annotations[AnnotationNamespace] = h.GetNamespace()
	l.Annotations[AnnotationName] = h.GetName()
	l.Annotations[AnnotationUID] = string(h.GetUID())
}
