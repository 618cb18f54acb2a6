package claim

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

// An index is what the Store knows of every claim: read once from the API server (one paginated list of the claims,
// no informer), then kept as the Store writes them. Only the provider writes its claims (Take and Release), so
// what it last read or wrote stays true until it writes again. It answers without a request which claims a
// managed resource holds (Moved: an external name changed after creation) and how many a namespace holds (the
// bound, Take).
type index struct {
	load sync.Mutex // one list at a time

	mu       sync.Mutex
	loadedAt time.Time // zero until the first list
	leases   map[string]claimed
	byUID    map[types.UID]map[string]bool // holder UID → lease names
	perNS    map[string]int                // holder namespace → claims
	reserved map[string]int                // holder namespace → claims being created
	// touched records the lease names written while a list is under way: what was written wins over what was listed.
	touched map[string]bool
}

// claimed is what the index knows of one claim.
type claimed struct {
	holder  string // namespace/name
	uid     types.UID
	kind    string // the scope's group kind
	name    string // the scope's (external) name
	attempt time.Time
}

func newIndex() *index {
	return &index{leases: map[string]claimed{}, byUID: map[types.UID]map[string]bool{}, perNS: map[string]int{}, reserved: map[string]int{}}
}

func namespaceOf(holder string) string {
	ns, _, _ := strings.Cut(holder, "/")
	return ns
}

// of reads a claim off its Lease. The name is the scope's last part: no cloud name of a kind here holds a '|'.
func of(l *coordinationv1.Lease) claimed {
	c := claimed{holder: ptr.Deref(l.Spec.HolderIdentity, ""), uid: types.UID(l.Annotations[AnnotationUID]), kind: l.Annotations[AnnotationKind]}
	if s := l.Annotations[AnnotationScope]; s != "" {
		c.name = s[strings.LastIndex(s, "|")+1:]
	}
	if l.Spec.RenewTime != nil {
		c.attempt = l.Spec.RenewTime.Time
	}
	return c
}

func (ix *index) get(lease string) (claimed, bool) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	c, ok := ix.leases[lease]
	return c, ok
}

func (ix *index) put(lease string, c claimed) {
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

func (ix *index) link(lease string, c claimed) {
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
	if ix.perNS[namespaceOf(old.holder)]--; ix.perNS[namespaceOf(old.holder)] <= 0 {
		delete(ix.perNS, namespaceOf(old.holder))
	}
}

// heldBy returns, by lease name, the claims of kind whose holder has uid.
func (ix *index) heldBy(uid types.UID, kind string) map[string]claimed {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	out := map[string]claimed{}
	for lease := range ix.byUID[uid] {
		if c := ix.leases[lease]; c.kind == kind {
			out[lease] = c
		}
	}
	return out
}

// reserve makes room for one more claim of namespace ns, and reports false when it holds (or is creating) limit
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
	if ix.reserved[ns]--; ix.reserved[ns] <= 0 {
		delete(ix.reserved, ns)
	}
}

// loaded returns when the claims were last listed (zero: never).
func (ix *index) loaded() time.Time {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.loadedAt
}

// list reads every claim in namespace from the API server, unless they were listed after since, and replaces
// what the index knows with it — but for the claims written while the list was under way.
func (ix *index) list(ctx context.Context, reader client.Reader, namespace string, since time.Time, now time.Time) error {
	ix.load.Lock()
	defer ix.load.Unlock()
	if at := ix.loaded(); !at.IsZero() && at.After(since) {
		return nil // another caller listed them meanwhile
	}
	ix.mu.Lock()
	ix.touched = map[string]bool{}
	ix.mu.Unlock()
	listed := map[string]claimed{}
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
	ix.leases, ix.byUID, ix.perNS, ix.touched = map[string]claimed{}, map[types.UID]map[string]bool{}, map[string]int{}, nil
	for lease, c := range listed {
		ix.link(lease, c)
	}
	ix.loadedAt = now
	return nil
}
