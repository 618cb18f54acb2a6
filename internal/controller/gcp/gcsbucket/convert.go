package gcsbucket

import (
	"fmt"
	"strings"
	"time"

	"cloud.google.com/go/storage"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"

	"github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/credentials"
)

// Connection detail keys.
const (
	ConnName     = "name"
	ConnURL      = "url"
	ConnSelfLink = "selfLink"
)

// Cloud Storage's soft-delete bounds: 0 (off) or 7 to 90 days.
const (
	minSoftDelete = 7 * 24 * time.Hour
	maxSoftDelete = 90 * 24 * time.Hour
)

// softDelete parses the spec's soft-delete retention within Cloud Storage's bounds.
func softDelete(s *string) (*time.Duration, error) {
	if s == nil {
		return nil, nil
	}
	d, err := time.ParseDuration(*s)
	if err != nil || (d != 0 && (d < minSoftDelete || d > maxSoftDelete)) {
		return nil, errors.Errorf("spec.forProvider.softDeleteRetention %q: use 0s (off) or a duration from 168h (7 days) to 2160h (90 days)", *s)
	}
	return &d, nil
}

func pap(s string) storage.PublicAccessPrevention {
	if s == "enforced" {
		return storage.PublicAccessPreventionEnforced
	}
	return storage.PublicAccessPreventionInherited
}

// CreateAttrs is the bucket the spec describes, with its labels (default, spec and ownership labels merged by the
// caller). What the spec leaves unset is left to Cloud Storage's defaults.
func CreateAttrs(p v1alpha1.BucketParameters, labels map[string]string) (*storage.BucketAttrs, error) {
	sd, err := softDelete(p.SoftDeleteRetention)
	if err != nil {
		return nil, err
	}
	a := &storage.BucketAttrs{
		Location: p.Location, StorageClass: ptr.Deref(p.StorageClass, ""), Labels: labels,
		VersioningEnabled: ptr.Deref(p.Versioning, false), RequesterPays: ptr.Deref(p.RequesterPays, false),
		UniformBucketLevelAccess: storage.UniformBucketLevelAccess{Enabled: ptr.Deref(p.UniformBucketLevelAccess, false)},
	}
	if p.PublicAccessPrevention != nil {
		a.PublicAccessPrevention = pap(*p.PublicAccessPrevention)
	}
	if sd != nil {
		a.SoftDeletePolicy = &storage.SoftDeletePolicy{RetentionDuration: *sd}
	}
	if k := ptr.Deref(p.DefaultKMSKeyName, ""); k != "" {
		a.Encryption = &storage.BucketEncryption{DefaultKMSKeyName: k}
	}
	if l := p.Logging; l != nil && l.LogBucket != nil {
		a.Logging = &storage.BucketLogging{LogBucket: *l.LogBucket, LogObjectPrefix: ptr.Deref(l.LogObjectPrefix, "")}
	}
	if a.Lifecycle, err = Lifecycle(p.LifecycleRules); err != nil {
		return nil, err
	}
	a.CORS = CORS(p.CORS)
	// The lock comes after the create, once an observation shows the period: see retentionChange.
	r, err := retention(p.RetentionPolicy)
	if err != nil {
		return nil, err
	}
	if r != nil {
		a.RetentionPolicy = &storage.RetentionPolicy{RetentionPeriod: *r}
	}
	return a, nil
}

// update is the part of one PATCH a change contributes; nil for the retention lock, which is its own call.
type update func(*storage.BucketAttrsToUpdate)

// fieldLock names the retention lock in the change list.
const fieldLock = "retentionPolicy.locked"

