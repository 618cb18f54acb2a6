package managedkind

import (
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

func TestRejection(t *testing.T) {
	rejected := errors.New("cannot create bucket: CreateBucket: InvalidArgument: bad value")
	cases := map[string]struct {
		reason     string
		prepare    func(b *v1alpha1.Bucket)
		wantActive bool
		wantStatus corev1.ConditionStatus
	}{
		"Fresh": {
			reason:  "Nothing recorded: nothing active, no condition added.",
			prepare: func(*v1alpha1.Bucket) {},
		},
		"SameGeneration": {
			reason:     "A rejection of the current generation is active (the create path keeps only the annotation).",
			prepare:    func(b *v1alpha1.Bucket) { RecordRejection(b, rejected); b.Status.Conditions = nil },
			wantActive: true, wantStatus: corev1.ConditionTrue,
		},
		"ConditionOnly": {
			reason:     "A rejection recorded by an update survives as the condition alone.",
			prepare:    func(b *v1alpha1.Bucket) { RecordRejection(b, rejected); b.SetAnnotations(nil) },
			wantActive: true, wantStatus: corev1.ConditionTrue,
		},
		"SpecChanged": {
			reason:     "A spec change (a new generation) retries at once; the condition says the rejection is superseded.",
			prepare:    func(b *v1alpha1.Bucket) { RecordRejection(b, rejected); b.SetGeneration(b.GetGeneration() + 1) },
			wantStatus: corev1.ConditionFalse,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			b := &v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Name: "b", Generation: 3}}
			tc.prepare(b)
			err := Rejected(b)
			if diff := cmp.Diff(tc.wantActive, err != nil); diff != "" {
				t.Errorf("%s\nActive: -want +got:\n%s", tc.reason, diff)
			}
			if err != nil && (!strings.Contains(err.Error(), "generation 3") || !strings.Contains(err.Error(), "InvalidArgument: bad value")) {
				t.Errorf("%s\nthe message names neither the generation nor the cloud's words: %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.wantStatus, b.GetCondition(apisv1alpha1.TypeInputRejected).Status); tc.wantStatus != "" && diff != "" {
				t.Errorf("%s\n%s condition: -want +got:\n%s", tc.reason, apisv1alpha1.TypeInputRejected, diff)
			}
			if tc.wantStatus == "" && b.GetCondition(apisv1alpha1.TypeInputRejected).Status != corev1.ConditionUnknown {
				t.Errorf("%s\nan untouched resource got an %s condition", tc.reason, apisv1alpha1.TypeInputRejected)
			}
		})
	}
}
