package v1alpha1

import xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

// Conditions the provider sets on managed resources beside Crossplane's Ready and Synced: users, kstatus (Flux,
// kpt) and health checks read them, so they are part of the API.
const (
	// TypeInputRejected is True while the cloud rejects the current spec (or the deletion it asks for): nothing is
	// sent again until the spec changes.
	TypeInputRejected xpv2.ConditionType = "InputRejected"
	// TypeReconciling is kstatus' condition for a change in flight.
	TypeReconciling xpv2.ConditionType = "Reconciling"
	// TypeStalled is kstatus' condition for a state that needs a person.
	TypeStalled xpv2.ConditionType = "Stalled"
	// TypeWouldChange says, of a resource whose management policies only observe, whether the provider would
	// change its cloud resource if it were allowed to write, and which fields: proof that an import changes
	// nothing before writes are granted.
	TypeWouldChange xpv2.ConditionType = "WouldChange"
	// TypeDrift says, of a resource whose drift is held for review (annotation stateful.dev/drift: hold), whether
	// its cloud resource changed behind the provider's back since it was last in sync with this generation of the
	// spec: which fields, with the cloud's value and the spec's, and how to approve reverting them.
	TypeDrift xpv2.ConditionType = "Drift"
	// TypeUpdateLoop is True while the provider has stopped writing to a resource whose updates left the cloud
	// reporting the same values again and again (the update-loop breaker): the message names each field with the
	// spec's and the cloud's values.
	TypeUpdateLoop xpv2.ConditionType = "UpdateLoop"
)

// AnnotationRetryUpdates set to a new value resumes writes the update-loop breaker stopped.
const AnnotationRetryUpdates = "stateful.dev/retry-updates"

// Reasons of UpdateLoop (and InSync).
const (
	// ReasonUpdatesStopped: updates left the cloud as it was; nothing is sent until the spec changes or a retry is
	// asked for.
	ReasonUpdatesStopped xpv2.ConditionReason = "UpdatesStopped"
	// ReasonUpdatesResumed: the spec, the cloud or the retry annotation changed; writes resumed.
	ReasonUpdatesResumed xpv2.ConditionReason = "UpdatesResumed"
)

// Drift held for review: the annotations a user sets on a managed resource.
const (
	// AnnotationDrift set to DriftHold holds drift for review: a difference that appears once the resource was in
	// sync with this generation of its spec is reported (condition Drift, an event) and not reverted until
	// approved, or until the spec changes. Any other value, or none, reverts drift within a poll (the default).
	AnnotationDrift = "stateful.dev/drift"
	DriftHold       = "hold"
	// AnnotationRevertDrift approves reverting the held drift: set it to the token the Drift condition names.
	// A token approves the drift it was given for, no other: drift that changes while held gets a new one.
	AnnotationRevertDrift = "stateful.dev/revert-drift"
)

// Reasons of Drift.
const (
	// ReasonDriftHeld: the cloud resource drifted from the spec in the fields the message names; nothing is
	// reverted until approved.
	ReasonDriftHeld xpv2.ConditionReason = "Held"
	// ReasonDriftReverting: the held drift was approved; the provider is bringing the resource back to the spec.
	ReasonDriftReverting xpv2.ConditionReason = "Reverting"
	// ReasonDriftNotHeld: the annotation no longer holds drift; drift is reverted within a poll.
	ReasonDriftNotHeld xpv2.ConditionReason = "NotHeld"
	// (ReasonInSync: the cloud resource matches this generation of the spec.)
)

// Reasons of WouldChange.
const (
	// ReasonDiffers: the cloud resource differs from the spec in the fields the message names.
	ReasonDiffers xpv2.ConditionReason = "Differs"
	// ReasonInSync: the cloud resource matches the spec; allowing writes changes nothing.
	ReasonInSync xpv2.ConditionReason = "InSync"
	// ReasonWritesAllowed: the management policies allow writes again; the provider brings the resource to the spec.
	ReasonWritesAllowed xpv2.ConditionReason = "WritesAllowed"
)

// Reasons of InputRejected.
const (
	// ReasonCloudRejected: the cloud refused the spec as invalid; change it to retry.
	ReasonCloudRejected xpv2.ConditionReason = "CloudRejectedSpec"
	// ReasonSpecChanged: the rejected spec was changed; the new one is being tried.
	ReasonSpecChanged xpv2.ConditionReason = "SpecChanged"
	// ReasonDeleteRefused: the cloud refused the deletion the spec asks for (a final snapshot identifier that is
	// taken); change the spec to retry.
	ReasonDeleteRefused xpv2.ConditionReason = "CloudRefusedDelete"
)

// Reasons of Reconciling and Stalled.
const (
	ReasonInputRejected xpv2.ConditionReason = "InputRejected"
	ReasonUnavailable   xpv2.ConditionReason = "Unavailable"
	ReasonReady         xpv2.ConditionReason = "Ready"
	ReasonRetrying      xpv2.ConditionReason = "RetryingSync"
)

// ReasonMetadataTooLarge is the reason of the Synced condition of an object whose labels, annotations,
// finalizers and owner references are larger than the provider keeps: it is not reconciled until they are smaller.
const ReasonMetadataTooLarge xpv2.ConditionReason = "MetadataTooLarge"
