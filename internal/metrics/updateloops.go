package metrics

import "github.com/prometheus/client_golang/prometheus"

// UpdateLoopsStopped counts, by kind, the resources whose writes the update-loop breaker stopped: updates that left
// the cloud reporting the same values, again and again. Any increase is a comparison to fix, or a cloud that
// silently ignores a setting.
var UpdateLoopsStopped = prometheus.NewCounterVec(prometheus.CounterOpts{
	Namespace: "stateful",
	Name:      "update_loops_stopped_total",
	Help:      "Resources whose writes the update-loop breaker stopped (updates that left the cloud as it was), by kind.",
}, []string{"kind"})
