package kube

import (
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// NewClient is the provider's Kubernetes client (a controller-runtime manager's NewClient): controller-runtime's,
// with, from the inside out,
//   - SkipUnchanged: writes that would change nothing (an in-sync poll's status update) are not sent;
//   - ReadOwnWrites: a read that follows the provider's own write is never older than it, even before the watch
//     delivers it (it reads the API server directly until the cache has caught up);
//   - WithKstatus: every status write of a managed resource carries what kstatus (Flux, kpt) reads.
//
// The first two need the cache, which a client made for another purpose (no cache reader) does not have.
func NewClient(cfg *rest.Config, o client.Options) (client.Client, error) {
	c, err := client.New(cfg, o)
	if err != nil {
		return nil, err
	}
	if o.Cache != nil && o.Cache.Reader != nil {
		c = SkipUnchanged(c, o.Cache.Reader)
		live, err := client.New(cfg, client.Options{HTTPClient: o.HTTPClient, Scheme: o.Scheme, Mapper: o.Mapper})
		if err != nil {
			return nil, err
		}
		c = ReadOwnWrites(c, live)
	}
	return WithKstatus(c), nil
}
