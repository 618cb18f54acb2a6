//go:build integration

package integration

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sqsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller"
	"github.com/stateful-dev/provider-stateful/internal/plan"
)

// planRequests counts what a live plan asks the API server: LISTs of objects (each carries limit=), GETs of one
// object (none may happen), and the rest (discovery).
type planRequests struct {
	mu                      sync.Mutex
	lists, objectGets, rest int
}

func (p *planRequests) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		// A LIST carries limit=; a GET of one object names it after its kind's resource: namespaces/NS/PLURAL/NAME.
		_, inNamespace, namespaced := strings.Cut(r.URL.Path, "/namespaces/")
		p.mu.Lock()
		switch {
		case r.URL.Query().Has("limit"):
			p.lists++
		case namespaced && strings.Count(inNamespace, "/") >= 2:
			p.objectGets++
		default:
			p.rest++
		}
		p.mu.Unlock()
		return next.RoundTrip(r)
	})
}

func (p *planRequests) take() (lists, objectGets, rest int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	lists, objectGets, rest = p.lists, p.objectGets, p.rest
	p.lists, p.objectGets, p.rest = 0, 0, 0
	return lists, objectGets, rest
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// planClient writes a kubeconfig for the suite's API server whose context "envtest" names ns, and reads it as
// plan --live --kubeconfig FILE --context envtest does: a client that counts its requests into reqs, and the
// context's namespace.
func planClient(t *testing.T, ns string, reqs *planRequests) (plan.Lister, string) {
	t.Helper()
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: restCfg.Host, CertificateAuthorityData: restCfg.CAData}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: restCfg.CertData, ClientKeyData: restCfg.KeyData, Token: restCfg.BearerToken}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "admin", Namespace: ns}
	kc.CurrentContext = "none"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatal(err)
	}
	cfg, contextNS, err := plan.ClusterConfig(path, "envtest")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Wrap(reqs.wrap)
	c, err := plan.NewLister(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, contextNS
}

// queueManifest is a Queue as a platform repository holds it (visibilityTimeout 0: not set).
func queueManifest(ns, name string, visibilityTimeout int, extra string) string {
	vt := ""
	if visibilityTimeout > 0 {
		vt = fmt.Sprintf(", visibilityTimeout: %d", visibilityTimeout)
	}
	return fmt.Sprintf("---\napiVersion: sqs.aws.stateful.dev/v1alpha1\nkind: Queue\nmetadata: {namespace: %s, name: %s}\nspec:\n%s  forProvider: {region: eu-west-1%s}\n",
		ns, name, extra, vt)
}

