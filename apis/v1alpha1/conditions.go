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
