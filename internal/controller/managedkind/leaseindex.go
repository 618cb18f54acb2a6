package managedkind

import (
	"context"
	"strings"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// An index is what the Leases knows of every lease: read once from the API server (one paginated list of the leases,
// no informer), then kept as the Leases writes them. Only the provider writes its leases (Take and Release), so
// what it last read or wrote stays true until it writes again. It answers without a request which leases a
// managed resource holds (Moved: an external name changed after creation) and how many a namespace holds (the
// bound, Take).
type index struct {
	load sync.Mutex // one list at a time

	mu       sync.Mutex
	loadedAt time.Time // zero until the first list
	leases   map[string]held
	byUID    map[types.UID]map[string]bool // holder UID → lease names
	perNS    map[string]int                // holder namespace → leases
	reserved map[string]int                // holder namespace → leases being created
	// touched records the lease names written while a list is under way: what was written wins over what was listed.
	touched map[string]bool
}

// leased is what the index knows of one lease.
type held struct {
	holder  string // namespace/name
	uid     types.UID
	kind    string // the scope's group kind
	name    string // the scope's (external) name
	attempt time.Time
}

func newIndex() *index {
	return &index{leases: map[string]held{}, byUID: map[types.UID]map[string]bool{}, perNS: map[string]int{}, reserved: map[string]int{}}
}

func namespaceOf(holder string) string {
	ns, _, _ := strings.Cut(holder, "/")
	return ns
}

// of reads a lease off its Lease. The name is the scope's last part: no cloud name of a kind here holds a '|'.
func of(l *coordinationv1.Lease) held {
	c := held{holder: ptr.Deref(l.Spec.HolderIdentity, ""), uid: types.UID(l.Annotations[AnnotationUID]), kind: l.Annotations[AnnotationKind]}
	if s := l.Annotations[AnnotationScope]; s != "" {
		c.name = s[strings.LastIndex(s, "|")+1:]
	}
	if l.Spec.RenewTime != nil {
		c.attempt = l.Spec.RenewTime.Time
	}
	return c
}

func (ix *index) get(lease string) (held, bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	c, ok := ix.leases[lease]
	return c, ok
}

func (ix *index) put(lease string, c held) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.unlink(lease)
	ix.link(lease, c)
	if ix.touched != nil {
		ix.touched[lease] = true
	}
}

func (ix *index) drop(lease string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.unlink(lease)
	if ix.touched != nil {
		ix.touched[lease] = true
	}
}

func (ix *index) link(lease string, c held) {
	ix.leases[lease] = c
	if ix.byUID[c.uid] == nil {
		ix.byUID[c.uid] = map[string]bool{}
	}
	ix.byUID[c.uid][lease] = true
	ix.perNS[namespaceOf(c.holder)]++
}

func (ix *index) unlink(lease string) {
	old, ok := ix.leases[lease]
	if !ok {
		return
	}
	delete(ix.leases, lease)
	delete(ix.byUID[old.uid], lease)
	if len(ix.byUID[old.uid]) == 0 {
		delete(ix.byUID, old.uid)
	}
	ns := namespaceOf(old.holder)
	ix.perNS[ns]--
	if ix.perNS[ns] <= 0 {
		delete(ix.perNS, ns)
	}
}

// heldBy returns, by lease name, the leases of kind whose holder has uid.
func (ix *index) heldBy(uid types.UID, kind string) map[string]held {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	out := map[string]held{}
	for lease := range ix.byUID[uid] {
		if c := ix.leases[lease]; c.kind == kind {
			out[lease] = c
		}
	}
	return out
}

// reserve makes room for one more lease of namespace ns, and reports false when it holds (or is creating) limit
// already. Unlimited when limit is 0 or less.
func (ix *index) reserve(ns string, limit int) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if limit > 0 && ix.perNS[ns]+ix.reserved[ns] >= limit {
		return false
	}
	ix.reserved[ns]++
	return true
}

func (ix *index) unreserve(ns string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.reserved[ns]--
	if ix.reserved[ns] <= 0 {
		delete(ix.reserved, ns)
	}
}

// loaded returns when the leases were last listed (zero: never).
func (ix *index) loaded() time.Time {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.loadedAt
}

// list reads every lease in namespace from the API server, unless they were listed after since, and replaces
// what the index knows with it — but for the leases written while the list was under way.
func (ix *index) list(ctx context.Context, reader client.Reader, namespace string, since, now time.Time) error {
	ix.load.Lock()
	defer ix.load.Unlock()
	if at := ix.loaded(); !at.IsZero() && at.After(since) {
		return nil // another caller listed them meanwhile
	}
	ix.mu.Lock()
	ix.touched = map[string]bool{}
	ix.mu.Unlock()
	listed := map[string]held{}
	l := &coordinationv1.LeaseList{}
	for {
		opts := []client.ListOption{client.InNamespace(namespace), client.MatchingLabels{LabelClaim: "true"}, client.Limit(500), client.Continue(l.Continue)}
		if err := reader.List(ctx, l, opts...); err != nil {
			ix.mu.Lock()
			ix.touched = nil
			ix.mu.Unlock()
			return errors.Wrap(err, "cannot list the claims on cloud names")
		}
		for i := range l.Items {
			listed[l.Items[i].Name] = of(&l.Items[i])
		}
		if l.Continue == "" {
			break
		}
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for lease := range ix.touched {
		if c, ok := ix.leases[lease]; ok {
			listed[lease] = c
		} else {
			delete(listed, lease)
		}
	}
	ix.leases, ix.byUID, ix.perNS, ix.touched = map[string]held{}, map[types.UID]map[string]bool{}, map[string]int{}, nil
	for lease, c := range listed {
		ix.link(lease, c)
	}
	ix.loadedAt = now
	return nil
}
