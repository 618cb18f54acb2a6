package dbinstance

import (
	"strings"
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

// documented are the DB instance states RDS documents
// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html; the SDK has no enum for them)
// with the Ready reason each must read, and whether a short poll follows it.
var documented = map[string]struct {
	why      xpv2.ConditionReason
	inFlight bool
}{
	"available": {xpv2.ReasonAvailable, false}, "backing-up": {xpv2.ReasonAvailable, true},
	"configuring-enhanced-monitoring": {xpv2.ReasonAvailable, true}, "configuring-iam-database-auth": {xpv2.ReasonAvailable, true},
	"configuring-log-exports": {xpv2.ReasonAvailable, true}, "converting-to-vpc": {xpv2.ReasonUnavailable, true},
	"creating": {xpv2.ReasonCreating, true}, "delete-precheck": {xpv2.ReasonDeleting, true}, "deleting": {xpv2.ReasonDeleting, true},
	"failed": {xpv2.ReasonUnavailable, false}, "inaccessible-encryption-credentials": {xpv2.ReasonUnavailable, false},
	"inaccessible-encryption-credentials-recoverable": {xpv2.ReasonUnavailable, false}, "incompatible-create": {xpv2.ReasonUnavailable, false},
	"incompatible-network": {xpv2.ReasonUnavailable, false}, "incompatible-option-group": {xpv2.ReasonUnavailable, false},
	"incompatible-parameters": {xpv2.ReasonUnavailable, false}, "incompatible-restore": {xpv2.ReasonUnavailable, false},
	"insufficient-capacity": {xpv2.ReasonUnavailable, false}, "maintenance": {xpv2.ReasonUnavailable, true},
	"modifying": {xpv2.ReasonAvailable, true}, "moving-to-vpc": {xpv2.ReasonUnavailable, true}, "rebooting": {xpv2.ReasonUnavailable, true},
	"renaming": {xpv2.ReasonUnavailable, true}, "resetting-master-credentials": {xpv2.ReasonAvailable, true},
	"restore-error": {xpv2.ReasonUnavailable, false}, "starting": {xpv2.ReasonUnavailable, false}, "stopped": {xpv2.ReasonUnavailable, false},
	"stopping": {xpv2.ReasonUnavailable, false}, "storage-config-upgrade": {xpv2.ReasonAvailable, true},
	"storage-full": {xpv2.ReasonUnavailable, false}, "storage-initialization": {xpv2.ReasonAvailable, true},
	"storage-optimization": {xpv2.ReasonAvailable, true}, "upgrading": {xpv2.ReasonUnavailable, true},
}

func TestReadyFor(t *testing.T) {
	type tcase struct {
		reason   string
		status   string
		why      xpv2.ConditionReason
		inFlight bool
		says     string
	}
	cases := map[string]tcase{
		"Available":           {reason: "Usable.", status: "available", why: xpv2.ReasonAvailable},
		"Creating":            {reason: "Not serving yet: Creating, short poll.", status: "creating", why: xpv2.ReasonCreating, inFlight: true},
		"Modifying":           {reason: "Usable while RDS applies a change: Ready, not Creating; short poll.", status: "modifying", why: xpv2.ReasonAvailable, inFlight: true, says: "it serves traffic"},
		"StorageOptimization": {reason: "Hours of storage optimisation while it serves traffic: Ready.", status: "storage-optimization", why: xpv2.ReasonAvailable, inFlight: true},
		"BackingUp":           {reason: "A backup is no outage.", status: "backing-up", why: xpv2.ReasonAvailable, inFlight: true},
		"Rebooting":           {reason: "A reboot is an outage: Unavailable with the state named, short poll.", status: "rebooting", why: xpv2.ReasonUnavailable, inFlight: true, says: "instance rebooting: it may refuse connections"},
		"Upgrading":           {reason: "An engine or OS upgrade is an outage.", status: "upgrading", why: xpv2.ReasonUnavailable, inFlight: true, says: "instance upgrading: it may refuse connections"},
		"Maintenance":         {reason: "Maintenance RDS applies is an outage.", status: "maintenance", why: xpv2.ReasonUnavailable, inFlight: true, says: "instance maintenance"},
		"Stopped":             {reason: "Stopped is not Creating: Unavailable, normal poll (someone must start it).", status: "stopped", why: xpv2.ReasonUnavailable, says: "start it"},
		"StorageFull":         {reason: "A broken state is Unavailable, normal poll.", status: "storage-full", why: xpv2.ReasonUnavailable, says: "cannot serve until this is fixed"},
		"IncompatibleParams":  {reason: "A broken state is Unavailable.", status: "incompatible-parameters", why: xpv2.ReasonUnavailable},
		"Deleting":            {reason: "Deleting.", status: "deleting", why: xpv2.ReasonDeleting, inFlight: true},
	}
	for status, d := range documented {
		cases["Documented/"+status] = tcase{reason: "Every documented state reads as what a user can act on.", status: status, why: d.why, inFlight: d.inFlight}
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := readyFor(tc.status)
			ready := corev1.ConditionFalse
			if tc.why == xpv2.ReasonAvailable {
				ready = corev1.ConditionTrue
			}
			if diff := cmp.Diff([]any{ready, tc.why, tc.inFlight}, []any{c.Status, c.Reason, inFlight(tc.status)}); diff != "" {
				t.Errorf("%s\nreadyFor(%q) status, reason, inFlight: -want +got:\n%s", tc.reason, tc.status, diff)
			}
			if !strings.Contains(c.Message, tc.says) || (tc.status != statusAvailable && c.Reason != xpv2.ReasonDeleting && !strings.Contains(c.Message, tc.status)) {
				t.Errorf("%s\nthe message %q names neither the state nor %q", tc.reason, c.Message, tc.says)
			}
		})
	}
}
