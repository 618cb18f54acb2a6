package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

// Classes are what --fail-on names, in the order a usage message lists them: the actions and the effects a CI gate
// may refuse to merge; then drift (a live plan's change over a field the cloud holds otherwise, or a fleet
// report's held drift) and the fleet report's states a promotion may wait for.
var Classes = []string{
	"create", "delete", "in-place", "restart", "long-running", "irreversible", "refused", "released", "unknown",
	"drift", "would-change", "not-ready",
}

// classOf is the --fail-on class of an effect.
var classOf = map[string]string{
	string(managedkind.InPlace):      "in-place",
	string(managedkind.Restart):      "restart",
	string(managedkind.LongRunning):  "long-running",
	string(managedkind.Irreversible): "irreversible",
	string(managedkind.Refused):      "refused",
	Released:                         "released",
	Unknown:                          "unknown",
}

// Findings lists, in plan order, what the plan holds of the classes named: "Queue team-a/orders:
// spec.forProvider.fifoQueue refused".
func (r Report) Findings(classes []string) []string {
	var out []string
	for _, res := range r.Resources {
		id := res.Kind + " " + res.Namespace + "/" + res.Name
		switch {
		case res.Action == Create && slices.Contains(classes, "create"):
			out = append(out, id+": create")
		case res.Action == Delete && res.Deletes && slices.Contains(classes, "delete"):
			out = append(out, id+": delete")
		}
		for _, c := range res.Changes {
			if class := classOf[c.Effect]; slices.Contains(classes, class) {
				out = append(out, id+": "+c.Field+" "+class)
			}
			// Refreshed, a resource's drift is the cloud's now, unchanged resources' included (below).
			if c.Drift && !r.Refreshed && slices.Contains(classes, "drift") {
				out = append(out, id+": "+c.Field+" drift (cloud: "+c.Cloud+")")
			}
		}
		for _, d := range res.Drift {
			if slices.Contains(classes, "drift") {
				out = append(out, id+": "+d.Field+" drift (cloud now: "+cloudNow(d)+")")
			}
		}
		if res.CloudMissing && slices.Contains(classes, "drift") {
			out = append(out, id+": drift (the cloud resource does not exist)")
		}
	}
	if r.Fleet != nil {
		out = append(out, r.Fleet.findings(classes)...)
	}
	return out
}

// WriteJSON writes the report as JSON (Version is its schema).
func (r Report) WriteJSON(w io.Writer) error {
	if r.Resources == nil {
		// A list, never null, for a reader that iterates it (jq's .resources[]).
		r.Resources = []Resource{}
	}
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(r)
}

