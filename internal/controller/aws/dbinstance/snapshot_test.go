package dbinstance

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
	apisv1alpha1 "github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/awstest"
	"github.com/stateful-dev/provider-stateful/internal/clients/aws/rds/fake"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// A final snapshot identifier that is taken refuses the delete until the spec changes: the delete is sent once for
// its generation, the condition says what to do, and a new identifier is tried at once.
func TestFinalSnapshotTaken(t *testing.T) {
	taken := awstest.APIError("DeleteDBInstance", http.StatusBadRequest, "DBSnapshotAlreadyExists", "Cannot create the snapshot because a snapshot with the identifier orders-final already exists.")
	cases := map[string]struct {
		reason      string
		prepare     func(d *v1alpha1.DBInstance)
		answer      error
		wantDeletes int
		wantErr     string
		wantStatus  corev1.ConditionStatus
	}{
		"Taken": {reason: "Refused as taken: sent once in three reconciles, the condition says what to do.",
			answer: taken, wantDeletes: 1, wantErr: "set spec.forProvider.finalSnapshot.identifier to another name, or delete that snapshot", wantStatus: corev1.ConditionTrue},
		"SpecChanged": {reason: "Another identifier (a new generation) is tried at once.",
			prepare: func(d *v1alpha1.DBInstance) {
				managedkind.RecordDeleteRejection(d, taken)
				d.SetGeneration(d.GetGeneration() + 1)
			}, wantDeletes: 3, wantStatus: corev1.ConditionFalse},
		"CreateRejectedEarlier": {reason: "An update the cloud rejected never holds up the deletion.",
			prepare: func(d *v1alpha1.DBInstance) { managedkind.RecordRejection(d, taken) }, wantDeletes: 3, wantStatus: corev1.ConditionTrue},
		"Outage": {reason: "Any other failure is retried.", answer: awstest.APIError("DeleteDBInstance", http.StatusInternalServerError, "InternalFailure", "oops"),
			wantDeletes: 3, wantErr: "InternalFailure"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cr := db(func(d *v1alpha1.DBInstance) {
				d.SetGeneration(2)
				d.Spec.ForProvider.FinalSnapshot = &v1alpha1.FinalSnapshot{Identifier: ptr.To("orders-final")}
			})
			if tc.prepare != nil {
				tc.prepare(cr)
			}
			deletes := 0
			e := newExternal(&fake.RDS{MockDeleteDBInstance: func(*rds.DeleteDBInstanceInput) (*rds.DeleteDBInstanceOutput, error) {
				deletes++
				return &rds.DeleteDBInstanceOutput{}, tc.answer
			}}, nil)
			e.inst = instance()
			var err error
			for range 3 {
				_, err = e.Delete(context.Background(), cr)
			}
			if diff := cmp.Diff(tc.wantDeletes, deletes); diff != "" {
				t.Errorf("%s\nDeleteDBInstance calls: -want +got:\n%s", tc.reason, diff)
			}
			if (tc.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) || (err != nil && strings.Contains(err.Error(), "REQ-4711")) {
				t.Errorf("%s\nDelete: want an error with %q, got %v", tc.reason, tc.wantErr, err)
			}
			if c := cr.GetCondition(apisv1alpha1.TypeInputRejected); tc.wantStatus != "" && c.Status != tc.wantStatus {
				t.Errorf("%s\n%s: %v", tc.reason, apisv1alpha1.TypeInputRejected, c)
			}
		})
	}
}
