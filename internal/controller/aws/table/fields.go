package table

import (
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// The DynamoDB documentation the table cites.
const (
	// cfnTable says, per property, which changes CloudFormation can only make by replacing the table.
	cfnTable = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-table.html"
	devGuide = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
)

// invalid is the code with which DynamoDB refuses a request's content (errors.go's invalidInput). A busy table's
// ResourceInUseException and a quota's LimitExceededException are retried.
var invalid = []string{"ValidationException"}

// fields are the Table's spec.forProvider fields as diff (convert.go) and Observe (table.go) treat them. DynamoDB
// takes one change per UpdateTable and none while the table or an index is not ACTIVE, so the changes go one per
// reconcile, in diff's order (status.atProvider.pendingChanges lists the rest).
var fields = managedkind.Fields{
	// A table lives in one Region; another Region takes a global table's replica. The CRD refuses a change.
	{Path: "region", Compare: managedkind.NotCompared, Unset: managedkind.Required, Effect: managedkind.Refused,
		Note: "where the calls go; the CRD refuses a change", Source: devGuide + "GlobalTables.html"},
	// The key schema is fixed at create: CloudFormation replaces a table to change it.
	{Path: "hashKey", Compare: managedkind.ByValue, Unset: managedkind.Required, Effect: managedkind.Refused,
		Note:   "the CRD refuses a change; a table with another key schema (an adopted one) is an error, never changed",
		Source: cfnTable + "#cfn-dynamodb-table-keyschema"},
	{Path: "rangeKey", Compare: managedkind.ByValue, Unset: managedkind.ProviderDefault, Effect: managedkind.Refused,
		Note:   "unset is no sort key, compared like a value: a table with one is an error; the CRD refuses a change",
		Source: cfnTable + "#cfn-dynamodb-table-keyschema"},
	// Definitions go only with the keys that use them: at create, and with an index addition.
	{Path: "attributeDefinitions", Compare: managedkind.NotCompared, Unset: managedkind.Required, Effect: managedkind.InPlace,
		Terminal: invalid,
		Note: "types the keys: only the definitions the table's and the indexes' keys use are sent (DynamoDB refuses " +
			"others), at create and with an index addition; never compared, so another type for an existing key goes " +
			"unnoticed",
		Source: "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html#DDB-UpdateTable-request-AttributeDefinitions"},
	// Provisioned → on-demand takes minutes (at most four times in 24 hours); on-demand → provisioned any time.
	{Path: "billingMode", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.LongRunning,
		Terminal: invalid,
		Note: "unset, no CRD default: an existing table keeps its mode, and a new one is created PROVISIONED when " +
			"provisionedThroughput is set, PAY_PER_REQUEST otherwise (nothing is written to the spec). A table that " +
			"reports no mode is PROVISIONED. A switch to PROVISIONED carries the table's and the existing indexes' " +
			"throughput",
		Source: devGuide + "switching.capacitymode.html"},
	// Capacity changes in place; DynamoDB limits the decreases a day.
	{Path: "provisionedThroughput", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: invalid,
		Note: "exact, or with autoscaled: true a floor (what Application Auto Scaling raised is in sync; capacity below the " +
			"floor is raised only where it is below; never lowered); compared only while the table is PROVISIONED (ignored " +
			"under on-demand); with PAY_PER_REQUEST refused by the CRD; decreases a day are limited (DynamoDB quotas)",
		Source: devGuide + "Limits.html"},
	// A new index is built and backfilled online: hours on a large table, which serves throughout.
	{Path: "globalSecondaryIndexes", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.LongRunning,
		Terminal: invalid,
		Note: "by indexName: unset, the table's indexes are left alone; [] means none. An index the table lacks is added " +
			"(backfilled; further changes wait until it is ACTIVE), one the spec lacks removed, removals first; keys and " +
			"projection (non-key attributes a set) cannot change: an error, give the index a new name; an index's " +
			"provisionedThroughput as the table's (exact or a floor), PROVISIONED only",
		Source: devGuide + "GSI.OnlineOps.html"},
	// Local secondary indexes exist only from the table's creation on.
	{Path: "localSecondaryIndexes", Compare: managedkind.NotCompared, Unset: managedkind.Unmanaged, Effect: managedkind.Refused,
		Note:   "sent at create; the CRD refuses a change, and an adopted table's are not checked",
		Source: devGuide + "LSI.html#LSI.Creating"},
	// Disabling ends the stream (its records stay readable 24 hours); a re-enabled stream is a new one, with a new ARN.
	{Path: "streamViewType", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.Irreversible,
		Terminal: invalid,
		Note: "\"\" is disabled. Enabling is harmless; disabling cannot be undone: a stream enabled again is a new one, with a " +
			"new streamArn in the connection Secret. DynamoDB refuses to enable a stream on a table that has one, so a new " +
			"view type needs \"\" first",
		Source: devGuide + "Streams.html#Streams.Enabling"},
	// Another key re-encrypts in the background; the table serves throughout.
	{Path: "serverSideEncryption", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: invalid,
		Note: "OWNED is no SSE description (or a disabled one); AWS_MANAGED is any KMS encryption; KMS is a customer key by " +
			"ID or ARN, and a key given as an alias matches any customer key (DynamoDB reports only the key's ARN)",
		Source: devGuide + "encryption.tutorial.html#encryption.tutorial-update"},
	// A class update is a background process, at most two in 30 days; the table serves throughout.
	{Path: "tableClass", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.LongRunning,
		Terminal: invalid,
		Note:     "STANDARD when DynamoDB reports none; at most two class updates in 30 days",
		Source:   devGuide + "WorkingWithTables.tableclasses.html"},
	{Path: "deletionProtection", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: invalid,
		Note:     "a delete waits until the spec sets it false, which the delete applies first",
		Source:   "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection"},
	// Its own API: DynamoDB takes up to an hour to process a change, and refuses another one meanwhile.
	{Path: "timeToLive", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: invalid,
		Note: "read only when set; enabling and enabled agree, and disabled matches any attribute; UpdateTimeToLive, after " +
			"the table's changes; a second change within the hour DynamoDB takes to process one is refused " +
			"(ValidationException)",
		Source: "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html"},
	{Path: "pointInTimeRecovery", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: invalid,
		Note:     "read only when set; against ENABLED; UpdateContinuousBackups, after the table's changes",
		Source:   "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateContinuousBackups.html"},
	{Path: "tags", Compare: managedkind.AsKeys, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Note: "the ProviderConfig's default tags and the ownership tags (stateful.dev/*) are added; with tags set, other " +
			"keys are removed but for aws: and the ProviderConfig's ignoreTagPrefixes; TagResource and UntagResource, with " +
			"any other change",
		Source: "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TagResource.html"},
}
