package gcsbucket

import (
	"context"
	"net/http"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/googleapi"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/storage/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind/kindtest"
)

// A create Cloud Storage refuses as invalid is sent once for its generation; a failure that may pass is retried.
// TestGCPRefusedCreateIsTerminal (integration) shows the same through fake-gcs-server's recording proxy.
func TestRefusedCreate(t *testing.T) {
	kindtest.Refused(t, "bucket inserts", map[string]kindtest.Refusal{
		"BadRequest": {Reason: "Input the cloud refuses is terminal until the spec changes: one create in ten reconciles.",
			Err: &googleapi.Error{Code: http.StatusBadRequest, Message: "Invalid argument."}, WantCreates: 1},
		"OrganisationPolicy": {Reason: "A bucket an organisation policy forbids is terminal too, the constraint named in the condition.",
			Err: policyRefusal, WantCreates: 1, WantMessage: "constraint constraints/storage.publicAccessPrevention forbids this bucket"},
		"ServiceUnavailable": {Reason: "An outage is retried.", Err: &googleapi.Error{Code: http.StatusServiceUnavailable, Message: "Backend Error"}, WantCreates: 10},
	}, func(refusal error) (managed.TypedExternalClient[*v1alpha1.Bucket], *v1alpha1.Bucket, func() int) {
		creates := 0
		f := &fake.Buckets{
			MockAttrs: func(string) (*storage.BucketAttrs, error) { return nil, storage.ErrBucketNotExist },
			MockCreate: func(string, string, *storage.BucketAttrs) error {
				creates++
				return refusal
			},
		}
		return kindtest.Leased(v1alpha1.BucketGroupVersionKind, ext(f), Kind().Rejects), newBucket(), func() int { return creates }
	})
}

// policyRefusal is how Cloud Storage refuses what an organisation policy forbids.
var policyRefusal = &googleapi.Error{Code: http.StatusPreconditionFailed, Message: "Request violates constraint 'constraints/storage.publicAccessPrevention'",
	Errors: []googleapi.ErrorItem{{Reason: "conditionNotMet", Message: "Request violates constraint 'constraints/storage.publicAccessPrevention'"}}}

// The retention lock's own 412 (the metageneration it was sent with no longer matches) is no refusal of the spec:
// the lock is sent again on the next reconcile, with the metageneration observed then.
func TestRetentionLockPreconditionIsRetried(t *testing.T) {
	cr := newBucket(func(b *v1alpha1.Bucket) {
		b.Spec.ForProvider.RetentionPolicy = &v1alpha1.RetentionPolicy{RetentionPeriod: ptr.To("24h"), Locked: ptr.To(true)}
	})
	labels := managedkind.GCPLabels.DesiredTags(cr, nil, map[string]string{"managed-by": "ps"})
	bucket := &storage.BucketAttrs{Name: "orders-data", Location: "EU", Labels: labels, MetaGeneration: 7,
		RetentionPolicy: &storage.RetentionPolicy{RetentionPeriod: 24 * time.Hour}}
	var locks []int64
	f := &fake.Buckets{
		MockAttrs: func(string) (*storage.BucketAttrs, error) { return bucket, nil },
		MockLockRetentionPolicy: func(_ string, metageneration int64) error {
			locks = append(locks, metageneration)
			return &googleapi.Error{Code: http.StatusPreconditionFailed, Message: "Precondition Failed",
				Errors: []googleapi.ErrorItem{{Reason: "conditionNotMet", Message: "Precondition Failed"}}}
		},
	}
	_ = kindtest.Reconcile(context.Background(), kindtest.Leased(v1alpha1.BucketGroupVersionKind, ext(f), Kind().Rejects), cr, 3)
	if diff := cmp.Diff([]int64{7, 7, 7}, locks); diff != "" {
		t.Errorf("a lock refused for its metageneration is retried each reconcile: -want +got:\n%s", diff)
	}
	if c := cr.GetCondition(apisv1alpha1.TypeInputRejected); c.Status == "True" {
		t.Errorf("the lock's precondition was recorded as a rejected spec: %v", c)
	}
}
