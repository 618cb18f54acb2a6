//go:build integration

package integration

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

// hugeObjects is how many objects at the API server's size limit the test writes: on the old code the cache held
// them whole, about 170 MiB, past hostileMemoryLimit.
const hugeObjects = 140

// hugeHeapGrowth bounds how much the Go heap may grow while the objects are written, seen and refused: the stubs
// and the garbage of decoding each object once (this process also writes them).
const hugeHeapGrowth = 100 << 20

// podMemoryLimit is the shipped pod's memory limit (cluster/runtime/deploymentruntimeconfig.yaml).
const podMemoryLimit = 256 << 20

// hugeOwner is an owner reference of about 1.2 MiB: the API server bounds neither the number of owner references
// nor their names, only the whole object (etcd's 1.5 MiB request limit). The suite runs no garbage collector.
func hugeOwner() []metav1.OwnerReference {
	return []metav1.OwnerReference{{APIVersion: "example.org/v1", Kind: "Padding", Name: strings.Repeat("x", 1200<<10), UID: "padding"}}
}

// A tenant's objects at the API server's 1.5 MiB limit — the spec is bounded by the CRD, the metadata is not —
// cannot push the provider past its memory: the cache keeps each as a stub, which is not reconciled and says
// why in its Synced condition. Once its metadata is small again an object is reconciled as usual.
func TestHugeResourcesCannotExhaustTheProvider(t *testing.T) {
	ctx := context.Background()
	evil, ns := tenantNamespace(t), namespace(t)
	// The suite's earlier tests leave this process's heap and RSS where they left them: what the objects may add
	// is measured from here, after a collection.
	runtime.GC()
	debug.FreeOSMemory()
	start := heapObjects()
	mem := sampleMemory(t)
	// Checked however the test ends (on the old code no object ever said so and the wait timed out), once.
	var once sync.Once
	checkMemory := func() {
		once.Do(func() {
			peak := mem.stop()
			grew := int64(peak.heap) - int64(start)
			t.Logf("%d objects with %d KiB of metadata: Go heap %d MiB before, peak %d MiB (+%d MiB); peak VmRSS %d MiB (%d samples)",
				hugeObjects+1, len(hugeOwner()[0].Name)>>10, start>>20, peak.heap>>20, grew>>20, peak.rss>>20, peak.samples)
			// The old code held every object whole: 141 × 1.2 MiB, about 170 MiB of live heap.
			if grew >= hugeHeapGrowth {
				t.Errorf("the Go heap grew by %d MiB while the objects were written and refused: want under %d MiB", grew>>20, hugeHeapGrowth>>20)
			}
			if peak.rss >= podMemoryLimit {
				t.Errorf("the provider's process reached %d MiB of RSS: want under the pod's limit, %d MiB", peak.rss>>20, podMemoryLimit>>20)
			}
		})
	}
	defer checkMemory()
	names := make([]string, 0, hugeObjects)
	for i := range hugeObjects {
		b := bucket(evil, fmt.Sprintf("huge-%03d", i))
		b.OwnerReferences = hugeOwner()
		create(t, b)
		names = append(names, b.Name)
	}
	// One of the platform's own, to see it through to Ready once it is small again.
	own := bucket(ns, "huge-own-"+suffix())
	own.OwnerReferences = hugeOwner()
	create(t, own)
	names = append(names, own.Name)
	defer func() {
		for _, n := range names[:hugeObjects] {
			_ = kube.Delete(ctx, &s3v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Namespace: evil, Name: n}})
		}
	}()

	// Every one is seen and refused: the provider's cache holds them all (as stubs) when this holds. Read one at a
	// time, each until it says so: a list would hold them all in this process, the provider's too.
	pending := map[string]bool{}
	for _, n := range names[:hugeObjects] {
		pending[n] = true
	}
	eventuallyWithin(t, 2*time.Minute, "every huge object to say it is too large", func() (bool, string) {
		for n := range pending {
			if c := get(t, evil, n).GetCondition(xpv2.TypeSynced); c.Reason == v1alpha1.ReasonMetadataTooLarge && c.Status == corev1.ConditionFalse {
				delete(pending, n)
			}
		}
		return len(pending) == 0, fmt.Sprintf("%d of %d not yet", len(pending), hugeObjects)
	})
	checkMemory()
	b := get(t, evil, names[0])
	if c := b.GetCondition(xpv2.TypeSynced); !strings.Contains(c.Message, "--max-metadata-bytes") {
		t.Errorf("the condition does not say what to do: %q", c.Message)
	}
	if len(b.Finalizers) != 0 || len(b.OwnerReferences) != 1 || len(b.OwnerReferences[0].Name) != 1200<<10 {
		t.Errorf("the stub was written back: finalizers %v, %d owner references", b.Finalizers, len(b.OwnerReferences))
	}

	// Small again: reconciled, Ready, and deleted as usual.
	if err := kube.Patch(ctx, &s3v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: own.Name}},
		client.RawPatch(types.MergePatchType, []byte(`{"metadata":{"ownerReferences":null}}`))); err != nil {
		t.Fatal(err)
	}
	waitReady(t, ns, own.Name)
	deleteAndWaitGone(t, get(t, ns, own.Name))
}

// heapObjects is the bytes of this process's Go heap objects, live or not yet swept.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
