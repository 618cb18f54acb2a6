package managedkind

import (
	"sync"

	"k8s.io/apimachinery/pkg/types"
)

// WrittenTags remembers the tag set a create has just written, for the one observation that confirms that create.
// Reading the tags back at once costs a call per resource on the way to Ready, and on an API whose configuration
// reads are eventually consistent (S3 bucket tagging) it may answer with what was there before the write — which
// would look like drift, or like someone else's resource. Every later observation reads the cloud.
//
// Only a write whose result is known exactly may be remembered: a tag set that replaced the whole set, not tags
// a create may have ignored (SQS's CreateQueue answers an existing queue's URL without tagging it).
type WrittenTags struct {
	mu sync.Mutex
	m  map[types.UID]map[string]string
}

// Put remembers tags as what the create of the resource uid wrote. A nil WrittenTags remembers nothing.
func (w *WrittenTags) Put(uid types.UID, tags map[string]string) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.m == nil {
		w.m = map[types.UID]map[string]string{}
	}
	w.m[uid] = tags
}

// Take returns, once, what the create of the resource uid wrote.
func (w *WrittenTags) Take(uid types.UID) (map[string]string, bool) {
	if w == nil {
		return nil, false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	t, ok := w.m[uid]
	delete(w.m, uid)
	return t, ok
}
