package bucket

import "github.com/stateful-dev/provider-stateful/internal/controller/managedkind"

// fields is the Bucket's spec.forProvider, as convert_config.go compares it and subconfig.go applies it: each
// group is read and sent only when the spec sets it, with one S3 call per group.
var fields = managedkind.Fields{
	// "After you create a bucket, you can't change ... the Region": the CRD and Observe refuse it.
	{
		Path: "region", Compare: managedkind.ByValue, Unset: managedkind.Required, Effect: managedkind.Refused,
		Terminal: []string{"InvalidLocationConstraint", "IllegalLocationConstraintException"},
		Note:     "the region HeadBucket reports; the terminal codes are CreateBucket's (us-east-1 is sent without a location constraint)",
		Source:   "https://docs.aws.amazon.com/AmazonS3/latest/userguide/create-bucket-overview.html",
	},
	// "After you version-enable a bucket, it can never return to an unversioned state", only to Suspended.
	{
		Path: "versioning", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.Irreversible,
		Terminal: []string{"InvalidArgument", "InvalidRequest", "MalformedXML"},
		Note: `Suspended equals a never-versioned bucket (S3 cannot return to "never"); a first Enabled cannot be undone, ` +
			`only suspended, and takes up to 15 minutes to propagate`,
		Source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html",
	},
	// Default encryption applies to objects written from then on; existing objects keep theirs.
	{
		Path: "serverSideEncryption", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: []string{"InvalidArgument"},
		Note: "algorithm, bucket key (unset is false), and the KMS key it names: a key ID equals its key ARN, an alias the " +
			"alias ARN S3 reports (not a key ARN: telling which key an alias points to needs KMS, which the provider has no " +
			"client for)",
		Source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html",
	},
	// PutPublicAccessBlock replaces all four flags at once.
	{
		Path: "publicAccessBlock", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Note:   "the four flags, one by one; a flag left out of a managed block, or not reported, is false",
		Source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html",
	},
	{
		Path: "objectOwnership", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: []string{"InvalidArgument"},
		Note:     "exact (an enum); BucketOwnerEnforced disables ACLs",
		Source:   "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketOwnershipControls.html",
	},
	// "Amazon S3 deletes expired objects on your behalf", existing ones included: an expiration cannot be undone.
	{
		Path: "lifecycle", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.Irreversible,
		Terminal: []string{"MalformedXML", "InvalidArgument"},
		Note: "rules a set by id, S3's defaults (enabled, empty prefix, zero days) filled in, transitions in any order; a rule " +
			"with a filter the spec cannot express (tags, sizes) differs; lifecycle: {} deletes every rule",
		Source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html",
	},
	{
		Path: "cors", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: []string{"MalformedXML"},
		Note: "rules in order (S3 applies the first match); within a rule, methods, origins and headers are sets, an empty ID " +
			"and a zero max age unset; cors: {} deletes the rules",
		Source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html",
	},
	// Sent after objectOwnership and publicAccessBlock: S3 refuses a public policy while BlockPublicPolicy is on.
	{
		Path: "policy", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: []string{"MalformedPolicy"},
		Note: `key order, whitespace, one-element arrays, statement object vs list, boolean vs string conditions, account ID ` +
			`vs root ARN; "" deletes the policy; an invalid document fails before any call, and one that allows everyone ` +
			`while blockPublicPolicy is on is refused by the CRD first`,
		Source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html",
	},
	// Never sent to S3: Delete reads it.
	{
		Path: "forceDestroy", Compare: managedkind.NotCompared, Unset: managedkind.ProviderDefault, Effect: managedkind.InPlace,
		Note: "read at delete, never sent; unset is false: a non-empty bucket's delete is refused (true deletes every object version and delete marker first)",
		// "All objects (including all object versions and delete markers) in the bucket must be deleted before the
		// bucket itself can be deleted."
		Source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html",
	},
	// PutBucketTagging replaces the whole set: ignored keys are sent back, aws: keys S3 keeps itself.
	{
		Path: "tags", Compare: managedkind.AsKeys, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace,
		Terminal: []string{"InvalidTag", "MalformedXML"},
		Note: "with the ProviderConfig's default tags and the ownership tags (stateful.dev/*), always enforced; once tags is " +
			"set (even {}), other keys are removed but for aws: and the ProviderConfig's ignored prefixes; unset, other keys " +
			"are kept",
		Source: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketTagging.html",
	},
}
