// Fields: each kind declares its spec fields once — how each is compared, what unset means, whether it may change,
// what a change does in the cloud, which cloud errors make it terminal — and the reconciler's change list, the
// docs' per-kind tables (generated: see Fields.Markdown) and the change-impact plan read the same table.

package managedkind

import (
	"fmt"
	"sort"
	"strings"
)

// A Field is one spec.forProvider field, or a group of fields that change together, as the kind's reconciler
// treats it.
type Field struct {
	// Path is the field under spec.forProvider as the user writes it ("visibilityTimeout",
	// "serverSideEncryption", "globalSecondaryIndexes"). A group's path covers every field under it.
	Path string
	// Compare is how the spec and the cloud are compared.
	Compare Compare
	// Unset is what an omitted field means.
	Unset Unset
	// Effect is what changing the field does in the cloud.
	Effect Effect
	// When is when a change is applied; zero is at once.
	When When
	// Terminal lists the cloud's error codes (or gRPC/HTTP statuses) that make a change of this field terminal
	// until the spec changes again; every other error is retried with backoff.
	Terminal []string
	// Sensitive fields are never printed: a plan or a diff says "(sensitive, changed)".
	Sensitive bool
	// Note says what the columns cannot: the normalisation a comparison applies, what a group holds, a limit.
	Note string
	// Source cites the cloud's documentation of what a change does.
	Source string
	// Observed is where status.atProvider reports the cloud's value of the field when not under the field's own
	// path ("attributes.VisibilityTimeout"): drift held for review shows it beside the spec's. Empty: the same path,
	// where atProvider has one.
	Observed string
}

// A Compare is how a field's spec and cloud values are compared: by what the cloud means, never by how it spells it.
type Compare string

const (
	// ByValue compares the values as they are.
	ByValue Compare = "by value"
	// AsSet compares lists without order and duplicates.
	AsSet Compare = "as a set"
	// ByMeaning compares after the cloud's normalisation (a policy document, a duration, a case the cloud ignores);
	// the Note says which.
	ByMeaning Compare = "by meaning"
	// AsKeys compares maps (tags, labels) key by key: once the map is set, keys it does not name are removed,
	// except the cloud's reserved prefixes and those the ProviderConfig ignores; the Note says which.
	AsKeys Compare = "key by key"
	// NotCompared is read once, at create (a value the cloud never reports back, such as a password).
	NotCompared Compare = "not compared"
)

// An Unset is what an omitted field means.
type Unset string

const (
	// Unmanaged means an omitted field is never sent; at create the cloud chooses its default, and later the value
	// in the cloud is left as it is, whoever set it.
	Unmanaged Unset = "unmanaged"
	// Required means the field cannot be omitted (the CRD requires it).
	Required Unset = "required"
	// ProviderDefault means an omitted field takes the provider's documented default (the Note says which), which
	// is enforced like a value in the spec.
	ProviderDefault Unset = "provider default"
)

// An Effect is what changing a field does to the cloud resource. A provider never destroys and recreates to apply a
// change: a field that cannot change is Refused, and the resource stays unsynced until a person acts.
type Effect string

const (
	// InPlace is a change applied in place, with no interruption.
	InPlace Effect = "in place"
	// Restart is a change applied by a reboot or restart of the resource (an interruption); When says whether it
	// happens at once or in the maintenance window.
	Restart Effect = "restart"
	// LongRunning is a change applied in place, but the cloud works on it for a long time (an index backfill, a
	// storage optimisation); the resource is busy until it ends.
	LongRunning Effect = "long-running"
	// Irreversible is a change applied in place that cannot be undone (a retention lock, dropping a column family
	// and its data).
	Irreversible Effect = "irreversible"
	// Refused is a change the cloud cannot make; the provider refuses the update (manual recreate).
	Refused Effect = "refused (manual recreate)"
)

// A When is when a change is applied.
type When string

const (
	// Now applies a change at once (the zero value).
	Now When = ""
	// MaintenanceWindow applies a change in the resource's next maintenance window.
	MaintenanceWindow When = "maintenance window"
	// ApplyImmediately applies a change at once when the resource's applyImmediately is true, in the maintenance
	// window otherwise (RDS).
	ApplyImmediately When = "applyImmediately"
)

// Fields is a kind's table, in the order its docs list them.
type Fields []Field

