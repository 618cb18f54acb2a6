//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stateful-dev/provider-stateful/internal/devstack/stack"
)

// crossplaneOptions are the stack's Crossplane options from make e2e's environment: the tools folder
// hack/build-crossplane.sh printed and the packages `make xpkg` wrote.
func crossplaneOptions(t *testing.T) (tools string, pkgs []string) {
	tools, pkgs = os.Getenv("CROSSPLANE_TOOLS"), strings.Fields(os.Getenv("XPKGS"))
	if tools == "" || len(pkgs) == 0 {
		t.Fatal("CROSSPLANE_TOOLS or XPKGS is not set: run through `make e2e`, which builds Crossplane and the packages")
	}
	return tools, pkgs
}

// checkInstalledByCrossplane checks what Crossplane did with the package: every kind is a
// ManagedResourceDefinition, the AWS kinds Active through the activation policy, and the provider running with
// its service account's token — not the stack's admin.
func checkInstalledByCrossplane(t *testing.T, s *stack.Stack, kubectl func(...string) string) {
	t.Helper()
	mrds := kubectl("get", "managedresourcedefinitions", "-o", `jsonpath={range .items[*]}{.metadata.name}={.spec.state}{"\n"}{end}`)
	for _, kind := range []string{"buckets.s3.aws.stateful.dev", "queues.sqs.aws.stateful.dev", "dbinstances.rds.aws.stateful.dev", "tables.dynamodb.aws.stateful.dev", "topics.pubsub.gcp.stateful.dev", "subscriptions.pubsub.gcp.stateful.dev", "tables.bigtable.gcp.stateful.dev", "buckets.storage.gcp.stateful.dev"} {
		if !strings.Contains(mrds, kind+"=Active") {
			t.Errorf("ManagedResourceDefinition %s is not Active:\n%s", kind, mrds)
		}
	}
	if rev := kubectl("get", "providerrevisions", "-o", "jsonpath={.items[*].spec.image}"); !strings.HasPrefix(rev, s.Registry+"/") {
		t.Errorf("the provider revision's package %q is not from the local registry %s", rev, s.Registry)
	}
	kc, err := os.ReadFile(filepath.Join(s.Dir(), "provider-kubeconfig"))
	if err != nil || strings.Contains(string(kc), "client-certificate") || !strings.Contains(string(kc), "token:") {
		t.Errorf("the provider does not run with a service account token (%v)", err)
	}
}

// checkCompositions applies both example platform APIs and an XR of each, waits until each XR is Ready against
// moto, and traces one with the crossplane CLI.
func checkCompositions(t *testing.T, s *stack.Stack, kubectl func(...string) string, tools string) {
	t.Helper()
	if err := s.ApplyCompositions(); err != nil {
		t.Fatal(err)
	}
	kubectl("wait", "--for=condition=Ready", "--timeout=120s", "-n", "demo", "appstorage/checkout", "postgresqldatabase/billing-db")

	if url := kubectl("get", "appstorage", "-n", "demo", "checkout", "-o", "jsonpath={.status.queueURL}"); !strings.Contains(url, "checkout-work") {
		t.Errorf("the AppStorage XR's status.queueURL is %q", url)
	}
	if uri := kubectl("get", "secret", "-n", "demo", "billing-db-conn", "-o", "jsonpath={.data.uri}"); uri == "" {
		t.Errorf("the PostgreSQLDatabase's connection Secret billing-db-conn has no uri")
	}

	cmd := exec.Command(filepath.Join(tools, "crossplane-cli"), "resource", "trace", "-n", "demo", "appstorage.platform.stateful.dev", "checkout")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+s.Kubeconfig)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("crossplane resource trace: %v\n%s", err, out)
	}
	for _, want := range []string{"AppStorage/checkout", "Bucket/checkout-data", "Queue/checkout-dlq", "Queue/checkout-work"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the trace does not name %s:\n%s", want, out)
		}
	}
	t.Logf("crossplane resource trace:\n%s", out)
}

// checkWebhookWarnings checks the package's admission webhook as Crossplane installed it: its configuration renamed
// for the package and pointed at the package's Service on port 9443 with the CA bundle of the revision's TLS server
// certificate, and a dry-run edit and delete printing the provider's warnings — through the Service's endpoint, the
// provider process reading its certificate from TLS_SERVER_CERTS_DIR — while changing nothing.
func checkWebhookWarnings(t *testing.T, kubectl func(...string) string) {
	t.Helper()
	cfg := kubectl("get", "validatingwebhookconfiguration", "crossplane-provider-"+stack.ProviderName, "-o",
		`jsonpath={.webhooks[0].clientConfig.service.namespace}/{.webhooks[0].clientConfig.service.name}:{.webhooks[0].clientConfig.service.port}{.webhooks[0].clientConfig.service.path} {.webhooks[0].clientConfig.caBundle}`)
	if want := stack.CrossplaneNamespace + "/" + stack.ProviderName + ":9443/warnings "; !strings.HasPrefix(cfg, want) || len(cfg) < len(want)+100 {
		t.Errorf("the webhook configuration Crossplane made is %q, want %s and a CA bundle", cfg, want)
	}
	var out string
	// The webhook server starts with the provider; the configuration's failurePolicy Ignore lets writes through
	// until it answers.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		out = kubectl("patch", "--dry-run=server", "--type=merge", "-n", "demo", "queue.sqs.aws.stateful.dev", "orders-dlq",
			"-p", `{"spec":{"forProvider":{"messageRetentionPeriod":60}}}`)
		if strings.Contains(out, "Warning:") {
			break
		}
		time.Sleep(time.Second)
	}
	if want := "Warning: spec.forProvider.messageRetentionPeriod 1209600 -> 60: irreversible, now"; !strings.Contains(out, want) {
		t.Errorf("kubectl patch --dry-run=server does not warn %q:\n%s", want, out)
	}
	if got := kubectl("get", "-n", "demo", "queue.sqs.aws.stateful.dev", "orders-dlq", "-o", "jsonpath={.spec.forProvider.messageRetentionPeriod}"); got != "1209600" {
		t.Errorf("the dry run changed the queue: messageRetentionPeriod %s", got)
	}
	out = kubectl("delete", "--dry-run=server", "-n", "demo", "bucket.s3.aws.stateful.dev", bucket)
	if want := "Warning: deleting this resource deletes the bucket"; !strings.Contains(out, want) {
		t.Errorf("kubectl delete --dry-run=server does not warn %q:\n%s", want, out)
	}
}
