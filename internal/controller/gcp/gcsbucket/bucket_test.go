package gcsbucket

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/googleapi"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/awstest"
	gcsclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/storage"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/storage/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

func newBucket(mutate ...func(*v1alpha1.Bucket)) *v1alpha1.Bucket {
	b := &v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "orders-data", UID: "uid-1",
		Annotations: map[string]string{"crossplane.io/external-name": "orders-data"}}}
	b.Spec.ForProvider.Location = "EU"
	for _, m := range mutate {
		m(b)
	}
	return b
}

func ext(f *fake.Buckets) *external {
	return &external{Conn: kindtest.Conn(Kind(), gcsclient.BucketAPI(f), &credentials.GCPAccount{ProjectID: "p", DefaultLabels: map[string]string{"managed-by": "ps"}, IgnoreLabelPrefixes: []string{"goog-"}})}
}

var conflict = &googleapi.Error{Code: http.StatusConflict, Message: "conflict"}

func TestObserve(t *testing.T) {
	cr := newBucket(func(b *v1alpha1.Bucket) { b.Spec.ForProvider.Versioning = ptr.To(true) })
	labels := map[string]string{"managed-by": "ps", "goog-x": "kept"}
	for k, v := range managedkind.GCPLabels.Tags(cr) {
		labels[k] = v
	}
	cases := map[string]struct {
		reason   string
		bucket   *storage.BucketAttrs
		getErr   error
		exists   bool
		upToDate bool
		errHas   string
	}{
		"Missing":  {reason: "Only a 404 is absence.", getErr: storage.ErrBucketNotExist},
		"Outage":   {reason: "Another error is an error, cleaned.", getErr: &googleapi.Error{Code: 503, Message: "backend error"}, errHas: "503: backend error"},
		"InSync":   {reason: "Google's labels kept, versioning the same.", bucket: &storage.BucketAttrs{Name: "orders-data", Location: "EU", Labels: labels, VersioningEnabled: true}, exists: true, upToDate: true},
		"Drifted":  {reason: "Versioning off is a change.", bucket: &storage.BucketAttrs{Name: "orders-data", Location: "EU", Labels: labels}, exists: true},
		"Another":  {reason: "A bucket labelled for another Bucket is refused.", bucket: &storage.BucketAttrs{Name: "orders-data", Location: "EU", Labels: map[string]string{"stateful-dev_namespace": "team-b", "stateful-dev_name": "orders-data"}}, errHas: "belongs to Bucket team-b/orders-data"},
		"Unowned":  {reason: "An unlabelled bucket is not taken without adoptExisting.", bucket: &storage.BucketAttrs{Name: "orders-data", Location: "EU"}, errHas: "set spec.adoptExisting"},
		"BadLabel": {reason: "Invalid labels are refused before any write.", bucket: &storage.BucketAttrs{Name: "orders-data", Location: "EU", Labels: labels}, errHas: "spec.forProvider.labels"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := cr.DeepCopy()
			if name == "BadLabel" {
				c.Spec.ForProvider.Labels = map[string]string{"Team": "A"}
			}
			f := &fake.Buckets{MockAttrs: func(string) (*storage.BucketAttrs, error) { return tc.bucket, tc.getErr }}
			o, err := ext(f).Observe(context.Background(), c)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("%s\nwant an error with %q, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.ResourceExists != tc.exists || o.ResourceUpToDate != tc.upToDate {
				t.Errorf("%s\nexists %t up to date %t", tc.reason, o.ResourceExists, o.ResourceUpToDate)
			}
		})
	}
}

func TestCreate(t *testing.T) {
	var created *storage.BucketAttrs
	f := &fake.Buckets{MockCreate: func(_, _ string, a *storage.BucketAttrs) error {
		created = a
		return nil
	}}
	if _, err := ext(f).Create(context.Background(), newBucket()); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"managed-by": "ps", "stateful-dev_namespace": "team-a", "stateful-dev_name": "orders-data", "stateful-dev_uid": "uid-1", "stateful-dev_installation": "default"}
	if diff := cmp.Diff(want, created.Labels); diff != "" {
		t.Errorf("the create carries the default and ownership labels, in one call: -want, +got:\n%s", diff)
	}
	f = &fake.Buckets{MockCreate: func(string, string, *storage.BucketAttrs) error { return conflict }}
	if _, err := ext(f).Create(context.Background(), newBucket()); err == nil || !strings.Contains(err.Error(), "bucket names are global") {
		t.Errorf("a taken name: %v", err)
	}
}

