package managedkind

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestList(t *testing.T) {
	cases := map[string]struct {
		reason     string
		build      func(*Changes[int])
		wantFields []string
		wantDiff   string
		wantReqs   []int
	}{
		"Empty": {
			reason:     "No change is an empty diff: the resource is up to date.",
			build:      func(*Changes[int]) {},
			wantFields: []string{},
			wantDiff:   "",
			wantReqs:   []int{},
		},
		"OrderKept": {
			reason: "Changes are sent in the order they were added; a field that contributes two requests is named once.",
			build: func(l *Changes[int]) {
				l.Add("b", 1)
				l.AddIf(false, "skipped", func() int { t.Fatal("a change that does not differ is not built"); return 0 })
				l.AddIf(true, "a", func() int { return 2 })
				l.Add("b", 3)
				l.Add(TagField([]string{"team", "env"}), 4)
			},
			wantFields: []string{"b", "a", "tags[team,env]"},
			wantDiff:   "b; a; tags[team,env]",
			wantReqs:   []int{1, 2, 3, 4},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var l Changes[int]
			tc.build(&l)
			if diff := cmp.Diff(tc.wantFields, l.Fields()); diff != "" {
				t.Errorf("%s\nFields(): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantDiff, l.Diff()); diff != "" {
				t.Errorf("%s\nDiff(): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantReqs, l.Requests()); diff != "" {
				t.Errorf("%s\nRequests(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
