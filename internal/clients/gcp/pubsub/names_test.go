package pubsub

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"
)

func TestValidateID(t *testing.T) {
	for name, tc := range map[string]struct {
		id string
		ok bool
	}{
		"Plain": {"orders", true}, "Dotted": {"orders.v1", true}, "Short": {"ab", false},
		"Digit": {"1orders", false}, "Goog": {"google-orders", false}, "Slash": {"a/b", false},
	} {
		t.Run(name, func(t *testing.T) {
			if err := ValidateID("topic", tc.id); (err == nil) != tc.ok {
				t.Errorf("ValidateID(%q) = %v, want ok %t", tc.id, err, tc.ok)
			}
		})
	}
}

func TestQualifiedTopic(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"ID":       {"orders", "projects/p/topics/orders"},
		"FullName": {"projects/other/topics/orders", "projects/other/topics/orders"},
	} {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, QualifiedTopic("p", tc.in)); diff != "" {
				t.Errorf("-want, +got:\n%s", diff)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	for name, tc := range map[string]struct {
		reason string
		in     *string
		want   time.Duration
		err    string
	}{
		"Unset":    {reason: "Unset stays unset.", in: nil},
		"InBounds": {reason: "A duration within the bounds is kept.", in: ptr.To("1h30m"), want: 90 * time.Minute},
		"TooShort": {reason: "The error names the field and the bounds as a user writes them.", in: ptr.To("5m"), err: `spec.forProvider.messageRetentionDuration "5m": use a duration from 10m to 168h`},
		"Garbage":  {reason: "An unparsable duration is refused the same way.", in: ptr.To("1d"), err: `spec.forProvider.messageRetentionDuration "1d": use a duration from 10m to 168h`},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Duration("messageRetentionDuration", tc.in, 10*time.Minute, 168*time.Hour)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if diff := cmp.Diff(tc.err, gotErr); diff != "" {
				t.Errorf("%s\nerror: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want, got.AsDuration()); err == nil && tc.in != nil && diff != "" {
				t.Errorf("%s\n-want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