// Changes lists what differs between the spec and the observed bucket, each with what it sets in the one PATCH
// that fixes everything; unset fields are not compared. labelSet and labelRemove are the label changes (see
// mr.TagChanges). A different location is an error: it is set at creation.
func Changes(
	p v1alpha1.BucketParameters,
	o *storage.BucketAttrs,
	labelDiff []string,
	labelSet map[string]string,
	labelRemove []string,
) (managedkind.Changes[update], error) {
	if !strings.EqualFold(p.Location, o.Location) {
		return nil, errors.Errorf("the bucket is in %s, not spec.forProvider.location %s: a bucket's location is set when it is created; "+
			"delete and re-create the Bucket to move it", o.Location, p.Location)
	}
	sd, err := softDelete(p.SoftDeleteRetention)
	if err != nil {
		return nil, err
	}
	var l managedkind.Changes[update]
	l.AddIf(len(labelDiff) > 0, managedkind.LabelField(labelDiff), func() update {
		return func(u *storage.BucketAttrsToUpdate) {
			for k, v := range labelSet {
				u.SetLabel(k, v)
			}
			for _, k := range labelRemove {
				u.DeleteLabel(k)
			}
		}
	})
	if c := p.StorageClass; c != nil && *c != o.StorageClass {
		l.Add("storageClass", func(u *storage.BucketAttrsToUpdate) { u.StorageClass = *c })
	}
	if v := p.Versioning; v != nil && *v != o.VersioningEnabled {
		l.Add("versioning", func(u *storage.BucketAttrsToUpdate) { u.VersioningEnabled = *v })
	}
	if v := p.RequesterPays; v != nil && *v != o.RequesterPays {
		l.Add("requesterPays", func(u *storage.BucketAttrsToUpdate) { u.RequesterPays = *v })
	}
	if v := p.UniformBucketLevelAccess; v != nil && *v != o.UniformBucketLevelAccess.Enabled {
		l.Add("uniformBucketLevelAccess", func(u *storage.BucketAttrsToUpdate) {
			u.UniformBucketLevelAccess = &storage.UniformBucketLevelAccess{Enabled: *v}
		})
	}
	// Unknown and unspecified mean the default, inherited.
	if v := p.PublicAccessPrevention; v != nil && pap(*v) != normalPAP(o.PublicAccessPrevention) {
		l.Add("publicAccessPrevention", func(u *storage.BucketAttrsToUpdate) { u.PublicAccessPrevention = pap(*v) })
	}
	if sd != nil && *sd != softDeleteOf(o) {
		l.Add("softDeleteRetention", func(u *storage.BucketAttrsToUpdate) {
			u.SoftDeletePolicy = &storage.SoftDeletePolicy{RetentionDuration: *sd}
		})
	}
	if k := p.DefaultKMSKeyName; k != nil && *k != kmsOf(o) {
		l.Add("defaultKMSKeyName", func(u *storage.BucketAttrsToUpdate) { u.Encryption = &storage.BucketEncryption{DefaultKMSKeyName: *k} })
	}
	if p.LifecycleRules != nil {
		want, err := Lifecycle(p.LifecycleRules)
		if err != nil {
			return nil, err
		}
		if !lifecycleInSync(want, o.Lifecycle) {
			l.Add("lifecycleRules", func(u *storage.BucketAttrsToUpdate) { u.Lifecycle = &want })
		}
	}
	if p.CORS != nil && !corsInSync(CORS(p.CORS), o.CORS) {
		l.Add("cors", func(u *storage.BucketAttrsToUpdate) { u.CORS = CORS(p.CORS) })
	}
	patch, lock, err := retentionChange(p.RetentionPolicy, o.RetentionPolicy)
	if err != nil {
		return nil, err
	}
	if patch != nil {
		l.Add("retentionPolicy", func(u *storage.BucketAttrsToUpdate) { u.RetentionPolicy = patch })
	}
	if lg := p.Logging; lg != nil && !loggingInSync(*lg, o.Logging, o.Name) {
		l.Add("logging", func(u *storage.BucketAttrsToUpdate) {
			u.Logging = &storage.BucketLogging{}
			if lg.LogBucket != nil {
				u.Logging = &storage.BucketLogging{LogBucket: *lg.LogBucket, LogObjectPrefix: ptr.Deref(lg.LogObjectPrefix, logPrefixOf(o))}
			}
		})
	}
	// The lock goes alone: any PATCH changes the metageneration the lock is conditioned on, so with other changes
	// it waits for the observation after them (and is not reported as applied meanwhile).
	if lock && len(l) == 0 {
		l.Add(fieldLock, nil)
	}
	return l, nil
}

func normalPAP(p storage.PublicAccessPrevention) storage.PublicAccessPrevention {
	if p == storage.PublicAccessPreventionEnforced {
		return p
	}
	return storage.PublicAccessPreventionInherited
}

