package managedkind

import (
	"context"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

// diffClient answers every Observe with obs.
type diffClient struct {
	managed.TypedExternalClient[*v1alpha1.Bucket]
	obs managed.ExternalObservation
}

func (c diffClient) Observe(context.Context, *v1alpha1.Bucket) (managed.ExternalObservation, error) {
	return c.obs, nil
}

func TestDeclaredRefusesWhatCannotChange(t *testing.T) {
	fields := Fields{
		{Path: "region", Compare: ByValue, Unset: Required, Effect: Refused, Source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingBucket.html"},
		{Path: "tags", Compare: AsKeys, Unset: Unmanaged, Effect: InPlace},
	}
	deleting := func(b *v1alpha1.Bucket) { now := metav1.Now(); b.SetDeletionTimestamp(&now) }
	cases := map[string]struct {
		reason  string
		obs     managed.ExternalObservation
		cr      *v1alpha1.Bucket
		wantErr string
	}{
		"InPlace": {
			reason: "A difference in a field that can change passes to the update.",
			obs:    managed.ExternalObservation{ResourceExists: true, Diff: "tags[env]"}, cr: bucket(),
		},
		"Refused": {
			reason: "A difference in a field the table declares Refused is an error naming it, so no update is sent.",
			obs:    managed.ExternalObservation{ResourceExists: true, Diff: "tags[env]; region"}, cr: bucket(),
			wantErr: "spec.forProvider.region cannot change once the resource exists",
		},
		"UpToDate": {
			reason: "An observation with nothing to change is never refused.",
			obs:    managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, cr: bucket(),
		},
		"Deleting": {
			reason: "A resource being deleted is let go of, whatever its spec says.",
			obs:    managed.ExternalObservation{ResourceExists: true, Diff: "region"}, cr: bucket(deleting),
		},
		"Absent": {
			reason: "Nothing exists to refuse a change to.",
			obs:    managed.ExternalObservation{Diff: "region"}, cr: bucket(),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := &declared[*v1alpha1.Bucket]{TypedExternalClient: diffClient{obs: tc.obs}, fields: fields}
			_, err := d.Observe(context.Background(), tc.cr)
			if (tc.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s\nObserve: want error %q, got %v", tc.reason, tc.wantErr, err)
			}
		})
	}
}

// TestWouldChange: a resource that only observes is told which fields writes would change, or that they would
// change none; once writes are allowed again the condition says so; a resource that never only observed gets none.
func TestWouldChange(t *testing.T) {
	fields := Fields{{Path: "region", Compare: ByValue, Unset: Required, Effect: Refused, Source: "https://example.com"}}
	observe := withPolicies(xpv2.ManagementActionObserve)
	reported := func(b *v1alpha1.Bucket) { reportWouldChange(b, false, "tags[env]") }
	cases := map[string]struct {
		reason string
		obs    managed.ExternalObservation
		cr     *v1alpha1.Bucket
		want   xpv2.Condition
	}{
		"Differs": {
			reason: "Observe only, out of date: True, naming the fields (a refused one too, with no error: nothing is sent).",
			obs:    managed.ExternalObservation{ResourceExists: true, Diff: "tags[env]; region"}, cr: bucket(observe),
			want: xpv2.Condition{Type: apisv1alpha1.TypeWouldChange, Status: corev1.ConditionTrue, Reason: apisv1alpha1.ReasonDiffers,
				Message: "spec.managementPolicies only observe; with writes allowed the provider would change: tags[env], region"},
		},
		"InSync": {
			reason: "Observe only, up to date: False, nothing would change.",
			obs:    managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, cr: bucket(observe),
			want: xpv2.Condition{Type: apisv1alpha1.TypeWouldChange, Status: corev1.ConditionFalse, Reason: apisv1alpha1.ReasonInSync,
				Message: "the cloud resource matches the spec: allowing writes would change nothing"},
		},
		"WritesAllowedAgain": {
			reason: "Writes allowed after a report: False, saying so.",
			obs:    managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, cr: bucket(observe, reported, withPolicies(xpv2.ManagementActionAll)),
			want: xpv2.Condition{Type: apisv1alpha1.TypeWouldChange, Status: corev1.ConditionFalse, Reason: apisv1alpha1.ReasonWritesAllowed,
				Message: "spec.managementPolicies allow writes: the provider brings the cloud resource to the spec"},
		},
		"NeverObserveOnly": {
			reason: "A resource that writes and never only observed gets no condition (no status write for it).",
			obs:    managed.ExternalObservation{ResourceExists: true, Diff: "tags[env]"}, cr: bucket(),
			want: xpv2.Condition{Type: apisv1alpha1.TypeWouldChange, Status: corev1.ConditionUnknown},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := &declared[*v1alpha1.Bucket]{TypedExternalClient: diffClient{obs: tc.obs}, fields: fields}
			if _, err := d.Observe(context.Background(), tc.cr); err != nil {
				t.Fatalf("%s\nObserve: %v", tc.reason, err)
			}
			got := tc.cr.GetCondition(apisv1alpha1.TypeWouldChange)
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(xpv2.Condition{}, "LastTransitionTime")); diff != "" {
				t.Errorf("%s\nWouldChange: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
