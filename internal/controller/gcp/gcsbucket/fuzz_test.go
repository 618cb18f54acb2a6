package gcsbucket

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
	"github.com/stateful-dev/provider-stateful/internal/fuzzpick"
)

// fuzzSpec is a Bucket spec the CRD admits in location EU (spelt either way), with values Cloud Storage or the
// provider refuses among them. Every choice is made whether it is used or not, so that each byte of b always
// decides the same thing.
func fuzzSpec(b []byte) v1alpha1.BucketParameters {
	p := fuzzpick.New(b)
	s := v1alpha1.BucketParameters{
		Location:                 fuzzpick.One(p, "EU", "eu"),
		StorageClass:             fuzzpick.Ptr(p, "STANDARD", "NEARLINE", "COLDLINE"),
		Versioning:               fuzzpick.Ptr(p, false, true),
		RequesterPays:            fuzzpick.Ptr(p, false, true),
		UniformBucketLevelAccess: fuzzpick.Ptr(p, false, true),
		PublicAccessPrevention:   fuzzpick.Ptr(p, "enforced", "inherited"),
		SoftDeleteRetention:      fuzzpick.Ptr(p, "0s", "168h", "2160h", "24h"),
		DefaultKMSKeyName:        fuzzpick.Ptr(p, "", "projects/p/locations/eu/keyRings/r/cryptoKeys/k"),
	}
	labels, team, goog := p.Bool(), fuzzpick.Ptr(p, "a", "b"), fuzzpick.Ptr(p, "a", "b")
	if labels {
		s.Labels = map[string]string{}
		for k, v := range map[string]*string{"team": team, "goog-managed": goog} {
			if v != nil {
				s.Labels[k] = *v
			}
		}
	}
	logging, logBucket, prefix := p.Intn(3), fuzzpick.Ptr(p, "logs", "other-logs"), fuzzpick.Ptr(p, "", "access/")
	switch {
	case logging == 1 || logging == 2 && logBucket == nil:
		s.Logging = &v1alpha1.BucketLogging{}
	case logging == 2:
		s.Logging = &v1alpha1.BucketLogging{LogBucket: logBucket, LogObjectPrefix: prefix}
	}
	rules := p.Intn(4) // nil, [], one rule, two
	if rules > 0 {
		s.LifecycleRules = []v1alpha1.LifecycleRule{}
	}
	for i := range 2 {
		action, class := fuzzpick.One(p, "Delete", "SetStorageClass", "AbortIncompleteMultipartUpload"), fuzzpick.One(p, "NEARLINE", "COLDLINE", "ARCHIVE")
		r := v1alpha1.LifecycleRule{Action: v1alpha1.LifecycleAction{Type: action}, Condition: v1alpha1.LifecycleCondition{
			AgeDays: fuzzpick.Ptr[int64](p, 0, 30), CreatedBefore: fuzzpick.Ptr(p, "2024-01-01", "2024-13-45"), IsLive: fuzzpick.Ptr(p, false, true),
			NumNewerVersions: fuzzpick.Ptr[int64](p, 0, 3), DaysSinceNoncurrentTime: fuzzpick.Ptr[int64](p, 0, 7),
			MatchesStorageClass: fuzzpick.One(p, nil, []string{"STANDARD"}, []string{"NEARLINE", "STANDARD"}),
			MatchesPrefix:       fuzzpick.One(p, nil, []string{"logs/"}, []string{"tmp/", "cache/"}),
		}}
		if action == "SetStorageClass" {
			r.Action.StorageClass = ptr.To(class)
		}
		if reflect.ValueOf(r.Condition).IsZero() {
			r.Condition.AgeDays = ptr.To[int64](1) // a condition has at least one field
		}
		if i < rules-1 {
			s.LifecycleRules = append(s.LifecycleRules, r)
		}
	}
	cors, origins, maxAge := p.Intn(3), fuzzpick.One(p, []string{"*"}, []string{"https://a.example.com", "https://b.example.com"}), fuzzpick.Ptr[int64](p, 0, 3600)
	switch cors {
	case 1:
		s.CORS = []v1alpha1.CORS{}
	case 2:
		s.CORS = []v1alpha1.CORS{{Origins: origins, Methods: []string{"GET", "PUT"}, ResponseHeaders: []string{"Content-Type"}, MaxAgeSeconds: maxAge}}
	}
	retention, period, locked := p.Intn(3), fuzzpick.Ptr(p, "24h", "48h", "1h30m", "0s", "1500ms"), fuzzpick.Ptr(p, false, true)
	switch {
	case retention == 1 || retention == 2 && period == nil:
		s.RetentionPolicy = &v1alpha1.RetentionPolicy{}
	case retention == 2:
		s.RetentionPolicy = &v1alpha1.RetentionPolicy{RetentionPeriod: period, Locked: locked}
	}
	return s
}

