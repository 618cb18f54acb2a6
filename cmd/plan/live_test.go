package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/stateful-dev/provider-stateful/apis"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
	"github.com/stateful-dev/provider-stateful/internal/kube"
	"github.com/stateful-dev/provider-stateful/internal/plan"
)

// fakeCluster answers LISTs from objects, and records the namespace of each. The plan lists the kinds at once.
type fakeCluster struct {
	objs  []*unstructured.Unstructured
	mu    sync.Mutex
	lists []string
}

func (f *fakeCluster) List(_ context.Context, list client.ObjectList, opts ...client.ListOption) error {
	ul, ok := list.(*unstructured.UnstructuredList)
	if !ok {
		return fmt.Errorf("want an unstructured list, got %T", list)
	}
	o := (&client.ListOptions{}).ApplyOptions(opts)
	kind := strings.TrimSuffix(ul.GetKind(), "List")
	f.mu.Lock()
	f.lists = append(f.lists, kind+" in "+o.Namespace)
	f.mu.Unlock()
	for _, u := range f.objs {
		if u.GetKind() == kind && u.GetAPIVersion() == ul.GetAPIVersion() && (o.Namespace == "" || u.GetNamespace() == o.Namespace) {
			ul.Items = append(ul.Items, *u.DeepCopy())
		}
	}
	return nil
}

// withCluster makes the command's live read answer from c for the test, recording the kubeconfig and context the
// command was given.
func withCluster(t *testing.T, c *fakeCluster, contextNS string) *[]string {
	t.Helper()
	var got []string
	orig := connect
	connect = func(kubeconfig, kubecontext string) (plan.Lister, string, error) {
		got = append(got, kubeconfig, kubecontext)
		return c, contextNS, nil
	}
	t.Cleanup(func() { connect = orig })
	return &got
}

// TestLiveFlags: every mistake on the command line is an error (exit 1) saying what is wrong, before any cluster is
// read.
func TestLiveFlags(t *testing.T) {
	cases := map[string]struct {
		reason  string
		args    []string
		errHave string
	}{
		"PruneWithoutLive":     {reason: "--prune reads the cluster.", args: []string{"--prune", "testdata/before", "testdata/after"}, errHave: "need --live"},
		"NamespaceWithoutLive": {reason: "-n reads the cluster.", args: []string{"-n", "team-a", "testdata/before", "testdata/after"}, errHave: "need --live"},
		"AllWithoutLive":       {reason: "-A reads the cluster.", args: []string{"-A", "testdata/before", "testdata/after"}, errHave: "need --live"},
		"KubeconfigWithoutLive": {reason: "--kubeconfig is for --live.", args: []string{"--kubeconfig", "k", "testdata/before", "testdata/after"},
			errHave: "need --live"},
		"LiveAndBase":        {reason: "The cluster is the base.", args: []string{"--live", "--base", "HEAD", "testdata/after"}, errHave: "takes no --base"},
		"NamespaceAndAll":    {reason: "One namespace or every one.", args: []string{"--live", "-n", "team-a", "-A"}, errHave: "-n and -A"},
		"PruneFleet":         {reason: "The fleet report has nothing to prune against.", args: []string{"--live", "--prune"}, errHave: "--prune needs manifests"},
		"Output":             {reason: "An output it does not write.", args: []string{"--live", "-o", "yaml"}, errHave: `-o "yaml"`},
		"Class":              {reason: "A class it does not know.", args: []string{"--live", "--fail-on", "drifted"}, errHave: `"drifted" is none of`},
		"HeadWithoutBase":    {reason: "--head offline needs --base.", args: []string{"--head", "HEAD", "x"}, errHave: "--head needs --base"},
		"RefreshWithoutLive": {reason: "--refresh reads the cluster and the cloud.", args: []string{"--refresh", "testdata/before", "testdata/after"}, errHave: "need --live"},
		"RefreshFleet":       {reason: "The fleet report reads conditions.", args: []string{"--live", "--refresh"}, errHave: "--refresh needs manifests"},
		"AllowedWithoutRefresh": {reason: "--allowed-endpoint is where --refresh reads.", args: []string{"--live", "--allowed-endpoint", "127.0.0.1", "testdata/after"},
			errHave: "it needs --refresh"},
		"AllowedEndpoint": {reason: "A pattern the provider would refuse.", args: []string{"--live", "--refresh", "--allowed-endpoint", "http://h/path", "testdata/after"},
			errHave: "--allowed-endpoint: "},
		"Kubeconfig": {reason: "A kubeconfig that is not there: the error names it.", args: []string{"--live", "--kubeconfig", "/nonexistent/kubeconfig", "testdata/after"},
			errHave: "/nonexistent/kubeconfig"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var out, errs bytes.Buffer
			if code := run(context.Background(), tc.args, nil, &out, &errs); code != 1 {
				t.Errorf("%s\nexit: want 1, got %d (%s)", tc.reason, code, errs.String())
			}
			if !strings.Contains(errs.String(), tc.errHave) {
				t.Errorf("%s\nstderr %q lacks %q", tc.reason, errs.String(), tc.errHave)
			}
		})
	}
}

