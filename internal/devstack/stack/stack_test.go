package stack

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCommandResolvesRelativeBinary: the provider runs in its own empty home, so a relative binary path (make
// dev's _output/provider) must be resolved against the caller's folder, not the process's. make dev failed to
// start the provider without it.
func TestCommandResolvesRelativeBinary(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	s := &Stack{opts: Options{Dir: t.TempDir()}}
	cmd, err := s.command("provider", "_output/provider", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(wd, "_output", "provider"); cmd.Path != want {
		t.Errorf("command path: want %s, got %s", want, cmd.Path)
	}
}
