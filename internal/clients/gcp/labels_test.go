package gcp_test

import (
	"strings"
	"testing"

	"github.com/stateful-dev/provider-stateful/internal/clients/gcp"
)

func TestValidLabels(t *testing.T) {
	cases := map[string]struct {
		reason string
		labels map[string]string
		errHas string
	}{
		"Valid":      {reason: "Lowercase, digits, '_' and '-'.", labels: map[string]string{"team": "data-platform_2", "env": ""}},
		"UpperKey":   {reason: "Keys are lowercase.", labels: map[string]string{"Team": "x"}, errHas: `label key "Team"`},
		"DigitFirst": {reason: "Keys start with a letter.", labels: map[string]string{"1team": "x"}, errHas: `label key "1team"`},
		"SlashKey":   {reason: "No '/' (AWS-style keys do not carry over).", labels: map[string]string{"stateful.dev/team": "x"}, errHas: "label key"},
		"DotValue":   {reason: "No '.' in values.", labels: map[string]string{"host": "a.b"}, errHas: `value "a.b"`},
		"LongValue":  {reason: "At most 63 characters.", labels: map[string]string{"k": strings.Repeat("a", 64)}, errHas: "at most 63"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := gcp.ValidLabels(tc.labels)
			if (tc.errHas == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.errHas)) {
				t.Errorf("%s\nValidLabels(%v) = %v, want an error with %q", tc.reason, tc.labels, err, tc.errHas)
			}
		})
	}
}
