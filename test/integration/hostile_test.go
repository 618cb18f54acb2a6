//go:build integration

package integration

import (
	"bufio"
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	gcsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/gcptest"
	"github.com/stateful-dev/provider-stateful/internal/devstack/hostile"
)

// hostileMemoryLimit is what the provider may use while a tenant's configs point at hostile servers: the pod's
// limit is 256 MiB, and one unbounded read of an endless body buffered 387 MiB in 2 s.
const hostileMemoryLimit = 150 << 20

// hostilePerConfig is how many resources use each hostile config. With crossplane-runtime's 25 workers per kind,
// a tarpitting resource holds a worker for up to bounded.CallTimeout (20 s) per attempt, then waits out its
// backoff: the 4 tarpitting S3 Buckets and 2 GCS Buckets here cannot starve a kind. Without a per-namespace cap
// (h4), a kind starves once about 25 x (20 s + backoff) / 20 s of its resources tarpit at once: at the 60 s
// backoff cap some 100 resources, while the backoff is still short some 30 (25 before this change, when each held
// its worker the reconcile's full 60 s). An estimate from the timeouts, not a measurement.
const hostilePerConfig = 2

// One tenant points its namespaced ProviderConfigs' AWS endpoint, Cloud Storage endpoint and Vault address at
// servers that answer an endless body, accept and never answer, or redirect to plain http. Meanwhile another
// tenant's resources, through the default config, become Ready and have their drift reverted in their usual
// time; the provider (this process: the reconcilers run in-process) stays under 150 MiB; no redirect is followed
// (no Vault token reaches the http server) and the hostile resources' conditions are short and clean.
func TestHostileTenantCannotTakeTheProviderDown(t *testing.T) {
	rec := hostile.StartRecorder()
	defer rec.Close()
	servers := map[string]*hostile.Server{
		"endless":  hostile.Start(hostile.Endless, true),
		"tarpit":   hostile.Start(hostile.Tarpit, true),
		"redirect": hostile.Start(hostile.Redirect, true),
	}
	for _, s := range servers {
		s.Limit = 256 << 20 // longer than the pod's memory limit: endless, to a client that reads it all
		s.Location = rec.URL + "/v1/secret/data/app"
	}
	defer closeAll(servers)
	// A plain-http twin of each, for the cloud endpoints (a namespaced config's Vault address must be https).
	plain := map[string]*hostile.Server{
		"endless":  hostile.Start(hostile.Endless, false),
		"tarpit":   hostile.Start(hostile.Tarpit, false),
		"redirect": hostile.Start(hostile.Redirect, false),
	}
	for _, s := range plain {
		s.Limit = 256 << 20
		s.Location = rec.URL + "/"
	}
	defer closeAll(plain)

	mem := sampleMemory(t)
	// Checked however the test ends: on the old code a hostile resource never failed and the wait timed out.
	defer func() {
		peak := mem.stop()
		t.Logf("memory during the hostile phase: peak VmRSS %d MiB, peak Go heap %d MiB (%d samples); hostile requests: vault %d/%d/%d, cloud %d/%d/%d (endless/tarpit/redirect)",
			peak.rss>>20, peak.heap>>20, peak.samples,
			servers["endless"].Requests.Load(), servers["tarpit"].Requests.Load(), servers["redirect"].Requests.Load(),
			plain["endless"].Requests.Load(), plain["tarpit"].Requests.Load(), plain["redirect"].Requests.Load())
		if peak.rss >= hostileMemoryLimit {
			t.Errorf("the provider's process reached %d MiB of RSS: want under %d MiB", peak.rss>>20, hostileMemoryLimit>>20)
		}
	}()
	ctx := context.Background()
	evil := tenantNamespace(t)
	create(t, awsSecret(evil, "creds"))
	key, err := gcptest.NewKey("evil@" + gcpProject + ".iam.gserviceaccount.com")
	if err != nil {
		t.Fatal(err)
	}
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: evil, Name: "gcp-key"}, Data: map[string][]byte{"key.json": key}})
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: servers["tarpit"].Certificate().Raw})
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: evil, Name: "vault"}, Data: map[string][]byte{"ca.crt": ca, "token": []byte("hostile-tenant-token")}})

	var hostileMRs []func() managedObj
	for mode := range servers {
		awsPC := "aws-" + mode
		create(t, &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: evil, Name: awsPC}, Spec: v1alpha1.ProviderConfigSpec{AWS: &v1alpha1.AWSConfig{
			Credentials: v1alpha1.AWSCredentials{Source: v1alpha1.AWSCredentialsSecret, SecretRef: &v1alpha1.AWSSecretCredentials{Name: "creds"}},
			Endpoint:    &v1alpha1.AWSEndpoint{URL: plain[mode].URL, S3UsePathStyle: true},
		}}})
		gcsPC := "gcs-" + mode
		create(t, &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: evil, Name: gcsPC}, Spec: v1alpha1.ProviderConfigSpec{GCP: &v1alpha1.GCPConfig{
			ProjectID:   gcpProject,
			Credentials: v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsSecret, SecretRef: &v1alpha1.SecretKeySelector{Name: "gcp-key", Key: "key.json"}},
			Endpoints:   &v1alpha1.GCPEndpoints{Storage: ptr.To(plain[mode].URL + "/storage/v1/")},
		}}})
		vaultPC := "vault-" + mode
		create(t, &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: evil, Name: vaultPC}, Spec: v1alpha1.ProviderConfigSpec{
			Vault: &v1alpha1.VaultConfig{
				Address:  servers[mode].URL,
				CABundle: &v1alpha1.SecretKeySelector{Name: "vault", Key: "ca.crt"},
				Auth:     v1alpha1.VaultAuth{Token: &v1alpha1.VaultTokenAuth{SecretRef: v1alpha1.SecretKeySelector{Name: "vault", Key: "token"}}},
			},
			AWS: &v1alpha1.AWSConfig{
				Credentials: v1alpha1.AWSCredentials{Source: v1alpha1.AWSCredentialsVault, Vault: &v1alpha1.AWSVaultCredentials{KV: &v1alpha1.VaultKVAWSCredentials{Path: "aws/evil"}}},
				Endpoint:    &v1alpha1.AWSEndpoint{URL: proxy.URL, S3UsePathStyle: true},
			},
		}})
		for i := range hostilePerConfig {
			for _, pc := range []string{awsPC, vaultPC} {
				name := fmt.Sprintf("evil-%s-%d-%s", pc, i, suffix())
				b := bucket(evil, name)
				b.Spec.ProviderConfigReference = ref("ProviderConfig", pc)
				create(t, b)
				hostileMRs = append(hostileMRs, func() managedObj { return getMR(t, evil, name, &s3v1alpha1.Bucket{}) })
			}
			name := fmt.Sprintf("evil-%s-%d-%s", gcsPC, i, suffix())
			b := gcsBucket(evil, name)
			b.Spec.ProviderConfigReference = ref("ProviderConfig", gcsPC)
			create(t, b)
			hostileMRs = append(hostileMRs, func() managedObj { return getMR(t, evil, name, &gcsv1alpha1.Bucket{}) })
		}
	}
	t.Cleanup(func() {
		// Stop the hostile resources' reconciles: the servers go with this test.
		for _, get := range hostileMRs {
			mg := get()
			mg.SetAnnotations(map[string]string{"crossplane.io/paused": "true"})
			_ = kube.Update(ctx, mg)
		}
	})

	// The hostile phase is on once every hostile server has been called.
	eventually(t, "every hostile server called", func() (bool, string) {
		for mode, s := range servers {
			if s.Requests.Load() == 0 {
				return false, "vault " + mode
			}
		}
		for mode, s := range plain {
			if s.Requests.Load() == 0 {
				return false, "cloud " + mode
			}
		}
		return true, ""
	})

	// The other tenant: S3 and Cloud Storage Buckets through the default config, Ready in their usual time.
	ns := namespace(t)
	const others = 4
	start := time.Now()
	var s3Names, gcsNames []string
	for i := range others {
		s3Names = append(s3Names, fmt.Sprintf("calm-%d-%s", i, suffix()))
		create(t, bucket(ns, s3Names[i], withTags(map[string]string{"env": "prod"})))
		gcsNames = append(gcsNames, fmt.Sprintf("calm-gcs-%d-%s", i, suffix()))
		create(t, gcsBucket(ns, gcsNames[i], func(b *gcsv1alpha1.Bucket) { b.Spec.ForProvider.Versioning = ptr.To(true) }))
	}
	const usual = 30 * time.Second // alone, these are Ready in a few seconds
	for i := range others {
		eventuallyWithin(t, usual-time.Since(start), "S3 Bucket "+s3Names[i]+" Ready", func() (bool, string) {
			return readySynced(getMR(t, ns, s3Names[i], &s3v1alpha1.Bucket{}))
		})
		eventuallyWithin(t, usual-time.Since(start), "GCS Bucket "+gcsNames[i]+" Ready", func() (bool, string) {
			return readySynced(getMR(t, ns, gcsNames[i], &gcsv1alpha1.Bucket{}))
		})
	}
	t.Logf("the other tenant's %d resources Ready in %s", 2*others, time.Since(start).Round(100*time.Millisecond))

	// Drift behind the provider's back is reverted within a few polls.
	start = time.Now()
	for i := range others {
		cloudPutTags(t, s3Names[i], map[string]string{"env": "hacked", "managed-by": "provider-stateful"})
		if _, err := gcsClient(t).Bucket(gcsNames[i]).Update(ctx, storage.BucketAttrsToUpdate{VersioningEnabled: false}); err != nil {
			t.Fatal(err)
		}
	}
	const driftWithin = 5 * pollInterval
	for i := range others {
		eventuallyWithin(t, driftWithin+2*time.Second-time.Since(start), "S3 drift reverted", func() (bool, string) {
			got := cloudTags(t, s3Names[i])
			return got["env"] == "prod", "env=" + got["env"]
		})
		eventuallyWithin(t, driftWithin+2*time.Second-time.Since(start), "GCS drift reverted", func() (bool, string) {
			v := cloudGCS(t, gcsNames[i]).VersioningEnabled
			return v, fmt.Sprint(v)
		})
	}
	t.Logf("drift of %d resources reverted in %s", 2*others, time.Since(start).Round(100*time.Millisecond))

	// Every hostile resource fails, each with a short, clean message: a tarpit's within its call's deadline.
	for _, get := range hostileMRs {
		var c xpv2.Condition
		var mg managedObj
		eventually(t, "a hostile resource's failure", func() (bool, string) {
			mg = get()
			c = mg.GetCondition(xpv2.TypeSynced)
			return c.Status == corev1.ConditionFalse, mg.GetName() + ": " + string(c.Status)
		})
		if len(c.Message) > 1024 || strings.ContainsAny(c.Message, "\n\x00") || strings.Contains(c.Message, "abcdefghijklmnop") || strings.Contains(c.Message, "hostile-tenant-token") {
			t.Errorf("%s: condition message of %d bytes, not bounded or not clean: %.200q", mg.GetName(), len(c.Message), c.Message)
		}
	}
	if got := rec.Requests(); len(got) != 0 {
		t.Errorf("a redirect was followed: %d requests reached the plain http server (a Vault token among them: %v)", len(got), got[0].Get("X-Vault-Token") != "")
	}
}

type memPeak struct {
	rss, heap uint64
	samples   int
}

type memSampler struct {
	stopCh chan struct{}
	once   sync.Once
	done   chan memPeak
}

// sampleMemory samples this process's VmRSS and Go heap every 50 ms until stop, and returns the peaks.
func sampleMemory(t *testing.T) *memSampler {
	t.Helper()
	s := &memSampler{stopCh: make(chan struct{}), done: make(chan memPeak, 1)}
	t.Cleanup(func() { s.once.Do(func() { close(s.stopCh) }) })
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		var p memPeak
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			p.heap = max(p.heap, sample[0].Value.Uint64())
			p.rss = max(p.rss, vmRSS())
			p.samples++
			select {
			case <-s.stopCh:
				s.done <- p
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *memSampler) stop() memPeak {
	s.once.Do(func() { close(s.stopCh) })
	return <-s.done
}

// closeAll closes every server of m.
func closeAll(m map[string]*hostile.Server) {
	for _, s := range m {
		s.Close()
	}
}

// vmRSS is this process's resident set size, from /proc/self/status.
func vmRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
