// Package stack runs the provider's whole development stack on loopback: etcd + kube-apiserver (envtest, built by
// hack/build-k8s.sh), kube-controller-manager (garbage collector and namespace controllers, so ownerReferences
// and namespace deletion work as in a cluster), moto_server, a strict moto_server (only keys that exist in its
// IAM work) with a Vault dev server minting keys for it (built by hack/build-vault.sh), and the provider as a
// separate process. `make dev`, `make bench`, `make e2e` and the recovery test (`make recovery`) use it.
package stack

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"cloud.google.com/go/bigtable/bttest"
	"cloud.google.com/go/pubsub/v2/pstest"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// Options configure a Stack.
type Options struct {
	// Dir receives the kubeconfig and every log.
	Dir string
	// Provider is the provider binary to run.
	Provider string
	// ProviderArgs are extra provider flags.
	ProviderArgs []string
	// MotoPort is moto_server's port; the examples aim at 5055.
	MotoPort int
	// StrictMotoPort is the strict moto_server's port; the Vault example aims at 5056.
	StrictMotoPort int
	// VaultAddr is the Vault dev server's host:port; the Vault example aims at 127.0.0.1:8200.
	VaultAddr string
	// PubSubPort is the Pub/Sub emulator's port; the examples aim at 8085.
	PubSubPort int
	// BigtablePort is the Bigtable emulator's port (with PubSubPort); the examples aim at 8086.
	BigtablePort int
	// StoragePort is the Cloud Storage emulator's port (with PubSubPort; FAKE_GCS_BIN names the binary); the
	// examples aim at 4443.
	StoragePort int
	// Log receives progress lines.
	Log func(format string, args ...any)
	// Crossplane, when set, is the folder hack/build-crossplane.sh printed: the stack then runs Crossplane core,
	// installs the provider from Packages (what `make xpkg` wrote, one per architecture) through a local registry,
	// and runs the binary from this machine's package with the service account Crossplane's RBAC manager grants
	// (see crossplane.go). Unset, the CRDs are applied directly and Provider runs with an admin kubeconfig.
	Crossplane string
	Packages   []string
	// DeferProvider leaves the provider to a later StartProvider (make bench measures the control plane alone
	// first).
	DeferProvider bool
	// ProviderEnv is added to the provider process's environment (GOMAXPROCS, ...).
	ProviderEnv []string
	// Record puts a recording proxy (package harness) on each cloud port the examples name — moto, the strict moto,
	// Cloud Storage, Pub/Sub, Bigtable — with the emulator behind it on a free port: Stack.Recorded counts every
	// call the provider makes. Vault's own calls to the strict moto (minting keys) go around it.
	Record bool
}

// Recorders are the recording proxies of a stack started with Options.Record, on the examples' ports.
type Recorders struct {
	// AWS is in front of moto, StrictAWS in front of the strict moto, Storage in front of fake-gcs-server.
	AWS, StrictAWS, Storage *harness.Proxy
	// PubSub and Bigtable are in front of pstest and bttest.
	PubSub, Bigtable *harness.GRPCProxy
}

func (r *Recorders) stop() {
	for _, p := range []*harness.Proxy{r.AWS, r.StrictAWS, r.Storage} {
		if p != nil {
			p.Close()
		}
	}
	for _, p := range []*harness.GRPCProxy{r.PubSub, r.Bigtable} {
		if p != nil {
			p.Stop()
		}
	}
}