// asGCS is a bucket as Cloud Storage reports it after storing a: the location in capitals, its defaults where
// nothing was sent (storage class, public access prevention, a 7-day soft delete, the bucket's name as the log
// prefix), sets in an order of their own.
func asGCS(a *storage.BucketAttrs) *storage.BucketAttrs {
	o := *a
	o.Name = "orders-data"
	o.Location = strings.ToUpper(o.Location)
	if o.StorageClass == "" {
		o.StorageClass = "STANDARD"
	}
	if o.PublicAccessPrevention == storage.PublicAccessPreventionUnknown {
		o.PublicAccessPrevention = storage.PublicAccessPreventionInherited
	}
	if o.SoftDeletePolicy == nil {
		o.SoftDeletePolicy = &storage.SoftDeletePolicy{RetentionDuration: 7 * 24 * time.Hour}
	}
	if o.Logging != nil && o.Logging.LogObjectPrefix == "" {
		o.Logging = &storage.BucketLogging{LogBucket: o.Logging.LogBucket, LogObjectPrefix: "orders-data"}
	}
	o.Lifecycle.Rules = slices.Clone(o.Lifecycle.Rules)
	for i, r := range o.Lifecycle.Rules {
		r.Condition.MatchesStorageClasses = reversed(r.Condition.MatchesStorageClasses)
		o.Lifecycle.Rules[i] = r
	}
	o.CORS = slices.Clone(o.CORS)
	for i, c := range o.CORS {
		c.Origins = reversed(c.Origins)
		o.CORS[i] = c
	}
	o.Labels = copied(o.Labels)
	return &o
}

func reversed(l []string) []string {
	l = slices.Clone(l)
	slices.Sort(l)
	slices.Reverse(l)
	return l
}