func TestDelete(t *testing.T) {
	objects := func(n int) []gcsclient.ObjectVersion {
		out := make([]gcsclient.ObjectVersion, n)
		for i := range out {
			out[i] = gcsclient.ObjectVersion{Name: "o", Generation: int64(i + 1)}
		}
		return out
	}
	cases := map[string]struct {
		reason      string
		force       bool
		objects     int
		wantDeleted bool
		wantObjects int
		errHas      string
	}{
		"Empty":        {reason: "An empty bucket is deleted.", wantDeleted: true},
		"NotEmpty":     {reason: "Without forceDestroy a bucket with objects is refused with what to do; no object is touched.", objects: 2, errHas: "set spec.forceDestroy"},
		"Force":        {reason: "With forceDestroy every generation goes first, then the bucket.", force: true, objects: 3, wantObjects: 3, wantDeleted: true},
		"ForceManyObj": {reason: "A full batch deletes that batch and leaves the bucket for the next reconcile.", force: true, objects: deleteBatch + 1, wantObjects: deleteBatch},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			objs, deleted := objects(tc.objects), false
			var deletedObjects []gcsclient.ObjectVersion
			f := &fake.Buckets{
				MockGenerations: func(_ string, limit int) ([]gcsclient.ObjectVersion, error) {
					return slices.Clone(objs[:min(limit, len(objs))]), nil
				},
				MockDeleteGeneration: func(_ string, o gcsclient.ObjectVersion) error {
					deletedObjects = append(deletedObjects, o)
					objs = slices.DeleteFunc(objs, func(x gcsclient.ObjectVersion) bool { return x == o })
					return nil
				},
				// Cloud Storage refuses to delete a bucket that still holds objects.
				MockDelete: func(string) error {
					if len(objs) > 0 {
						return conflict
					}
					deleted = true
					return nil
				},
			}
			_, err := ext(f).Delete(context.Background(), newBucket(func(b *v1alpha1.Bucket) { b.Spec.ForceDestroy = ptr.To(tc.force) }))
			if tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)) {
				t.Errorf("%s\nwant %q, got %v", tc.reason, tc.errHas, err)
			}
			if tc.errHas == "" && err != nil {
				t.Errorf("%s\n%v", tc.reason, err)
			}
			if deleted != tc.wantDeleted || len(deletedObjects) != tc.wantObjects {
				t.Errorf("%s\nbucket deleted %t (want %t), objects deleted %d (want %d)",
					tc.reason, deleted, tc.wantDeleted, len(deletedObjects), tc.wantObjects)
			}
		})
	}
}

// The retention lock is irreversible: sent alone, once the observed period is the spec's, with the metageneration
// of that observation; never in a round that also PATCHes (the metageneration would be stale).
func TestRetentionLock(t *testing.T) {
	own := func(b *v1alpha1.Bucket) map[string]string {
		return managedkind.GCPLabels.DesiredTags(b, nil, map[string]string{"managed-by": "ps"})
	}
	cases := map[string]struct {
		reason     string
		period     time.Duration
		versioning bool
		wantLocks  []int64
		wantPatch  bool
	}{
		"PeriodRight": {reason: "The period is the spec's: the lock alone, with the observed metageneration.", period: 24 * time.Hour, wantLocks: []int64{7}},
		"PeriodOff":   {reason: "The period differs: the PATCH first, no lock this round.", period: time.Hour, wantPatch: true},
		"OtherChange": {reason: "The period is right but another field differs: the PATCH first, no lock, and no event says it was locked.", period: 24 * time.Hour, versioning: true, wantPatch: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cr := newBucket(func(b *v1alpha1.Bucket) {
				b.Spec.ForProvider.RetentionPolicy = &v1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("24h"), Locked: ptr.To(true)}
				if tc.versioning {
					b.Spec.ForProvider.Versioning = ptr.To(true)
				}
			})
			bucket := &storage.BucketAttrs{Name: "orders-data", Location: "EU", Labels: own(cr), MetaGeneration: 7,
				RetentionPolicy: &storage.RetentionPolicy{RetentionPeriod: tc.period}}
			var locks []int64
			var updated *storage.BucketAttrsToUpdate
			e := ext(&fake.Buckets{
				MockAttrs: func(string) (*storage.BucketAttrs, error) { return bucket, nil },
				MockUpdate: func(_ string, u storage.BucketAttrsToUpdate) (*storage.BucketAttrs, error) {
					updated = &u
					return bucket, nil
				},
				MockLockRetentionPolicy: func(_ string, metageneration int64) error {
					locks = append(locks, metageneration)
					return nil
				},
			})
			rec := &awstest.Recorder{}
			e.Record = rec
			if _, err := e.Observe(context.Background(), cr); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Update(context.Background(), cr); err != nil {
				t.Fatal(err)
			}
			for _, ev := range rec.Events {
				if strings.Contains(ev.Message, fieldLock) != (len(tc.wantLocks) > 0) {
					t.Errorf("%s\nevent %q: it must name the lock exactly when the lock was sent", tc.reason, ev.Message)
				}
			}
			if diff := cmp.Diff(tc.wantLocks, locks); diff != "" {
				t.Errorf("%s\nlocks: -want, +got:\n%s", tc.reason, diff)
			}
			if (updated != nil) != tc.wantPatch {
				t.Errorf("%s\nPATCH sent: %t", tc.reason, updated != nil)
			}
		})
	}
}

