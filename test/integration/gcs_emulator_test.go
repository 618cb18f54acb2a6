//go:build integration

package integration

import (
	"context"
	"net/http"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/option"

	gcsclient "github.com/stateful-dev/provider-stateful/internal/clients/gcp/storage"
)

// gcsClient is the Cloud Storage SDK against the patched fake-gcs-server, without the provider.
func gcsClient(t *testing.T) *storage.Client {
	t.Helper()
	c, err := storage.NewClient(context.Background(), option.WithEndpoint(gcsServer.URL+"/storage/v1/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// The test server itself: what the Cloud Storage SDK sends to fake-gcs-server with provider-stateful's patch comes
// back as GCS returns it — every bucket field the Bucket kind will manage — PATCH changes only what it names, a
// locked retention policy cannot be shortened, and deleting a non-empty bucket is 409. Without the patch each
// assertion here fails (upstream drops the fields, resets versioning on PATCH, answers 412).
func TestGCSEmulatorKeepsBucketFields(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := gcsClient(t)
	name := "fields-" + suffix()
	b := c.Bucket(name)
	attrs := &storage.BucketAttrs{
		Location: "eu", StorageClass: "NEARLINE", VersioningEnabled: true, RequesterPays: true,
		Labels: map[string]string{"team": "a", "env": "dev"},
		Lifecycle: storage.Lifecycle{Rules: []storage.LifecycleRule{
			{Action: storage.LifecycleAction{Type: storage.DeleteAction}, Condition: storage.LifecycleCondition{AgeInDays: 30, MatchesPrefix: []string{"tmp/"}}},
			{Action: storage.LifecycleAction{Type: storage.SetStorageClassAction, StorageClass: "COLDLINE"}, Condition: storage.LifecycleCondition{AgeInDays: 90}},
		}},
		CORS:                     []storage.CORS{{MaxAge: time.Hour, Methods: []string{"GET"}, Origins: []string{"https://example.com"}, ResponseHeaders: []string{"Content-Type"}}},
		UniformBucketLevelAccess: storage.UniformBucketLevelAccess{Enabled: true},
		PublicAccessPrevention:   storage.PublicAccessPreventionEnforced,
		RetentionPolicy:          &storage.RetentionPolicy{RetentionPeriod: time.Hour},
		SoftDeletePolicy:         &storage.SoftDeletePolicy{RetentionDuration: 0},
		Encryption:               &storage.BucketEncryption{DefaultKMSKeyName: "projects/p/locations/eu/keyRings/r/cryptoKeys/k"},
		Logging:                  &storage.BucketLogging{LogBucket: "logs", LogObjectPrefix: name},
	}
	if err := b.Create(ctx, "test-project", attrs); err != nil {
		t.Fatal(err)
	}
	got, err := b.Attrs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type view struct {
		Location, StorageClass, PAP, KMS, LogBucket string
		Versioning, RequesterPays, Uniform, Locked  bool
		Labels                                      map[string]string
		Rules                                       int
		CORS                                        []storage.CORS
		Retention, SoftDelete                       time.Duration
	}
	see := func(a *storage.BucketAttrs) view {
		v := view{Location: a.Location, StorageClass: a.StorageClass, PAP: a.PublicAccessPrevention.String(), Versioning: a.VersioningEnabled,
			RequesterPays: a.RequesterPays, Uniform: a.UniformBucketLevelAccess.Enabled, Labels: a.Labels, Rules: len(a.Lifecycle.Rules), CORS: a.CORS}
		if a.Encryption != nil {
			v.KMS = a.Encryption.DefaultKMSKeyName
		}
		if a.Logging != nil {
			v.LogBucket = a.Logging.LogBucket
		}
		if a.RetentionPolicy != nil {
			v.Retention, v.Locked = a.RetentionPolicy.RetentionPeriod, a.RetentionPolicy.IsLocked
		}
		if a.SoftDeletePolicy != nil {
			v.SoftDelete = a.SoftDeletePolicy.RetentionDuration
		}
		return v
	}
	want := view{Location: "EU", StorageClass: "NEARLINE", PAP: "enforced", KMS: attrs.Encryption.DefaultKMSKeyName, LogBucket: "logs",
		Versioning: true, RequesterPays: true, Uniform: true, Labels: attrs.Labels, Rules: 2, CORS: attrs.CORS, Retention: time.Hour}
	if diff := cmp.Diff(want, see(got)); diff != "" {
		t.Errorf("the bucket as created: -want, +got:\n%s", diff)
	}
	if r := got.Lifecycle.Rules; len(r) != 2 || r[1].Action.StorageClass != "COLDLINE" || !cmp.Equal(r[0].Condition.MatchesPrefix, []string{"tmp/"}) {
		t.Errorf("lifecycle rules: %+v", got.Lifecycle.Rules)
	}

	// PATCH: one label set, one removed; nothing else changes (upstream reset versioning to false here).
	var u storage.BucketAttrsToUpdate
	u.SetLabel("env", "prod")
	u.DeleteLabel("team")
	after, err := b.Update(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	want.Labels = map[string]string{"env": "prod"}
	if diff := cmp.Diff(want, see(after)); diff != "" {
		t.Errorf("after a label PATCH: -want, +got:\n%s", diff)
	}
	if after.MetaGeneration != got.MetaGeneration+1 {
		t.Errorf("metageneration %d after %d: each PATCH increments it", after.MetaGeneration, got.MetaGeneration)
	}

	// A nested field changes alone: public access prevention, uniform access kept.
	after, err = b.Update(ctx, storage.BucketAttrsToUpdate{PublicAccessPrevention: storage.PublicAccessPreventionInherited})
	if err != nil {
		t.Fatal(err)
	}
	want.PAP = "inherited"
	if diff := cmp.Diff(want, see(after)); diff != "" {
		t.Errorf("after a public access prevention PATCH: -want, +got:\n%s", diff)
	}

	// The lock needs the current metageneration; a locked policy cannot be shortened.
	if err := b.If(storage.BucketConditions{MetagenerationMatch: after.MetaGeneration}).LockRetentionPolicy(ctx); err != nil {
		t.Fatal(err)
	}
	if a, _ := b.Attrs(ctx); a == nil || a.RetentionPolicy == nil || !a.RetentionPolicy.IsLocked {
		t.Errorf("the retention policy is not locked")
	}
	_, err = b.Update(ctx, storage.BucketAttrsToUpdate{RetentionPolicy: &storage.RetentionPolicy{RetentionPeriod: time.Minute}})
	if gcsclient.Code(err) != http.StatusForbidden {
		t.Errorf("shortening a locked retention policy: want 403, got %v", err)
	}

	// A new bucket gets GCS's 7-day soft-delete default; a non-empty bucket's delete is 409.
	other := c.Bucket("other-" + suffix())
	if err := other.Create(ctx, "test-project", nil); err != nil {
		t.Fatal(err)
	}
	if a, _ := other.Attrs(ctx); a == nil || a.SoftDeletePolicy == nil || a.SoftDeletePolicy.RetentionDuration != 7*24*time.Hour {
		t.Errorf("default soft-delete policy: %+v", a)
	}
	w := other.Object("o").NewWriter(ctx)
	_, _ = w.Write([]byte("x"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := other.Delete(ctx); gcsclient.Code(err) != http.StatusConflict {
		t.Errorf("deleting a non-empty bucket: want 409, got %v", err)
	}
}
