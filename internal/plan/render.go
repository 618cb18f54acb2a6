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
// may refuse to merge.
var Classes = []string{"create", "delete", "in-place", "restart", "long-running", "irreversible", "refused", "released", "unknown"}

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
		}
	}
	return out
}

// WriteJSON writes the report as JSON (Version is its schema).
func (r Report) WriteJSON(w io.Writer) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(r)
}

// WriteText writes the report for a terminal: one block per resource that is not unchanged, its changes aligned.
func (r Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, res := range r.Resources {
		if res.Action == Unchanged {
			continue
		}
		fmt.Fprintf(tw, "%s %s/%s (%s): %s\n", res.Kind, res.Namespace, res.Name, res.APIVersion, res.Action)
		if res.Action == Delete {
			fmt.Fprintf(tw, "  %s\n", res.Deletion)
		}
		for _, c := range res.Changes {
			fmt.Fprintf(tw, "  %s\t%s → %s\t%s\n", c.Field, c.Current, c.Desired, effect(c))
		}
	}
	fmt.Fprintf(tw, "%s\n", r.summary())
	return tw.Flush()
}

// WriteMarkdown writes the report for a pull-request comment: a summary line and one table of every change.
func (r Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "**Plan:** %s\n\n", r.summary())
	rows := 0
	for _, res := range r.Resources {
		if res.Action == Unchanged {
			continue
		}
		if rows == 0 {
			b.WriteString("| resource | action | field | current → desired | effect |\n|---|---|---|---|---|\n")
		}
		id := fmt.Sprintf("%s `%s/%s`", res.Kind, res.Namespace, res.Name)
		switch res.Action {
		case Create:
			fmt.Fprintf(&b, "| %s | create | | | |\n", id)
		case Delete:
			fmt.Fprintf(&b, "| %s | **delete** | | | %s |\n", id, cell(res.Deletion))
		}
		for _, c := range res.Changes {
			e := effect(c)
			if c.Source != "" {
				e = "[" + e + "](" + c.Source + ")"
			}
			fmt.Fprintf(&b, "| %s | change | `%s` | %s → %s | %s |\n", id, c.Field, cell(code(c.Current)), cell(code(c.Desired)), cell(e))
		}
		rows++
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