// applied is objs as kubectl apply leaves them in a cluster: each with its last-applied-configuration, numbers as
// the API server answers them.
func applied(t *testing.T, path string) []*unstructured.Unstructured {
	t.Helper()
	objs, err := plan.Load(nil, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		b, err := json.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		a := o.GetAnnotations()
		if a == nil {
			a = map[string]string{}
		}
		a["kubectl.kubernetes.io/last-applied-configuration"] = string(b)
		o.SetAnnotations(a)
	}
	return objs
}

// TestLiveAgreesOffline: against a cluster where before/ was applied with kubectl apply, --live --prune plans
// after/ as the offline plan of before/ → after/ does (the golden file); without --prune, no delete.
func TestLiveAgreesOffline(t *testing.T) {
	c := &fakeCluster{objs: applied(t, "testdata/before")}
	withCluster(t, c, "team-a")
	golden, err := os.ReadFile("testdata/plan.text")
	if err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"--live", "--prune", "testdata/after"}, nil, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if d := cmp.Diff(string(golden), out.String()); d != "" {
		t.Errorf("--live --prune: -offline +live:\n%s", d)
	}
	for _, l := range c.lists {
		if l != strings.Split(l, " in ")[0]+" in team-a" {
			t.Errorf("the manifests name one namespace: want every LIST in it, got %q", l)
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"--live", "testdata/after"}, nil, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if s := out.String(); strings.Contains(s, ": delete") || !strings.HasSuffix(s, "1 to create, 7 to change, 0 to delete, 0 unchanged\n") {
		t.Errorf("--live without --prune: want no delete, got\n%s", s)
	}
}

