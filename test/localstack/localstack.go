// Package localstack runs the provider's whole local stack on loopback: etcd + kube-apiserver (envtest, built by
// hack/build-k8s.sh), kube-controller-manager (garbage collector and namespace controllers, so ownerReferences
// and namespace deletion work as in a cluster), moto_server, a strict moto_server (only keys that exist in its
// IAM work) with a Vault dev server minting keys for it (built by hack/build-vault.sh), and the provider as a
// separate process. `make dev` and `make e2e` use it.
package localstack

import (
	"context"

	"cloud.google.com/go/bigtable/bttest"
	"cloud.google.com/go/pubsub/v2/pstest"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/stateful-dev/provider-stateful/test/harness"
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

	registry           *http.Server
	runtime            *externalRuntime
	stopRuntime        context.CancelFunc
	providerKubeconfig string

	opts     Options
	env      *envtest.Environment
	procs    []*exec.Cmd
	provider *exec.Cmd
	strict   *harness.Moto
}

// VaultRootToken is the local Vault dev server's root token: the stack is for development on loopback only.
const VaultRootToken = "dev-only-root-token"

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

	o.Log("starting etcd and kube-apiserver %s", assets)
	env, err := harness.NewEnvtest()
	if err != nil {
		return nil, err
	}
	if o.Crossplane != "" {
		// The package installs the provider's CRDs.
		env.CRDDirectoryPaths, env.ErrorIfCRDPathMissing = nil, false
	}
	env.AttachControlPlaneOutput = false
	s.env = env
	if s.Config, err = env.Start(); err != nil {
		return nil, fmt.Errorf("cannot start kube-apiserver: %w", err)
	}
	admin, err := env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return nil, err
	}
	kc, err := admin.KubeConfig()
	if err != nil {
		return nil, err
	}
	s.Kubeconfig = filepath.Join(o.Dir, "kubeconfig")
	if err := os.WriteFile(s.Kubeconfig, kc, 0o600); err != nil {
		return nil, err
	}

	o.Log("starting kube-controller-manager (garbage collector, namespaces)")
	if _, err := s.start("kube-controller-manager", filepath.Join(assets, "kube-controller-manager"),
		"--kubeconfig="+s.Kubeconfig, "--controllers=garbagecollector,namespace", "--leader-elect=false", "--secure-port=0"); err != nil {
		return nil, err
	}

	o.Log("starting moto_server on 127.0.0.1:%d", o.MotoPort)
	moto, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf(`moto_server is not installed: pip install "moto[server]"`)
	}
	if _, err := s.start("moto", moto, "-H", "127.0.0.1", "-p", strconv.Itoa(o.MotoPort)); err != nil {
		return nil, err
	}
	s.MotoURL = fmt.Sprintf("http://127.0.0.1:%d", o.MotoPort)
	if err := waitHTTP(ctx, s.MotoURL+"/moto-api/", 30*time.Second); err != nil {
		return nil, fmt.Errorf("moto_server did not come up (is port %d free? see %s): %w", o.MotoPort, filepath.Join(o.Dir, "moto.log"), err)
	}

	if err := s.startVault(ctx); err != nil {
		return nil, err
	}
	if err := s.startGCP(ctx); err != nil {
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

// startVault starts the strict moto and Vault, and sets Vault up the way the Vault example expects: the AWS
// secrets engine at aws/ minting keys in the strict moto, and Kubernetes auth role provider-stateful for service
// account crossplane-system/provider-stateful (standing in for the provider pod's own).
func (s *Stack) startVault(ctx context.Context) error {
	o := s.opts
	o.Log("starting a strict moto_server on 127.0.0.1:%d (only keys that exist in its IAM work)", o.StrictMotoPort)
	var err error
	if s.strict, err = harness.StartMotoAt(ctx, o.StrictMotoPort, filepath.Join(o.Dir, "moto-strict.log"), fmt.Sprintf("INITIAL_NO_AUTH_ACTION_COUNT=%d", harness.StrictMotoBootstrapCalls)); err != nil {
		return err
	}
	s.StrictMotoURL = s.strict.URL
	key, secret, err := harness.BootstrapStrictMoto(s.StrictMotoURL)
	if err != nil {
		return err
	}
	s.StrictAdminKey, s.StrictAdminSecret = key, secret
	o.Log("starting Vault on %s (log: %s)", o.VaultAddr, filepath.Join(o.Dir, "vault.log"))
	if s.Vault, err = harness.StartVaultAt(ctx, o.VaultAddr, VaultRootToken, filepath.Join(o.Dir, "vault.log")); err != nil {
		return err
	}
	o.Log("configuring Vault: AWS secrets engine -> strict moto, Kubernetes auth -> kube-apiserver")
	if err := harness.ConfigureVaultAWS(ctx, s.Vault.Admin, "aws", s.StrictMotoURL, key, secret); err != nil {
		return err
	}
	kube, err := client.New(s.Config, client.Options{})
	if err != nil {
		return err
	}
	if err := harness.ConfigureVaultKubernetes(ctx, s.Vault.Admin, kube, s.Config); err != nil {
		return err
	}
	for _, obj := range []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "crossplane-system"}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "crossplane-system", Name: "provider-stateful"}},
	} {
		if err := kube.Create(ctx, obj); err != nil && !kerrors.IsAlreadyExists(err) {
			return err
		}
	}
	if err := s.Vault.Admin.Sys().PutPolicyWithContext(ctx, "provider-stateful", VaultPolicy); err != nil {
		return err
	}
	_, err = s.Vault.Admin.Logical().WriteWithContext(ctx, "auth/kubernetes/role/provider-stateful", map[string]any{
		"bound_service_account_names": "provider-stateful", "bound_service_account_namespaces": "crossplane-system",
		// The provider requests its tokens for Vault's audience; a token for any other audience is refused.
		"audience": "vault", "token_policies": "provider-stateful", "token_ttl": "1h",
	})
	return err
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
	s.opts.Log("starting the provider (log: %s)", filepath.Join(s.opts.Dir, "provider.log"))
	s.provider, err = s.startEnv("provider", s.opts.Provider, s.opts.ProviderEnv, args...)
	if err != nil {
		return err
	}
	return waitHTTP(context.Background(), fmt.Sprintf("http://127.0.0.1:%d/readyz", hport), 60*time.Second)
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
	logf, err := os.Create(filepath.Join(s.opts.Dir, name+".log"))
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
	cmd := exec.Command(bin, args...)
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

// Kubectl runs the built kubectl against the stack and returns its combined output.
func (s *Stack) KubectlRun(args ...string) (string, error) {
	cmd := exec.Command(s.Kubectl, append([]string{"--kubeconfig=" + s.Kubeconfig}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func waitHTTP(ctx context.Context, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(url) //nolint:gosec,noctx // A loopback URL this package built.
		if err == nil {
			resp.Body.Close()
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
