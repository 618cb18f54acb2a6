package plan

import (
	"fmt"
	"strings"
)

// missingText says a cloud resource is not there now.
const missingText = "the cloud resource does not exist: the provider makes it where the management policies allow Create"

// cloudNow is a drifted field's cloud value as printed.
func cloudNow(d Drift) string {
	if d.Cloud == "" {
		return "(not reported)"
	}
	return d.Cloud
}

// driftSummary counts what the refresh found: the fields drifted now, those the merge reverts, and the resources
// whose cloud could not be read.
func (r Report) driftSummary() string {
	fields, byMerge, unread := 0, 0, 0
	for _, res := range r.Resources {
		fields += len(res.Drift)
		for _, d := range res.Drift {
			if d.Reverted == RevertedByMerge {
				byMerge++
			}
		}
		if res.RefreshError != "" {
			unread++
		}
	}
	return fmt.Sprintf("read from the cloud now: %d fields drifted, %d reverted by this merge; %d resources not read", fields, byMerge, unread)
}

// writeDriftMarkdown adds to a refreshed plan's comment the drift the cloud holds now, and the resources it could
// not read.
func (r Report) writeDriftMarkdown(b *strings.Builder) {
	fmt.Fprintf(b, "\n**Read from the cloud now:** %s\n", strings.TrimPrefix(r.driftSummary(), "read from the cloud now: "))
	rows := 0
	for _, res := range r.Resources {
		id := fmt.Sprintf("%s `%s/%s`", res.Kind, res.Namespace, res.Name)
		for _, d := range res.Drift {
			if rows == 0 {
				b.WriteString("\n| resource | drifted field | spec | cloud now | what becomes of it |\n|---|---|---|---|---|\n")
			}
			rows++
			fmt.Fprintf(b, "| %s | `%s` | %s | %s | %s |\n", id, d.Field, cell(code(d.Spec)), cell(code(cloudNow(d))), cell(revertedText[d.Reverted]))
		}
	}
	for _, res := range r.Resources {
		if res.CloudMissing {
			fmt.Fprintf(b, "\n_Cloud now:_ %s `%s/%s`: %s\n", res.Kind, res.Namespace, res.Name, missingText)
		}
		if res.RefreshError != "" {
			fmt.Fprintf(b, "\n_Cloud not read:_ %s `%s/%s`: %s\n", res.Kind, res.Namespace, res.Name, cell(res.RefreshError))
		}
	}
}