// A Stack is a running local stack.
type Stack struct {
	Kubeconfig  string
	Kubectl     string
	MotoURL     string
	MetricsAddr string
	Config      *rest.Config
	// StrictMotoURL is the moto_server that only accepts keys Vault minted (or the bootstrap admin key).
	StrictMotoURL string
	// StrictAdminKey and StrictAdminSecret are the strict moto's bootstrap admin key, which Vault mints with.
	StrictAdminKey, StrictAdminSecret string
	// Vault is the Vault dev server; its root token is VaultRootToken.
	Vault *harness.Vault
	// ProviderHome is the provider process's working directory, HOME and TMPDIR.
	ProviderHome string
	// Registry is the local OCI registry's host:port, with Crossplane.
	Registry string
	// PubSub is the Pub/Sub emulator (pstest, in this process): its address is PubSub.Addr.
	PubSub *pstest.Server
	// Bigtable is the Bigtable emulator (bttest, in this process): its address is Bigtable.Addr.
	Bigtable *bttest.Server
	// Storage is the Cloud Storage emulator (the patched fake-gcs-server, a separate process).
	Storage *harness.GCS
	// Recorded are the recording proxies, with Options.Record (MotoURL and StrictMotoURL are then theirs).
	Recorded *Recorders

	registry           *http.Server
	runtime            *externalRuntime
	stopRuntime        context.CancelFunc
	providerKubeconfig string

	opts     Options
	env      *envtest.Environment
	procs    []*exec.Cmd
	provider *exec.Cmd
	strict   *harness.Moto
	// kcm is kube-controller-manager, part of the control plane a loss takes away.
	kcm *exec.Cmd
	// strictBackend is the strict moto's own URL, which Vault mints keys in (behind the proxy with Record).
	strictBackend string
	// gcpKey is the service-account key of the gcp-key Secret, made once: a rebuilt cluster gets it back.
	gcpKey []byte
	// vault says whether this stack's cluster is the one Vault's Kubernetes auth trusts (not AnotherCluster's).
	vault bool
	// logSuffix names the logs of a rebuilt control plane and its provider apart from the lost one's.
	logSuffix string
}

// VaultRootToken is the local Vault dev server's root token: the stack is for development on loopback only.
const VaultRootToken = "dev-only-root-token" //nolint:gosec // A loopback dev server's well-known token, not a secret.

// Start brings the stack up. On error everything started so far is stopped.
func Start(ctx context.Context, o Options) (_ *Stack, err error) {
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	// Not the named result: every `return nil, err` below would set it to nil before the deferred Stop runs.
	s := &Stack{opts: o}
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	s.Kubectl = filepath.Join(assets, "kubectl")
	if err := s.startControlPlane(); err != nil {
		return nil, err
	}

	motoPort := o.MotoPort
	if o.Record {
		s.Recorded = &Recorders{}
		if motoPort, err = harness.FreePort(); err != nil {
			return nil, err
		}
	}
	o.Log("starting moto_server on 127.0.0.1:%d", motoPort)
	moto, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf(`moto_server is not installed: pip install "moto[server]"`)
	}
	if _, err := s.start("moto", moto, "-H", "127.0.0.1", "-p", strconv.Itoa(motoPort)); err != nil {
		return nil, err
	}
	s.MotoURL = fmt.Sprintf("http://127.0.0.1:%d", motoPort)
	if err := waitHTTP(ctx, s.MotoURL+"/moto-api/", 30*time.Second); err != nil {
		return nil, fmt.Errorf("moto_server did not come up (is port %d free? see %s): %w", motoPort, filepath.Join(o.Dir, "moto.log"), err)
	}
	if o.Record {
		if s.MotoURL, s.Recorded.AWS, err = recordAt(s.MotoURL, o.MotoPort); err != nil {
			return nil, err
		}
	}

	if err := s.startVault(ctx); err != nil {
		return nil, err
	}
	if err := s.startGCP(ctx); err != nil {
		return nil, err
	}
	if err := s.setUpCluster(ctx); err != nil {
		return nil, err
	}
	if o.Crossplane != "" {
		kube, err := client.New(s.Config, client.Options{Scheme: Scheme()})
		if err != nil {
			return nil, err
		}
		if s.opts.Provider, err = s.startCrossplane(ctx, kube); err != nil {
			return nil, err
		}
	}
	if o.DeferProvider {
		return s, nil
	}
	if err := s.StartProvider(); err != nil {
		return nil, err
	}
	return s, nil
}