// WriteText writes the report for a terminal: one block per resource that is not unchanged, its changes aligned
// (in a live plan with what the cloud holds); or the fleet report.
func (r Report) WriteText(w io.Writer) error {
	if r.Fleet != nil {
		return r.writeFleetText(w)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, res := range r.Resources {
		if res.Action == Unchanged && len(res.Drift) == 0 && res.RefreshError == "" && !res.CloudMissing {
			continue
		}
		fmt.Fprintf(tw, "%s %s/%s (%s): %s\n", res.Kind, res.Namespace, res.Name, res.APIVersion, res.Action)
		if res.Action == Delete {
			fmt.Fprintf(tw, "  %s\n", res.Deletion)
		}
		for _, c := range res.Changes {
			if c.Cloud == "" {
				fmt.Fprintf(tw, "  %s\t%s → %s\t%s\n", c.Field, c.Current, c.Desired, effect(c))
				continue
			}
			fmt.Fprintf(tw, "  %s\t%s → %s\t%s\t%s\n", c.Field, c.Current, c.Desired, effect(c), cloudCell(c))
		}
		for _, d := range res.Drift {
			fmt.Fprintf(tw, "  drift now: %s\tspec: %s, cloud: %s\t%s\n", d.Field, d.Spec, cloudNow(d), revertedText[d.Reverted])
		}
		if res.CloudMissing {
			fmt.Fprintf(tw, "  cloud now: %s\n", missingText)
		}
		if res.RefreshError != "" {
			fmt.Fprintf(tw, "  cloud not read: %s\n", res.RefreshError)
		}
	}
	fmt.Fprintf(tw, "%s\n", r.summary())
	if r.Refreshed {
		fmt.Fprintf(tw, "%s\n", r.driftSummary())
	}
	if r.anyChange(drifted) {
		fmt.Fprintf(tw, "%s\n", driftNote)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(tw, "note: %s\n", n)
	}
	return tw.Flush()
}

// driftNote says what a drifted cloud value means, once under a plan that has one.
const driftNote = "(drift) the cloud's value is not the live spec's: changed behind the provider's back, or not applied yet; " +
	"where the management policies allow writes, the provider sets the desired value over it"

// cloudCell is a live plan's word on what the cloud holds.
func cloudCell(c FieldChange) string {
	if c.Drift {
		return "cloud: " + c.Cloud + " (drift)"
	}
	return "cloud: " + c.Cloud
}

// anyChange says whether a change of the plan is one p accepts.
func (r Report) anyChange(p func(FieldChange) bool) bool {
	for _, res := range r.Resources {
		if slices.ContainsFunc(res.Changes, p) {
			return true
		}
	}
	return false
}

func drifted(c FieldChange) bool { return c.Drift }

// hasCloud says whether a change says what the cloud holds: a cloud column is then worth its place.
func hasCloud(c FieldChange) bool { return c.Cloud != "" }

// WriteMarkdown writes the report for a pull-request comment: a summary line and one table of every change (in a
// live plan with a column of what the cloud holds); or the fleet report.
func (r Report) WriteMarkdown(w io.Writer) error {
	if r.Fleet != nil {
		return r.writeFleetMarkdown(w)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**Plan:** %s\n\n", r.summary())
	live, rows := r.anyChange(hasCloud), 0
	// extra is the cloud column's cell of a row, in a live plan only: an offline plan's table is as it always was.
	extra := func(s string) string {
		if !live {
			return ""
		}
		return " " + s + " |"
	}
	for _, res := range r.Resources {
		if res.Action == Unchanged {
			continue
		}
		if rows == 0 {
			b.WriteString("| resource | action | field | current → desired | effect |" + extra("cloud") + "\n|---|---|---|---|---|" + extra("---") + "\n")
		}
		id := fmt.Sprintf("%s `%s/%s`", res.Kind, res.Namespace, res.Name)
		switch res.Action {
		case Create:
			fmt.Fprintf(&b, "| %s | create | | | |%s\n", id, extra(""))
		case Delete:
			fmt.Fprintf(&b, "| %s | **delete** | | | %s |%s\n", id, cell(res.Deletion), extra(""))
		}
		for _, c := range res.Changes {
			e := effect(c)
			if c.Source != "" {
				e = "[" + e + "](" + c.Source + ")"
			}
			cloud := ""
			if c.Cloud != "" {
				cloud = cell(code(c.Cloud))
				if c.Drift {
					cloud += " **(drift)**"
				}
			}
			fmt.Fprintf(&b, "| %s | change | `%s` | %s → %s | %s |%s\n", id, c.Field, cell(code(c.Current)), cell(code(c.Desired)), cell(e), extra(cloud))
		}
		rows++
	}
	if r.anyChange(drifted) {
		fmt.Fprintf(&b, "\n%s\n", driftNote)
	}
	if r.Refreshed {
		r.writeDriftMarkdown(&b)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n_Note:_ %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (r Report) summary() string {
	s := r.Summary
	return fmt.Sprintf("%d to create, %d to change, %d to delete, %d unchanged", s.Create, s.Change, s.Delete, s.Unchanged)
}

func effect(c FieldChange) string {
	if c.When == "" {
		return c.Effect
	}
	return c.Effect + ", " + c.When
}

func code(s string) string {
	if strings.HasPrefix(s, "(") {
		return s
	}
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}

func cell(s string) string { return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s) }
