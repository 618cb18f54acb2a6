//go:build e2e

// Package recovery is the disaster-recovery test (issue 23 §4, "recovery from Git loses nothing"): the local
// example set applied, the control plane lost with etcd's data, a fresh one built and the same YAML applied again
// with the provider reinstalled — the clouds must see no create, no delete and no password reset — and a second
// live installation applying the same repository refused without a write.
package recovery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
	"github.com/stateful-dev/provider-stateful/internal/devstack/stack"
)

// An mr is one managed resource of examples/local: kind as kubectl names it, the cloud name the recording proxies
// attribute its calls to, the operation each poll starts with, and its connection Secret.
type mr struct {
	kind, namespace, name string
	cloud                 string
	poll                  string
	conn                  string
	// proxy is the recorder its calls go through.
	proxy func(*stack.Recorders) recorder
}

// A recorder is a recording proxy, HTTP or gRPC.
type recorder interface {
	Calls(func(harness.Call) bool) []harness.Call
}

func awsProxy(r *stack.Recorders) recorder      { return r.AWS }
func strictProxy(r *stack.Recorders) recorder   { return r.StrictAWS }
func storageProxy(r *stack.Recorders) recorder  { return r.Storage }
func pubsubProxy(r *stack.Recorders) recorder   { return r.PubSub }
func bigtableProxy(r *stack.Recorders) recorder { return r.Bigtable }

const (
	s3Bucket  = "bucket.s3.aws.stateful.dev"
	gcsBucket = "bucket.storage.gcp.stateful.dev"
	ddbTable  = "table.dynamodb.aws.stateful.dev"
	btTable   = "table.bigtable.gcp.stateful.dev"
	topics    = "projects/local-project/topics/"
)

// examples is every managed resource examples/local makes: every kind, the Vault config's Bucket and the tenant's.
var examples = []mr{
	{kind: s3Bucket, namespace: "demo", name: "demo-assets", cloud: "demo-assets", poll: "HeadBucket", conn: "demo-assets-conn", proxy: awsProxy},
	{kind: s3Bucket, namespace: "demo", name: "demo-vault-logs", cloud: "demo-vault-logs", poll: "HeadBucket", proxy: strictProxy},
	{kind: s3Bucket, namespace: "team-x", name: "team-x-data", cloud: "team-x-data", poll: "HeadBucket", proxy: awsProxy},
	{kind: "queue.sqs.aws.stateful.dev", namespace: "demo", name: "orders-dlq", cloud: "orders-dlq", poll: "GetQueueAttributes", proxy: awsProxy},
	{kind: "queue.sqs.aws.stateful.dev", namespace: "demo", name: "orders", cloud: "orders", poll: "GetQueueAttributes", conn: "orders-conn", proxy: awsProxy},
	{kind: "queue.sqs.aws.stateful.dev", namespace: "demo", name: "events.fifo", cloud: "events.fifo", poll: "GetQueueAttributes", proxy: awsProxy},
	{kind: "dbinstance.rds.aws.stateful.dev", namespace: "demo", name: "orders-db", cloud: "orders-db", poll: "DescribeDBInstances", conn: "orders-db-conn", proxy: awsProxy},
	{kind: ddbTable, namespace: "demo", name: "events", cloud: "events", poll: "DescribeTable", conn: "events-conn", proxy: awsProxy},
	{kind: "topic.pubsub.gcp.stateful.dev", namespace: "demo", name: "order-events", cloud: topics + "order-events", poll: "GetTopic", conn: "order-events-conn", proxy: pubsubProxy},
	{kind: "topic.pubsub.gcp.stateful.dev", namespace: "demo", name: "order-events-dead", cloud: topics + "order-events-dead", poll: "GetTopic", proxy: pubsubProxy},
	{kind: "subscription.pubsub.gcp.stateful.dev", namespace: "demo", name: "order-events-worker", cloud: "projects/local-project/subscriptions/order-events-worker", poll: "GetSubscription", conn: "order-events-worker-conn", proxy: pubsubProxy},
	{kind: btTable, namespace: "demo", name: "order-history", cloud: "projects/local-project/instances/local-instance/tables/order-history", poll: "GetTable", conn: "order-history-conn", proxy: bigtableProxy},
	{kind: gcsBucket, namespace: "demo", name: "demo-gcs-assets", cloud: "demo-gcs-assets", poll: "GetBucket", conn: "demo-gcs-assets-conn", proxy: storageProxy},
}

