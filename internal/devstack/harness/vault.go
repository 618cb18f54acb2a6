package harness

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"time"

	"github.com/hashicorp/vault/api"
)

// Vault is a running Vault dev server (in memory, unsealed, with KV v2 at secret/).
type Vault struct {
	URL       string
	RootToken string
	// UnsealKey unseals the server after Seal.
	UnsealKey string
	// CACert is the PEM CA that signed the server's certificate; empty for a plain-http server.
	CACert []byte
	// Admin is a client with the root token, for test setup.
	Admin *api.Client
	cmd   *exec.Cmd
}

// StartVault starts the Vault dev server hack/build-vault.sh built (VAULT_BIN) on a free loopback port, over
// plain http.
func StartVault(ctx context.Context, rootToken, logPath string) (*Vault, error) {
	return startVault(ctx, "", rootToken, logPath, false)
}

// StartVaultAt starts a plain-http dev server on addr (host:port).
func StartVaultAt(ctx context.Context, addr, rootToken, logPath string) (*Vault, error) {
	return startVault(ctx, addr, rootToken, logPath, false)
}

// StartVaultTLS starts a dev server with -dev-tls: https, with a certificate signed by a CA of its own (CACert).
func StartVaultTLS(ctx context.Context, rootToken, logPath string) (*Vault, error) {
	return startVault(ctx, "", rootToken, logPath, true)
}

var unsealKey = regexp.MustCompile(`Unseal Key: (\S+)`)

func startVault(ctx context.Context, addr, rootToken, logPath string, withTLS bool) (*Vault, error) {
	bin := os.Getenv("VAULT_BIN")
	if bin == "" {
		return nil, fmt.Errorf("VAULT_BIN is not set: run the tests with `make integration`, which builds Vault")
	}
	if addr == "" {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		addr = fmt.Sprintf("127.0.0.1:%d", port)
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	args := []string{"server", "-dev", "-dev-root-token-id=" + rootToken, "-dev-listen-address=" + addr, "-dev-no-store-token"}
	certDir := logPath + ".tls"
	scheme := "http"
	if withTLS {
		// A previous run's CA must not be mistaken for this server's.
		if err := os.RemoveAll(certDir); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(certDir, 0o700); err != nil {
			return nil, err
		}
		args = append(args, "-dev-tls", "-dev-tls-cert-dir="+certDir)
		scheme = "https"
	}
	// The server outlives ctx, which bounds the start only: Stop kills it.
	cmd := exec.CommandContext(context.WithoutCancel(ctx), bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = ChildAttr()
	// NOTE: a bundled plugin's init parses a certificate with a negative serial, which Go 1.23+ rejects.
	cmd.Env = []string{"GODEBUG=x509negativeserial=1", "HOME=" + filepath.Dir(logPath), "PATH=" + os.Getenv("PATH")}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start vault: %w", err)
	}
	v := &Vault{URL: scheme + "://" + addr, RootToken: rootToken, cmd: cmd}
	hc := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if withTLS && v.CACert == nil {
			if ca, err := os.ReadFile(filepath.Join(certDir, "vault-ca.pem")); err == nil {
				pool := x509.NewCertPool()
				if pool.AppendCertsFromPEM(ca) {
					v.CACert = ca
					hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
				}
			}
		}
		// NOTE: the dev server prints its unseal key just after it starts answering.
		if m := unsealKey.FindSubmatch(must(os.ReadFile(logPath))); m != nil {
			v.UnsealKey = string(m[1])
		}
		if resp, err := get(ctx, hc, v.URL+"/v1/sys/health"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK && v.UnsealKey != "" {
				break
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			v.Stop()
			return nil, fmt.Errorf("vault did not become healthy on %s (log: %s)", v.URL, logPath)
		}
		time.Sleep(200 * time.Millisecond)
	}
	cfg := api.DefaultConfig()
	cfg.Address = v.URL
	cfg.HttpClient = hc
	if v.Admin, err = api.NewClient(cfg); err != nil {
		v.Stop()
		return nil, err
	}
	v.Admin.SetToken(rootToken)
	return v, nil
}

func must(b []byte, _ error) []byte { return b }

// Seal seals the server: every request but health and unseal fails with 503 until Unseal.
func (v *Vault) Seal(ctx context.Context) error { return v.Admin.Sys().SealWithContext(ctx) }

// Unseal unseals the server with the dev server's unseal key.
func (v *Vault) Unseal(ctx context.Context) error {
	s, err := v.Admin.Sys().UnsealWithContext(ctx, v.UnsealKey)
	if err != nil {
		return err
	}
	if s.Sealed {
		return fmt.Errorf("vault is still sealed")
	}
	return nil
}

// Pause stops the server process (SIGSTOP): connections are accepted by the kernel, nothing answers.
func (v *Vault) Pause() error { return v.cmd.Process.Signal(syscall.SIGSTOP) }

// Resume continues a paused server (SIGCONT).
func (v *Vault) Resume() error { return v.cmd.Process.Signal(syscall.SIGCONT) }

// Stop kills the server.
func (v *Vault) Stop() {
	if v.cmd.Process != nil {
		_ = v.cmd.Process.Signal(syscall.SIGCONT)
		_ = v.cmd.Process.Kill()
		_, _ = v.cmd.Process.Wait()
	}
}
