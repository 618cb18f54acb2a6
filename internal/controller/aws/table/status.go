package table

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// notActive returns the Ready condition of a table that is not ACTIVE, and false for an ACTIVE one. DynamoDB
// refuses every change but a delete until a table is ACTIVE again, so none is sent meanwhile. What the condition
// says is what a user can act on (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html).
// A new table (managedkind.StillCreating) stays Creating while it is busy: it is not Ready until its whole spec is applied.
func notActive(s types.TableStatus, isNew bool) (xpv2.Condition, bool) {
	switch s {
	case types.TableStatusActive:
		return xpv2.Condition{}, false
	case types.TableStatusCreating:
		return xpv2.Creating().WithMessage("the table is CREATING"), true
	case types.TableStatusUpdating:
		if isNew {
			return xpv2.Creating().WithMessage("the table is UPDATING"), true
		}
		// Throughput, stream, class or replica changes: the table serves reads and writes throughout.
		return xpv2.Available().WithMessage("the table is UPDATING: it serves reads and writes; further changes wait until it is ACTIVE"), true
	case types.TableStatusDeleting:
		return xpv2.Deleting(), true
	case types.TableStatusInaccessibleEncryptionCredentials:
		return xpv2.Unavailable().WithMessage("the table is INACCESSIBLE_ENCRYPTION_CREDENTIALS: DynamoDB cannot use its KMS key " +
			"(disabled, scheduled for deletion, or its grant revoked): make the key usable again within seven days, or DynamoDB archives the table"), true
	case types.TableStatusArchiving:
		return xpv2.Unavailable().WithMessage("the table is ARCHIVING: its KMS key was unusable for seven days, and DynamoDB is taking a backup " +
			"and removing the table; once ARCHIVED, restore the backup to use the data again"), true
	case types.TableStatusArchived:
		return xpv2.Unavailable().WithMessage("the table is ARCHIVED: its KMS key was unusable for seven days and DynamoDB removed the table, " +
			"keeping a backup; make the key usable, restore the backup (DescribeTable's ArchivalSummary names it) into a table of another name, " +
			"or delete this Table"), true
	case types.TableStatusReplicationNotAuthorized:
		return xpv2.Unavailable().WithMessage("the table is REPLICATION_NOT_AUTHORIZED: DynamoDB may not replicate this global table's replica " +
			"(an AWS Region opted out, or a permission withdrawn): restore the authorization, or remove the replica"), true
	default:
		return xpv2.Unavailable().WithMessage("DynamoDB reports the table " + string(s) +
			", which this provider does not know: no change is sent until it is ACTIVE"), true
	}
}

// inFlight reports whether DynamoDB is working on the table, so that a short poll follows it. A table waiting for
// a person (its key unusable, archived, replication refused) is polled at the normal interval.
func inFlight(s string) bool {
	switch types.TableStatus(s) {
	case types.TableStatusCreating, types.TableStatusUpdating, types.TableStatusDeleting, types.TableStatusArchiving:
		return true
	}
	return false
}
