package managedkind

import (
	"context"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
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
