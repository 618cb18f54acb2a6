package plan

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// maxMessage is how much of a condition's message a line of the fleet report prints; the JSON has all of it.
const maxMessage = 200

// describe is a resource's state in words: "would change: a, b", "not ready: ReconcileError: …".
func (r FleetResource) describe(limit int) string {
	detail := func() string {
		m := strings.Join(strings.Fields(r.Message), " ")
		if rs := []rune(m); limit > 0 && len(rs) > limit {
			m = string(rs[:limit-1]) + "…"
		}
		if m == "" {
			return r.Reason
		}
		return r.Reason + ": " + m
	}
	switch r.State {
	case InSync:
		return "in sync"
	case WouldChangeNothing:
		return "would change nothing"
	case WouldChange:
		return "would change: " + strings.Join(r.Fields, ", ")
	case DriftHeld:
		return "drift held: " + strings.Join(r.Fields, "; ")
	case NotReady:
		return "not ready: " + detail()
	case Rejected:
		return "rejected: " + detail()
	}
	return string(r.State)
}

func (s FleetSummary) String() string {
	return fmt.Sprintf("%d resources: %d in sync, %d would change nothing, %d would change, %d drift held, %d not ready, %d rejected",
		s.Resources, s.InSync, s.WouldChangeNothing, s.WouldChange, s.DriftHeld, s.NotReady, s.Rejected)
}

func (r Report) writeFleetText(w io.Writer) error {
	var b strings.Builder
	for _, res := range r.Fleet.Resources {
		fmt.Fprintf(&b, "%s %s/%s (%s): %s\n", res.Kind, res.Namespace, res.Name, res.APIVersion, res.describe(maxMessage))
	}
	fmt.Fprintf(&b, "%s\n", r.Fleet.Summary)
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (r Report) writeFleetMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "**Fleet:** %s\n\n", r.Fleet.Summary)
	for i, res := range r.Fleet.Resources {
		if i == 0 {
			b.WriteString("| resource | state |\n|---|---|\n")
		}
		fmt.Fprintf(&b, "| %s `%s/%s` | %s |\n", res.Kind, res.Namespace, res.Name, cell(res.describe(maxMessage)))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\n_Note:_ %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// findings are the fleet's resources in the --fail-on classes named: would-change, drift (held), not-ready (a
// rejected spec too).
func (f Fleet) findings(classes []string) []string {
	var out []string
	for _, res := range f.Resources {
		id := res.Kind + " " + res.Namespace + "/" + res.Name
		switch {
		case res.State == WouldChange && slices.Contains(classes, "would-change"):
			out = append(out, id+": would change "+strings.Join(res.Fields, ", "))
		case res.State == DriftHeld && slices.Contains(classes, "drift"):
			out = append(out, id+": drift held in "+strings.Join(res.Fields, "; "))
		case (res.State == NotReady || res.State == Rejected) && slices.Contains(classes, "not-ready"):
			out = append(out, id+": "+string(res.State)+" ("+res.Reason+")")
		}
	}
	return out
}
