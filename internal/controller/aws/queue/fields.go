package queue

import "github.com/stateful-dev/provider-stateful/internal/controller/managedkind"

// setQueueAttributes is where SQS documents what an attribute change does: every field but region, fifoQueue and
// tags is an attribute, and the changes of one observation go in one SetQueueAttributes.
const setQueueAttributes = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html"

// attributeErrors are the codes with which SQS refuses an attribute's value.
var attributeErrors = []string{"InvalidAttributeValue"}

// numberErrors are attributeErrors and the code SQS answers a number out of range with.
var numberErrors = []string{"InvalidAttributeValue", "InvalidParameterValue"}

// fields is the Queue's spec.forProvider, as convert.go compares it (diff) and queue.go applies it.
var fields = managedkind.Fields{
	// A queue's name is unique per account and region, and its URL and ARN name the region: the CRD refuses the edit.
	{
		Path: "region", Compare: managedkind.ByValue, Unset: managedkind.Required, Effect: managedkind.Refused,
		Note:   "selects the SQS endpoint the queue is looked up in by name",
		Source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html",
	},
	// "You can't change the queue type after you create it": the CRD and Observe refuse it.
	{
		Path: "fifoQueue", Compare: managedkind.ByValue, Unset: managedkind.ProviderDefault, Effect: managedkind.Refused,
		Note: "unset is false, a standard queue; the queue name (the external name) ends in .fifo exactly when the queue is " +
			"FIFO, checked by the provider before any call",
		Source:   "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html",
		Observed: "attributes." + attrFIFO,
	},
	{
		Path: "delaySeconds", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: numberErrors, Source: setQueueAttributes,
		Observed: "attributes." + attrDelay,
	},
	{
		Path: "maximumMessageSize", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: numberErrors, Source: setQueueAttributes,
		Observed: "attributes." + attrMaxSize,
	},
	// "reduced below the age of existing messages", it expires and deletes them: they cannot be brought back.
	{
		Path: "messageRetentionPeriod", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.Irreversible,
		Terminal: numberErrors,
		Note:     "a shorter period deletes the messages already older than it; a change takes up to 15 minutes",
		Source:   setQueueAttributes,
		Observed: "attributes." + attrRetention,
	},
	{
		Path: "visibilityTimeout", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: numberErrors, Source: setQueueAttributes,
		Observed: "attributes." + attrVisibility,
	},
	{
		Path: "receiveMessageWaitTimeSeconds", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: numberErrors, Source: setQueueAttributes,
		Observed: "attributes." + attrWait,
	},
	{
		Path: "contentBasedDeduplication", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: attributeErrors, Note: "without case; an unreported false is false", Source: setQueueAttributes,
		Observed: "attributes." + attrContentDedup,
	},
	{
		Path: "deduplicationScope", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: attributeErrors, Source: setQueueAttributes,
		Observed: "attributes." + attrDedupScope,
	},
	{
		Path: "fifoThroughputLimit", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: attributeErrors, Source: setQueueAttributes,
		Observed: "attributes." + attrThroughput,
	},
	// SqsManagedSseEnabled, KmsMasterKeyId and KmsDataKeyReusePeriodSeconds: one field, all sent when one differs.
	{
		Path: "serverSideEncryption", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: attributeErrors,
		Note: "as one field: a difference sends every attribute behind it (switching to SQS-managed keys also clears the KMS " +
			"key); SqsManagedSseEnabled without case, unreported is false; the KMS key by value (an alias does not equal its " +
			"ARN), unreported is none; KMS.* errors are retried (access)",
		Source: setQueueAttributes,
	},
	{
		Path: "policy", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: attributeErrors,
		Note: `as the Bucket's (key order, whitespace, one-element arrays, statement object vs list, boolean vs string ` +
			`conditions, account ID vs root ARN); "" and no policy agree; an invalid document fails before any call`,
		Source: setQueueAttributes,
	},
	// SQS takes the redrive policy as one JSON attribute: both sub-fields are sent together.
	{
		Path: "redrivePolicy", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: attributeErrors,
		Note: "deadLetterTargetARN and maxReceiveCount together; maxReceiveCount as a number or a string; a target not " +
			"resolved yet fails before any call; through a ClusterProviderConfig the target must be a Queue of the namespace, " +
			"checked before every update",
		Source: setQueueAttributes,
	},
	{
		Path: "redriveAllowPolicy", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: attributeErrors, Note: "redrivePermission and sourceQueueARNs together; the source ARNs in any order", Source: setQueueAttributes,
	},
	// TagQueue adds and UntagQueue removes: keys not named are never sent.
	{
		Path: "tags", Compare: managedkind.AsKeys, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Note: "with the ProviderConfig's default tags and the ownership tags (stateful.dev/*), always enforced; once tags is " +
			"set (even {}), other keys are removed but for aws: and the ProviderConfig's ignored prefixes; unset, other keys " +
			"are kept",
		Source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_TagQueue.html",
	},
}
