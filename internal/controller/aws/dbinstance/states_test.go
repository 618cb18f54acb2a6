package dbinstance

import (
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

func TestReadyFor(t *testing.T) {
	cases := map[string]struct {
		reason   string
		status   string
		ready    corev1.ConditionStatus
		why      xpv2.ConditionReason
		inFlight bool
	}{
		"Available":           {reason: "Usable.", status: "available", ready: corev1.ConditionTrue, why: xpv2.ReasonAvailable},
		"Creating":            {reason: "Not serving yet: Creating, short poll.", status: "creating", ready: corev1.ConditionFalse, why: xpv2.ReasonCreating, inFlight: true},
		"Modifying":           {reason: "Usable while RDS applies a change: Ready, not Creating; short poll.", status: "modifying", ready: corev1.ConditionTrue, why: xpv2.ReasonAvailable, inFlight: true},
		"StorageOptimization": {reason: "Hours of storage optimisation while it serves traffic: Ready.", status: "storage-optimization", ready: corev1.ConditionTrue, why: xpv2.ReasonAvailable, inFlight: true},
		"BackingUp":           {reason: "A backup is no outage.", status: "backing-up", ready: corev1.ConditionTrue, why: xpv2.ReasonAvailable, inFlight: true},
		"Stopped":             {reason: "Stopped is not Creating: Unavailable, normal poll (someone must start it).", status: "stopped", ready: corev1.ConditionFalse, why: xpv2.ReasonUnavailable},
		"StorageFull":         {reason: "A broken state is Unavailable, normal poll.", status: "storage-full", ready: corev1.ConditionFalse, why: xpv2.ReasonUnavailable},
		"IncompatibleParams":  {reason: "A broken state is Unavailable.", status: "incompatible-parameters", ready: corev1.ConditionFalse, why: xpv2.ReasonUnavailable},
		"Deleting":            {reason: "Deleting.", status: "deleting", ready: corev1.ConditionFalse, why: xpv2.ReasonDeleting, inFlight: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := readyFor(tc.status)
			if diff := cmp.Diff([]any{tc.ready, tc.why, tc.inFlight}, []any{c.Status, c.Reason, inFlight(tc.status)}); diff != "" {
				t.Errorf("%s\nreadyFor(%q) status, reason, inFlight: -want +got:\n%s", tc.reason, tc.status, diff)
			}
		})
	}
}
