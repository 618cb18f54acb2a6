package table

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

func TestNotActive(t *testing.T) {
	type want struct {
		busy     bool
		ready    corev1.ConditionStatus
		reason   xpv2.ConditionReason
		says     string
		inFlight bool
	}
	cases := map[types.TableStatus]struct {
		reason string
		isNew  bool
		want   want
	}{
		types.TableStatusActive:   {reason: "ACTIVE: compared and changed as usual.", want: want{}},
		types.TableStatusCreating: {reason: "Not usable yet.", want: want{busy: true, ready: corev1.ConditionFalse, reason: xpv2.ReasonCreating, says: "CREATING", inFlight: true}},
		types.TableStatusUpdating: {reason: "A table that was Ready serves traffic while DynamoDB applies a change: Ready, with the state in the message.",
			want: want{busy: true, ready: corev1.ConditionTrue, reason: xpv2.ReasonAvailable, says: "serves reads and writes", inFlight: true}},
		types.TableStatusDeleting: {reason: "Deleting.", want: want{busy: true, ready: corev1.ConditionFalse, reason: xpv2.ReasonDeleting, inFlight: true}},
		types.TableStatusInaccessibleEncryptionCredentials: {reason: "The key is unusable: Unavailable, with what to do before it is archived.",
			want: want{busy: true, ready: corev1.ConditionFalse, reason: xpv2.ReasonUnavailable, says: "make the key usable again within seven days"}},
		types.TableStatusArchiving: {reason: "Being archived: Unavailable, followed closely.",
			want: want{busy: true, ready: corev1.ConditionFalse, reason: xpv2.ReasonUnavailable, says: "restore the backup", inFlight: true}},
		types.TableStatusArchived: {reason: "Archived is gone, not Creating: Unavailable, with what to do.",
			want: want{busy: true, ready: corev1.ConditionFalse, reason: xpv2.ReasonUnavailable, says: "restore the backup"}},
		types.TableStatusReplicationNotAuthorized: {reason: "Replication refused: Unavailable, with what to do.",
			want: want{busy: true, ready: corev1.ConditionFalse, reason: xpv2.ReasonUnavailable, says: "restore the authorization"}},
	}
	for _, s := range types.TableStatus("").Values() {
		if _, ok := cases[s]; !ok {
			t.Errorf("the SDK lists table status %s: map it", s)
		}
	}
	cases["SOMETHING_NEW"] = struct {
		reason string
		isNew  bool
		want   want
	}{reason: "A status newer than the SDK is named, and nothing is changed.", want: want{busy: true, ready: corev1.ConditionFalse, reason: xpv2.ReasonUnavailable, says: "SOMETHING_NEW"}}
	for s, tc := range cases {
		t.Run(string(s), func(t *testing.T) {
			c, busy := notActive(s, tc.isNew)
			got := want{busy: busy, ready: c.Status, reason: c.Reason, says: tc.want.says, inFlight: inFlight(string(s))}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nnotActive(%s): -want +got:\n%s", tc.reason, s, diff)
			}
			if !strings.Contains(c.Message, tc.want.says) {
				t.Errorf("%s\nthe message %q does not say %q", tc.reason, c.Message, tc.want.says)
			}
		})
	}
	if c, _ := notActive(types.TableStatusUpdating, true); c.Reason != xpv2.ReasonCreating {
		t.Errorf("a new table whose spec is still being applied stays Creating while UPDATING, got %s", c.Reason)
	}
}