func writeManifests(t *testing.T, docs ...string) []*unstructured.Unstructured {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "queues.yaml"), []byte(strings.Join(docs, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	objs, err := plan.Load(nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// driftCondition accepts a resource whose Drift condition has status s and reason r.
func driftCondition(s corev1.ConditionStatus, r xpv2.ConditionReason) func(managedObj) (bool, string) {
	return func(mg managedObj) (bool, string) {
		c := mg.GetCondition(v1alpha1.TypeDrift)
		return c.Status == s && c.Reason == r, fmt.Sprintf("Drift %s/%s: %s", c.Status, c.Reason, c.Message)
	}
}

// A livePlanRow is what the test checks of a live plan's resource.
type livePlanRow struct {
	Name    string
	Action  plan.Action
	Changes []plan.FieldChange
	Deletes bool
}

func livePlanRows(r plan.Report) []livePlanRow {
	var out []livePlanRow
	for _, res := range r.Resources {
		out = append(out, livePlanRow{Name: res.Name, Action: res.Action, Changes: res.Changes, Deletes: res.Deletes})
	}
	return out
}

type fleetRow struct {
	Name   string
	State  plan.State
	Fields []string
}

func fleetRows(r plan.Report) []fleetRow {
	var out []fleetRow
	for _, res := range r.Fleet.Resources {
		out = append(out, fleetRow{Name: res.Name, State: res.State, Fields: res.Fields})
	}
	return out
}

// logText logs the report as the command prints it (go test -v shows it): the docs' examples are these.
func logText(t *testing.T, what string, r plan.Report) {
	t.Helper()
	var b bytes.Buffer
	_ = r.WriteText(&b)
	if testing.Verbose() {
		b.WriteString("\n")
		_ = r.WriteJSON(&b)
	}
	t.Logf("%s:\n%s", what, b.String())
}

// TestPlanLive runs plan --live's code path against the suite's cluster and provider: two Queues in sync, one
// that only observes and one that holds drift for review. Manifests changing one Queue's visibilityTimeout, leaving
// another as it is and adding a third plan one change (with the cloud's value from status.atProvider), one
// unchanged, one create, and no delete without --prune, from one LIST; with --prune the two Queues no manifest
// names are deletes, the observed one leaving its queue in place. The fleet report over the namespace says the
// two in sync, and once the cloud drifts, what the observed one would change and what the other holds.
func TestPlanLive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ns := namespace(t)
	id := suffix()
	added, changed, held, observed, same := "plan-added-"+id, "plan-changed-"+id, "plan-held-"+id, "plan-observed-"+id, "plan-same-"+id
	newObj := func() managedObj { return &sqsv1alpha1.Queue{} }
	for _, n := range []string{changed, held, observed, same} {
		create(t, queue(ns, n, func(q *sqsv1alpha1.Queue) {
			q.Spec.ForProvider.VisibilityTimeout = ptr.To(int32(30))
			if n == held {
				q.SetAnnotations(map[string]string{v1alpha1.AnnotationDrift: v1alpha1.DriftHold})
			}
		}))
	}
	for _, n := range []string{changed, observed, same} {
		waitMR(t, ns, n, "Ready", newObj, readySynced[managedObj])
	}
	waitMR(t, ns, held, "in sync, recorded", newObj, driftCondition(corev1.ConditionFalse, v1alpha1.ReasonInSync))
	updateMR(t, ns, observed, newObj, observeOnly)
	waitMR(t, ns, observed, "reported in sync", newObj, wouldChange(corev1.ConditionFalse, "allowing writes would change nothing"))

	reqs := &planRequests{}
	c, contextNS := planClient(t, ns, reqs)
	if contextNS != ns {
		t.Fatalf("the kubeconfig's context names namespace %s: got %q", ns, contextNS)
	}
	kinds := plan.KindsOf(controller.Kinds())
	manifests := writeManifests(t, queueManifest(ns, changed, 60, ""), queueManifest(ns, same, 30, ""), queueManifest(ns, added, 0, ""))
	ignore := cmpopts.IgnoreFields(plan.FieldChange{}, "Note", "Source")

	t.Run("Plan", func(t *testing.T) {
		r, err := plan.ComputeLive(ctx, c, kinds, manifests, plan.LiveOptions{DefaultNamespace: contextNS})
		if err != nil {
			t.Fatal(err)
		}
		logText(t, "plan --live", r)
		want := []livePlanRow{
			{Name: added, Action: plan.Create},
			{Name: changed, Action: plan.Change, Changes: []plan.FieldChange{{
				Field: "spec.forProvider.visibilityTimeout", Current: "30", Desired: "60", Effect: "in place", When: "now", Cloud: "30",
			}}},
			{Name: same, Action: plan.Unchanged},
		}
		if d := cmp.Diff(want, livePlanRows(r), ignore, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("the observed Queue no manifest names is no delete without --prune: -want +got:\n%s", d)
		}
		if lists, gets, _ := reqs.take(); lists != 1 || gets != 0 {
			t.Errorf("manifests of one kind in one namespace: want 1 LIST and no GET of an object, got %d LISTs and %d GETs", lists, gets)
		}
	})

	t.Run("Prune", func(t *testing.T) {
		r, err := plan.ComputeLive(ctx, c, kinds, manifests, plan.LiveOptions{DefaultNamespace: contextNS, Prune: true})
		if err != nil {
			t.Fatal(err)
		}
		var deletes []livePlanRow
		for _, row := range livePlanRows(r) {
			if row.Action == plan.Delete {
				deletes = append(deletes, row)
			}
		}
		want := []livePlanRow{{Name: held, Action: plan.Delete, Deletes: true}, {Name: observed, Action: plan.Delete}}
		if d := cmp.Diff(want, deletes); d != "" {
			t.Errorf("--prune: the Queues no manifest names are deletes, the observed one keeping its queue (policies without Delete): -want +got:\n%s", d)
		}
		if lists, gets, _ := reqs.take(); lists != len(controller.Kinds()) || gets != 0 {
			t.Errorf("--prune reads every kind: want %d LISTs and no GET, got %d LISTs and %d GETs", len(controller.Kinds()), lists, gets)
		}
	})

	fleet := func(t *testing.T) plan.Report {
		t.Helper()
		r, err := plan.ReadFleet(ctx, c, kinds, plan.Scope{Namespace: ns})
		if err != nil {
			t.Fatal(err)
		}
		if lists, gets, _ := reqs.take(); lists != len(controller.Kinds()) || gets != 0 {
			t.Errorf("the fleet report: want one LIST per kind (%d) and no GET, got %d LISTs and %d GETs", len(controller.Kinds()), lists, gets)
		}
		logText(t, "plan --live -n "+ns, r)
		return r
	}
	t.Run("Fleet", func(t *testing.T) {
		want := []fleetRow{
			{Name: changed, State: plan.InSync}, {Name: held, State: plan.InSync}, {Name: observed, State: plan.WouldChangeNothing}, {Name: same, State: plan.InSync},
		}
		if d := cmp.Diff(want, fleetRows(fleet(t))); d != "" {
			t.Errorf("fleet: -want +got:\n%s", d)
		}
	})

	// Drifted behind the provider's back, the observed Queue says what writes would change, and its atProvider
	// holds the cloud's value; the other holds its drift.
	for _, n := range []string{held, observed} {
		if _, err := directSQS().SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: cloudQueueURL(t, n),
			Attributes: map[string]string{"VisibilityTimeout": "99"}}); err != nil {
			t.Fatal(err)
		}
	}
	waitMR(t, ns, observed, "reporting the drift", newObj, func(mg managedObj) (bool, string) {
		ok, why := wouldChange(corev1.ConditionTrue, "visibilityTimeout")(mg)
		seen := mg.(*sqsv1alpha1.Queue).Status.AtProvider.Attributes["VisibilityTimeout"]
		return ok && seen == "99", why + "; atProvider VisibilityTimeout " + seen
	})
	waitMR(t, ns, held, "holding the drift", newObj, driftCondition(corev1.ConditionTrue, v1alpha1.ReasonDriftHeld))

	t.Run("FleetDrifted", func(t *testing.T) {
		r := fleet(t)
		want := []fleetRow{
			{Name: changed, State: plan.InSync},
			{Name: held, State: plan.DriftHeld, Fields: []string{"visibilityTimeout (spec: 30, cloud: 99)"}},
			{Name: observed, State: plan.WouldChange, Fields: []string{"visibilityTimeout"}},
			{Name: same, State: plan.InSync},
		}
		if d := cmp.Diff(want, fleetRows(r)); d != "" {
			t.Errorf("fleet: -want +got:\n%s", d)
		}
		findings := []string{
			"Queue " + ns + "/" + held + ": drift held in visibilityTimeout (spec: 30, cloud: 99)",
			"Queue " + ns + "/" + observed + ": would change visibilityTimeout",
		}
		if d := cmp.Diff(findings, r.Findings([]string{"would-change", "drift", "not-ready"})); d != "" {
			t.Errorf("--fail-on would-change,drift,not-ready: -want +got:\n%s", d)
		}
	})

	t.Run("PlanOverDrift", func(t *testing.T) {
		m := writeManifests(t, queueManifest(ns, observed, 45, "  managementPolicies: [Observe]\n"))
		r, err := plan.ComputeLive(ctx, c, kinds, m, plan.LiveOptions{DefaultNamespace: contextNS})
		if err != nil {
			t.Fatal(err)
		}
		logText(t, "plan --live over drift", r)
		want := []livePlanRow{{Name: observed, Action: plan.Change, Changes: []plan.FieldChange{{
			Field: "spec.forProvider.visibilityTimeout", Current: "30", Desired: "45", Effect: "in place", When: plan.WhenWritesAllowed, Cloud: "99", Drift: true,
		}}}}
		if d := cmp.Diff(want, livePlanRows(r), ignore); d != "" {
			t.Errorf("the cloud's 99 against the spec's 30 is drift: -want +got:\n%s", d)
		}
		reqs.take()
	})
}

