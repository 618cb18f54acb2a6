// Command dev runs the local stack for `make dev`: control plane, moto_server and the provider, with the examples
// in examples/local applied. It shows the managed resources until they are Ready, says how to poke them, and stays
// up until Ctrl-C. With -crossplane (`make dev-crossplane`) real Crossplane installs the provider's package and
// the example compositions' XRs are applied too.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/stateful-dev/provider-stateful/internal/devstack/stack"
)

func main() {
	os.Exit(dev())
}

// dev runs the stack until Ctrl-C and returns the exit code, once its deferred calls (the stack's stop) have run.
func dev() int {
	dir := flag.String("dir", "_output/dev", "Folder for the kubeconfig and logs.")
	provider := flag.String("provider", "_output/provider", "Provider binary.")
	examples := flag.String("examples", "examples/local", "Folder of manifests to apply.")
	poll := flag.Duration("poll", 30*time.Second, "Provider poll interval (short, so drift you make is reverted quickly).")
	crossplane := flag.String("crossplane", "", "Folder hack/build-crossplane.sh printed: run real Crossplane, install the package, apply the compositions.")
	xpkgs := flag.String("xpkgs", "", "The packages `make xpkg` wrote (space-separated), with -crossplane.")
	flag.Parse()

	// When the output is piped (make dev | tee log) and Ctrl-C ends the reader first, a write to stdout must not
	// kill this process before it has stopped the stack: its children run in their own process groups.
	signal.Ignore(syscall.SIGPIPE)

	say := func(f string, a ...any) { fmt.Printf("\033[1m==>\033[0m "+f+"\n", a...) }
	abs, _ := filepath.Abs(*dir)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	s, err := stack.Start(ctx, stack.Options{
		Dir: abs, Provider: *provider, Log: say,
		MotoPort: 5055, StrictMotoPort: 5056, VaultAddr: "127.0.0.1:8200", PubSubPort: 8085, BigtablePort: 8086, StoragePort: 4443,
		ProviderArgs: []string{fmt.Sprintf("--poll=%s", *poll), "--poll-jitter=0s", "--debug"},
		Crossplane:   *crossplane, Packages: strings.Fields(*xpkgs),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "local stack failed:", err)
		return 1
	}
	defer func() { say("stopping the local stack"); s.Stop() }()

	say("applying %s", *examples)
	if out, err := s.KubectlRun("apply", "-f", *examples); err != nil {
		fmt.Fprintln(os.Stderr, out, err)
		return 0
	}
	kinds := "managed"
	if *crossplane != "" {
		say("applying the example compositions and an XR of each (examples/compositions)")
		if err := s.ApplyCompositions(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 0
		}
		kinds = "managed,composite"
	}
	say("waiting for the resources to become Ready")
	last := ""
	for ctx.Err() == nil {
		out, _ := s.KubectlRun("get", kinds, "-A", "-o", "custom-columns=KIND:.kind,NAMESPACE:.metadata.namespace,NAME:.metadata.name,"+
			"READY:.status.conditions[?(@.type=='Ready')].status,SYNCED:.status.conditions[?(@.type=='Synced')].status,"+
			"MESSAGE:.status.conditions[?(@.type=='Synced')].message")
		if out != last {
			fmt.Print(out)
			last = out
		}
		ready, _ := s.KubectlRun("get", kinds, "-A", "-o", `jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}`)
		if allTrue(ready) {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	if ctx.Err() != nil {
		return 0
	}
	fmt.Printf(`
Everything is Ready. The stack stays up until Ctrl-C.

  export KUBECONFIG=%[1]s
  alias kubectl=%[2]s

  kubectl get managed -A                      # the managed resources
  kubectl describe bucket.s3.aws.stateful.dev -n demo demo-assets   # conditions and events (DriftReverted, ...)
  kubectl edit bucket.s3.aws.stateful.dev -n demo demo-assets       # change a field; the provider applies it
  kubectl get secret -n demo demo-assets-conn -o jsonpath='{.data}'

  # Change the bucket behind the provider's back; it is reverted within %[3]s:
  AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws --endpoint-url %[4]s s3api put-bucket-versioning \
    --bucket demo-assets --versioning-configuration Status=Suspended
  curl -s %[4]s/moto-api/data.json           # everything moto holds

  # Credentials from Vault: the "vault" ClusterProviderConfig logs in with Kubernetes auth and has Vault mint an
  # IAM user key in the strict moto on %[7]s (demo/demo-vault-logs uses it). Its status shows the token and lease:
  kubectl get clusterproviderconfig vault -o jsonpath='{.status}'
  VAULT_ADDR=%[8]s VAULT_TOKEN=%[9]s %[10]s list sys/leases/lookup/aws/creds/iam   # the live lease

  # What a change would do before it is made: the provider's warnings at admission, and the plan
  kubectl patch --dry-run=server --type=merge -n demo queue.sqs.aws.stateful.dev orders-dlq \
    -p '{"spec":{"forProvider":{"messageRetentionPeriod":60}}}'
  make plan-demo                              # a demo change of examples/: offline, then against this cluster
  kubectl annotate bucket.s3.aws.stateful.dev -n demo demo-assets stateful.dev/drift=hold   # hold drift for review

  logs:     %[5]s/{provider,moto,moto-strict,vault,kube-controller-manager}.log
  metrics:  curl -s http://%[6]s/metrics | grep stateful_cloud_requests_total
`, s.Kubeconfig, s.Kubectl, *poll, s.MotoURL, abs, s.MetricsAddr, s.StrictMotoURL, s.Vault.URL, stack.VaultRootToken, os.Getenv("VAULT_BIN"))
	if *crossplane != "" {
		fmt.Printf(`
  # Crossplane installed the package from the local registry %[1]s and composes the example platform APIs:
  kubectl get providers,functions,managedresourcedefinitions
  kubectl get composite -A                    # the XRs: AppStorage demo/checkout, PostgreSQLDatabase demo/billing-db
  KUBECONFIG=%[2]s %[3]s/crossplane-cli resource trace -n demo appstorage.platform.stateful.dev checkout
  logs:     %[4]s/{crossplane,crossplane-rbac,function-patch-and-transform}.log
`, s.Registry, s.Kubeconfig, *crossplane, abs)
	}
	<-ctx.Done()
	return 0
}

// allTrue reports whether every line of out (one per resource) is "True", and there is at least one.
func allTrue(out string) bool {
	lines := strings.Fields(out)
	for _, l := range lines {
		if l != "True" {
			return false
		}
	}
	return len(lines) > 0 && strings.Count(out, "\n") == len(lines)
}