// Lookup returns the field a change names: "visibilityTimeout", "tags[env,team]", "globalSecondaryIndexes[byEmail]+",
// "lifecycleRules[2].expiration". The longest declared path that the name starts with, at a field boundary, wins.
func (fs Fields) Lookup(name string) (Field, bool) {
	best, found := Field{}, false
	for _, f := range fs {
		if !under(name, f.Path) {
			continue
		}
		if !found || len(f.Path) > len(best.Path) {
			best, found = f, true
		}
	}
	return best, found
}

// under reports whether name is path or a field, index or key under it.
func under(name, path string) bool {
	if !strings.HasPrefix(name, path) {
		return false
	}
	if len(name) == len(path) {
		return true
	}
	switch name[len(path)] {
	case '.', '[', '+', '-':
		return true
	}
	return false
}

// Check returns an error when the table is malformed: a path declared twice, a field without what every field
// must say, a refused field with a time to apply.
func (fs Fields) Check() error {
	seen := map[string]bool{}
	var errs []string
	for _, f := range fs {
		switch {
		case f.Path == "":
			errs = append(errs, "a field without a path")
		case seen[f.Path]:
			errs = append(errs, f.Path+": declared twice")
		case f.Compare == "" || f.Unset == "" || f.Effect == "":
			errs = append(errs, f.Path+": Compare, Unset and Effect are required")
		case f.Effect == Refused && f.When != Now:
			errs = append(errs, f.Path+": a refused change is never applied, at any time")
		case f.Source == "":
			errs = append(errs, f.Path+": every effect cites the cloud's documentation (Source), in place too")
		}
		seen[f.Path] = true
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return fmt.Errorf("field table: %s", strings.Join(errs, "; "))
	}
	return nil
}

// Unknown returns the names in a change list that no declared field covers: a change the table cannot explain.
func (fs Fields) Unknown(names []string) []string {
	var out []string
	for _, n := range names {
		if _, ok := fs.Lookup(n); !ok {
			out = append(out, n)
		}
	}
	return out
}

// Refuse returns an error naming the fields among a change list's names that the table declares Refused: the
// cloud cannot change them, and the provider never recreates to apply a change.
func (fs Fields) Refuse(names []string) error {
	var refused []string
	for _, n := range names {
		if f, ok := fs.Lookup(n); ok && f.Effect == Refused {
			refused = append(refused, "spec.forProvider."+f.Path)
		}
	}
	if len(refused) == 0 {
		return nil
	}
	return fmt.Errorf("%s cannot change once the resource exists: refusing the update (the provider never recreates); "+
		"put the old value back, or delete the resource and create it anew", strings.Join(refused, ", "))
}

// Markdown renders the table for the kind's docs page (between its fields markers).
func (fs Fields) Markdown() string {
	var b strings.Builder
	b.WriteString("| field | compared | when unset | a change | terminal errors |\n|---|---|---|---|---|\n")
	for _, f := range fs {
		change := string(f.Effect)
		if f.When != Now {
			change += ", " + whenText[f.When]
		}
		if f.Source != "" {
			change = "[" + change + "](" + f.Source + ")"
		}
		compare := string(f.Compare)
		if f.Note != "" {
			compare += ": " + f.Note
		}
		if f.Sensitive {
			compare += " (sensitive: never printed)"
		}
		terminal := "—"
		if len(f.Terminal) > 0 {
			terminal = "`" + strings.Join(f.Terminal, "`, `") + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", f.Path, cell(compare), f.Unset, change, terminal)
	}
	return b.String()
}

var whenText = map[When]string{
	MaintenanceWindow: "in the maintenance window",
	ApplyImmediately:  "now with `applyImmediately: true`, else in the maintenance window",
}

// cell keeps a table cell on one line.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// The markers around a kind's generated table in its docs page.
const (
	fieldsBegin = "<!-- fields:begin -->"
	fieldsEnd   = "<!-- fields:end -->"
)

// Splice returns page with the text between its fields markers replaced by the table: what `make generate` writes
// into a kind's docs page, and what a test compares the page with.
func (fs Fields) Splice(page string) (string, error) {
	i, j := strings.Index(page, fieldsBegin), strings.Index(page, fieldsEnd)
	if i < 0 || j < i {
		return "", fmt.Errorf("no %s … %s markers", fieldsBegin, fieldsEnd)
	}
	return page[:i+len(fieldsBegin)] + "\n" + fs.Markdown() + page[j:], nil
}