// TestFleetCommand: --live without manifests is the fleet report, of the context's namespace unless -n or -A says
// otherwise; --fail-on would-change exits 2 naming the resource.
func TestFleetCommand(t *testing.T) {
	observed := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "sqs.aws.stateful.dev/v1alpha1", "kind": "Queue",
		"metadata": map[string]any{"namespace": "team-a", "name": "orders"},
		"spec":     map[string]any{"managementPolicies": []any{"Observe"}, "forProvider": map[string]any{"region": "eu-west-1"}},
		"status": map[string]any{"conditions": []any{
			map[string]any{"type": "Ready", "status": "True", "reason": "Available"},
			map[string]any{"type": "Synced", "status": "True", "reason": "ReconcileSuccess"},
			map[string]any{"type": "WouldChange", "status": "True", "reason": "Differs",
				"message": "spec.managementPolicies only observe; with writes allowed the provider would change: visibilityTimeout"},
		}},
	}}
	cases := map[string]struct {
		reason string
		args   []string
		code   int
		ns     string
		out    string
		err    string
	}{
		"ContextNamespace": {
			reason: "No -n: the context's namespace, as kubectl get reads.", args: []string{"--live", "--kubeconfig", "k", "--context", "c"},
			ns: "team-a", out: "Queue team-a/orders (sqs.aws.stateful.dev/v1alpha1): would change: visibilityTimeout\n",
		},
		"Namespace": {reason: "-n another namespace: nothing there.", args: []string{"--live", "-n", "team-b"}, ns: "team-b",
			out: "0 resources: 0 in sync"},
		"All": {reason: "-A: every namespace, one LIST of each kind.", args: []string{"--live", "-A"}, ns: "",
			out: "1 resources: 0 in sync, 0 would change nothing, 1 would change"},
		"Gate": {
			reason: "--fail-on would-change holds a promotion.", args: []string{"--live", "--fail-on", "would-change,not-ready"}, code: 2, ns: "team-a",
			err: "plan: --fail-on would-change,not-ready: Queue team-a/orders: would change visibilityTimeout",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := &fakeCluster{objs: []*unstructured.Unstructured{observed}}
			got := withCluster(t, c, "team-a")
			var out, errs bytes.Buffer
			if code := run(context.Background(), tc.args, nil, &out, &errs); code != tc.code {
				t.Fatalf("%s\nexit: want %d, got %d (%s)", tc.reason, tc.code, code, errs.String())
			}
			if !strings.Contains(out.String(), tc.out) || !strings.Contains(errs.String(), tc.err) {
				t.Errorf("%s\nwant stdout with %q and stderr with %q, got:\n%s\n%s", tc.reason, tc.out, tc.err, out.String(), errs.String())
			}
			for _, l := range c.lists {
				if !strings.HasSuffix(l, " in "+tc.ns) {
					t.Errorf("%s\nwant every LIST in %q, got %q", tc.reason, tc.ns, l)
				}
			}
			if name == "ContextNamespace" {
				if d := cmp.Diff([]string{"k", "c"}, *got); d != "" {
					t.Errorf("kubeconfig and context given to the client: -want +got:\n%s", d)
				}
			}
		})
	}
}

// TestRefreshCommand: --refresh reads the cloud through what refreshEnv makes from the kubeconfig, context and
// --allowed-endpoint; a resource whose ProviderConfig cannot be read says so, and the plan stands; what the env
// holds is released once the plan is made.
func TestRefreshCommand(t *testing.T) {
	c := &fakeCluster{objs: applied(t, "testdata/before")}
	withCluster(t, c, "team-a")
	s := runtime.NewScheme()
	if err := apis.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	// A cluster without ProviderConfigs: nothing can be read from the cloud.
	kc := kube.ReadOnly(fake.NewClientBuilder().WithScheme(s).Build())
	var got []string
	closed := false
	orig := refreshEnv
	refreshEnv = func(kubeconfig, kubecontext string, allowed []credentials.EndpointPattern) (*managedkind.RefreshEnv, func(context.Context), error) {
		got = append(got, kubeconfig, kubecontext)
		for _, a := range allowed {
			got = append(got, a.String())
		}
		r := credentials.NewResolver(kc, kc, kc)
		r.WithReadOnlyClients()
		return &managedkind.RefreshEnv{Creds: r, Kube: kc}, func(ctx context.Context) { closed = true; r.Close(ctx) }, nil
	}
	t.Cleanup(func() { refreshEnv = orig })
	var out, errs bytes.Buffer
	args := []string{"--live", "--refresh", "--kubeconfig", "k", "--context", "c", "--allowed-endpoint", "127.0.0.1", "-o", "json", "testdata/after"}
	if code := run(context.Background(), args, nil, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	if d := cmp.Diff([]string{"k", "c", "127.0.0.1"}, got); d != "" {
		t.Errorf("what the env was made from: -want +got:\n%s", d)
	}
	if !closed {
		t.Errorf("the env was not released")
	}
	var r plan.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	unread := 0
	for _, res := range r.Resources {
		if strings.HasPrefix(res.RefreshError, "cannot get ") {
			unread++
		}
	}
	// testdata/after changes 7 resources and creates 1: the 7 live ones are each a note.
	if diff := cmp.Diff([]any{true, 7}, []any{r.Refreshed, unread}); diff != "" {
		t.Errorf("[refreshed, resources not read]: -want +got:\n%s\n%s", diff, out.String())
	}
}