// TestPlanLiveScale times plan --live over many Queues of one namespace, and counts its requests: the plan of N
// unchanged manifests and the fleet report, each with a new client (as each run of the command makes one), against
// one LIST of the kind. The Queues are paused (crossplane.io/paused): the provider marks them once and leaves them,
// so the figure is the plan's. PLAN_LIVE_N sets N (20 by default; docs/reviewing-a-change.md records 200).
func TestPlanLiveScale(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := 20
	if s := os.Getenv("PLAN_LIVE_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatalf("PLAN_LIVE_N=%q: %v", s, err)
		}
	}
	const runs = 5
	ns := namespace(t)
	docs := make([]string, 0, n)
	for i := range n {
		name := fmt.Sprintf("scale-%04d", i)
		q := queue(ns, name, func(q *sqsv1alpha1.Queue) { q.Spec.ForProvider.VisibilityTimeout = ptr.To(int32(30)) })
		q.SetAnnotations(map[string]string{"crossplane.io/paused": "true"})
		create(t, q)
		docs = append(docs, queueManifest(ns, name, 30, ""))
	}
	t.Cleanup(func() { _ = kube.DeleteAllOf(ctx, &sqsv1alpha1.Queue{}, client.InNamespace(ns)) })
	eventuallyWithin(t, 2*time.Minute, "every Queue paused", func() (bool, string) {
		l := &sqsv1alpha1.QueueList{}
		if err := kube.List(ctx, l, client.InNamespace(ns)); err != nil {
			return false, err.Error()
		}
		paused := 0
		for _, q := range l.Items {
			if q.GetCondition(xpv2.TypeSynced).Reason == xpv2.ReasonReconcilePaused {
				paused++
			}
		}
		return paused == n, fmt.Sprintf("%d of %d paused", paused, n)
	})
	manifests := writeManifests(t, docs...)
	kinds := plan.KindsOf(controller.Kinds())
	reqs := &planRequests{}
	// The plan reads a kind in pages of 500 objects, as kubectl does.
	pages := (n + 499) / 500

	var planTimes, fleetTimes, listTimes []time.Duration
	for range runs {
		c, contextNS := planClient(t, ns, reqs)
		start := time.Now()
		r, err := plan.ComputeLive(ctx, c, kinds, manifests, plan.LiveOptions{DefaultNamespace: contextNS})
		if err != nil {
			t.Fatal(err)
		}
		planTimes = append(planTimes, time.Since(start))
		if r.Summary != (plan.Summary{Unchanged: n}) {
			t.Errorf("want %d unchanged, got %+v", n, r.Summary)
		}
		lists, gets, discovery := reqs.take()
		if lists != pages || gets != 0 {
			t.Errorf("plan --live: want %d LIST and no GET of an object, got %d LISTs, %d GETs", pages, lists, gets)
		}
		t.Logf("plan --live of %d Queues: %d LIST, %d discovery requests", n, lists, discovery)

		c, _ = planClient(t, ns, reqs)
		start = time.Now()
		f, err := plan.ReadFleet(ctx, c, kinds, plan.Scope{Namespace: ns})
		if err != nil {
			t.Fatal(err)
		}
		fleetTimes = append(fleetTimes, time.Since(start))
		if f.Fleet.Summary.NotReady != n {
			t.Errorf("want %d paused Queues not ready, got %+v", n, f.Fleet.Summary)
		}
		lists, gets, discovery = reqs.take()
		if want := len(controller.Kinds()) - 1 + pages; lists != want || gets != 0 {
			t.Errorf("the fleet report: want %d LISTs and no GET, got %d LISTs, %d GETs", want, lists, gets)
		}
		t.Logf("fleet report: %d LISTs, %d discovery requests", lists, discovery)

		// One LIST of the kind with a client whose discovery is done: the floor.
		start = time.Now()
		if err := c.List(ctx, &unstructured.UnstructuredList{Object: map[string]any{"apiVersion": sqsv1alpha1.QueueGroupVersionKind.GroupVersion().String(), "kind": "QueueList"}},
			client.InNamespace(ns)); err != nil {
			t.Fatal(err)
		}
		listTimes = append(listTimes, time.Since(start))
		reqs.take()
	}
	t.Logf("%d Queues, %d runs: plan --live %s; fleet report %s; one LIST of the Queues %s (min/median/max)",
		n, runs, spread(planTimes), spread(fleetTimes), spread(listTimes))
}

func spread(d []time.Duration) string {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) }
	return ms(s[0]) + "/" + ms(s[len(s)/2]) + "/" + ms(s[len(s)-1]) + " ms"
}
