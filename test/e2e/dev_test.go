//go:build e2e && linux

package e2e

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// TestDevLeavesNothingBehind runs `make dev`'s program with its output piped, as `make dev | tee log` does, and
// presses Ctrl-C the way a terminal does: SIGINT to the foreground process group, whose reader (tee) goes first.
// The program must still stop the whole stack in order and exit cleanly, leaving no process it started.
func TestDevLeavesNothingBehind(t *testing.T) {
	root := harness.RepoRoot()
	bin := filepath.Join(t.TempDir(), "dev")
	build := exec.Command("go", "build", "-o", bin, "./hack/dev")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./hack/dev: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-dir", filepath.Join(root, "_output", "e2e-dev"), "-provider", filepath.Join(root, "_output", "provider"), "-poll=5s")
	cmd.Dir = root
	cmd.Env = os.Environ()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a terminal's foreground group: the program and what inherits it
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var procs []proc
	defer func() { // whatever happens, nothing outlives the test
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		for _, p := range procs {
			if p.alive() {
				_ = syscall.Kill(p.pid, syscall.SIGKILL)
			}
		}
	}()
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Everything is Ready") {
				ready <- true
				return
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("make dev's program ended before its resources were Ready; see _output/e2e-dev")
		}
	case <-time.After(4 * time.Minute):
		t.Fatal("make dev's resources were not Ready within 4 minutes; see _output/e2e-dev")
	}
	procs = descendants(cmd.Process.Pid)
	if len(procs) < 5 {
		t.Fatalf("want the stack's processes (etcd, kube-apiserver, kube-controller-manager, moto, Vault, the provider), found %d", len(procs))
	}

	_ = out.(interface{ Close() error }).Close() // tee has gone: every later write to the pipe fails
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("make dev's program did not exit cleanly after Ctrl-C: %v", err)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("make dev's program did not exit within 90 s of Ctrl-C")
	}
	// Stop waits for each of its children; give the kernel a moment to reap what the parent-death signal killed.
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range procs {
		for p.alive() && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if p.alive() {
			t.Errorf("left running after Ctrl-C: %s", p.cmdline)
		}
	}
}

// A proc is a process, identified by its PID and start time (PIDs are reused).
type proc struct {
	pid     int
	start   string
	cmdline string
}

func (p proc) alive() bool {
	_, start, ok := stat(p.pid)
	return ok && start == p.start
}

// stat reads a process's parent PID and start time from /proc.
func stat(pid int) (ppid int, start string, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, "", false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields after "pid (comm) "
	if len(f) < 20 || f[0] == "Z" {
		return 0, "", false
	}
	ppid, _ = strconv.Atoi(f[1])
	return ppid, f[19], true
}

// descendants lists every live process under pid.
func descendants(pid int) []proc {
	entries, _ := os.ReadDir("/proc")
	parent := map[int]int{}
	for _, e := range entries {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			if pp, _, ok := stat(n); ok {
				parent[n] = pp
			}
		}
	}
	var out []proc
	for n := range parent {
		for a := parent[n]; a > 1; a = parent[a] {
			if a == pid {
				_, start, _ := stat(n)
				cl, _ := os.ReadFile("/proc/" + strconv.Itoa(n) + "/cmdline")
				out = append(out, proc{pid: n, start: start, cmdline: strings.ReplaceAll(string(cl), "\x00", " ")})
				break
			}
		}
	}
	return out
}
