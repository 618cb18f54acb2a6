package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"k8s.io/client-go/rest"
)

// profileCPU collects CPU profiles of the provider and of kube-apiserver (where a burst's CPU mostly goes) in
// 10-second pieces until the returned function is called (pprof merges them: go tool pprof s1-cpu-*.pb.gz,
// s1-apiserver-cpu-*.pb.gz). Without -profile it does nothing.
func (b *bench) profileCPU(name string) (stop func()) {
	if b.o.profile == "" {
		return func() {}
	}
	apiserver, err := rest.HTTPClientFor(b.stack.Config)
	if err != nil {
		b.say("profile: %v", err)
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	loop := func(c *http.Client, base, file string) {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			if err := b.fetchProfile(c, base+"/debug/pprof/profile?seconds=10", fmt.Sprintf("%s-%03d.pb.gz", file, i)); err != nil {
				b.say("profile: %v", err)
				return
			}
		}
	}
	wg.Add(2)
	go loop(http.DefaultClient, "http://"+b.o.pprofAddr, name+"-cpu")
	go loop(apiserver, strings.TrimSuffix(b.stack.Config.Host, "/"), name+"-apiserver-cpu")
	return func() { close(done); wg.Wait() }
}

// profileHeap saves the provider's heap profile.
func (b *bench) profileHeap(name string) {
	if b.o.profile == "" {
		return
	}
	if err := b.fetchProfile(http.DefaultClient, "http://"+b.o.pprofAddr+"/debug/pprof/heap", name+"-heap.pb.gz"); err != nil {
		b.say("profile: %v", err)
	}
}

func (b *bench) fetchProfile(c *http.Client, url, file string) error {
	resp, err := c.Get(url) //nolint:noctx // loopback
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", url, resp.Status)
	}
	if err := os.MkdirAll(b.o.profile, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(b.o.profile, file))
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
