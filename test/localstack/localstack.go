// Package localstack runs the provider's whole local stack on loopback: etcd + kube-apiserver (envtest, built by
// hack/build-k8s.sh), kube-controller-manager (garbage collector and namespace controllers, so ownerReferences
// and namespace deletion work as in a cluster), moto_server, and the provider as a separate process. `make dev`
// and `make e2e` use it.
package localstack

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"k8s.io/client-go/rest"
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
	// Log receives progress lines.
	Log func(format string, args ...any)
}

// A Stack is a running local stack.
type Stack struct {
	Kubeconfig  string
	Kubectl     string
	MotoURL     string
	MetricsAddr string
	Config      *rest.Config

	opts     Options
	env      *envtest.Environment
	procs    []*exec.Cmd
	provider *exec.Cmd
}

// Start brings the stack up. On error everything started so far is stopped.
func Start(ctx context.Context, o Options) (s *Stack, err error) {
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	s = &Stack{opts: o}
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

	if err := s.StartProvider(); err != nil {
		return nil, err
	}
	return s, nil
}

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
	args := append([]string{"--metrics-bind-address=" + s.MetricsAddr, fmt.Sprintf("--health-probe-bind-address=127.0.0.1:%d", hport)}, s.opts.ProviderArgs...)
	s.opts.Log("starting the provider (log: %s)", filepath.Join(s.opts.Dir, "provider.log"))
	s.provider, err = s.start("provider", s.opts.Provider, args...)
	if err != nil {
		return err
	}
	return waitHTTP(context.Background(), fmt.Sprintf("http://127.0.0.1:%d/readyz", hport), 60*time.Second)
}

// KillProvider SIGKILLs the provider process.
func (s *Stack) KillProvider() {
	if s.provider != nil && s.provider.Process != nil {
		_ = s.provider.Process.Kill()
		_, _ = s.provider.Process.Wait()
	}
}

func (s *Stack) start(name, bin string, args ...string) (*exec.Cmd, error) {
	logf, err := os.Create(filepath.Join(s.opts.Dir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "KUBECONFIG="+s.Kubeconfig)
	// Own process group: Ctrl-C in the terminal reaches the stack through Stop, in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
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
	if s.env != nil {
		_ = s.env.Stop()
	}
}

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
