package plan

import (
	"context"
	"fmt"
	"sort"

	"golang.org/x/sync/errgroup"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// A Lister lists objects: a controller-runtime client is one (NewLister). A live plan reads the cluster with one
// LIST per kind, never a GET per object, and a Lister can do nothing else.
type Lister interface {
	List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error
}

// A Scope is the namespaces a live read covers: one (-n), or every one (-A).
type Scope struct {
	Namespace string
	All       bool
}

// LiveOptions say how a live plan reads the cluster.
type LiveOptions struct {
	// Scope is -n or -A; with neither, the plan reads the namespaces the manifests name.
	Scope
	// DefaultNamespace is the namespace of a manifest that names none, where apply puts it: -n, else the kubeconfig
	// context's.
	DefaultNamespace string
	// Prune plans a delete of every live resource in scope that no manifest names. Without it nothing is deleted:
	// a partial set of manifests must not read as "delete everything else".
	Prune bool
	// Refresh, when set, reads the cloud now for each live resource the plan changes or leaves unchanged, through
	// its ProviderConfig and a client that can only read (--refresh): Resource.Drift, and each change's cloud value
	// as of now.
	Refresh *managedkind.RefreshEnv
}

// listPage is how many objects one LIST asks for, as kubectl does: a fleet of thousands is read in pages the API
// server can answer without holding them all at once; below it a kind is one request.
const listPage = 500

// A liveRead is what the cluster holds now of some kinds.
type liveRead struct {
	objects []*unstructured.Unstructured
	// notes name the kinds the cluster does not serve (no CRD): nothing of them is live.
	notes []string
}

// readLive lists the live objects of kinds gks in namespace ns ("" for every namespace): one LIST per kind, the
// kinds at once. A kind whose CRD is not installed is a note, not an error: a cluster may run only some of the
// provider's kinds.
func readLive(ctx context.Context, c Lister, kinds Kinds, gks []schema.GroupKind, ns string) (liveRead, error) {
	type result struct {
		objs []*unstructured.Unstructured
		note string
	}
	results := make([]result, len(gks))
	g, ctx := errgroup.WithContext(ctx)
	for i, gk := range gks {
		g.Go(func() error {
			gvk, err := versionOf(kinds, gk)
			if err != nil {
				return err
			}
			objs, err := listKind(ctx, c, gvk, ns)
			switch {
			case meta.IsNoMatchError(err) || kerrors.IsNotFound(err):
				results[i] = result{note: fmt.Sprintf("%s: the cluster does not serve this kind (no CRD): nothing of it is live", gk)}
				return nil
			case kerrors.IsForbidden(err) && ns == "":
				return fmt.Errorf("cannot list %s in every namespace (name one with -n): %w", gk, err)
			case err != nil:
				return fmt.Errorf("cannot list %s: %w", gk, err)
			}
			results[i] = result{objs: objs}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return liveRead{}, err
	}
	var out liveRead
	for _, r := range results {
		out.objects = append(out.objects, r.objs...)
		if r.note != "" {
			out.notes = append(out.notes, r.note)
		}
	}
	return out, nil
}

// listKind lists one kind in pages, its objects' numbers made what a manifest's are.
func listKind(ctx context.Context, c Lister, gvk schema.GroupVersionKind, ns string) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	cont := ""
	for {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		opts := []client.ListOption{client.Limit(listPage), client.Continue(cont)}
		if ns != "" {
			opts = append(opts, client.InNamespace(ns))
		}
		if err := c.List(ctx, l, opts...); err != nil {
			return nil, err
		}
		for i := range l.Items {
			o := &l.Items[i]
			o.Object = jsonNumbers(o.Object).(map[string]any) //nolint:forcetypeassert // jsonNumbers keeps a map a map.
			out = append(out, o)
		}
		if cont = l.GetContinue(); cont == "" {
			return out, nil
		}
	}
}

// versioned is a Kind that names the version it is served at, as managedkind.Registration does: a LIST needs it.
// (Kind does not ask for it: an offline plan compares across versions.)
type versioned interface {
	GroupVersionKind() schema.GroupVersionKind
}

// versionOf is the version a kind is listed at.
func versionOf(kinds Kinds, gk schema.GroupKind) (schema.GroupVersionKind, error) {
	v, ok := kinds[gk].(versioned)
	if !ok {
		return schema.GroupVersionKind{}, fmt.Errorf("kind %s names no version to list", gk)
	}
	return v.GroupVersionKind(), nil
}

// jsonNumbers makes the numbers of a value read from the API server (int64) what they are in a manifest read from
// YAML (float64), so that 30 in the cluster and 30 in a manifest compare equal.
func jsonNumbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = jsonNumbers(e)
		}
	case []any:
		for i, e := range t {
			t[i] = jsonNumbers(e)
		}
	case int64:
		return float64(t)
	case int32:
		return float64(t)
	case int:
		return float64(t)
	}
	return v
}

