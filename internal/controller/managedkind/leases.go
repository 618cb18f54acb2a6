// Leases make the decision "which managed resource owns this cloud name" atomic. Two managed resources in
// two namespaces may name the same cloud resource (same account, region, kind and name) and be applied in the
// same sync; cloud APIs cannot settle it — S3's CreateBucket answers success to its owner in us-east-1 and
// BucketAlreadyOwnedByYou elsewhere, before any ownership tag exists, and tag-then-read lets each read back its
// own tag before the other writes. The API server can: a lease is a Lease named after the cloud resource, and
// creating it fails with AlreadyExists for the loser.
//
// A lease is taken before the first write to the cloud resource (a create, or the tagging that adopts it) and
// released once the resource is deleted, or at once when the create that took it provably made nothing (the
// cloud refused it). It records, in its renew time, the latest create attempt on that name: the crash-window rule
// (an untagged resource the managed resource's own unconfirmed create made) holds only for that attempt.
//
// The leases a managed resource holds are also the record of which cloud names it created or adopted (Moved: its
// external name changed since), and each namespace may hold only so many (Leases's limit): every lease is a Lease
// a tenant's edits would otherwise pile up without bound.

package managedkind

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
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

// Labels and annotations of a lease, for people reading them with kubectl.
const (
	LabelClaim          = "stateful.dev/claim"
	AnnotationScope     = "stateful.dev/scope"
	AnnotationKind      = "stateful.dev/kind"
	AnnotationNamespace = "stateful.dev/namespace"
	AnnotationName      = "stateful.dev/name"
	AnnotationUID       = "stateful.dev/uid"
)

// A CloudName names one cloud resource: its kind, the account (and endpoint) it lives in, its location ("" for a
// name that is global, like an S3 bucket's), and its name.
type CloudName struct {
	Kind     schema.GroupVersionKind
	Account  string
	Location string
	Name     string
}

func (s CloudName) String() string {
	return strings.Join([]string{s.Kind.GroupKind().String(), s.Account, s.Location, s.Name}, "|")
}

// leaseName is a stable, valid object name for the scope.
func (s CloudName) leaseName() string {
	h := sha256.Sum256([]byte(s.String()))
	return "claim-" + hex.EncodeToString(h[:16])
}

// A LeaseHolder is the managed resource that holds a lease.
type LeaseHolder interface {
	GetNamespace() string
	GetName() string
	GetUID() types.UID
}

func identity(h LeaseHolder) string { return h.GetNamespace() + "/" + h.GetName() }

// A LeasedError says another managed resource holds the lease.
type LeasedError struct{ msg string }

func (e *LeasedError) Error() string { return e.msg }

// IsLeased reports whether err says another managed resource holds the lease.
func IsLeased(err error) bool {
	var c *LeasedError
	return errors.As(err, &c)
}

// A LimitError says the namespace holds as many leases as the provider allows one namespace.
type LimitError struct{ msg string }

func (e *LimitError) Error() string { return e.msg }

// IsLimited reports whether err says the namespace holds as many leases as it may.
func IsLimited(err error) bool {
	var l *LimitError
	return errors.As(err, &l)
}

// relist is how stale the index may be before a namespace at its limit is counted again from the API server: an
// administrator may have deleted leases by hand.
const relist = time.Minute

// A Leases keeps leases as Leases in one namespace (the provider's own).
type Leases struct {
	kube      client.Client // writes
	reader    client.Reader // reads straight from the API server: no Lease informer
	namespace string
	now       func() time.Time
	// limit is the most leases one namespace's managed resources may hold; 0 or less is no limit.
	limit int

	idx *index
}

// NewLeases returns a Leases of leases in namespace, at most limit of them held by one namespace's managed
// resources (0: no limit).
func NewLeases(kube client.Client, reader client.Reader, namespace string, limit int) *Leases {
	return &Leases{kube: kube, reader: reader, namespace: namespace, now: time.Now, limit: limit, idx: newIndex()}
}