// startControlPlane starts etcd and kube-apiserver (envtest, with the provider's CRDs unless Crossplane installs
// them), writes the admin kubeconfig, and starts kube-controller-manager.
func (s *Stack) startControlPlane() error {
	o := s.opts
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	o.Log("starting etcd and kube-apiserver %s", assets)
	env, err := harness.NewEnvtest()
	if err != nil {
		return err
	}
	if o.Crossplane != "" {
		// The package installs the provider's CRDs, and its webhook configuration, pointed at its Service: the
		// API server dials the Service's endpoint (the provider process), as nothing routes its cluster IP here.
		env.CRDDirectoryPaths, env.ErrorIfCRDPathMissing = nil, false
		env.ControlPlane.GetAPIServer().Configure().Set("enable-aggregator-routing", "true")
	} else {
		// Without Crossplane the stack installs the packaged webhook configuration itself, pointed at the
		// provider on loopback with a certificate envtest makes.
		env.WebhookInstallOptions = envtest.WebhookInstallOptions{
			Paths: []string{filepath.Join(harness.RepoRoot(), "package", "webhookconfigurations")}, LocalServingHost: "127.0.0.1",
		}
	}
	env.AttachControlPlaneOutput = false
	s.env = env
	if s.Config, err = env.Start(); err != nil {
		return fmt.Errorf("cannot start kube-apiserver: %w", err)
	}
	admin, err := env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return err
	}
	kc, err := admin.KubeConfig()
	if err != nil {
		return err
	}
	s.Kubeconfig = filepath.Join(o.Dir, "kubeconfig")
	if err := os.WriteFile(s.Kubeconfig, kc, 0o600); err != nil {
		return err
	}
	o.Log("starting kube-controller-manager (garbage collector, namespaces)")
	s.kcm, err = s.start("kube-controller-manager", filepath.Join(assets, "kube-controller-manager"),
		"--kubeconfig="+s.Kubeconfig, "--controllers=garbagecollector,namespace", "--leader-elect=false", "--secure-port=0")
	return err
}

// recordAt puts a recording proxy on port in front of backend, and returns the proxy's URL.
func recordAt(backend string, port int) (string, *harness.Proxy, error) {
	p, err := harness.StartProxyAt(backend, fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return "", nil, err
	}
	return p.URL, p, nil
}

// startVault starts the strict moto and Vault, with the AWS secrets engine at aws/ minting keys in the strict
// moto (the cluster's side, Kubernetes auth, is setUpCluster's).
func (s *Stack) startVault(ctx context.Context) error {
	o := s.opts
	port := o.StrictMotoPort
	var err error
	if o.Record {
		if port, err = harness.FreePort(); err != nil {
			return err
		}
	}
	o.Log("starting a strict moto_server on 127.0.0.1:%d (only keys that exist in its IAM work)", port)
	if s.strict, err = harness.StartMotoAt(ctx, port, filepath.Join(o.Dir, "moto-strict.log"),
		fmt.Sprintf("INITIAL_NO_AUTH_ACTION_COUNT=%d", harness.StrictMotoBootstrapCalls)); err != nil {
		return err
	}
	s.StrictMotoURL, s.strictBackend = s.strict.URL, s.strict.URL
	if o.Record {
		if s.StrictMotoURL, s.Recorded.StrictAWS, err = recordAt(s.strict.URL, o.StrictMotoPort); err != nil {
			return err
		}
	}
	key, secret, err := harness.BootstrapStrictMoto(ctx, s.strictBackend)
	if err != nil {
		return err
	}
	s.StrictAdminKey, s.StrictAdminSecret = key, secret
	o.Log("starting Vault on %s (log: %s)", o.VaultAddr, filepath.Join(o.Dir, "vault.log"))
	if s.Vault, err = harness.StartVaultAt(ctx, o.VaultAddr, VaultRootToken, filepath.Join(o.Dir, "vault.log")); err != nil {
		return err
	}
	s.vault = true
	o.Log("configuring Vault: AWS secrets engine -> strict moto")
	return harness.ConfigureVaultAWS(ctx, s.Vault.Admin, "aws", s.strictBackend, key, secret)
}

