package managedkind

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// A RefreshEnv is what Refresh reads with. Neither may write: plan --refresh builds Creds with
// credentials.Resolver.WithReadOnlyClients (the cloud clients refuse every call that is not a read) and Kube with
// kube.ReadOnly (the Kubernetes client refuses every write).
type RefreshEnv struct {
	Creds *credentials.Resolver
	Kube  client.Client
}

// Refreshed is what one Observe of the cloud found now.
type Refreshed struct {
	// Exists says the cloud resource exists (and is the resource's: the ownership rule was applied).
	Exists bool
	// Diff names the fields the cloud differs in from the spec, as the kind's Observe names them
	// ("visibilityTimeout", "tags[team,env]"); empty when the cloud has the spec.
	Diff []string
	// AtProvider is status.atProvider as Observe filled it: the cloud's values now.
	AtProvider map[string]any
}

// Refresh observes the cloud resource of obj (a resource of the kind, as unstructured content) now, with the
// kind's own Observe — the code the reconciler runs, so that a plan and the provider cannot disagree on what
// differs — through the account obj's ProviderConfig resolves to. It runs the connector's checks that only read
// (the config serves the namespace; what it adopts and names is allowed) and none of its writes: no usage is
// tracked, no lease is read or taken, no event is recorded; obj itself is never changed.
//
// The chain around the kind (chain.go) is left out on purpose: its steps answer a reconcile (a recorded rejection,
// a held drift, the create finalizer), not the question what the cloud holds.
//
// NOTE: without leases, a kind whose cloud resource carries no marker (a Bigtable table) is the resource's only
// when it adopts it (spec.adoptExisting): otherwise Observe reports that nothing shows it is.
func (k Kind[T, Acct, API]) Refresh(ctx context.Context, env RefreshEnv, obj map[string]any) (Refreshed, error) {
	cr := k.Object.DeepCopyObject().(T) //nolint:forcetypeassert // T is a managed kind.
	// JSON, not the unstructured converter: a value read from YAML or made a float by the plan (30.0) fills an
	// integer field as the API server would.
	b, err := json.Marshal(obj)
	if err != nil {
		return Refreshed{}, errors.Wrap(err, "cannot read the resource")
	}
	if err := json.Unmarshal(b, cr); err != nil {
		return Refreshed{}, errors.Wrap(err, "cannot read the resource")
	}
	// As the reconciler's first step: a resource not reconciled yet is named by its metadata.name.
	_ = ExternalNameInMemory(ctx, cr)
	acct, err := k.Cloud.Account(ctx, env.Creds, cr)
	if err != nil {
		return Refreshed{}, err
	}
	reach := k.Cloud.Reach(acct)
	if err := k.Adoption.Admit(reach, cr); err != nil {
		return Refreshed{}, err
	}
	if k.References != nil {
		if err := reach.Admit(cr.GetNamespace(), k.References(cr)...); err != nil {
			return Refreshed{}, err
		}
	}
	api, err := k.NewAPI(ctx, acct, cr)
	if err != nil {
		return Refreshed{}, err
	}
	own := k.Own()
	own.Reach = reach
	ext := k.NewExternal(Conn[T, Acct, API]{API: api, Account: acct, Record: event.NewNopRecorder(), Kube: env.Kube, Own: own})
	o, err := ext.Observe(ctx, cr)
	if derr := ext.Disconnect(ctx); err == nil && derr != nil {
		err = derr
	}
	if err != nil {
		return Refreshed{}, err
	}
	out := Refreshed{Exists: o.ResourceExists}
	if o.ResourceExists && !o.ResourceUpToDate && o.Diff != "" {
		out.Diff = strings.Split(o.Diff, "; ")
	}
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(cr)
	if err != nil {
		return Refreshed{}, errors.Wrap(err, "cannot read what Observe found")
	}
	out.AtProvider, _, _ = unstructured.NestedMap(u, "status", "atProvider")
	return out, nil
}