// Take leases s for h and records a create attempt now (attempt true), or makes sure h holds it (attempt false,
// answered from memory once seen). It reports whether it created the lease: only then may a create the cloud
// refused release it (see Release). It fails with a LeasedError when another managed resource that still exists
// holds the lease; a lease whose holder is gone is taken over — the cloud resource's ownership tags, if it still
// exists, keep protecting it. A new lease, or one taken over from another namespace, fails with a LimitError when
// h's namespace holds the limit already.
func (st *Leases) Take(ctx context.Context, s CloudName, h LeaseHolder, attempt bool) (bool, error) {
	name := s.leaseName()
	if c, ok := st.idx.get(name); ok && c.holder == identity(h) && c.uid == h.GetUID() && !attempt {
		return false, nil
	}
	if err := st.idx.list(ctx, st.reader, st.namespace, time.Time{}, st.now()); err != nil {
		return false, err
	}
	now := metav1.NewMicroTime(st.now())
	if _, known := st.idx.get(name); !known {
		if err := st.reserve(ctx, h.GetNamespace()); err != nil {
			return false, err
		}
		l := &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Namespace: st.namespace, Name: name, Labels: map[string]string{LabelClaim: "true"}},
			Spec:       coordinationv1.LeaseSpec{AcquireTime: &now, RenewTime: &now},
		}
		stamp(l, s, h)
		err := st.kube.Create(ctx, l)
		if err == nil {
			st.remember(name, l)
		}
		st.idx.unreserve(h.GetNamespace())
		switch {
		case err == nil:
			return true, nil
		case !kerrors.IsAlreadyExists(err):
			return false, errors.Wrapf(err, "cannot claim %s %q", s.Kind.Kind, s.Name)
		}
	}
	cur := &coordinationv1.Lease{}
	if err := st.reader.Get(ctx, types.NamespacedName{Namespace: st.namespace, Name: name}, cur); err != nil {
		if kerrors.IsNotFound(err) {
			// Released since the index last saw it: forget it, the next attempt creates it.
			st.idx.drop(name)
		}
		return false, errors.Wrapf(err, "cannot read the claim on %s %q", s.Kind.Kind, s.Name)
	}
	holder := ptr.Deref(cur.Spec.HolderIdentity, "")
	if holder != identity(h) {
		gone, err := st.holderGone(ctx, s.Kind, holder)
		if err != nil {
			return false, err
		}
		if !gone {
			st.remember(name, cur)
			return false, &LeasedError{msg: s.Kind.Kind + " " + holder + " claims " + strings.ToLower(s.Kind.Kind) + " " +
				strconv.Quote(s.Name) + " in this account: refusing to manage it; choose another name"}
		}
		cur.Spec.AcquireTime, cur.Spec.RenewTime = &now, &now
	}
	if holder == identity(h) && !attempt && cur.Annotations[AnnotationUID] == string(h.GetUID()) {
		st.remember(name, cur)
		return false, nil
	}
	if attempt {
		// The renew time records the latest create attempt on this name (see LastAttempt).
		cur.Spec.RenewTime = &now
	}
	if namespaceOf(holder) != h.GetNamespace() {
		// Taken over from another namespace: one more lease for h's.
		if err := st.reserve(ctx, h.GetNamespace()); err != nil {
			return false, err
		}
		defer st.idx.unreserve(h.GetNamespace())
	}
	stamp(cur, s, h)
	// NOTE: the update carries the resourceVersion just read: of two resources taking over a stale lease at once,
	// one gets a conflict.
	if err := st.kube.Update(ctx, cur); err != nil {
		return false, errors.Wrapf(err, "cannot claim %s %q", s.Kind.Kind, s.Name)
	}
	st.remember(name, cur)
	return false, nil
}

// reserve makes room for one more lease of namespace ns, or fails with a LimitError. Before refusing, it counts
// again from the API server if the index is older than relist.
func (st *Leases) reserve(ctx context.Context, ns string) error {
	if st.idx.reserve(ns, st.limit) {
		return nil
	}
	if err := st.idx.list(ctx, st.reader, st.namespace, st.now().Add(-relist), st.now()); err != nil {
		return err
	}
	if st.idx.reserve(ns, st.limit) {
		return nil
	}
	return &LimitError{msg: "namespace " + ns + " holds " + strconv.Itoa(st.limit) + " claims on cloud names, " +
		"the most the provider allows one namespace (its --max-claims-per-namespace): " +
		"delete managed resources the namespace no longer needs (a resource deleted with an orphaning policy keeps its claim " +
		"until a platform administrator deletes its Lease), or ask the platform team to raise the limit"}
}