func copied(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// patched does what Cloud Storage does with the PATCH and the label changes, failing the test on what it refuses:
// a locked retention policy removed or shortened.
func patched(t *testing.T, o *storage.BucketAttrs, u storage.BucketAttrsToUpdate, set map[string]string, remove []string) *storage.BucketAttrs {
	t.Helper()
	a := *o
	a.Labels = copied(o.Labels)
	for _, k := range remove {
		delete(a.Labels, k)
	}
	for k, v := range set {
		a.Labels[k] = v
	}
	if u.StorageClass != "" {
		a.StorageClass = u.StorageClass
	}
	if v, ok := u.VersioningEnabled.(bool); ok {
		a.VersioningEnabled = v
	}
	if v, ok := u.RequesterPays.(bool); ok {
		a.RequesterPays = v
	}
	if u.UniformBucketLevelAccess != nil {
		a.UniformBucketLevelAccess = *u.UniformBucketLevelAccess
	}
	if u.PublicAccessPrevention != storage.PublicAccessPreventionUnknown {
		a.PublicAccessPrevention = u.PublicAccessPrevention
	}
	if u.SoftDeletePolicy != nil {
		a.SoftDeletePolicy = u.SoftDeletePolicy
	}
	if e := u.Encryption; e != nil {
		a.Encryption = e
		if e.DefaultKMSKeyName == "" {
			a.Encryption = nil
		}
	}
	if u.Lifecycle != nil {
		a.Lifecycle = *u.Lifecycle
	}
	if u.CORS != nil {
		a.CORS = u.CORS
	}
	if r := u.RetentionPolicy; r != nil {
		locked := o.RetentionPolicy != nil && o.RetentionPolicy.IsLocked
		switch {
		case locked && (r.RetentionPeriod == 0 || r.RetentionPeriod < o.RetentionPolicy.RetentionPeriod):
			t.Fatalf("Cloud Storage refuses removing or shortening a locked retention policy (%s to %s)", o.RetentionPolicy.RetentionPeriod, r.RetentionPeriod)
		case r.RetentionPeriod == 0:
			a.RetentionPolicy = nil
		default:
			a.RetentionPolicy = &storage.RetentionPolicy{RetentionPeriod: r.RetentionPeriod, IsLocked: locked}
		}
	}
	if l := u.Logging; l != nil {
		a.Logging = l
		if *l == (storage.BucketLogging{}) {
			a.Logging = nil
		}
	}
	return asGCS(&a)
}

// FuzzConverges: a spec's bucket, created and read back as Cloud Storage reports it, has nothing left to change but
// the retention lock, which comes alone; from a bucket made from any other spec, at most two reconciles (the PATCH,
// then the lock) leave nothing to change, each one Cloud Storage accepts, unless the spec asks what a locked policy
// forbids — which is refused up front. Nothing the spec leaves unset is changed.
func FuzzConverges(f *testing.F) {
	f.Add([]byte{}, []byte{})
	f.Add(bytes.Repeat([]byte{1}, 60), bytes.Repeat([]byte{2}, 60))
	f.Add(bytes.Repeat([]byte{2}, 60), bytes.Repeat([]byte{3}, 60))
	f.Add(bytes.Repeat([]byte{3}, 60), bytes.Repeat([]byte{5}, 60))
	f.Fuzz(func(t *testing.T, wantSpec, otherSpec []byte) {
		want, other := fuzzSpec(wantSpec), fuzzSpec(otherSpec)
		acct := &credentials.GCPAccount{DefaultLabels: map[string]string{"managed-by": "ps"}}
		labels := desiredLabels(newBucket(func(b *v1alpha1.Bucket) { b.Spec.ForProvider = want }), acct)
		ignore := managedkind.IgnoredPrefixes(want.Labels, []string{"goog-"})
		reconcile := func(o *storage.BucketAttrs) (*storage.BucketAttrs, []string, error) {
			set, remove := managedkind.TagChanges(labels, o.Labels, ignore)
			cs, err := Changes(want, o, managedkind.TagDiff(labels, o.Labels, ignore), set, remove)
			if err != nil || len(cs) == 0 {
				return o, nil, err
			}
			u, patch, lock := Update(cs)
			if patch {
				o = patched(t, o, u, set, remove)
			}
			if lock {
				if o.RetentionPolicy == nil {
					t.Fatal("Cloud Storage refuses locking a bucket without a retention policy")
				}
				o.RetentionPolicy = &storage.RetentionPolicy{RetentionPeriod: o.RetentionPolicy.RetentionPeriod, IsLocked: true}
			}
			return o, cs.Fields(), nil
		}

		created, err := CreateAttrs(want, labels)
		if err != nil {
			return
		}
		got, changed, err := reconcile(asGCS(created))
		if err != nil || len(changed) > 0 && !slices.Equal(changed, []string{fieldLock}) {
			t.Fatalf("created and read back, the bucket still differs in %v (%v)", changed, err)
		}
		if _, changed, err := reconcile(got); err != nil || len(changed) != 0 {
			t.Fatalf("after its lock the bucket still differs in %v (%v)", changed, err)
		}

		otherCreated, err := CreateAttrs(other, desiredLabels(newBucket(func(b *v1alpha1.Bucket) { b.Spec.ForProvider = other }), acct))
		if err != nil {
			return
		}
		before := asGCS(otherCreated)
		if other.RetentionPolicy != nil && other.RetentionPolicy.Locked != nil && *other.RetentionPolicy.Locked && before.RetentionPolicy != nil {
			before.RetentionPolicy.IsLocked = true
		}
		after, changed, err := reconcile(before)
		if err != nil {
			if r := before.RetentionPolicy; r != nil && r.IsLocked && want.RetentionPolicy != nil {
				return // what a locked policy forbids: refused, as it must be
			}
			t.Fatalf("from another bucket: %v", err)
		}
		after, more, err := reconcile(after)
		if err != nil || len(more) > 0 && !slices.Equal(more, []string{fieldLock}) {
			t.Fatalf("after the update %v the bucket still differs in %v (%v)", changed, more, err)
		}
		if _, more, err := reconcile(after); err != nil || len(more) != 0 {
			t.Fatalf("after the update %v and the lock the bucket still differs in %v (%v)", changed, more, err)
		}
		unmanaged(t, want, before, after)
	})
}

// unmanaged fails when the updates changed what the spec leaves unset.
func unmanaged(t *testing.T, want v1alpha1.BucketParameters, before, after *storage.BucketAttrs) {
	t.Helper()
	kept := func(field string, unset bool, b, a any) {
		if diff := cmp.Diff(b, a, cmpopts.EquateEmpty()); unset && diff != "" {
			t.Errorf("%s is unset, yet the update changed it: -before +after:\n%s", field, diff)
		}
	}
	kept("storageClass", want.StorageClass == nil, before.StorageClass, after.StorageClass)
	kept("versioning", want.Versioning == nil, before.VersioningEnabled, after.VersioningEnabled)
	kept("requesterPays", want.RequesterPays == nil, before.RequesterPays, after.RequesterPays)
	kept("uniformBucketLevelAccess", want.UniformBucketLevelAccess == nil, before.UniformBucketLevelAccess.Enabled, after.UniformBucketLevelAccess.Enabled)
	kept("publicAccessPrevention", want.PublicAccessPrevention == nil, before.PublicAccessPrevention, after.PublicAccessPrevention)
	kept("softDeleteRetention", want.SoftDeleteRetention == nil, before.SoftDeletePolicy, after.SoftDeletePolicy)
	kept("defaultKMSKeyName", want.DefaultKMSKeyName == nil, before.Encryption, after.Encryption)
	kept("lifecycleRules", want.LifecycleRules == nil, before.Lifecycle, after.Lifecycle)
	kept("cors", want.CORS == nil, before.CORS, after.CORS)
	kept("retentionPolicy", want.RetentionPolicy == nil, before.RetentionPolicy, after.RetentionPolicy)
	kept("logging", want.Logging == nil, before.Logging, after.Logging)
	if l := want.Logging; l != nil && l.LogBucket != nil && before.Logging != nil {
		kept("logging.logObjectPrefix", l.LogObjectPrefix == nil, before.Logging.LogObjectPrefix, after.Logging.LogObjectPrefix)
	}
	if r := want.RetentionPolicy; r != nil && r.RetentionPeriod != nil && before.RetentionPolicy != nil && before.RetentionPolicy.IsLocked {
		kept("retentionPolicy.locked", true, before.RetentionPolicy.IsLocked, after.RetentionPolicy.IsLocked)
	}
}