// setUpCluster makes what the stack's cluster needs besides the examples, as `make dev` does: the
// crossplane-system namespace and the provider's service account crossplane-system/provider-stateful (standing in
// for the provider pod's own), Vault's Kubernetes auth against this kube-apiserver with role provider-stateful
// for that service account, and the gcp-key Secret the examples' gcp section reads.
func (s *Stack) setUpCluster(ctx context.Context) error {
	kube, err := client.New(s.Config, client.Options{})
	if err != nil {
		return err
	}
	for _, obj := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: CrossplaneNamespace}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: CrossplaneNamespace, Name: "provider-stateful"}},
	} {
		if err := kube.Create(ctx, obj); err != nil && !kerrors.IsAlreadyExists(err) {
			return err
		}
	}
	if s.vault {
		s.opts.Log("configuring Vault: Kubernetes auth -> kube-apiserver %s", s.Config.Host)
		if err := harness.ConfigureVaultKubernetes(ctx, s.Vault.Admin, kube, s.Config); err != nil {
			return err
		}
		if err := s.Vault.Admin.Sys().PutPolicyWithContext(ctx, "provider-stateful", VaultPolicy); err != nil {
			return err
		}
		if _, err := s.Vault.Admin.Logical().WriteWithContext(ctx, "auth/kubernetes/role/provider-stateful", map[string]any{
			"bound_service_account_names": "provider-stateful", "bound_service_account_namespaces": CrossplaneNamespace,
			// The provider requests its tokens for Vault's audience; a token for any other audience is refused.
			"audience": "vault", "token_policies": "provider-stateful", "token_ttl": "1h",
		}); err != nil {
			return err
		}
	}
	if s.gcpKey != nil {
		sec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: CrossplaneNamespace, Name: "gcp-key"}, Data: map[string][]byte{"key.json": s.gcpKey}}
		if err := kube.Create(ctx, sec); err != nil && !kerrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}

// VaultPolicy is what the provider needs in Vault to mint AWS keys with role aws/creds/iam and to revoke the
// leases it replaces (renewing its token and leases is in Vault's default policy).
const VaultPolicy = `path "aws/creds/iam" { capabilities = ["read"] }
path "sys/leases/revoke" { capabilities = ["update"] }
`

// AllowedEndpoint is the provider's --allowed-endpoint on the stack: every server of the stack is on 127.0.0.1.
const AllowedEndpoint = "127.0.0.1"

// StartProvider starts (or restarts) the provider process.
func (s *Stack) StartProvider() error {
	port, err := harness.FreePort()
	if err != nil {
		return err
	}
	hport, err := harness.FreePort()
	if err != nil {
		return err
	}
	s.MetricsAddr = fmt.Sprintf("127.0.0.1:%d", port)
	args := append([]string{"--metrics-bind-address=" + s.MetricsAddr, fmt.Sprintf("--health-probe-bind-address=127.0.0.1:%d", hport),
		// The stack's emulators all listen on loopback: tenants' ProviderConfigs (examples/local/30-tenant.yaml) may
		// name them, as a platform's flag would name its S3-compatible store.
		"--allowed-endpoint=" + AllowedEndpoint}, s.opts.ProviderArgs...)
	wenv, wargs := s.webhook()
	args = append(args, wargs...)
	s.opts.Log("starting the provider (log: %s)", filepath.Join(s.opts.Dir, "provider"+s.logSuffix+".log"))
	s.provider, err = s.startEnv("provider", s.opts.Provider, append(slices.Clone(s.opts.ProviderEnv), wenv...), args...)
	if err != nil {
		return err
	}
	return waitHTTP(context.Background(), fmt.Sprintf("http://127.0.0.1:%d/readyz", hport), 60*time.Second)
}

// webhook is the provider's admission webhook environment and flags: the certificate Crossplane's runtime (here
// its stand-in) mounts for the package, named as Crossplane names it (TLS_SERVER_CERTS_DIR), and where the
// package's Service sends; or the certificate and address envtest made for the stack without Crossplane.
func (s *Stack) webhook() (env, args []string) {
	switch {
	case s.runtime != nil:
		c := s.runtime.certs
		return []string{"TLS_SERVER_CERTS_DIR=" + c.providerDir}, []string{"--webhook-host=" + c.webhookHost, fmt.Sprintf("--webhook-port=%d", c.webhookPort)}
	case s.env != nil && s.env.WebhookInstallOptions.LocalServingCertDir != "":
		w := s.env.WebhookInstallOptions
		return nil, []string{
			"--webhook-cert-dir=" + w.LocalServingCertDir, "--webhook-host=" + w.LocalServingHost, fmt.Sprintf("--webhook-port=%d", w.LocalServingPort),
		}
	}
	return nil, nil
}

// ProviderPID is the provider process's ID, or 0 when it is not running.
func (s *Stack) ProviderPID() int {
	if s.provider == nil || s.provider.Process == nil {
		return 0
	}
	return s.provider.Process.Pid
}

