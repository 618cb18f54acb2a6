//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"

	gcsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
)

func gcsBucket(ns, name string, mutate ...func(*gcsv1alpha1.Bucket)) *gcsv1alpha1.Bucket {
	b := &gcsv1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	b.Spec.ForProvider.Location = "EU"
	for _, m := range mutate {
		m(b)
	}
	return b
}

// cloudGCS reads the bucket from fake-gcs-server directly, not through the recording proxy.
func cloudGCS(t *testing.T, name string) *storage.BucketAttrs {
	t.Helper()
	a, err := gcsClient(t).Bucket(name).Attrs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The Cloud Storage Bucket's row of the contract every kind keeps (contract_test.go), against the patched
// fake-gcs-server through the recording proxy.
var gcsBucketContract = kindContract{
	kind: "Bucket", run: "GCSBucket", newObj: func() managedObj { return &gcsv1alpha1.Bucket{} },
	minimal: func(ns, name string) managedObj { return gcsBucket(ns, name) },
	rich: func(t *testing.T, ns, name string) managedObj {
		// Through the shared default config, logs may only go into a bucket of the same namespace.
		logs := "logs-" + name
		if err := gcsClient(t).Bucket(logs).Create(context.Background(), gcpProject, &storage.BucketAttrs{Location: "EU",
			Labels: gcpMarker.Tags(&metav1.ObjectMeta{Namespace: ns, Name: logs, UID: "made-by-the-test"})}); err != nil {
			t.Fatal(err)
		}
		return gcsBucket(ns, name, func(b *gcsv1alpha1.Bucket) {
			b.Spec.ForProvider = gcsv1alpha1.BucketParameters{
				// Spelled as users write them; Cloud Storage reports EU, 864000s, inherited for unset.
				Location: "eu", StorageClass: ptr.To("NEARLINE"), Labels: map[string]string{"team": "a"},
				Versioning: ptr.To(true), UniformBucketLevelAccess: ptr.To(true), PublicAccessPrevention: ptr.To("enforced"),
				SoftDeleteRetention: ptr.To("240h"), RequesterPays: ptr.To(true),
				DefaultKMSKeyName: ptr.To("projects/" + gcpProject + "/locations/eu/keyRings/r/cryptoKeys/k"),
				Logging:           &gcsv1alpha1.BucketLogging{LogBucket: ptr.To(logs)},
				LifecycleRules: []gcsv1alpha1.LifecycleRule{
					{Action: gcsv1alpha1.LifecycleAction{Type: "Delete"}, Condition: gcsv1alpha1.LifecycleCondition{AgeDays: ptr.To[int64](30), MatchesPrefix: []string{"tmp/", "cache/"}}},
					{Action: gcsv1alpha1.LifecycleAction{Type: "SetStorageClass", StorageClass: ptr.To("COLDLINE")}, Condition: gcsv1alpha1.LifecycleCondition{AgeDays: ptr.To[int64](90), MatchesStorageClass: []string{"NEARLINE"}}},
					{Action: gcsv1alpha1.LifecycleAction{Type: "Delete"}, Condition: gcsv1alpha1.LifecycleCondition{IsLive: ptr.To(false), NumNewerVersions: ptr.To[int64](3)}},
				},
				CORS:            []gcsv1alpha1.CORS{{Origins: []string{"https://a.example.com", "https://b.example.com"}, Methods: []string{"GET", "HEAD"}, MaxAgeSeconds: ptr.To[int64](3600)}},
				RetentionPolicy: &gcsv1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("24h")},
			}
		})
	},
	poll: "GetBucket", tagWrites: []string{"PatchBucket"},
	tags: func(t *testing.T, name string) map[string]string { return cloudGCS(t, name).Labels },
	full: func(t *testing.T, name string) {
		err := gcsClient(t).Bucket(name).Create(context.Background(), gcpProject, &storage.BucketAttrs{
			Location: "EU", StorageClass: "COLDLINE", Labels: map[string]string{"team": "legacy"}, VersioningEnabled: true,
			UniformBucketLevelAccess: storage.UniformBucketLevelAccess{Enabled: true}, PublicAccessPrevention: storage.PublicAccessPreventionEnforced,
			SoftDeletePolicy: &storage.SoftDeletePolicy{RetentionDuration: 30 * 24 * time.Hour}, RequesterPays: true,
			Encryption: &storage.BucketEncryption{DefaultKMSKeyName: "projects/" + gcpProject + "/locations/eu/keyRings/r/cryptoKeys/legacy"},
			Logging:    &storage.BucketLogging{LogBucket: "legacy-logs", LogObjectPrefix: "legacy"},
			Lifecycle: storage.Lifecycle{Rules: []storage.LifecycleRule{
				{Action: storage.LifecycleAction{Type: storage.DeleteAction}, Condition: storage.LifecycleCondition{AgeInDays: 400}},
			}},
			CORS:            []storage.CORS{{Origins: []string{"*"}, Methods: []string{"GET"}}},
			RetentionPolicy: &storage.RetentionPolicy{RetentionPeriod: time.Hour},
		})
		if err != nil {
			t.Fatal(err)
		}
	},
	config: func(t *testing.T, name string) string {
		a := cloudGCS(t, name)
		a.Labels, a.MetaGeneration, a.Updated, a.Etag = nil, 0, time.Time{}, ""
		b, _ := json.Marshal(a)
		return string(b)
	},
	withDriftField: func(mg managedObj) { mg.(*gcsv1alpha1.Bucket).Spec.ForProvider.Versioning = ptr.To(true) },
	drift: func(t *testing.T, name string) {
		if _, err := gcsClient(t).Bucket(name).Update(context.Background(), storage.BucketAttrsToUpdate{VersioningEnabled: false}); err != nil {
			t.Fatal(err)
		}
	},
	reverted: func(t *testing.T, name string) (bool, string) {
		v := cloudGCS(t, name).VersioningEnabled
		return v, fmt.Sprint(v)
	},
	driftField: "versioning",
	updateOp:   "PatchBucket", ignoreUpdate: respondOK("PatchBucket", "{}"),
	wire:   func() wireCounter { return gcsProxy },
	marker: &gcpMarker,
}

