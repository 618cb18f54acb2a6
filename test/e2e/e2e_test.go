//go:build e2e

// Package e2e runs the provider as a separate process against the whole local stack — the same one `make dev`
// starts — applies examples/local, and checks the GitOps promise end to end: the spec reaches the cloud, changes
// made behind the provider's back are reverted, and deleting the resource removes it from the cloud.
package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
	"github.com/stateful-dev/provider-stateful/internal/devstack/stack"
)

const bucket = "demo-assets"

func TestExamplesEndToEnd(t *testing.T) {
	// envtest logs through controller-runtime; unset, it prints a stack trace that buries a failure in CI's tail.
	ctrllog.SetLogger(logr.Discard())
	root := harness.RepoRoot()
	dir := filepath.Join(root, "_output", "e2e")
	ctx := context.Background()
	tools, pkgs := crossplaneOptions(t)
	s, err := stack.Start(ctx, stack.Options{
		Crossplane: tools, Packages: pkgs,
		Dir: dir, Provider: filepath.Join(root, "_output", "provider"), MotoPort: 5055, StrictMotoPort: 5056, VaultAddr: "127.0.0.1:8200", PubSubPort: 8085, BigtablePort: 8086, StoragePort: 4443,
		ProviderArgs: []string{"--poll=3s", "--poll-jitter=0s", "--debug"},
		Log:          t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	kubectl := func(args ...string) string {
		t.Helper()
		out, err := s.KubectlRun(args...)
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	direct := s3.New(s3.Options{Region: "eu-west-1", BaseEndpoint: aws.String(s.MotoURL), UsePathStyle: true, Credentials: credentials.NewStaticCredentialsProvider("x", "x", "")})
	tags := func() map[string]string {
		out, err := direct.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
		m := map[string]string{}
		if err == nil {
			for _, tg := range out.TagSet {
				m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
		}
		return m
	}

	checkInstalledByCrossplane(t, s, kubectl)
	kubectl("apply", "-f", filepath.Join(root, "examples", "local"))
	kubectl("wait", "--for=condition=Ready", "--timeout=90s", "-n", "demo", "bucket.s3.aws.stateful.dev/"+bucket)
	if tags()["team"] != "platform" {
		t.Fatalf("example tags not in moto: %v", tags())
	}
	checkWebhookWarnings(t, kubectl)
	conn := kubectl("get", "secret", "-n", "demo", bucket+"-conn", "-o", "json")
	var secret struct{ Data map[string]string }
	_ = json.Unmarshal([]byte(conn), &secret)
	for _, k := range []string{"bucket", "region", "arn", "endpoint"} {
		if secret.Data[k] == "" {
			t.Errorf("connection secret lacks %q", k)
		}
	}

	// The Vault example: Kubernetes auth, an IAM user key minted by Vault's AWS secrets engine, used on a moto that
	// accepts only keys that exist in its IAM.
	kubectl("wait", "--for=condition=Ready", "--timeout=90s", "-n", "demo", "bucket.s3.aws.stateful.dev/demo-vault-logs")
	kubectl("wait", "--for=condition=Ready", "--timeout=30s", "clusterproviderconfig/vault")
	strict := s3.New(s3.Options{Region: "eu-west-1", BaseEndpoint: aws.String(s.StrictMotoURL), UsePathStyle: true, Credentials: credentials.NewStaticCredentialsProvider(s.StrictAdminKey, s.StrictAdminSecret, "")})
	if _, err := strict.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("demo-vault-logs")}); err != nil {
		t.Fatalf("the Vault example's bucket is not in the strict moto: %v", err)
	}
	// The config shows the credentials it issued as soon as its controller has seen them: a change of what a config
	// holds in Vault is not held back like its usage count.
	vaultStatus := func() string {
		kind, _ := s.KubectlRun("get", "clusterproviderconfig", "vault", "-o", "jsonpath={.status.vault.authMethod}/{.status.vault.aws.kind}")
		return kind
	}
	for deadline := time.Now().Add(5 * time.Second); vaultStatus() != "kubernetes/iam_user"; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("the Vault config's status.vault shows %q within 5 s of its first use, want %q", vaultStatus(), "kubernetes/iam_user")
			break
		}
	}
	leases := func() int {
		l, err := s.Vault.Admin.Logical().ListWithContext(ctx, "sys/leases/lookup/aws/creds/iam/")
		if err != nil || l == nil {
			return 0
		}
		keys, _ := l.Data["keys"].([]any)
		return len(keys)
	}
	if n := leases(); n != 1 {
		t.Errorf("live iam_user leases: want 1, got %d", n)
	}

	// The queues: the work queue's dead-letter target resolved by reference, its connection secret written.
	kubectl("wait", "--for=condition=Ready", "--timeout=60s", "-n", "demo", "queue/orders", "queue/orders-dlq", "queue/events.fifo")
	dlqARN := kubectl("get", "queue", "-n", "demo", "orders-dlq", "-o", "jsonpath={.status.atProvider.arn}")
	if redrive := kubectl("get", "queue", "-n", "demo", "orders", "-o", "jsonpath={.status.atProvider.redrivePolicy}"); dlqARN == "" || !strings.Contains(redrive, dlqARN) {
		t.Errorf("the work queue's redrive policy %q does not name the dead-letter queue %q", redrive, dlqARN)
	}
	if url := kubectl("get", "secret", "-n", "demo", "orders-conn", "-o", "jsonpath={.data.url}"); url == "" {
		t.Errorf("the queue's connection secret has no url")
	}

	// The database: its generated password is in the connection Secret, with a DSN naming the endpoint.
	kubectl("wait", "--for=condition=Ready", "--timeout=60s", "-n", "demo", "dbinstance/orders-db")
	master := kubectl("get", "secret", "-n", "demo", "orders-db-master", "-o", "jsonpath={.data.password}")
	if connPW := kubectl("get", "secret", "-n", "demo", "orders-db-conn", "-o", "jsonpath={.data.password}"); master == "" || connPW != master {
		t.Errorf("the connection secret's password is not the generated one")
	}
	if dsn := kubectl("get", "secret", "-n", "demo", "orders-db-conn", "-o", "jsonpath={.data.uri}"); dsn == "" {
		t.Errorf("the connection secret has no uri")
	}
	if pw, err := base64.StdEncoding.DecodeString(master); err != nil || len(pw) == 0 {
		t.Errorf("the generated password Secret: %v", err)
	} else if obj := kubectl("get", "dbinstance", "-n", "demo", "orders-db", "-o", "json"); strings.Contains(obj, string(pw)) {
		t.Errorf("the DBInstance object carries the password")
	} else if logs, _ := os.ReadFile(filepath.Join(dir, "provider.log")); strings.Contains(string(logs), string(pw)) {
		t.Errorf("the provider log carries the password")
	}

	// The table, with its stream in the connection secret.
	kubectl("wait", "--for=condition=Ready", "--timeout=60s", "-n", "demo", "table.dynamodb.aws.stateful.dev/events")
	if stream := kubectl("get", "secret", "-n", "demo", "events-conn", "-o", "jsonpath={.data.streamArn}"); stream == "" {
		t.Errorf("the table's connection secret has no streamArn")
	}

	// The Pub/Sub topic, in the emulator, labelled for its Topic.
	kubectl("wait", "--for=condition=Ready", "--timeout=60s", "-n", "demo", "topic/order-events")
	topics := topicClient(t, s)
	if tp := getTopic(t, topics, "order-events"); tp == nil || tp.GetLabels()["team"] != "orders" || tp.GetLabels()["stateful-dev_namespace"] != "demo" {
		t.Errorf("the topic in the emulator: %v", tp)
	}
	if name := kubectl("get", "secret", "-n", "demo", "order-events-conn", "-o", "jsonpath={.data.name}"); name == "" {
		t.Errorf("the topic's connection secret has no name")
	}
	// The subscription to it, by reference, with its dead-letter Topic by reference.
	kubectl("wait", "--for=condition=Ready", "--timeout=60s", "-n", "demo", "subscription/order-events-worker")
	subs := subscriptionClient(t, s)
	if sub := getSubscription(t, subs, "order-events-worker"); sub == nil || sub.GetTopic() != "projects/local-project/topics/order-events" ||
		sub.GetDeadLetterPolicy().GetDeadLetterTopic() != "projects/local-project/topics/order-events-dead" || sub.GetLabels()["stateful-dev_namespace"] != "demo" {
		t.Errorf("the subscription in the emulator: %v", sub)
	}
	if topic := kubectl("get", "secret", "-n", "demo", "order-events-worker-conn", "-o", "jsonpath={.data.topic}"); topic == "" {
		t.Errorf("the subscription's connection secret has no topic")
	}
	// The Cloud Storage bucket, in the patched fake-gcs-server, labelled for its Bucket.
	kubectl("wait", "--for=condition=Ready", "--timeout=60s", "-n", "demo", "bucket.storage.gcp.stateful.dev/demo-gcs-assets")
	gcs := gcsClient(t, s)
	if a := getGCSBucket(t, gcs, "demo-gcs-assets"); a == nil || !a.VersioningEnabled || a.Labels["team"] != "web" || a.Labels["stateful-dev_namespace"] != "demo" || !a.UniformBucketLevelAccess.Enabled {
		t.Errorf("the Cloud Storage bucket in the emulator: %+v", a)
	}
	if url := kubectl("get", "secret", "-n", "demo", "demo-gcs-assets-conn", "-o", "jsonpath={.data.url}"); url == "" {
		t.Errorf("the Cloud Storage bucket's connection secret has no url")
	}
	// The Bigtable table, in the emulator, with its families, claimed for its Table.
	kubectl("wait", "--for=condition=Ready", "--timeout=60s", "-n", "demo", "table.bigtable.gcp.stateful.dev/order-history")
	bigtables := bigtableClient(t, s)
	if tb := getBigtable(t, bigtables, "order-history"); tb == nil || tb.GetColumnFamilies()["events"] == nil || tb.GetColumnFamilies()["raw"] == nil {
		t.Errorf("the Bigtable table in the emulator: %v", tb)
	}
	if holders := kubectl("get", "leases", "-n", stack.CrossplaneNamespace, "-l", "stateful.dev/claim", "-o", "jsonpath={.items[*].spec.holderIdentity}"); !strings.Contains(holders, "demo/order-history") {
		t.Errorf("no claim held by demo/order-history: %s", holders)
	}

	// A spec change reaches the cloud.
	kubectl("patch", "-n", "demo", "bucket.s3.aws.stateful.dev/"+bucket, "--type=merge", "-p", `{"spec":{"forProvider":{"tags":{"team":"platform","env":"staging"}}}}`)
	wait(t, "the changed tag in moto", func() bool { return tags()["env"] == "staging" })

	// A change behind the provider's back is reverted.
	if _, err := direct.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}}); err != nil {
		t.Fatal(err)
	}
	wait(t, "versioning drift reverted", func() bool {
		v, err := direct.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
		return err == nil && v.Status == types.BucketVersioningStatusEnabled
	})
	if ev := kubectl("get", "events", "-n", "demo", "--field-selector=reason=DriftReverted", "-o", "name"); strings.TrimSpace(ev) == "" {
		t.Errorf("no DriftReverted event")
	}

	// The platform APIs: both example compositions, through Crossplane and function-patch-and-transform.
	checkCompositions(t, s, kubectl, tools)

	// Deleting a namespace (kube-controller-manager's namespace controller) deletes its Buckets, and the buckets —
	// also for a tenant whose namespaced ProviderConfig is deleted together with them: the config is kept until its
	// last Bucket is gone.
	kubectl("wait", "--for=condition=Ready", "--timeout=60s", "-n", "team-x", "bucket.s3.aws.stateful.dev/team-x-data")
	// A tenant's Bucket without a providerConfigRef falls back to ClusterProviderConfig/default, which serves the
	// platform's namespaces only: refused, never in the cloud, no usage record.
	sneaky := filepath.Join(dir, "sneaky-bucket.yaml")
	if err := os.WriteFile(sneaky, []byte("apiVersion: s3.aws.stateful.dev/v1alpha1\nkind: Bucket\nmetadata: {namespace: team-x, name: team-x-sneaky}\nspec:\n  forProvider: {region: eu-west-1}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	kubectl("apply", "-f", sneaky)
	wait(t, "the tenant's default-config Bucket refused", func() bool {
		msg, _ := s.KubectlRun("get", "bucket.s3.aws.stateful.dev", "-n", "team-x", "team-x-sneaky", "-o", "jsonpath={.status.conditions[?(@.type=='Synced')].message}")
		return strings.Contains(msg, "ClusterProviderConfig default does not serve namespace team-x")
	})
	if _, err := direct.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("team-x-sneaky")}); err == nil {
		t.Errorf("a refused tenant Bucket exists in moto")
	}
	if users := kubectl("get", "providerconfigusages", "-n", "team-x", "-o", "jsonpath={.items[*].resourceRef.name}"); strings.Contains(users, "team-x-sneaky") || !strings.Contains(users, "team-x-data") {
		t.Errorf("usage records in team-x name %q: want team-x-data's only", users)
	}
	// A queue whose dead-letter queue does not exist (yet): its reference is unresolved, retried, not Degraded.
	orphan := filepath.Join(dir, "orphan-queue.yaml")
	if err := os.WriteFile(orphan, []byte("apiVersion: sqs.aws.stateful.dev/v1alpha1\nkind: Queue\nmetadata: {namespace: demo, name: orphan}\nspec:\n  forProvider:\n    region: eu-west-1\n    redrivePolicy: {deadLetterTargetRef: {name: not-there-yet}, maxReceiveCount: 3}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	kubectl("apply", "-f", orphan)
	wait(t, "the orphan queue's unresolved reference", func() bool {
		msg, _ := s.KubectlRun("get", "queue", "-n", "demo", "orphan", "-o", "jsonpath={.status.conditions[?(@.type=='Synced')].message}")
		return strings.Contains(msg, "not-there-yet")
	})
	checkArgoHealth(t, s, kubectl, []argoCase{
		{kind: "bucket.s3.aws.stateful.dev", namespace: "demo", name: bucket, status: "Healthy"},
		{kind: "queue", namespace: "demo", name: "orders", status: "Healthy"},
		{kind: "dbinstance", namespace: "demo", name: "orders-db", status: "Healthy"},
		{kind: "table.dynamodb.aws.stateful.dev", namespace: "demo", name: "events", status: "Healthy"},
		{kind: "topic", namespace: "demo", name: "order-events", status: "Healthy"},
		{kind: "subscription", namespace: "demo", name: "order-events-worker", status: "Healthy"},
		{kind: "table.bigtable.gcp.stateful.dev", namespace: "demo", name: "order-history", status: "Healthy"},
		{kind: "bucket.storage.gcp.stateful.dev", namespace: "demo", name: "demo-gcs-assets", status: "Healthy"},
		{kind: "queue", namespace: "demo", name: "orphan", status: "Progressing", msgHas: "not-there-yet"},
		{kind: "bucket.s3.aws.stateful.dev", namespace: "team-x", name: "team-x-sneaky", status: "Progressing", msgHas: "does not serve namespace team-x"},
	})

	kubectl("delete", "namespace", "demo", "team-x", "--wait=false")
	for _, b := range []string{bucket, "team-x-data", "checkout-data"} {
		wait(t, b+" gone from moto", func() bool {
			_, err := direct.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b)})
			return err != nil
		})
	}
	queues := sqs.New(sqs.Options{Region: "eu-west-1", BaseEndpoint: aws.String(s.MotoURL), Credentials: credentials.NewStaticCredentialsProvider("x", "x", "")})
	for _, q := range []string{"orders", "orders-dlq", "events.fifo", "checkout-work", "checkout-dlq"} {
		wait(t, "queue "+q+" gone from moto", func() bool {
			_, err := queues.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(q)})
			return err != nil
		})
	}
	wait(t, "bucket demo-gcs-assets gone from the emulator", func() bool { return getGCSBucket(t, gcs, "demo-gcs-assets") == nil })
	wait(t, "Bigtable table order-history gone from the emulator", func() bool { return getBigtable(t, bigtables, "order-history") == nil })
	wait(t, "subscription order-events-worker gone from the emulator", func() bool { return getSubscription(t, subs, "order-events-worker") == nil })
	wait(t, "topic order-events gone from the emulator", func() bool { return getTopic(t, topics, "order-events") == nil })
	for _, ns := range []string{"demo", "team-x"} {
		wait(t, "namespace "+ns+" gone", func() bool {
			_, err := s.KubectlRun("get", "namespace", ns)
			return err != nil
		})
	}
	// With its last user gone, the Vault config can be deleted, and the IAM user it held is revoked at once.
	kubectl("delete", "clusterproviderconfig", "vault", "--timeout=60s")
	wait(t, "the Vault config's lease revoked", func() bool { return leases() == 0 })
	// T23: the provider wrote nothing to disk — its working directory, HOME and TMPDIR are still empty.
	if entries, err := os.ReadDir(s.ProviderHome); err != nil || len(entries) != 0 {
		t.Errorf("the provider wrote to disk: %d entries in its home (%v)", len(entries), err)
	}
	logs, _ := os.ReadFile(filepath.Join(dir, "provider.log"))
	for _, secret := range []string{"local-stack-not-a-secret", "team-x-not-a-secret", stack.VaultRootToken} {
		if strings.Contains(string(logs), secret) {
			t.Errorf("a secret (%.8s...) appears in the provider log", secret)
		}
	}
}

func wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
