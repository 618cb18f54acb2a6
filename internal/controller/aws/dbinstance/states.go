package dbinstance

import (
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// What an RDS instance state means to its users. Only `available` lets the provider send a ModifyDBInstance (RDS
// refuses one otherwise); what differs is what Ready says and how often the instance is polled.
type stateKind int

const (
	// stateReady: available.
	stateReady stateKind = iota
	// stateBusy: serving traffic while RDS works on it (a modification, a backup, hours of storage optimisation).
	// Ready, with RDS's state in the message; changes wait until it is available again.
	stateBusy
	// stateOutage: RDS is doing something that takes the instance out of service for a while (a reboot, an engine
	// or OS upgrade, maintenance, a move): Unavailable, with RDS's state in the message; nothing to do but wait,
	// and changes wait until it is available.
	stateOutage
	// stateCreating: not serving yet.
	stateCreating
	// stateStopped: stopped or on its way there or back; not usable until someone starts it.
	stateStopped
	// stateBroken: RDS cannot serve it until someone acts (storage full, incompatible parameters or network, ...).
	stateBroken
	// stateDeleting: being deleted.
	stateDeleting
)

// classify maps RDS's DB instance states
// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html) to what they mean.
func classify(status string) stateKind {
	switch status {
	case statusAvailable:
		return stateReady
	case "creating":
		return stateCreating
	case "deleting", "delete-precheck":
		return stateDeleting
	case "rebooting", "upgrading", "maintenance", "renaming", "moving-to-vpc", "converting-to-vpc":
		return stateOutage
	case "stopped", "stopping", "starting":
		return stateStopped
	case "storage-full", "incompatible-parameters", "incompatible-network", "incompatible-option-group",
		"incompatible-restore", "incompatible-credentials", "inaccessible-encryption-credentials",
		"inaccessible-encryption-credentials-recoverable", "failed", "restore-error", "insufficient-capacity", "incompatible-create":
		return stateBroken
	default:
		// modifying, backing-up, storage-optimization, storage-initialization, storage-config-upgrade,
		// configuring-*, resetting-master-credentials, ...: it keeps serving.
		return stateBusy
	}
}

// readyFor is the Ready condition for an instance in state status.
func readyFor(status string) xpv2.Condition {
	switch classify(status) {
	case stateReady:
		return xpv2.Available()
	case stateBusy:
		return xpv2.Available().WithMessage("RDS reports the instance " + status + ": it serves traffic; changes wait until it is available")
	case stateOutage:
		return xpv2.Unavailable().WithMessage("RDS reports the instance " + status +
			": it may refuse connections until RDS is done; nothing to do but wait, and changes wait until it is available")
	case stateCreating:
		return xpv2.Creating().WithMessage("RDS reports the instance " + status)
	case stateDeleting:
		return xpv2.Deleting()
	case stateStopped:
		return xpv2.Unavailable().WithMessage("RDS reports the instance " + status + ": start it to use it")
	default:
		return xpv2.Unavailable().WithMessage("RDS reports the instance " + status + ": it cannot serve until this is fixed (see the RDS console or events)")
	}
}

// inFlight reports whether a change is under way that a short poll should follow: creation, a busy state or an
// outage RDS is working through.
// Stopped and broken instances wait for a person, at the normal poll.
func inFlight(status string) bool {
	k := classify(status)
	return k == stateCreating || k == stateBusy || k == stateOutage || k == stateDeleting
}
