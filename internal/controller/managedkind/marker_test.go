package managedkind

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// GCPLabels label keys and values: lowercase letters, digits, '_' and '-'; a key starts with a letter; 63 at most.
var (
	validLabelKey   = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
	validLabelValue = regexp.MustCompile(`^[a-z0-9_-]{0,63}$`)
)

func object(ns, name, uid string) *metav1.ObjectMeta {
	return &metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(uid)}
}

func TestGCPMarker(t *testing.T) {
	long := strings.Repeat("a", 60) + ".example.com"
	cases := map[string]struct {
		reason string
		mg     *metav1.ObjectMeta
		want   map[string]string
	}{
		"Plain": {
			reason: "A DNS-label name is its own label value.",
			mg:     object("team-a", "orders", "0b9f6c2e-1a2b-4c3d-8e9f-001122334455"),
			want:   map[string]string{"stateful-dev_namespace": "team-a", "stateful-dev_name": "orders", "stateful-dev_uid": "0b9f6c2e-1a2b-4c3d-8e9f-001122334455", "stateful-dev_installation": "default"},
		},
		"Dots": {
			reason: "Dots, which labels do not allow, become underscores, which Kubernetes names never have.",
			mg:     object("team-a", "assets.example.com", "u"),
			want:   map[string]string{"stateful-dev_namespace": "team-a", "stateful-dev_name": "assets_example_com", "stateful-dev_uid": "u", "stateful-dev_installation": "default"},
		},
		"Long": {
			reason: "A name longer than a label value keeps its first 50 characters and a hash of the whole.",
			mg:     object("team-a", long, "u"),
			want:   map[string]string{"stateful-dev_namespace": "team-a", "stateful-dev_name": long[:50] + "-" + gcpLabelValueHash(long), "stateful-dev_uid": "u", "stateful-dev_installation": "default"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := GCPLabels.Tags(tc.mg)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nGCP.Tags(...): -want, +got:\n%s", tc.reason, diff)
			}
			for k, v := range got {
				if !validLabelKey.MatchString(k) || !validLabelValue.MatchString(v) {
					t.Errorf("%s\nnot a valid GCPLabels label: %q=%q", tc.reason, k, v)
				}
			}
			o, ok := GCPLabels.OwnerOf(got)
			if !ok || !o.Is(tc.mg) {
				t.Errorf("%s\nthe owner read back from the labels is not the resource: %+v", tc.reason, o)
			}
		})
	}
}

func gcpLabelValueHash(v string) string { return GCPLabels.spell(v)[51:] }

func TestGCPMarkerTellsNamesApart(t *testing.T) {
	long := strings.Repeat("b", 60)
	cases := map[string]struct {
		reason      string
		mine, other *metav1.ObjectMeta
	}{
		"Namespace": {reason: "Another namespace is another owner.", mine: object("team-a", "orders", "u"), other: object("team-b", "orders", "u")},
		"Name":      {reason: "Another name is another owner.", mine: object("team-a", "orders", "u"), other: object("team-a", "orders-2", "u")},
		"Dashes":    {reason: "A dot is not spelt as a dash.", mine: object("team-a", "assets.example", "u"), other: object("team-a", "assets-example", "u")},
		"LongNames": {reason: "Two long names with the same first 50 characters differ by their hash.", mine: object("team-a", long+"-y", "u"), other: object("team-a", long+"-x", "u")},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if o, _ := GCPLabels.OwnerOf(GCPLabels.Tags(tc.mine)); o.Is(tc.other) {
				t.Errorf("%s\nthe marker of %s/%s also names %s/%s", tc.reason, tc.mine.Namespace, tc.mine.Name, tc.other.Namespace, tc.other.Name)
			}
		})
	}
}
