package kube

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// A ReadOnlyError is a write a read-only client refused: nothing was sent to the API server.
type ReadOnlyError struct {
	// Verb and Kind say what was asked: "update", "Secret".
	Verb, Kind string
}

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("refused: %s of a %s, and this client only reads", e.Verb, e.Kind)
}

// ReadOnly returns a client that reads through c and refuses every write — create, update, patch, apply, delete,
// and the same of a subresource (status, a service account's token) — before anything is sent: plan --refresh runs
// a kind's Observe with it, so that nothing it does reaches the cluster. The read methods are c's.
func ReadOnly(c client.Client) client.Client { return readOnly{Client: c} }

type readOnly struct{ client.Client }

func refuse(verb string, obj any) error {
	kind := fmt.Sprintf("%T", obj)
	if o, ok := obj.(runtime.Object); ok {
		if k := o.GetObjectKind().GroupVersionKind().Kind; k != "" {
			kind = k
		}
	}
	return &ReadOnlyError{Verb: verb, Kind: kind}
}

func (readOnly) Create(_ context.Context, obj client.Object, _ ...client.CreateOption) error {
	return refuse("create", obj)
}

func (readOnly) Update(_ context.Context, obj client.Object, _ ...client.UpdateOption) error {
	return refuse("update", obj)
}

func (readOnly) Patch(_ context.Context, obj client.Object, _ client.Patch, _ ...client.PatchOption) error {
	return refuse("patch", obj)
}

func (readOnly) Apply(_ context.Context, obj runtime.ApplyConfiguration, _ ...client.ApplyOption) error {
	return refuse("apply", obj)
}

func (readOnly) Delete(_ context.Context, obj client.Object, _ ...client.DeleteOption) error {
	return refuse("delete", obj)
}

func (readOnly) DeleteAllOf(_ context.Context, obj client.Object, _ ...client.DeleteAllOfOption) error {
	return refuse("delete", obj)
}

func (r readOnly) Status() client.SubResourceWriter {
	return readOnlySub{SubResourceClient: r.Client.SubResource("status")}
}

func (r readOnly) SubResource(name string) client.SubResourceClient {
	return readOnlySub{SubResourceClient: r.Client.SubResource(name)}
}

// readOnlySub reads a subresource and refuses to write one.
type readOnlySub struct{ client.SubResourceClient }

func (readOnlySub) Create(_ context.Context, obj, _ client.Object, _ ...client.SubResourceCreateOption) error {
	return refuse("create", obj)
}

func (readOnlySub) Update(_ context.Context, obj client.Object, _ ...client.SubResourceUpdateOption) error {
	return refuse("update", obj)
}

func (readOnlySub) Patch(_ context.Context, obj client.Object, _ client.Patch, _ ...client.SubResourcePatchOption) error {
	return refuse("patch", obj)
}

func (readOnlySub) Apply(_ context.Context, obj runtime.ApplyConfiguration, _ ...client.SubResourceApplyOption) error {
	return refuse("apply", obj)
}
