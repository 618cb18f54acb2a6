package credentials

import (
	"sync"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// A clientCache holds the service clients built from one account, one per key ("s3/eu-west-1", "pubsub/topics"),
// and closes those that hold connections when the account is dropped. The accounts of both clouds embed one, so
// the SDK client packages need to know nothing of accounts: they are handed what they connect with.
type clientCache struct {
	mu      sync.Mutex
	clients map[string]any
	closed  bool
}

// An Account is an account with a client cache: an AWSAccount or a GCPAccount.
type Account interface {
	cache() *clientCache
}

func (a *AWSAccount) cache() *clientCache { return &a.clients }
func (a *GCPAccount) cache() *clientCache { return &a.clients }

// Cached returns the client cached under key in acct, building it on first use. Building holds the cache's lock,
// so a client that opens connections is built once; no builder waits on the network (gRPC connects lazily, the
// HTTP clients on their first request).
func Cached[T any](acct Account, key string, build func() (T, error)) (T, error) {
	c := acct.cache()
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.clients[key]; ok {
		return v.(T), nil //nolint:forcetypeassert // Only Cached stores under a key, always with the same T.
	}
	var none T
	if c.closed {
		return none, errors.New("the ProviderConfig's settings changed: retrying with the new ones")
	}
	v, err := build()
	if err != nil {
		return none, err
	}
	if c.clients == nil {
		c.clients = map[string]any{}
	}
	c.clients[key] = v
	return v, nil
}

// closeAll closes every client built so far that has a Close method; the cache builds nothing after it.
func (c *clientCache) closeAll() error {
	c.mu.Lock()
	clients := c.clients
	c.clients, c.closed = nil, true
	c.mu.Unlock()
	var errs []error
	for _, v := range clients {
		if cl, ok := v.(interface{ Close() error }); ok {
			if err := cl.Close(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
