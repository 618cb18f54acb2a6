package harness

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/hashicorp/vault/api"
)

// Vault is a running Vault dev server (in memory, unsealed, with KV v2 at secret/).
type Vault struct {
	URL       string
	RootToken string
	// Admin is a client with the root token, for test setup.
	Admin *api.Client
	cmd   *exec.Cmd
}

// StartVault starts the Vault dev server hack/build-vault.sh built (VAULT_BIN) on a free loopback port.
func StartVault(ctx context.Context, rootToken, logPath string) (*Vault, error) {
	bin := os.Getenv("VAULT_BIN")
	if bin == "" {
		return nil, fmt.Errorf("VAULT_BIN is not set: run the tests with `make integration`, which builds Vault")
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(bin, "server", "-dev", "-dev-root-token-id="+rootToken, "-dev-listen-address="+addr, "-dev-no-store-token")
	cmd.Stdout, cmd.Stderr = logf, logf
	// NOTE: a bundled plugin's init parses a certificate with a negative serial, which Go 1.23+ rejects.
	cmd.Env = []string{"GODEBUG=x509negativeserial=1", "HOME=" + filepath.Dir(logPath), "PATH=" + os.Getenv("PATH")}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start vault: %w", err)
	}
	v := &Vault{URL: "http://" + addr, RootToken: rootToken, cmd: cmd}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(v.URL + "/v1/sys/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
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
	if v.Admin, err = api.NewClient(cfg); err != nil {
		v.Stop()
		return nil, err
	}
	v.Admin.SetToken(rootToken)
	return v, nil
}

// Stop kills the server.
func (v *Vault) Stop() {
	if v.cmd.Process != nil {
		_ = v.cmd.Process.Kill()
		_, _ = v.cmd.Process.Wait()
	}
}
