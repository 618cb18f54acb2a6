//go:build integration

package integration

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/provider"
)

// silentServer accepts connections and never answers. It counts the connections open at once, the most it saw,
// and tells waiters when a given number is open.
type silentServer struct {
	ln    net.Listener
	mu    sync.Mutex
	open  int
	most  int
	conns []net.Conn
}

func startSilentServer(t *testing.T) *silentServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &silentServer{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.open++
			s.most = max(s.most, s.open)
			s.conns = append(s.conns, c)
			s.mu.Unlock()
			go func() {
				// Read (and drop) the request until the client gives up and closes the connection.
				buf := make([]byte, 4096)
				for {
					if _, err := c.Read(buf); err != nil {
						break
					}
				}
				s.mu.Lock()
				s.open--
				s.mu.Unlock()
			}()
		}
	}()
	t.Cleanup(s.close)
	return s
}

func (s *silentServer) URL() string { return "http://" + s.ln.Addr().String() }

func (s *silentServer) counts() (open, most int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open, s.most
}

// close stops accepting and ends every connection: the reconciles still waiting fail at once.
func (s *silentServer) close() {
	_ = s.ln.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.Close()
	}
}

// One tenant cannot starve the others: namespace A's Buckets use a namespaced ProviderConfig whose endpoint
// accepts connections and never answers, more of them than the kind has workers. Each of their reconciles would
// hold a worker until its deadline; with the per-namespace cap they hold at most the cap, the rest are requeued,
// and namespace B's Bucket, through ClusterProviderConfig/default, becomes Ready in its usual few seconds. Without
// the cap every worker waits on the silent server and B's Bucket waits for the first of them to give up.
func TestTenantCannotStarveAKind(t *testing.T) {
	ctx := context.Background()
	workers := provider.Defaults().MaxConcurrentReconciles // the suite's provider runs with the defaults
	limit := managedkind.DefaultPerNamespace(workers)
	silent := startSilentServer(t)

	a := tenantNamespace(t)
	create(t, awsSecret(a, "aws-creds"))
	create(t, &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: a, Name: "slow"}, Spec: v1alpha1.ProviderConfigSpec{AWS: &v1alpha1.AWSConfig{
		Credentials: v1alpha1.AWSCredentials{Source: v1alpha1.AWSCredentialsSecret, SecretRef: &v1alpha1.AWSSecretCredentials{Name: "aws-creds"}},
		Endpoint:    &v1alpha1.AWSEndpoint{URL: silent.URL(), S3UsePathStyle: true},
	}}})
	t.Cleanup(func() {
		// The silent server is closed first (cleanups run last-in first-out): the Buckets' reconciles fail at once,
		// none ever observed its bucket, so none has a finalizer and they go at once.
		_ = kube.DeleteAllOf(ctx, &s3v1alpha1.Bucket{}, client.InNamespace(a))
	})
	for i := 0; i < workers+5; i++ {
		b := bucket(a, fmt.Sprintf("stuck-%d-%s", i, suffix()))
		b.Spec.ProviderConfigReference = ref("ProviderConfig", "slow")
		create(t, b)
	}
	// The barrier: namespace A's reconciles have taken what they can.
	eventually(t, fmt.Sprintf("%d connections held open by namespace %s", limit, a), func() (bool, string) {
		open, most := silent.counts()
		return open >= limit, fmt.Sprintf("open %d, most %d", open, most)
	})

	b := namespace(t)
	name := "fair-" + suffix()
	start := time.Now()
	create(t, bucket(b, name))
	// Its usual time is a second or two; the silent server holds a reconcile for half a minute or more.
	eventuallyWithin(t, 20*time.Second, "Bucket "+name+" of namespace "+b+" Ready while namespace "+a+" waits on a silent endpoint", func() (bool, string) {
		got := get(t, b, name)
		ok, why := readySynced(got)
		return ok, why
	})
	t.Logf("Bucket %s Ready after %s", name, time.Since(start).Round(time.Millisecond))
	if _, most := silent.counts(); most > limit {
		t.Errorf("namespace %s held %d reconciles on its silent endpoint at once: the cap is %d of %d workers", a, most, limit, workers)
	}
}
