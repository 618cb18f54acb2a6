package gcsbucket

import "github.com/stateful-dev/provider-stateful/internal/controller/managedkind"

// patchTerminal is what makes a change in the one PATCH terminal: storage.IsInvalidInput classifies a 400, and a
// 412 whose message names an organisation policy constraint; the retention lock's own 412 is retried.
var patchTerminal = []string{"400", "412"}

// fields is the Bucket's spec.forProvider as Changes treats it. Every field but the location goes in one PATCH, so
// each shares the PATCH's terminal errors.
var fields = managedkind.Fields{
	// Changes refuses another location before any call (the CRD refuses the edit too); Cloud Storage cannot move a
	// bucket in place.
	{Path: "location", Compare: managedkind.ByMeaning, Unset: managedkind.Required, Effect: managedkind.Refused,
		Note:   "without regard to case (Cloud Storage says `EU` for `eu`); another location is refused before any call: re-create the Bucket",
		Source: "https://cloud.google.com/storage/docs/moving-buckets"},
	{Path: "storageClass", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: patchTerminal,
		Note:   "the class of new objects; objects already stored keep theirs",
		Source: "https://cloud.google.com/storage/docs/changing-default-storage-class"},
	{Path: "versioning", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: patchTerminal,
		Source: "https://cloud.google.com/storage/docs/object-versioning"},
	// Reversible for 90 days only: Cloud Storage then locks it on.
	{Path: "uniformBucketLevelAccess", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: patchTerminal,
		Note:   "on for 90 days, it can no longer be turned off",
		Source: "https://cloud.google.com/storage/docs/uniform-bucket-level-access"},
	// normalPAP: Cloud Storage reports an unspecified (or unknown) value for the default, inherited.
	{Path: "publicAccessPrevention", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: patchTerminal,
		Note: "`inherited` matches Cloud Storage's unspecified; an organisation policy " +
			"(`constraints/storage.publicAccessPrevention`) refuses it with a `412`",
		Source: "https://cloud.google.com/storage/docs/public-access-prevention"},
	// softDelete and softDeleteOf: a duration, no policy being 0s; the bounds are checked before any call.
	{Path: "softDeleteRetention", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: patchTerminal,
		Note: "as a duration (`240h` is `864000s`); no policy is `0s`; new buckets get 7 days; outside 0 / 7–90 days is refused before any call; " +
			"a new duration applies to objects deleted after it",
		Source: "https://cloud.google.com/storage/docs/use-soft-delete"},
	// bucket.go bills every call to the bucket to the config's project while this is on, as Cloud Storage requires.
	{Path: "requesterPays", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: patchTerminal,
		Note:   "while on, every call to the bucket is billed to the config's `projectID`",
		Source: "https://cloud.google.com/storage/docs/requester-pays"},
	{Path: "defaultKMSKeyName", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: patchTerminal,
		Note:   "`\"\"` is none (Google-managed keys); encrypts new objects",
		Source: "https://cloud.google.com/storage/docs/encryption/customer-managed-keys"},
	// loggingInSync: Cloud Storage stores an empty prefix as the bucket's name; the PATCH replaces logging whole.
	{Path: "logging", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: patchTerminal,
		Note: "the log bucket, and the prefix when set (`\"\"` matches the default, the bucket's name; an unset prefix is sent back as observed); " +
			"`{}` removes logging",
		Source: "https://cloud.google.com/storage/docs/access-logs"},
	// A Delete rule deletes matching objects, which no later change brings back (a change can take 24 hours to act).
	{Path: "lifecycleRules", Compare: managedkind.AsSet, Unset: managedkind.Unmanaged, Effect: managedkind.Irreversible, Terminal: patchTerminal,
		Note: "rules in any order, each rule's lists as sets, age 0 however Cloud Storage spells it; `[]` removes them all; " +
			"an unparsable date is refused before any call; a Delete rule deletes the objects it matches",
		Source: "https://cloud.google.com/storage/docs/lifecycle"},
	{Path: "cors", Compare: managedkind.AsSet, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: patchTerminal,
		Note:   "rules in any order, each rule's lists as sets; `[]` removes them all",
		Source: "https://cloud.google.com/storage/docs/using-cors"},
	// retentionChange: the period is a PATCH while unlocked; what a locked policy forbids is refused before any call.
	{Path: "retentionPolicy", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: patchTerminal,
		Note: "the period as a duration (`720h` is `2592000s`); `{}` removes it unless locked; a locked policy can only grow — " +
			"removing or shortening it is refused before any call",
		Source: "https://cloud.google.com/storage/docs/bucket-lock"},
	// The lock is its own call (LockRetentionPolicy), and the one change here that can never be undone.
	{Path: fieldLock, Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.Irreversible, Terminal: patchTerminal,
		Note: "locked once, alone, when an observation shows the spec's period, on that observation's metageneration (a `412` for a " +
			"metageneration that moved since is retried); `false` once locked is refused before any call",
		Source: "https://cloud.google.com/storage/docs/bucket-lock"},
	// TagChanges: set/remove pairs against the whole desired set (default and ownership labels included).
	{Path: "labels", Compare: managedkind.AsKeys, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: patchTerminal,
		Note: "beside the ProviderConfig's default labels and the ownership labels, `goog-` and ignored prefixes kept; a map (`{}` too) " +
			"removes other keys; sent as set/remove pairs; invalid keys or values are refused before any call",
		Source: "https://cloud.google.com/storage/docs/using-bucket-labels"},
}
