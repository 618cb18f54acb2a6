package dbinstance

import (
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// The RDS documentation the table cites.
const (
	// settings is RDS's per-setting table of when a modification is applied and what downtime it causes.
	settings  = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ModifyInstance.Settings.html"
	modifyAPI = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html"
	// storageOptimization: after a storage change the instance is in storage-optimization for hours, and no other
	// storage change is taken for six hours or until it ends.
	storageOptimization = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.ModifyingExisting.html"
	encryptionLimits    = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html#Overview.Encryption.Limitations"
)

// invalid are the codes with which ModifyDBInstance refuses a value or a combination (errors.go's invalidInput).
// RDS takes every change in one request, so either refuses the whole request.
var invalid = []string{"InvalidParameterValue", "InvalidParameterCombination"}

// fields are the DBInstance's spec.forProvider fields as diff (convert.go), Observe, Create and Delete
// (dbinstance.go) treat them. Every modification goes out in one ModifyDBInstance carrying ApplyImmediately as the
// spec sets it (unset: RDS's default, false), and only while RDS reports the instance available.
var fields = managedkind.Fields{
	// A DB instance lives in the Region it was made in; the CRD refuses a change (self == oldSelf).
	{Path: "region", Compare: managedkind.NotCompared, Unset: managedkind.Required, Effect: managedkind.Refused,
		Note:   "where the calls go; the CRD refuses a change",
		Source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.RegionsAndAvailabilityZones.html"},
	// ModifyDBInstance's Engine converts only Oracle non-CDBs to CDBs: postgres, mysql and mariadb never change.
	{Path: "engine", Compare: managedkind.ByValue, Unset: managedkind.Required, Effect: managedkind.Refused,
		Note:   "the CRD refuses a change; an instance running another engine (an adopted one) is an error, never modified",
		Source: modifyAPI},
	// An engine upgrade is applied with an outage, now or in the maintenance window.
	{Path: "engineVersion", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.Restart,
		When: managedkind.ApplyImmediately, Terminal: invalid,
		Note: "a prefix at a dot (16 is satisfied by 16.4); while automatic minor upgrades are on, a newer minor of the same " +
			"major is in sync (asking for the older one would be a downgrade RDS refuses); a lower running version is an " +
			"upgrade to make (major upgrades allowed); a version already pending is not sent again; RDS never downgrades",
		Source: settings},
	// A new instance class is applied with an outage.
	{Path: "dbInstanceClass", Compare: managedkind.ByValue, Unset: managedkind.Required, Effect: managedkind.Restart,
		When: managedkind.ApplyImmediately, Terminal: invalid,
		Note: "a class already pending is not sent again", Source: settings},
	// More storage: no downtime, then storage-optimization for hours; RDS never shrinks storage.
	{Path: "allocatedStorage", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.LongRunning,
		When: managedkind.ApplyImmediately, Terminal: []string{"InvalidParameterValue", "StorageTypeNotSupported"},
		Note: "a floor: storage autoscaling grows it past the spec and RDS never shrinks, so only a larger spec is sent (at " +
			"least 10 % more, or RDS refuses); a size already pending is not sent again; storage-optimization follows for " +
			"hours, and RDS takes no other storage change for six hours",
		Source: storageOptimization},
	// A storage type change: a brief outage to or from magnetic (standard), then storage-optimization.
	{Path: "storageType", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.Restart,
		When:     managedkind.ApplyImmediately,
		Terminal: []string{"InvalidParameterValue", "InvalidParameterCombination", "StorageTypeNotSupported"},
		Note: "a brief outage when moving to or from standard (magnetic), none between SSD types; storage-optimization " +
			"follows for hours; a type already pending is not sent again",
		Source: settings},
	// New IOPS: no downtime, then storage-optimization.
	{Path: "iops", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.LongRunning,
		When: managedkind.ApplyImmediately, Terminal: invalid,
		Note:   "a value already pending is not sent again; storage-optimization follows for hours",
		Source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/User_PIOPS.Increase.html"},
	// New gp3 throughput: no downtime, then storage-optimization.
	{Path: "storageThroughput", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.LongRunning,
		When: managedkind.ApplyImmediately, Terminal: invalid,
		Note:   "a value already pending is not sent again; storage-optimization follows for hours",
		Source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.gp3.html"},
	// The autoscaling limit applies at once, without downtime, whatever applyImmediately says.
	{Path: "maxAllocatedStorage", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: invalid, Source: settings},
	// ModifyDBInstance has no parameter for the master user's name.
	{Path: "masterUsername", Compare: managedkind.NotCompared, Unset: managedkind.Required, Effect: managedkind.Refused,
		Note:   "sent at create and published to the connection Secret; the CRD refuses a change, and an adopted instance's own is not checked",
		Source: modifyAPI},
	// A new master password is applied as soon as possible, without downtime, whatever applyImmediately says.
	{Path: "masterPasswordSecretRef", Compare: managedkind.NotCompared, Unset: managedkind.Required, Effect: managedkind.InPlace,
		Sensitive: true,
		Note: "RDS never returns it: the Secret's password is compared with the one last published to the connection Secret, " +
			"and a different one is sent (rotation; needs writeConnectionSecretToRef). RDS's length and character rules " +
			"are checked before any call (a message naming the rule, never the password; fix the Secret)",
		Source: settings},
	// ModifyDBInstance has no parameter for the initial database.
	{Path: "dbName", Compare: managedkind.NotCompared, Unset: managedkind.Unmanaged, Effect: managedkind.Refused,
		Note: "the database created with the instance, published to the connection Secret; the CRD refuses a change, and an " +
			"adopted instance's own is not checked",
		Source: modifyAPI},
	// A new port reboots the instance at once, whatever applyImmediately says.
	{Path: "port", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.Restart,
		Note:   "in sync when the configured port, a pending one or the endpoint's is the spec's; the instance reboots at once, whatever applyImmediately says",
		Source: settings},
	// Converting to Multi-AZ builds a standby from a snapshot: no downtime, a possible performance impact.
	{Path: "multiAZ", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.LongRunning,
		When: managedkind.ApplyImmediately, Terminal: invalid,
		Note: "a value already pending is not sent again", Source: settings},
	// Public access changes at once, without downtime, whatever applyImmediately says.
	{Path: "publiclyAccessible", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: invalid, Source: settings},
	// Turning backups on (0 → n) or off (n → 0) is an outage; n → m is applied as soon as possible.
	{Path: "backupRetentionPeriod", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.Restart,
		When: managedkind.ApplyImmediately, Terminal: invalid,
		Note: "an outage only between 0 and a nonzero value (backups turned on or off), which waits for the window without " +
			"applyImmediately; one nonzero value to another is applied at once, in place; a value already pending is not " +
			"sent again",
		Source: settings},
	// The backup window changes as soon as possible, without downtime.
	{Path: "preferredBackupWindow", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: invalid, Source: settings},
	// The maintenance window changes at once; pending downtime falls due at once if the new window includes now.
	{Path: "preferredMaintenanceWindow", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: []string{"InvalidParameterValue"},
		Note: "without case (RDS stores it lower-cased, and the provider sends it so); a new window that includes the " +
			"current time applies the pending modifications, and their downtime, at once",
		Source: settings},
	// Deletion protection changes at once, without downtime.
	{Path: "deletionProtection", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: invalid,
		Note:     "a delete waits until the spec sets it false, which the delete applies first (ApplyImmediately)",
		Source:   settings},
	// The group is associated at once, without downtime; its parameters take effect only at the next reboot.
	{Path: "dbParameterGroupName", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.Restart,
		Terminal: []string{"InvalidParameterValue"},
		Note: "without case (RDS stores group names lower-cased); the group is associated at once, without downtime, but its " +
			"static and dynamic parameters apply only at the instance's next reboot (pending-reboot), which the provider " +
			"never makes",
		Source: settings},
	// RDS could move the instance to another subnet group (with downtime); the CRD refuses a change.
	{Path: "dbSubnetGroupName", Compare: managedkind.NotCompared, Unset: managedkind.Unmanaged, Effect: managedkind.Refused,
		Note:   "sent at create; the CRD refuses a change (RDS itself could move the instance, with downtime)",
		Source: settings},
	// Security groups change as soon as possible, without downtime, whatever applyImmediately says.
	{Path: "vpcSecurityGroupIDs", Compare: managedkind.AsSet, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: []string{"InvalidParameterValue"},
		Note:     "against the active and adding memberships", Source: settings},
	// Encryption and its key are chosen at create and never change.
	{Path: "kmsKeyID", Compare: managedkind.NotCompared, Unset: managedkind.Unmanaged, Effect: managedkind.Refused,
		Note:   "sent at create, with storageEncrypted true; the CRD refuses a change, and an adopted instance's key is not checked",
		Source: encryptionLimits},
	{Path: "storageEncrypted", Compare: managedkind.NotCompared, Unset: managedkind.Unmanaged, Effect: managedkind.Refused,
		Note:   "sent at create (true whenever kmsKeyID is set); the CRD refuses a change",
		Source: encryptionLimits},
	// Not a setting of the instance: how RDS schedules every other change.
	{Path: "applyImmediately", Compare: managedkind.NotCompared, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Note: "sent with every ModifyDBInstance; unset, RDS's default false: changes wait for the maintenance window (shown " +
			"in status.atProvider.pendingModifiedValues). Changing it alone sends nothing: a change already pending is not " +
			"sent again, so it waits for the window",
		Source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.DBInstance.Modifying.html"},
	// Read only by a delete: the final snapshot's name, or skip.
	{Path: "finalSnapshot", Compare: managedkind.NotCompared, Unset: managedkind.ProviderDefault, Effect: managedkind.InPlace,
		Note: "read only by a delete; unset, the delete is refused until it says skip or a snapshot identifier. A snapshot " +
			"name that is taken (DBSnapshotAlreadyExists) makes the delete terminal until the spec changes (InputRejected, " +
			"CloudRefusedDelete)",
		Source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html"},
	{Path: "tags", Compare: managedkind.AsKeys, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Note: "the ProviderConfig's default tags and the ownership tags (stateful.dev/*) are added; with tags set, other " +
			"keys are removed but for aws: and the ProviderConfig's ignoreTagPrefixes; AddTagsToResource and " +
			"RemoveTagsFromResource, apart from ModifyDBInstance",
		Source: "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_AddTagsToResource.html"},
}
