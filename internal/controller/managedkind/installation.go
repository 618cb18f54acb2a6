package managedkind

import (
	"regexp"
	"slices"
	"sync/atomic"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// An Installation is the identity of one provider installation, recorded in every marker it writes.
//
// Ownership used to be namespace/name alone: two live clusters applying the same Git repository (a blue/green
// migration, a partial outage) both owned every resource, fought over drift, and decommissioning the old one
// deleted what the new one managed. So the marker names the installation too. The identity is the
// administrator's (a flag), never derived from the cluster: a cluster rebuilt from Git after a loss must be the
// same owner, or it would be refused everything it made.
type Installation struct {
	// ID is this installation's identity.
	ID string
	// HandoverFrom are installations whose resources this one takes over: an explicit handover, after which the
	// other installation finds the resources another's and neither changes nor deletes them.
	HandoverFrom []string
}

// DefaultInstallation is the identity of an installation whose administrator chose none: every such
// installation is the same owner, as before installations were recorded.
const DefaultInstallation = "default"

// installationID is what the marker's installation part may hold: a GCPLabels label value (AWSTags tags allow more), so that
// one identity is spelt alike in every cloud.
var installationID = regexp.MustCompile(`^[a-z0-9]([-a-z0-9_]{0,61}[a-z0-9])?$`)

var current atomic.Pointer[Installation]

func init() { current.Store(&Installation{ID: DefaultInstallation}) }

// SetInstallation sets this process's installation, before any controller starts.
func SetInstallation(i Installation) error {
	for _, id := range append([]string{i.ID}, i.HandoverFrom...) {
		if !installationID.MatchString(id) {
			return errors.Errorf("installation %q: use 1 to 63 lowercase letters, digits, '-' and '_', starting and ending with a letter or digit", id)
		}
	}
	if slices.Contains(i.HandoverFrom, i.ID) {
		return errors.Errorf("installation %q cannot take over from itself", i.ID)
	}
	current.Store(&Installation{ID: i.ID, HandoverFrom: slices.Clone(i.HandoverFrom)})
	return nil
}

// CurrentInstallation is this process's installation.
func CurrentInstallation() Installation { return *current.Load() }

// ours reports whether a marker's installation part is this installation's: its own ID, one it takes over from,
// or none at all — a marker written before installations were recorded, which the next update upgrades in place
// rather than refuse everything an upgraded provider manages.
func (i Installation) ours(marked string) bool {
	return marked == "" || marked == i.ID || slices.Contains(i.HandoverFrom, marked)
}
