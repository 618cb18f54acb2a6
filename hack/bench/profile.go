package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
)

// profileCPU collects the provider's CPU profile in 10-second pieces until the returned function is called
// (pprof merges them: go tool pprof s1-cpu-*.pb.gz). Without -profile it does nothing.
func (b *bench) profileCPU(name string) (stop func()) {
	if b.o.profile == "" {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			if err := b.fetchProfile(fmt.Sprintf("profile?seconds=10"), fmt.Sprintf("%s-cpu-%03d.pb.gz", name, i)); err != nil {
				b.say("profile: %v", err)
				return
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// profileHeap saves the provider's heap profile.
func (b *bench) profileHeap(name string) {
	if b.o.profile == "" {
		return
	}
	if err := b.fetchProfile("heap", name+"-heap.pb.gz"); err != nil {
		b.say("profile: %v", err)
	}
}

func (b *bench) fetchProfile(path, file string) error {
	resp, err := http.Get("http://" + b.o.pprofAddr + "/debug/pprof/" + path) //nolint:noctx // loopback
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", path, resp.Status)
	}
	if err := os.MkdirAll(b.o.profile, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(b.o.profile, file))
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, resp.Body)
	return err
}
