// Package metrics holds the provider's own Prometheus metrics (crossplane-runtime records the MR metrics).
package metrics

import "github.com/prometheus/client_golang/prometheus"

// CloudCalls counts every request the provider sends to a cloud API, each retry attempt included, by service,
// operation and outcome. Compared with a counting proxy in front of the cloud it shows hidden retries; in
// production it shows which kinds and operations cost API quota.
var CloudCalls = prometheus.NewCounterVec(prometheus.CounterOpts{
	Namespace: "stateful",
	Name:      "cloud_requests_total",
	Help:      "Requests sent to cloud APIs, each attempt counted, by service, operation and outcome (HTTP status class or error).",
}, []string{"cloud", "service", "operation", "outcome"})