// KillProvider SIGKILLs the provider process.
func (s *Stack) KillProvider() {
	if s.provider != nil && s.provider.Process != nil {
		_ = s.provider.Process.Kill()
		_, _ = s.provider.Process.Wait()
	}
}

func (s *Stack) start(name, bin string, args ...string) (*exec.Cmd, error) {
	return s.startEnv(name, bin, nil, args...)
}

// command prepares bin with its output in Dir/name.log, the admin kubeconfig (the provider's own, with
// Crossplane) and env.
func (s *Stack) command(name, bin string, env []string, args ...string) (*exec.Cmd, error) {
	logf, err := os.Create(filepath.Join(s.opts.Dir, name+s.logSuffix+".log"))
	if err != nil {
		return nil, err
	}
	// A relative path (make dev's _output/provider) would be resolved against cmd.Dir, which the provider's is
	// not: its own empty home.
	if strings.ContainsRune(bin, filepath.Separator) {
		if bin, err = filepath.Abs(bin); err != nil {
			return nil, err
		}
	}
	// No context: the process outlives its caller's, until Stop kills it.
	cmd := exec.CommandContext(context.Background(), bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(append(os.Environ(), "KUBECONFIG="+s.Kubeconfig), env...)
	// Own process group: Ctrl-C in the terminal reaches the stack through Stop, in order. And each process dies
	// with this one should it die first (a test killed at its timeout), instead of holding the stack's ports.
	cmd.SysProcAttr = harness.ChildAttr()
	return cmd, nil
}

func (s *Stack) startEnv(name, bin string, env []string, args ...string) (*exec.Cmd, error) {
	cmd, err := s.command(name, bin, env, args...)
	if err != nil {
		return nil, err
	}
	if name == "provider" {
		if s.providerKubeconfig != "" {
			cmd.Env = append(cmd.Env, "KUBECONFIG="+s.providerKubeconfig)
		}
		// The provider runs in an empty folder of its own, which is also its HOME and TMPDIR: the e2e test checks
		// it is still empty at the end (the provider writes nothing to disk, credentials included).
		s.ProviderHome = filepath.Join(s.opts.Dir, "provider-home")
		if err := os.RemoveAll(s.ProviderHome); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(s.ProviderHome, 0o700); err != nil {
			return nil, err
		}
		cmd.Dir = s.ProviderHome
		cmd.Env = append(cmd.Env, "HOME="+s.ProviderHome, "TMPDIR="+s.ProviderHome)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start %s: %w", name, err)
	}
	s.procs = append(s.procs, cmd)
	return cmd, nil
}

// Stop stops the provider first, then everything else.
func (s *Stack) Stop() {
	for i := len(s.procs) - 1; i >= 0; i-- {
		p := s.procs[i]
		if p.Process != nil {
			_ = p.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { _, _ = p.Process.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				_ = p.Process.Kill()
			}
		}
	}
	if s.stopRuntime != nil {
		s.stopRuntime()
	}
	if s.registry != nil {
		_ = s.registry.Close()
	}
	if s.PubSub != nil {
		_ = s.PubSub.Close()
	}
	if s.Bigtable != nil {
		s.Bigtable.Close()
	}
	if s.Storage != nil {
		s.Storage.Stop()
	}
	if s.Recorded != nil {
		s.Recorded.stop()
	}
	if s.Vault != nil {
		s.Vault.Stop()
	}
	if s.strict != nil {
		s.strict.Stop()
	}
	if s.env != nil {
		_ = s.env.Stop()
	}
}

// Dir is the folder of the kubeconfigs and logs.
func (s *Stack) Dir() string { return s.opts.Dir }

// Root is the repository root.
func (s *Stack) Root() string { return harness.RepoRoot() }

// KubectlRun runs the built kubectl against the stack and returns its combined output.
func (s *Stack) KubectlRun(args ...string) (string, error) {
	// No caller context: its callers bound kubectl with its own flags (--timeout) where it may wait.
	cmd := exec.CommandContext(context.Background(), s.Kubectl, append([]string{"--kubeconfig=" + s.Kubeconfig}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func waitHTTP(ctx context.Context, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(url) //nolint:gosec,noctx // A loopback URL this package built.
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode < 300 {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			if err == nil {
				err = fmt.Errorf("%s answered %d", url, resp.StatusCode)
			}
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}