// Through a shared identity, logs may only go into a bucket of the Bucket's own namespace.
func TestLogBucketTenancy(t *testing.T) {
	logged := func(b *v1alpha1.Bucket) {
		b.Spec.ForProvider.Logging = &v1alpha1.BucketLogging{LogBucket: ptr.To("logs")}
	}
	ofNS := func(ns string) *storage.BucketAttrs {
		return &storage.BucketAttrs{Name: "logs", Labels: managedkind.GCPLabels.Tags(&metav1.ObjectMeta{Namespace: ns, Name: "logs"})}
	}
	cases := map[string]struct {
		reason     string
		shared     bool
		logBucket  *storage.BucketAttrs
		errHas     string
		wantCreate bool
	}{
		"Namespaced":    {reason: "A namespaced config's credentials decide.", logBucket: ofNS("team-b"), wantCreate: true},
		"SharedOwn":     {reason: "Through a shared config, a log bucket of the same namespace is admitted.", shared: true, logBucket: ofNS("team-a"), wantCreate: true},
		"SharedOther":   {reason: "Through a shared config, another namespace's bucket is refused before the create.", shared: true, logBucket: ofNS("team-b"), errHas: "is not a Bucket of namespace team-a"},
		"SharedForeign": {reason: "… and so is a bucket no Bucket made.", shared: true, logBucket: &storage.BucketAttrs{Name: "logs"}, errHas: "is not a Bucket of namespace team-a"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var created *storage.BucketAttrs
			e := ext(&fake.Buckets{
				MockAttrs: func(string) (*storage.BucketAttrs, error) { return tc.logBucket, nil },
				MockCreate: func(_, _ string, a *storage.BucketAttrs) error {
					created = a
					return nil
				},
			})
			e.Account.Shared = tc.shared
			_, err := e.Create(context.Background(), newBucket(logged))
			if tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)) {
				t.Errorf("%s\nwant %q, got %v", tc.reason, tc.errHas, err)
			}
			if tc.errHas == "" && err != nil {
				t.Errorf("%s\n%v", tc.reason, err)
			}
			if (created != nil) != tc.wantCreate {
				t.Errorf("%s\ncreated: %t", tc.reason, created != nil)
			}
		})
	}
}

// Through a shared identity the log bucket is admitted on every update, not only when logging changes: here a
// label drifted, the logging is in sync, and the log bucket is now another namespace's.
func TestUpdateAdmitsLogBucket(t *testing.T) {
	cr := newBucket(func(b *v1alpha1.Bucket) {
		b.Spec.ForProvider.Logging = &v1alpha1.BucketLogging{LogBucket: ptr.To("logs")}
		b.Spec.ForProvider.Labels = map[string]string{"team": "a"}
	})
	labels := managedkind.GCPLabels.Tags(cr)
	labels["managed-by"] = "ps"
	for ns, wantErr := range map[string]string{"team-a": "", "team-b": `log bucket "logs" is not a Bucket of namespace team-a`} {
		t.Run(ns, func(t *testing.T) {
			buckets := map[string]*storage.BucketAttrs{
				"orders-data": {Name: "orders-data", Location: "EU", Labels: labels,
					Logging: &storage.BucketLogging{LogBucket: "logs", LogObjectPrefix: "orders-data"}},
				"logs": {Name: "logs", Labels: managedkind.GCPLabels.Tags(&metav1.ObjectMeta{Namespace: ns, Name: "logs"})},
			}
			var updated *storage.BucketAttrsToUpdate
			e := ext(&fake.Buckets{
				MockAttrs: func(name string) (*storage.BucketAttrs, error) { return buckets[name], nil },
				MockUpdate: func(name string, u storage.BucketAttrsToUpdate) (*storage.BucketAttrs, error) {
					updated = &u
					return buckets[name], nil
				},
			})
			e.Account.Shared = true
			cr := cr.DeepCopy()
			if o, err := e.Observe(context.Background(), cr); err != nil || o.ResourceUpToDate {
				t.Fatalf("Observe: up to date %t, %v", o.ResourceUpToDate, err)
			}
			_, err := e.Update(context.Background(), cr)
			if wantErr == "" && (err != nil || updated == nil) {
				t.Errorf("a log bucket of the namespace: want the update sent, got %v (sent %t)", err, updated != nil)
			}
			if wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr) || updated != nil) {
				t.Errorf("another namespace's log bucket: want %q and no PATCH, got %v (sent %t)", wantErr, err, updated != nil)
			}
		})
	}
}

// A Bucket being deleted is not compared with its spec: a spec the provider would refuse (here, another location)
// does not hold up the deletion.
func TestObserveWhileDeleting(t *testing.T) {
	cr := newBucket(func(b *v1alpha1.Bucket) {
		b.Spec.ForProvider.Location = "US"
		now := metav1.Now()
		b.SetDeletionTimestamp(&now)
	})
	bucket := &storage.BucketAttrs{Name: "orders-data", Location: "EU", Labels: managedkind.GCPLabels.Tags(cr)}
	o, err := ext(&fake.Buckets{MockAttrs: func(string) (*storage.BucketAttrs, error) { return bucket, nil }}).Observe(context.Background(), cr)
	if err != nil || !o.ResourceExists {
		t.Errorf("a deleting Bucket's own bucket exists and nothing blocks the delete: %+v %v", o, err)
	}
}
