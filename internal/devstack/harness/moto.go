package harness

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// Moto is a running moto_server.
type Moto struct {
	URL string
	cmd *exec.Cmd
}

// StartMoto starts moto_server on a free loopback port and waits until it answers. Its output goes to logPath;
// env adds environment variables (e.g. INITIAL_NO_AUTH_ACTION_COUNT=3 to enforce request signing with real keys).
func StartMoto(ctx context.Context, logPath string, env ...string) (*Moto, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	return StartMotoAt(ctx, port, logPath, env...)
}

// StartMotoAt is StartMoto on a given port.
func StartMotoAt(ctx context.Context, port int, logPath string, env ...string) (*Moto, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf(`moto_server is not installed: pip install "moto[server]"`)
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	// The server outlives ctx, which bounds the start only: Stop kills it.
	cmd := exec.CommandContext(context.WithoutCancel(ctx), bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = ChildAttr()
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start moto_server: %w", err)
	}
	m := &Moto{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := get(ctx, http.DefaultClient, m.URL+"/moto-api/")
		if err == nil {
			_ = resp.Body.Close()
			return m, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			m.Stop()
			return nil, fmt.Errorf("moto_server did not answer on %s within 30s (is the port free? log: %s)", m.URL, logPath)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Reset drops every resource moto holds.
func (m *Moto) Reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL+"/moto-api/reset", http.NoBody)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Stop kills moto_server.
func (m *Moto) Stop() {
	if m.cmd.Process != nil {
		_ = m.cmd.Process.Kill()
		_, _ = m.cmd.Process.Wait()
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort() (int, error) {
	// Nothing to cancel: the listener is closed before FreePort returns.
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	a, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("a TCP listener on %s has a %T address", l.Addr(), l.Addr())
	}
	return a.Port, nil
}

// get GETs url with hc, bounded by ctx.
func get(ctx context.Context, hc *http.Client, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, http.NoBody)
	if err != nil {
		return nil, err
	}
	return hc.Do(req)
}
