package managedkind

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDesiredTags(t *testing.T) {
	cases := map[string]struct {
		reason   string
		spec     map[string]string
		defaults map[string]string
		want     map[string]string
	}{
		"OwnershipOnly": {reason: "A Bucket without tags still carries its ownership tags.", want: ownedTags(nil)},
		"SpecOverridesDefaults": {
			reason:   "Spec tags win over the ProviderConfig's default tags on a key conflict.",
			spec:     map[string]string{"env": "prod"},
			defaults: map[string]string{"env": "dev", "cost-center": "42"},
			want:     ownedTags(map[string]string{"env": "prod", "cost-center": "42"}),
		},
		"OwnershipWins": {
			reason:   "Default tags cannot override ownership tags.",
			defaults: map[string]string{AWSTags.NameKey: "hijack"},
			want:     ownedTags(nil),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, AWSTags.DesiredTags(bucket(), tc.spec, tc.defaults)); diff != "" {
				t.Errorf("%s\ndesiredTags(...): -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestTagDiff(t *testing.T) {
	ignore := []string{"aws:", "org/"}
	cases := map[string]struct {
		reason            string
		desired, observed map[string]string
		want              []string
	}{
		"InSync":  {reason: "Equal sets differ in nothing.", desired: map[string]string{"a": "1"}, observed: map[string]string{"a": "1"}},
		"Missing": {reason: "A desired key not in the cloud differs.", desired: map[string]string{"a": "1"}, want: []string{"a"}},
		"Changed": {reason: "A changed value differs.", desired: map[string]string{"a": "1"}, observed: map[string]string{"a": "2"}, want: []string{"a"}},
		"Extra":   {reason: "An unmanaged extra key differs (it will be removed).", desired: map[string]string{"a": "1"}, observed: map[string]string{"a": "1", "b": "2"}, want: []string{"b"}},
		"Ignored": {
			reason:   "Keys under ignored prefixes never differ.",
			desired:  map[string]string{"a": "1"},
			observed: map[string]string{"a": "1", "aws:cloudformation:stack-name": "s", "org/cost": "9"},
		},
		"Sorted": {reason: "The result is sorted, so event messages are stable.", desired: map[string]string{"z": "1", "a": "1"}, want: []string{"a", "z"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, TagDiff(tc.desired, tc.observed, ignore)); diff != "" {
				t.Errorf("%s\ntagDiff(...): -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestTagChanges(t *testing.T) {
	ignore := []string{"aws:", "org/"}
	set, remove := TagChanges(
		map[string]string{"a": "1", "b": "2", "c": "3"},
		map[string]string{"a": "1", "b": "old", "x": "9", "aws:y": "1", "org/z": "2", "w": "0"}, ignore)
	if diff := cmp.Diff(map[string]string{"b": "2", "c": "3"}, set); diff != "" {
		t.Errorf("Changed and missing keys are set, unchanged ones not: -want +got:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"w", "x"}, remove); diff != "" {
		t.Errorf("Extra keys are removed, sorted, ignored prefixes kept: -want +got:\n%s", diff)
	}
}

func TestIgnoredPrefixes(t *testing.T) {
	prefixes := []string{"org/"}
	desired := ownedTags(nil)
	observed := ownedTags(map[string]string{"team": "legacy", "org/cost": "9"})
	if d := TagDiff(desired, observed, IgnoredPrefixes(nil, prefixes)); len(d) != 0 {
		t.Errorf("Tags unset in the spec are unmanaged: other tools' keys are kept, got diff %v", d)
	}
	if d := TagDiff(desired, observed, IgnoredPrefixes(map[string]string{}, prefixes)); !cmp.Equal(d, []string{"team"}) {
		t.Errorf("tags: {} says no tags of its own: keys outside the ignored prefixes are removed, got diff %v", d)
	}
}

func TestReplacedSet(t *testing.T) {
	got := ReplacedSet(map[string]string{"goog-managed": "x", "other-tool": "y", "stale": "z", "team": "a"}, map[string]string{"team": "b", "new": "c"}, []string{"stale"})
	want := map[string]string{"goog-managed": "x", "other-tool": "y", "team": "b", "new": "c"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("The API replaces the set, so ignored and unmanaged keys are sent back as they are: -want, +got:\n%s", diff)
	}
}