// remember records a lease as read or written.
func (st *Leases) remember(name string, l *coordinationv1.Lease) {
	st.idx.put(name, of(l))
}

// Moved returns the name of a cloud resource of s's kind that h created or adopted — h holds its lease — when h
// holds no lease on s's name: h's external name was changed after that. It returns "" when h holds the lease on
// s's name, or none of its kind. Answered from memory, but for a lease it finds elsewhere, which is read again
// before it is reported.
func (st *Leases) Moved(ctx context.Context, s CloudName, h LeaseHolder) (string, error) {
	if err := st.idx.list(ctx, st.reader, st.namespace, time.Time{}, st.now()); err != nil {
		return "", err
	}
	held := st.idx.heldBy(h.GetUID(), s.Kind.GroupKind().String())
	for _, c := range held {
		if c.name == s.Name {
			return "", nil
		}
	}
	for lease, c := range held {
		cur := &coordinationv1.Lease{}
		err := st.reader.Get(ctx, types.NamespacedName{Namespace: st.namespace, Name: lease}, cur)
		switch {
		case kerrors.IsNotFound(err):
			st.idx.drop(lease)
			continue
		case err != nil:
			return "", errors.Wrapf(err, "cannot read the claim on %s %q", s.Kind.Kind, c.name)
		}
		st.remember(lease, cur)
		if now := of(cur); now.uid == h.GetUID() && now.holder == identity(h) {
			return now.name, nil
		}
	}
	return "", nil
}

// LastAttempt returns when h last attempted to create s, and false when h does not hold the lease. A lease this
// process remembers h holding is answered without a read.
func (st *Leases) LastAttempt(ctx context.Context, s CloudName, h LeaseHolder) (time.Time, bool, error) {
	name := s.leaseName()
	if c, ok := st.idx.get(name); ok && c.holder == identity(h) && !c.attempt.IsZero() {
		return c.attempt, true, nil
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

// Holder returns who holds the lease on s ("namespace/name"), or "" when nobody does or the holder no longer
// exists: for kinds whose cloud resources carry no marker, the lease is what says whose a resource is.
func (st *Leases) Holder(ctx context.Context, s CloudName) (string, error) {
	cur := &coordinationv1.Lease{}
	err := st.reader.Get(ctx, types.NamespacedName{Namespace: st.namespace, Name: s.leaseName()}, cur)
	switch {
	case kerrors.IsNotFound(err):
		return "", nil
	case err != nil:
		return "", errors.Wrapf(err, "cannot read the claim on %s %q", s.Kind.Kind, s.Name)
	}
	st.remember(s.leaseName(), cur)
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

// Release drops h's lease on s: once the cloud resource is deleted, or when the create that leased it provably
// made nothing. A lease held by another is left alone.
func (st *Leases) Release(ctx context.Context, s CloudName, h LeaseHolder) error {
	name := s.leaseName()
	cur := &coordinationv1.Lease{}
	err := st.reader.Get(ctx, types.NamespacedName{Namespace: st.namespace, Name: name}, cur)
	switch {
	case kerrors.IsNotFound(err):
		st.idx.drop(name)
		return nil
	case err != nil:
		return errors.Wrapf(err, "cannot read the claim on %s %q", s.Kind.Kind, s.Name)
	case ptr.Deref(cur.Spec.HolderIdentity, "") != identity(h):
		st.remember(name, cur)
		return nil
	}
	err = st.kube.Delete(ctx, cur, client.Preconditions{UID: &cur.UID, ResourceVersion: &cur.ResourceVersion})
	switch {
	case err == nil, kerrors.IsNotFound(err):
		st.idx.drop(name)
	case kerrors.IsConflict(err):
		// Changed meanwhile (taken over): what it is now is read again when next asked.
		st.idx.drop(name)
	default:
		return errors.Wrapf(err, "cannot release the claim on %s %q", s.Kind.Kind, s.Name)
	}
	return nil
}

// holderGone reports whether the managed resource "namespace/name" of kind no longer exists.
func (st *Leases) holderGone(ctx context.Context, kind schema.GroupVersionKind, holder string) (bool, error) {
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

func stamp(l *coordinationv1.Lease, s CloudName, h LeaseHolder) {
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
