package metrics

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// KubeRequests counts the provider's requests to the Kubernetes API by verb and resource. client-go's own
// rest_client_requests_total has no resource label, so it cannot tell writes to managed resources from events,
// Secrets or Leases; `make bench` reads this one for "requests per managed resource to Ready".
var KubeRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
	Namespace: "stateful",
	Name:      "kube_requests_total",
	Help: "Requests sent to the Kubernetes API, by verb (get, list, watch, create, update, patch, delete, deletecollection) " +
		"and resource (resource.group[/subresource]).",
}, []string{"verb", "resource"})

// CountKubeRequests wraps a Kubernetes client transport so that every request is counted in KubeRequests.
func CountKubeRequests(rt http.RoundTripper) http.RoundTripper { return kubeCounter{next: rt} }

type kubeCounter struct{ next http.RoundTripper }

func (k kubeCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	verb, resource := KubeRequest(r.Method, r.URL)
	KubeRequests.WithLabelValues(verb, resource).Inc()
	return k.next.RoundTrip(r)
}

// KubeRequest names a Kubernetes API request the way the API server's audit log does: its verb, and its resource as
// resource.group (core resources without a group), with the subresource after a slash. Paths that name no
// resource (discovery, /version) are "discovery".
func KubeRequest(method string, u *url.URL) (verb, resource string) {
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	group := ""
	switch {
	case len(segs) >= 2 && segs[0] == "api":
		segs = segs[2:]
	case len(segs) >= 3 && segs[0] == "apis":
		group, segs = segs[1], segs[3:]
	default:
		segs = nil
	}
	// namespaces/<ns>/<resource>/...; namespaces and namespaces/<name> are the Namespace resource itself.
	if len(segs) >= 3 && segs[0] == "namespaces" {
		segs = segs[2:]
	}
	if len(segs) == 0 {
		return strings.ToLower(method), "discovery"
	}
	resource = segs[0]
	if group != "" {
		resource += "." + group
	}
	named := len(segs) >= 2
	if len(segs) >= 3 {
		resource += "/" + segs[2]
	}
	switch method {
	case http.MethodGet:
		switch {
		case u.Query().Get("watch") == "true" || u.Query().Get("watch") == "1":
			verb = "watch"
		case named:
			verb = "get"
		default:
			verb = "list"
		}
	case http.MethodPost:
		verb = "create"
	case http.MethodPut:
		verb = "update"
	case http.MethodPatch:
		verb = "patch"
	case http.MethodDelete:
		verb = "delete"
		if !named {
			verb = "deletecollection"
		}
	default:
		verb = strings.ToLower(method)
	}
	return verb, resource
}
