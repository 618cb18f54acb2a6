// Changes are the one way every kind says "what differs → what to send": a typed list of changes, each
// naming the spec field it brings back (as the user wrote it, for the diff, the drift event and status) and
// carrying the request that does it. Building the list is pure — a kind's convert.go computes it from the spec and
// the observation, and its table tests compare the requests — and sending it is the external client's Update.

package managedkind

import "strings"

// A Change is one step from what the cloud has to what the spec says.
type Change[R any] struct {
	// Field is the spec field or group that differs: "visibilityTimeout", "globalSecondaryIndexes[byEmail]+",
	// "tags[team]".
	Field string
	// Request is what brings it back: an SDK request, or the part of one that this field contributes.
	Request R
}

// A Changes is the changes of one observation, in the order they are sent.
type Changes[R any] []Change[R]

// Add appends a change.
func (l *Changes[R]) Add(field string, r R) { *l = append(*l, Change[R]{Field: field, Request: r}) }

// AddIf appends a change when differs: the common "compare one field" line of a convert.go.
func (l *Changes[R]) AddIf(differs bool, field string, r func() R) {
	if differs {
		l.Add(field, r())
	}
}

// Fields names what differs, in order, each once.
func (l Changes[R]) Fields() []string {
	seen := make(map[string]bool, len(l))
	out := make([]string, 0, len(l))
	for _, c := range l {
		if !seen[c.Field] {
			seen[c.Field] = true
			out = append(out, c.Field)
		}
	}
	return out
}

// Diff is the managed reconciler's diff string: the fields that differ. It never carries values, which may be
// secret (a password) or large (a policy).
func (l Changes[R]) Diff() string { return strings.Join(l.Fields(), "; ") }

// Requests lists the requests, in order.
func (l Changes[R]) Requests() []R {
	out := make([]R, 0, len(l))
	for _, c := range l {
		out = append(out, c.Request)
	}
	return out
}

// TagField is how every kind names a tag change: the keys that differ.
func TagField(keys []string) string { return "tags[" + strings.Join(keys, ",") + "]" }

// LabelField is TagField for clouds that call them labels.
func LabelField(keys []string) string { return "labels[" + strings.Join(keys, ",") + "]" }