// ComputeLive plans the manifests against what the cluster holds now: the "before" of each managed resource a
// manifest names is its live object (none: a create), and the "after" what applying the manifest over it leaves
// (applied). A changed field also says what the provider last saw in the cloud (FieldChange.Cloud). Live objects
// no manifest names are deletes only with o.Prune, and only in scope: -n, -A, or the namespaces the manifests name.
func ComputeLive(ctx context.Context, c Lister, kinds Kinds, manifests []*unstructured.Unstructured, o LiveOptions) (Report, error) {
	var after, other []*unstructured.Unstructured
	named := map[schema.GroupKind]bool{}
	namespaces := map[string]bool{}
	for _, m := range manifests {
		gk := m.GroupVersionKind().GroupKind()
		if _, ok := kinds[gk]; !ok {
			other = append(other, m)
			continue
		}
		if m.GetNamespace() == "" {
			m = m.DeepCopy()
			m.SetNamespace(o.DefaultNamespace)
		}
		if o.Namespace != "" && m.GetNamespace() != o.Namespace {
			return Report{}, fmt.Errorf("%s %s/%s: the manifest's namespace is not -n %s", gk.Kind, m.GetNamespace(), m.GetName(), o.Namespace)
		}
		named[gk], namespaces[m.GetNamespace()] = true, true
		after = append(after, m)
	}
	gks := make([]schema.GroupKind, 0, len(kinds))
	for gk := range kinds {
		// Without --prune only the kinds the manifests name can change; with it a kind whose last resource left the
		// manifests is read too, to delete what is left of it.
		if named[gk] || o.Prune {
			gks = append(gks, gk)
		}
	}
	sort.Slice(gks, func(i, j int) bool { return gks[i].String() < gks[j].String() })
	ns := o.Namespace
	if ns == "" && !o.All && len(namespaces) == 1 {
		for n := range namespaces {
			ns = n
		}
	}
	var read liveRead
	if len(gks) > 0 && (o.All || len(namespaces) > 0 || o.Namespace != "") {
		var err error
		if read, err = readLive(ctx, c, kinds, gks, ns); err != nil {
			return Report{}, err
		}
	}
	inScope := func(u *unstructured.Unstructured) bool {
		return o.All || (o.Namespace != "" && u.GetNamespace() == o.Namespace) || namespaces[u.GetNamespace()]
	}
	live := map[key]*unstructured.Unstructured{}
	for _, u := range read.objects {
		if inScope(u) {
			live[keyOf(u)] = u
		}
	}
	var before []*unstructured.Unstructured
	for i, m := range after {
		if l, ok := live[keyOf(m)]; ok {
			before = append(before, l)
			after[i] = applied(l, m)
			delete(live, keyOf(m))
		}
	}
	if o.Prune {
		for _, l := range live {
			before = append(before, l)
		}
	}
	r := Compute(kinds, before, append(after, other...))
	byKey := map[key]*unstructured.Unstructured{}
	for _, l := range before {
		byKey[keyOf(l)] = l
	}
	if o.Refresh != nil {
		merged := map[key]*unstructured.Unstructured{}
		for _, a := range after {
			merged[keyOf(a)] = a
		}
		for k, f := range refresh(ctx, *o.Refresh, kinds, &r, byKey, merged) {
			byKey[k] = f.live
		}
		r.Refreshed = true
	}
	for i := range r.Resources {
		res := &r.Resources[i]
		if res.Action != Change {
			continue
		}
		gk := schema.FromAPIVersionAndKind(res.APIVersion, res.Kind).GroupKind()
		withCloud(kinds[gk].FieldTable(), byKey[key{gk: gk, namespace: res.Namespace, name: res.Name}], res.Changes)
	}
	r.Notes = read.notes
	return r, nil
}

func keyOf(u *unstructured.Unstructured) key {
	return key{gk: u.GroupVersionKind().GroupKind(), namespace: u.GetNamespace(), name: u.GetName()}
}
