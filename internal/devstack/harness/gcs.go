package harness

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"time"
)

// GCS is a running fake-gcs-server: the Cloud Storage emulator hack/build-fake-gcs.sh builds with
// provider-stateful's patch (the bucket fields upstream drops, 409 for a non-empty delete).
type GCS struct {
	// URL is the server's root, http://127.0.0.1:<port>; the JSON API is under /storage/v1/.
	URL string
	cmd *exec.Cmd
}

// StartGCS starts the binary FAKE_GCS_BIN names on addr (host:port; a free loopback port when empty), in memory,
// over plain http, and waits until it answers.
func StartGCS(ctx context.Context, addr, logPath string) (*GCS, error) {
	bin := os.Getenv("FAKE_GCS_BIN")
	if bin == "" {
		return nil, fmt.Errorf("FAKE_GCS_BIN is not set: run the tests through make, which builds fake-gcs-server (hack/build-fake-gcs.sh)")
	}
	if addr == "" {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		addr = fmt.Sprintf("127.0.0.1:%d", port)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	g := &GCS{URL: "http://" + addr}
	// The server outlives ctx, which bounds the start only: Stop kills it.
	g.cmd = exec.CommandContext(context.WithoutCancel(ctx), bin, "-backend", "memory", "-scheme", "http", "-host", host, "-port", port,
		"-external-url", g.URL, "-public-host", addr, "-log-level", "warn")
	g.cmd.Stdout, g.cmd.Stderr = logf, logf
	g.cmd.SysProcAttr = ChildAttr()
	if err := g.cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start fake-gcs-server: %w", err)
	}
	hc := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if resp, err := get(ctx, hc, g.URL+"/_internal/healthcheck"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return g, nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			g.Stop()
			return nil, fmt.Errorf("fake-gcs-server did not answer on %s (log: %s)", g.URL, logPath)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop kills the server and waits for it.
func (g *GCS) Stop() {
	if g.cmd.Process != nil {
		_ = g.cmd.Process.Kill()
		_ = g.cmd.Wait()
	}
}
