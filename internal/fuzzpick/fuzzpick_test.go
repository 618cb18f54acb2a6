package fuzzpick

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestChoices(t *testing.T) {
	cases := map[string]struct {
		reason string
		b      []byte
		want   []string
	}{
		"UsedUp": {reason: "With no bytes left every choice is the first option: unset, false, the first value.", b: nil, want: []string{"<nil>", "false", "a", "0"}},
		"Bytes":  {reason: "Each choice takes one byte, modulo its number of options.", b: []byte{2, 3, 4, 7}, want: []string{"y", "true", "b", "3"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := New(tc.b)
			ptr := "<nil>"
			if v := Ptr(p, "x", "y"); v != nil {
				ptr = *v
			}
			got := []string{ptr, map[bool]string{false: "false", true: "true"}[p.Bool()], One(p, "a", "b", "c"), string(rune('0' + p.Intn(4)))}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