func init() { contracts = append(contracts, gcsBucketContract) }

// A bucket that holds objects (three generations of one, with versioning) is not deleted without forceDestroy:
// the Bucket says why and no object is touched. With forceDestroy every generation goes, then the bucket.
func TestGCSBucketForceDestroy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ns, name := namespace(t), "full-"+suffix()
	newObj := func() managedObj { return &gcsv1alpha1.Bucket{} }
	create(t, gcsBucket(ns, name, func(b *gcsv1alpha1.Bucket) { b.Spec.ForProvider.Versioning = ptr.To(true) }))
	waitMR(t, ns, name, "Ready", newObj, readySynced[managedObj])
	for i := range 3 {
		w := gcsClient(t).Bucket(name).Object("report.csv").NewWriter(ctx)
		_, _ = fmt.Fprintf(w, "version %d", i)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := kube.Delete(ctx, gcsBucket(ns, name)); err != nil {
		t.Fatal(err)
	}
	waitMR(t, ns, name, "delete refused", newObj, func(mg managedObj) (bool, string) {
		return syncError("is not empty: delete its objects, or set spec.forceDestroy")(mg.GetCondition(xpv2.TypeSynced))
	})
	if n := gcsProxy.Count("DeleteObject", name); n != 0 {
		t.Errorf("without forceDestroy the provider deleted %d objects", n)
	}
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		b := getMR(t, ns, name, &gcsv1alpha1.Bucket{})
		b.Spec.ForceDestroy = ptr.To(true)
		return kube.Update(ctx, b)
	}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the bucket gone", func() (bool, string) {
		_, err := gcsClient(t).Bucket(name).Attrs(ctx)
		return err != nil, fmt.Sprint(err)
	})
	if n := gcsProxy.Count("DeleteObject", name); n < 3 {
		t.Errorf("DeleteObject calls: %d, want one per generation (3)", n)
	}
}

// Invalid buckets are refused by the CRD, with a message that says why.
func TestGCSBucketCRDValidation(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	for _, tc := range []struct {
		name, want string
		b          *gcsv1alpha1.Bucket
	}{
		{"GoogPrefix", "may not start with goog", gcsBucket(ns, "goog-"+suffix())},
		{"LookAlike", "contain google or a look-alike", gcsBucket(ns, "my-g00gle-"+suffix())},
		{"DotDash", "metadata.name is the bucket name", gcsBucket(ns, "a.-b"+suffix())},
		{"PrefixWithoutBucket", "logObjectPrefix needs a logBucket", gcsBucket(ns, "logs-"+suffix(), func(b *gcsv1alpha1.Bucket) {
			b.Spec.ForProvider.Logging = &gcsv1alpha1.BucketLogging{LogObjectPrefix: ptr.To("x")}
		})},
		{"StorageClass", "spec.forProvider.storageClass", gcsBucket(ns, "class-"+suffix(), func(b *gcsv1alpha1.Bucket) { b.Spec.ForProvider.StorageClass = ptr.To("FAST") })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := kube.Create(context.Background(), tc.b)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want a refusal containing %q, got %v", tc.want, err)
			}
		})
	}
	name := "moves-" + suffix()
	create(t, gcsBucket(ns, name))
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		b := getMR(t, ns, name, &gcsv1alpha1.Bucket{})
		b.Spec.ForProvider.Location = "US"
		return kube.Update(context.Background(), b)
	})
	if err == nil || !strings.Contains(err.Error(), "location is immutable") {
		t.Errorf("a location change must be refused: %v", err)
	}
}