// softDeleteOf is the bucket's soft-delete retention; no policy is off.
func softDeleteOf(o *storage.BucketAttrs) time.Duration {
	if o.SoftDeletePolicy == nil {
		return 0
	}
	return o.SoftDeletePolicy.RetentionDuration
}

func kmsOf(o *storage.BucketAttrs) string {
	if o.Encryption == nil {
		return ""
	}
	return o.Encryption.DefaultKMSKeyName
}

func logPrefixOf(o *storage.BucketAttrs) string {
	if o.Logging == nil {
		return ""
	}
	return o.Logging.LogObjectPrefix
}

// loggingInSync: {} wants no logging; otherwise the log bucket, and the prefix when the spec sets it. An empty
// prefix is the default, which Cloud Storage stores and reports as the bucket's name: compared as "", it differed
// on every poll and was sent again each time.
func loggingInSync(want v1alpha1.BucketLogging, got *storage.BucketLogging, bucket string) bool {
	if want.LogBucket == nil {
		return got == nil || got.LogBucket == ""
	}
	if got == nil || *want.LogBucket != got.LogBucket {
		return false
	}
	switch prefix := want.LogObjectPrefix; {
	case prefix == nil:
		return true
	case *prefix == "":
		return got.LogObjectPrefix == "" || got.LogObjectPrefix == bucket
	default:
		return *prefix == got.LogObjectPrefix
	}
}

// Update is the one PATCH that applies every change, and whether there is one; lock says the retention policy is
// to be locked (Changes lists the lock only alone).
func Update(l managedkind.Changes[update]) (u storage.BucketAttrsToUpdate, patch, lock bool) {
	for _, c := range l {
		if c.Request == nil {
			lock = true
			continue
		}
		c.Request(&u)
		patch = true
	}
	return u, patch, lock
}

// Observation is the bucket as status.atProvider reports it.
func Observation(o *storage.BucketAttrs) v1alpha1.BucketObservation {
	ob := v1alpha1.BucketObservation{
		Location: o.Location, LocationType: o.LocationType, StorageClass: o.StorageClass, Labels: o.Labels,
		Versioning: o.VersioningEnabled, UniformBucketLevelAccess: o.UniformBucketLevelAccess.Enabled,
		PublicAccessPrevention: normalPAP(o.PublicAccessPrevention).String(), RequesterPays: o.RequesterPays,
		SoftDeleteRetention: fmt.Sprintf("%ds", int64(softDeleteOf(o).Seconds())), DefaultKMSKeyName: kmsOf(o),
		LogObjectPrefix: logPrefixOf(o), Metageneration: o.MetaGeneration,
		LifecycleRuleCount: len(o.Lifecycle.Rules), CORSRuleCount: len(o.CORS),
	}
	if r := o.RetentionPolicy; r != nil {
		ob.RetentionPeriod, ob.RetentionLocked = fmt.Sprintf("%ds", int64(r.RetentionPeriod.Seconds())), r.IsLocked
	}
	if o.Logging != nil {
		ob.LogBucket = o.Logging.LogBucket
	}
	return ob
}

// connectionDetails are the bucket's name, URL and self link.
func connectionDetails(name string) managed.ConnectionDetails {
	return managed.ConnectionDetails{
		ConnName: []byte(name), ConnURL: []byte("gs://" + name),
		ConnSelfLink: []byte("https://www.googleapis.com/storage/v1/b/" + name),
	}
}

// References lists what the Bucket names that the provider does not make: its default KMS key ("" is none).
func References(cr *v1alpha1.Bucket) []credentials.Reference {
	return []credentials.Reference{{List: "kmsKeys", Field: "spec.forProvider.defaultKMSKeyName", Value: ptr.Deref(cr.Spec.ForProvider.DefaultKMSKeyName, "")}}
}

// deletion is what deleting the Bucket does: Cloud Storage deletes only an empty bucket.
func deletion(cr *v1alpha1.Bucket) managedkind.Deletion {
	if ptr.Deref(cr.Spec.ForceDestroy, false) {
		return managedkind.Deletion{Deletes: true, What: "deletes every object generation in the bucket, then the bucket (forceDestroy)"}
	}
	return managedkind.Deletion{Deletes: true, What: "deletes the bucket if it is empty; one that holds objects is refused and stays " +
		"until it is emptied or forceDestroy is set"}
}
