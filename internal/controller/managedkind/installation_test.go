package managedkind

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// withInstallation runs the rest of a test as installation i. Tests that use it are not parallel: the
// installation is the process's.
func withInstallation(t *testing.T, i Installation) {
	t.Helper()
	was := CurrentInstallation()
	if err := SetInstallation(i); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { current.Store(&was) })
}

func TestInstallationOwnership(t *testing.T) {
	marked := func(installation string) map[string]string {
		tags := ownedTags(nil)
		if installation == "" {
			delete(tags, AWSTags.InstallationKey)
		} else {
			tags[AWSTags.InstallationKey] = installation
		}
		return tags
	}
	cases := map[string]struct {
		reason      string
		self        Installation
		tags        map[string]string
		want        Verdict
		inNamespace bool
		errHas      string
	}{
		"Own": {
			reason: "A marker of this installation is its own.",
			self:   Installation{ID: "green"}, tags: marked("green"), want: OwnedByCR, inNamespace: true,
		},
		"OlderMarker": {
			reason: "A marker written before installations were recorded is upgraded in place, never refused.",
			self:   Installation{ID: "green"}, tags: marked(""), want: OwnedByCR, inNamespace: true,
		},
		"OtherInstallation": {
			reason: "Another live installation's resource, same namespace and name, is refused with what to do.",
			self:   Installation{ID: "green"}, tags: marked("blue"), want: OwnedByOther,
			errHas: `bucket "data" belongs to Bucket team-a/data of provider installation blue (this one is green; to take its resources over, stop it and start this provider with --handover-from=blue)`,
		},
		"Handover": {
			reason: "An explicit handover takes the other installation's resources.",
			self:   Installation{ID: "green", HandoverFrom: []string{"blue"}}, tags: marked("blue"), want: OwnedByCR, inNamespace: true,
		},
		"HandoverIsPerInstallation": {
			reason: "A handover from blue takes nothing of a third installation.",
			self:   Installation{ID: "green", HandoverFrom: []string{"blue"}}, tags: marked("red"), want: OwnedByOther,
			errHas: "of provider installation red",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			withInstallation(t, tc.self)
			got, err := AWSTags.Judge(bucket(), false, nil, tc.tags)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nJudge: -want +got:\n%s", tc.reason, diff)
			}
			if got := AWSTags.InNamespace(tc.tags, "team-a"); got != tc.inNamespace {
				t.Errorf("%s\nInNamespace: want %t, got %t", tc.reason, tc.inNamespace, got)
			}
			_, err = testOwn.Apply(context.Background(), bucket(), "data", tc.tags)
			if tc.errHas == "" && err != nil || tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)) {
				t.Errorf("%s\nApply: want %q, got %v", tc.reason, tc.errHas, err)
			}
			if diff := cmp.Diff(tc.self.ID, AWSTags.Tags(bucket())[AWSTags.InstallationKey]); diff != "" {
				t.Errorf("%s\nthe marker written names this installation: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSetInstallation(t *testing.T) {
	for id, ok := range map[string]bool{"default": true, "prod-eu_1": true, "": false, "Prod": false, "-x": false, strings.Repeat("a", 64): false} {
		was := CurrentInstallation()
		err := SetInstallation(Installation{ID: id})
		current.Store(&was)
		if (err == nil) != ok {
			t.Errorf("installation %q: want accepted %t, got %v", id, ok, err)
		}
	}
	if err := SetInstallation(Installation{ID: "green", HandoverFrom: []string{"green"}}); err == nil {
		t.Error("an installation that takes over from itself is refused")
	}
}
