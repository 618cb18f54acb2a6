package main

import (
	"sort"
	"time"

	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// pollGaps is how regularly each resource was polled over [start, end]: the longest time any resource of names
// went unobserved (from start to its first poll, between two polls, from its last poll to end), and how many
// resources went unobserved longer than limit. A poll is a call whose operation is in ops, about the resource.
// The gap before the first poll counts because every resource was observed (it became Ready) before start; the
// gap after the last counts so that a resource the provider stopped polling is not missed.
func pollGaps(calls []harness.Call, ops map[string]bool, names []string, start, end time.Time, limit time.Duration) (longest time.Duration, late int) {
	at := map[string][]time.Time{}
	for _, c := range calls {
		if ops[c.Operation] && !c.At.Before(start) && !c.At.After(end) {
			at[c.Bucket] = append(at[c.Bucket], c.At)
		}
	}
	for _, n := range names {
		ts := append([]time.Time{start}, at[n]...)
		ts = append(ts, end)
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
		worst := time.Duration(0)
		for i := 1; i < len(ts); i++ {
			worst = max(worst, ts[i].Sub(ts[i-1]))
		}
		longest = max(longest, worst)
		if worst > limit {
			late++
		}
	}
	return longest, late
}