// The retention lock is irreversible: asked for explicitly, it is sent exactly once — after the period is right,
// with the metageneration of that observation — and never again over several polls. Shortening the locked policy
// is refused by the provider with what cannot be done, before any call.
func TestGCSBucketRetentionLock(t *testing.T) {
	t.Parallel()
	ns, name := namespace(t), "locked-"+suffix()
	newObj := func() managedObj { return &gcsv1alpha1.Bucket{} }
	create(t, gcsBucket(ns, name, func(b *gcsv1alpha1.Bucket) {
		b.Spec.ForProvider.RetentionPolicy = &gcsv1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("1h"), Locked: ptr.To(true)}
	}))
	waitMR(t, ns, name, "Ready", newObj, readySynced[managedObj])
	if a := cloudGCS(t, name); a.RetentionPolicy == nil || !a.RetentionPolicy.IsLocked || a.RetentionPolicy.RetentionPeriod != time.Hour {
		t.Fatalf("the retention policy: %+v", a.RetentionPolicy)
	}
	gcsBucketContract.waitPolls(t, name, 3)
	if n := gcsProxy.Count("LockRetentionPolicy", name); n != 1 {
		t.Errorf("LockRetentionPolicy calls: %d, want exactly 1", n)
	}
	patches := gcsProxy.Count("PatchBucket", name)
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		b := getMR(t, ns, name, &gcsv1alpha1.Bucket{})
		b.Spec.ForProvider.RetentionPolicy.RetentionPeriod = ptr.To("30m")
		return kube.Update(context.Background(), b)
	}); err != nil {
		t.Fatal(err)
	}
	waitMR(t, ns, name, "refused", newObj, func(mg managedObj) (bool, string) {
		return syncError("can only grow")(mg.GetCondition(xpv2.TypeSynced))
	})
	if n := gcsProxy.Count("PatchBucket", name) - patches; n != 0 {
		t.Errorf("shortening a locked policy sent %d PATCHes", n)
	}
	// The refused spec does not hold up the deletion: a deleting Bucket is not compared with its spec.
	deleteAndWait(t, ns, name, newObj)
	if _, err := gcsClient(t).Bucket(name).Attrs(context.Background()); err == nil {
		t.Errorf("the bucket is still there after its Bucket was deleted")
	}
}

// Through the shared default config a Bucket may not log into another namespace's bucket: refused before the
// insert, with what to do.
func TestGCSBucketLogBucketTenancy(t *testing.T) {
	t.Parallel()
	a, b := namespace(t), namespace(t)
	theirs := "theirs-" + suffix()
	if err := gcsClient(t).Bucket(theirs).Create(context.Background(), gcpProject, &storage.BucketAttrs{Location: "EU",
		Labels: gcpMarker.Tags(&metav1.ObjectMeta{Namespace: a, Name: theirs, UID: "u"})}); err != nil {
		t.Fatal(err)
	}
	name := "sneaky-" + suffix()
	create(t, gcsBucket(b, name, func(bk *gcsv1alpha1.Bucket) {
		bk.Spec.ForProvider.Logging = &gcsv1alpha1.BucketLogging{LogBucket: ptr.To(theirs)}
	}))
	waitMR(t, b, name, "refused", func() managedObj { return &gcsv1alpha1.Bucket{} }, func(mg managedObj) (bool, string) {
		return syncError("is not a Bucket of namespace " + b)(mg.GetCondition(xpv2.TypeSynced))
	})
	if n := gcsProxy.Count("InsertBucket", name); n != 0 {
		t.Errorf("a refused Bucket reached InsertBucket %d times", n)
	}
}

// Two namespaces' Buckets of one name through the shared default config, applied together, with the proxy holding
// their inserts until both have arrived (or 8 s): the claim lets exactly one reach Cloud Storage. One Bucket is
// Ready with the bucket labelled for it, the other refused, and the bucket sees one InsertBucket and nothing else.
func TestRaceForOneGCSBucketName(t *testing.T) {
	t.Parallel()
	a, b, name := namespace(t), namespace(t), "race-"+suffix()
	gcsProxy.Hold("InsertBucket", name, 2, 8*time.Second)
	errs := make(chan error, 2)
	for _, ns := range []string{a, b} {
		go func() { errs <- kube.Create(context.Background(), gcsBucket(ns, name)) }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	get := func(ns string) managedObj { return getMR(t, ns, name, &gcsv1alpha1.Bucket{}) }
	var winner string
	eventually(t, "one Bucket Ready and the other refused", func() (bool, string) {
		ra, rb := readyOf(get(a)), readyOf(get(b))
		sa, sb := get(a).GetCondition(xpv2.TypeSynced), get(b).GetCondition(xpv2.TypeSynced)
		switch {
		case ra && !rb && sb.Status == "False":
			winner = a
		case rb && !ra && sa.Status == "False":
			winner = b
		default:
			return false, fmt.Sprintf("%s ready=%t %q; %s ready=%t %q", a, ra, sa.Message, b, rb, sb.Message)
		}
		return true, ""
	})
	if n := gcsProxy.Count("InsertBucket", name); n != 1 {
		t.Errorf("InsertBucket calls for one name: want 1, got %d", n)
	}
	if got := cloudGCS(t, name).Labels[gcpMarker.NamespaceKey]; got != winner {
		t.Errorf("the bucket is labelled for %q, want the winner %s", got, winner)
	}
	if m := gcsProxy.Mutating(name); len(m) != 1 {
		t.Errorf("mutating calls on the bucket: %v, want the one insert", opsOf(m))
	}
}
