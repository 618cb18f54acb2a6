//go:build integration

package integration

import (
	"context"
	"fmt"
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
	mem := sampleMemory(t)
	// Checked however the test ends (on the old code no object ever said so and the wait timed out), once.
	var once sync.Once
	checkMemory := func() {
		once.Do(func() {
			peak := mem.stop()
			t.Logf("%d objects with %d KiB of metadata: peak VmRSS %d MiB, peak Go heap %d MiB (%d samples)",
				hugeObjects+1, len(hugeOwner()[0].Name)>>10, peak.rss>>20, peak.heap>>20, peak.samples)
			if peak.rss >= hostileMemoryLimit {
				t.Errorf("the provider's process reached %d MiB of RSS: want under %d MiB", peak.rss>>20, hostileMemoryLimit>>20)
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