// markerWrites are the calls that write a resource's tags or labels, the marker among them: S3, SQS, RDS, DynamoDB,
// Cloud Storage, Pub/Sub topics and subscriptions.
var markerWrites = []string{"PutBucketTagging", "TagQueue", "AddTagsToResource", "TagResource", "PatchBucket", "UpdateTopic", "UpdateSubscription"}

// carriesMarker reports whether a call's request names the marker's uid key (AWS tag or GCP label; RDS's form
// body escapes the slash).
func carriesMarker(c harness.Call) bool {
	body := string(c.Body)
	if u, err := url.QueryUnescape(body); err == nil {
		body += u
	}
	return strings.Contains(body, "stateful.dev/uid") || strings.Contains(body, "stateful-dev_uid")
}

// dbPasswordKeys are the connection Secret keys of a DBInstance that carry its password: published only for a
// password the provider set.
var dbPasswordKeys = []string{"password", "uri", "dsn"}

// TestDisasterRecovery applies examples/local as `make dev` does, loses the control plane (the provider killed,
// etcd and kube-apiserver stopped, etcd's data removed), builds a fresh one and applies the same YAML with the
// provider started again with the same --installation. Every managed resource must come back Ready with zero
// creates, zero deletes and zero password resets reaching the clouds, and its connection Secret back. Then a
// second live cluster, with its own control plane and a provider of another installation, applies the same
// repository: it is refused, and no mutating call reaches the clouds, also when it deletes what it applied.
//
// The provider runs as a process with an admin kubeconfig and the CRDs are installed directly, as `make dev` does
// — not through Crossplane (`make e2e` proves the package install): what recovery depends on is the provider and
// the clouds' markers, and re-installing through Crossplane would add about a minute and its own moving parts per
// control plane. Every call from the provider goes through a recording proxy on the port the examples name, with
// the emulator behind it (Options.Record); Vault's own calls to the strict moto go around it.
func TestDisasterRecovery(t *testing.T) {
	// envtest logs through controller-runtime; unset, it prints a stack trace that buries a failure in CI's tail.
	ctrllog.SetLogger(logr.Discard())
	root := harness.RepoRoot()
	dir := filepath.Join(root, "_output", "recovery")
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// A live cluster's provider has a stable identity of its own, which the rebuilt cluster's keeps.
	args := []string{"--poll=3s", "--poll-jitter=0s", "--debug", "--installation=blue"}
	s, err := stack.Start(ctx, stack.Options{
		Dir: dir, Provider: filepath.Join(root, "_output", "provider"), MotoPort: 5055, StrictMotoPort: 5056, VaultAddr: "127.0.0.1:8200",
		PubSubPort: 8085, BigtablePort: 8086, StoragePort: 4443, ProviderArgs: args, Record: true, Log: t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	// Every call the clouds saw, for reading a failure (operations and resources, never bodies).
	t.Cleanup(func() { writeCalls(filepath.Join(dir, "calls.log"), since(s.Recorded, time.Time{})) })
	for _, m := range examples {
		if g, ok := m.proxy(s.Recorded).(*harness.GRPCProxy); ok {
			g.Watch(m.cloud)
		}
	}
	k := kube{t: t, run: s.KubectlRun}
	exampleDir := filepath.Join(root, "examples", "local")

	// 1. The cluster as `make dev` makes it.
	k.must("apply", "-f", exampleDir)
	if got, want := k.managed(), names(examples); !slices.Equal(got, want) {
		t.Fatalf("examples/local makes these managed resources:\n%s\nthe test knows:\n%s\n(a new example belongs in the list)", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	waitFor(t, "every example Ready", 3*time.Minute, func() (bool, string) { return k.allReady(examples) })
	before := map[string]map[string]string{}
	for _, m := range examples {
		if m.conn != "" {
			waitFor(t, "connection Secret "+m.conn, 30*time.Second, func() (bool, string) {
				before[m.conn] = k.secret(m.namespace, m.conn)
				// The DBInstance's with the generated password it set.
				return len(before[m.conn]) > 0 && (m.conn != "orders-db-conn" || before[m.conn]["password"] != ""), fmt.Sprintf("keys %v", keys(before[m.conn]))
			})
		}
	}

	// 2. The disaster: the control plane is lost, with every object, Secret and claim in etcd.
	lost := time.Now()
	data, err := s.LoseControlPlane()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("etcd's data directory %s survived the loss (%v)", data, err)
	}

	// 3. A fresh control plane, the provider reinstalled with the same installation, the same YAML applied.
	if err := s.RebuildControlPlane(ctx, "rebuilt"); err != nil {
		t.Fatal(err)
	}
	if out := k.must("get", "namespaces", "-o", "name"); strings.Contains(out, "namespace/demo") {
		t.Fatalf("the rebuilt control plane is not fresh: %s", out)
	}
	if err := s.StartProvider(); err != nil {
		t.Fatal(err)
	}
	k.must("apply", "-f", exampleDir)
	waitFor(t, "every example Ready after the rebuild", 3*time.Minute, func() (bool, string) { return k.allReady(examples) })
	db := k.get(examples[slices.IndexFunc(examples, func(m mr) bool { return m.name == "orders-db" })])
	if c := db.condition("MasterPassword"); c.Status != "False" || c.Reason != "NotProvable" || !strings.Contains(c.Message, "Write the instance's password into Secret orders-db-master") {
		t.Errorf("the restored DBInstance's MasterPassword condition: want False/NotProvable saying what to do, got %+v", c)
	}
	// Two more polls of every resource after all are Ready: a write still to come would be sent by then.
	settled := time.Now()
	waitFor(t, "two polls of every resource after the rebuild", time.Minute, func() (bool, string) { return polled(s.Recorded, examples, settled, 2) })
	calls := since(s.Recorded, lost)
	creates, deletes, resets := filter(calls, isCreate), filter(calls, isDelete), filter(calls, isPasswordReset)
	for what, got := range map[string][]harness.Call{"creates": creates, "deletes": deletes, "password resets": resets} {
		if len(got) != 0 {
			t.Errorf("%d %s reached the clouds after the rebuild: %v", len(got), what, opsOf(got))
		}
	}
	// What is written: each resource's marker, whose uid part names the managed resource that now holds it.
	writes := filter(calls, mutating)
	for _, c := range writes {
		if !slices.Contains(markerWrites, c.Operation) || !carriesMarker(c) {
			t.Errorf("after the rebuild %s %s was sent: only the markers' tags and labels may be written", c.Operation, c.Bucket)
		}
	}
	t.Logf("after the rebuild: %d calls, %d creates, %d deletes, %d password resets; writes: %v", len(calls), len(creates), len(deletes), len(resets), opsOf(writes))

	// The connection Secrets are back: a DBInstance's without the password it cannot prove.
	for _, m := range examples {
		if m.conn == "" {
			continue
		}
		want := map[string]string{}
		for key, v := range before[m.conn] {
			if m.conn != "orders-db-conn" || !slices.Contains(dbPasswordKeys, key) {
				want[key] = v
			}
		}
		waitFor(t, "connection Secret "+m.conn+" back", 30*time.Second, func() (bool, string) {
			got := k.secret(m.namespace, m.conn)
			return equal(got, want), fmt.Sprintf("keys %v, want %v", keys(got), keys(want))
		})
	}

	// 4. A second live cluster applying the same repository, with its own control plane and a provider of
	// another installation: what the first made is refused, and nothing reaches the clouds but reads. Two providers
	// against one control plane would fight over the same objects' status: not what a second cluster is. The
	// Vault example is left out (Vault's Kubernetes auth trusts one kube-apiserver: a second cluster has a role
	// of its own), and so is the Bigtable Table: Bigtable tables carry no marker, so an installation cannot tell
	// another's table from one to adopt — an administrator must not admit its adoption in a second live
	// cluster's config (README, "Disaster recovery").
	other, err := s.AnotherCluster(ctx, filepath.Join(dir, "green"), []string{"--poll=3s", "--poll-jitter=0s", "--debug", "--installation=green"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Stop()
	k2 := kube{t: t, run: other.KubectlRun}
	applied := slices.DeleteFunc(slices.Clone(examples), func(m mr) bool { return m.name == "demo-vault-logs" || m.kind == btTable })
	start := time.Now()
	for _, f := range must(os.ReadDir(exampleDir)) {
		if f.Name() != "20-vault.yaml" && f.Name() != "80-bigtable-table.yaml" {
			k2.must("apply", "-f", filepath.Join(exampleDir, f.Name()))
		}
	}
	// A resource whose reference names a refused one (the work queue's dead-letter queue, the subscription's
	// topic) waits for it, and reaches no cloud.
	waiting := []string{"orders", "order-events-worker"}
	waitFor(t, "the second installation refused", 2*time.Minute, func() (bool, string) {
		for _, m := range applied {
			msg := k2.get(m).condition("Synced").Message
			if slices.Contains(waiting, m.name) {
				if !strings.Contains(msg, "cannot resolve references") {
					return false, m.name + ": " + msg
				}
				continue
			}
			if !strings.Contains(msg, "of provider installation blue (this one is green; to take its resources over, stop it and start this provider with --handover-from=blue)") {
				return false, m.name + ": " + msg
			}
		}
		return true, ""
	})
	refused := time.Now()
	waitFor(t, "two more reads of every refused resource", time.Minute, func() (bool, string) { return polled(s.Recorded, applied, refused, 2) })
	// Deleting what the second cluster applied deletes nothing of the first's.
	k2.must("delete", "namespace", "demo", "team-x", "--timeout=90s")
	if w := filter(since(s.Recorded, start), mutating); len(w) != 0 {
		t.Errorf("%d mutating calls reached the clouds while a second installation applied and deleted the repository: %v", len(w), opsOf(w))
	}
	if ok, why := k.allReady(examples); !ok {
		t.Errorf("the first installation's resources after the second's came and went: %s", why)
	}
	t.Logf("second installation: %d calls, none mutating", len(since(s.Recorded, start)))
}

// names lists ms as kubectl get managed names them, "namespace/Kind/name", sorted.
func names(ms []mr) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.namespace+"/"+m.kind+"/"+m.name)
	}
	slices.Sort(out)
	return out
}

// since returns every call the recorders saw after t.
func since(r *stack.Recorders, t time.Time) []harness.Call {
	var out []harness.Call
	for _, p := range []recorder{r.AWS, r.StrictAWS, r.Storage, r.PubSub, r.Bigtable} {
		out = append(out, p.Calls(func(c harness.Call) bool { return c.At.After(t) })...)
	}
	return out
}

// polled reports whether every resource of ms has had n polls (its poll operation) after t.
func polled(r *stack.Recorders, ms []mr, t time.Time, n int) (bool, string) {
	for _, m := range ms {
		got := len(m.proxy(r).Calls(func(c harness.Call) bool { return c.At.After(t) && c.Operation == m.poll && c.Bucket == m.cloud }))
		if got < n {
			return false, fmt.Sprintf("%s: %d %s", m.name, got, m.poll)
		}
	}
	return true, ""
}

// writeCalls writes one line per call, in time order: when, operation, resource, status.
func writeCalls(path string, calls []harness.Call) {
	slices.SortFunc(calls, func(a, b harness.Call) int { return a.At.Compare(b.At) })
	var b strings.Builder
	for _, c := range calls {
		fmt.Fprintf(&b, "%s %s %s %d%s\n", c.At.Format("15:04:05.000"), c.Operation, c.Bucket, c.Status, c.Code)
	}
	_ = os.WriteFile(path, []byte(b.String()), 0o600)
}

func filter(calls []harness.Call, keep func(harness.Call) bool) []harness.Call {
	var out []harness.Call
	for _, c := range calls {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// isCreate: a call that makes a cloud resource (S3 CreateBucket, SQS CreateQueue, RDS CreateDBInstance, DynamoDB
// CreateTable, Cloud Storage InsertBucket, Pub/Sub CreateTopic and CreateSubscription, Bigtable CreateTable).
func isCreate(c harness.Call) bool {
	return strings.HasPrefix(c.Operation, "Create") || strings.HasPrefix(c.Operation, "Insert")
}

// isDelete: a call that deletes a cloud resource or a part of one.
func isDelete(c harness.Call) bool { return strings.HasPrefix(c.Operation, "Delete") }

// isPasswordReset: a ModifyDBInstance that sets the master password.
func isPasswordReset(c harness.Call) bool {
	if c.Operation != "ModifyDBInstance" {
		return false
	}
	form, err := url.ParseQuery(string(c.Body))
	return err == nil && form.Get("MasterUserPassword") != ""
}

func mutating(c harness.Call) bool { return harness.IsMutating(c.Operation) }

// opsOf names calls "Operation resource" (never their bodies: a password can be in one).
func opsOf(calls []harness.Call) []string {
	out := make([]string, 0, len(calls))
	for _, c := range calls {
		out = append(out, c.Operation+" "+c.Bucket)
	}
	return out
}

func equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// waitFor polls cond every 500 ms until it holds, failing the test after timeout with cond's last reason.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s: %s", timeout, what, why)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// kube runs the built kubectl against one cluster.
type kube struct {
	t   *testing.T
	run func(...string) (string, error)
}

func (k kube) must(args ...string) string {
	k.t.Helper()
	out, err := k.run(args...)
	if err != nil {
		k.t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// managed lists the cluster's managed resources, "namespace/Kind/name" with kubectl's lower-case kind.group, sorted.
func (k kube) managed() []string {
	out := k.must("get", "managed", "-A", "-o", `jsonpath={range .items[*]}{.metadata.namespace}/{.kind}.{.apiVersion}/{.metadata.name}{"\n"}{end}`)
	var got []string
	for _, l := range strings.Fields(out) {
		// "demo/Bucket.s3.aws.stateful.dev/v1alpha1/demo-assets" -> "demo/bucket.s3.aws.stateful.dev/demo-assets"
		p := strings.Split(l, "/")
		got = append(got, p[0]+"/"+strings.ToLower(p[1])+"/"+p[3])
	}
	slices.Sort(got)
	return got
}

type condition struct{ Type, Status, Reason, Message string }

type object struct {
	Status struct{ Conditions []condition }
}

func (o object) condition(typ string) condition {
	for _, c := range o.Status.Conditions {
		if c.Type == typ {
			return c
		}
	}
	return condition{Type: typ, Status: "Unknown"}
}

// get reads m's object; a zero object when it cannot.
func (k kube) get(m mr) object {
	var o object
	out, err := k.run("get", m.kind, "-n", m.namespace, m.name, "-o", "json")
	if err == nil {
		_ = json.Unmarshal([]byte(out), &o)
	}
	return o
}

// allReady reports whether every resource of ms is Ready and Synced.
func (k kube) allReady(ms []mr) (bool, string) {
	for _, m := range ms {
		o := k.get(m)
		if r, s := o.condition("Ready"), o.condition("Synced"); r.Status != "True" || s.Status != "True" {
			return false, fmt.Sprintf("%s/%s: Ready %s %s, Synced %s %s", m.namespace, m.name, r.Status, r.Message, s.Status, s.Message)
		}
	}
	return true, ""
}

// secret reads a Secret's data, base64 as the API serves it; empty when it does not exist.
func (k kube) secret(ns, name string) map[string]string {
	var s struct{ Data map[string]string }
	out, err := k.run("get", "secret", "-n", ns, name, "-o", "json")
	if err == nil {
		_ = json.Unmarshal([]byte(out), &s)
	}
	return s.Data
}
