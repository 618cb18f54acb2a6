package bttable

import "github.com/stateful-dev/provider-stateful/internal/controller/managedkind"

// terminal is what makes a change terminal: gcpclient.IsInvalidInput classifies InvalidArgument, and a
// FailedPrecondition that names the request's fields (a BadRequest detail); any other FailedPrecondition is retried.
var terminal = []string{"InvalidArgument", "FailedPrecondition"}

// fields is the Table's spec.forProvider as Changes and CreateRequest treat it.
var fields = managedkind.Fields{
	// The instance is part of the table's name: the CRD refuses another one, and no call moves a table.
	{Path: "instance", Compare: managedkind.ByValue, Unset: managedkind.Required, Effect: managedkind.Refused,
		Note:   "an existing instance of the ProviderConfig's project; immutable (the CRD refuses a change): re-create the Table",
		Source: "https://cloud.google.com/bigtable/docs/reference/admin/rest/v2/projects.instances.tables/create"},
	// Changes: adding a family is in place, but a drop deletes its data and a rule that keeps less lets garbage
	// collection delete cells — neither can be undone.
	{Path: "columnFamilies", Compare: managedkind.ByMeaning, Unset: managedkind.Unmanaged, Effect: managedkind.Irreversible, Terminal: terminal,
		Note: "each listed family exists (or not, with `drop`); families not listed are kept (and shown in " +
			"`status.atProvider.columnFamilies`); its rule by meaning — union/intersection operands in any order and nested " +
			"alike ones spliced, an age as a duration (`168h` is `604800s`), a union of one rule is that rule — and unmanaged " +
			"when unset; `drop` deletes the family and its data, refused before any call while deletion protection is on; a " +
			"rule that keeps less lets garbage collection delete cells (within about a week); all in one ModifyColumnFamilies",
		Source: "https://cloud.google.com/bigtable/docs/garbage-collection"},
	// Changes orders it around the families: off before drops (which need it off), on after.
	{Path: "deletionProtection", Compare: managedkind.ByValue, Unset: managedkind.Unmanaged, Effect: managedkind.InPlace, Terminal: terminal,
		Note: "turned off before drops, on after family changes; while on, the Table's deletion waits (a spec turning it off is applied " +
			"during the deletion)",
		Source: "https://cloud.google.com/bigtable/docs/reference/admin/rest/v2/projects.instances.tables"},
	// Sent with CreateTable only: Bigtable never reports them, and the CRD refuses a change.
	{Path: "splitKeys", Compare: managedkind.NotCompared, Unset: managedkind.Unmanaged, Effect: managedkind.Refused,
		Note:   "used at creation only (Bigtable does not report them); immutable (the CRD refuses a change)",
		Source: "https://cloud.google.com/bigtable/docs/reference/admin/rest/v2/projects.instances.tables/create"},
}
