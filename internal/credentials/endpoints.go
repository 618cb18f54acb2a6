package credentials

import (
	"context"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

// An EndpointPattern is one address an administrator allows namespaced ProviderConfigs to name as an endpoint
// (--allowed-endpoint): [scheme://]host[:port].
//
//   - scheme, when given, is http or https: only that one (for a gRPC endpoint, insecure is http, TLS https).
//     Without it, both.
//   - host is a name or an IP address as the endpoint spells it ("127.0.0.1", "[::1]", "s3.example.com"), or
//     "*.example.com" (every name ending in ".example.com", not example.com itself), or "*" (any host).
//     Names are compared without case and are not resolved: a name is allowed as written.
//   - port, when given, is a number or "*"; without it, every port of the host.
//
// No path, user or query: an endpoint's path is not what decides where the provider's requests go.
type EndpointPattern struct {
	scheme string // "", "http" or "https"
	host   string // lower case; "*" any; "*.suffix"
	port   string // "" or "*" any
}

// ParseEndpointPattern parses an --allowed-endpoint value.
func ParseEndpointPattern(s string) (EndpointPattern, error) {
	p := EndpointPattern{}
	rest := s
	if scheme, after, ok := strings.Cut(s, "://"); ok {
		if scheme != "http" && scheme != "https" {
			return p, errors.Errorf("%q: the scheme must be http or https", s)
		}
		p.scheme, rest = scheme, after
	}
	if rest == "" || strings.ContainsAny(rest, "/?#@ \t") {
		return p, errors.Errorf("%q is not [http[s]://]host[:port]: no path, user or query", s)
	}
	host, port, err := net.SplitHostPort(rest)
	if err != nil {
		// No port: the whole rest is the host (an IPv6 address in brackets, or a name).
		host, port = strings.TrimSuffix(strings.TrimPrefix(rest, "["), "]"), ""
		if strings.Contains(host, ":") && net.ParseIP(host) == nil {
			return p, errors.Errorf("%q is not [http[s]://]host[:port]", s)
		}
	} else if port != "*" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return p, errors.Errorf("%q: the port must be a number or *", s)
		}
	}
	host = strings.ToLower(host)
	switch {
	case host == "":
		return p, errors.Errorf("%q names no host", s)
	case host != "*" && strings.Contains(strings.TrimPrefix(host, "*."), "*"):
		return p, errors.Errorf("%q: a wildcard is allowed only as the whole host or its first label (*.example.com)", s)
	}
	p.host, p.port = host, port
	return p, nil
}

func (p EndpointPattern) String() string {
	s := p.host
	if strings.Contains(s, ":") {
		s = "[" + s + "]"
	}
	if p.port != "" {
		s += ":" + p.port
	}
	if p.scheme != "" {
		s = p.scheme + "://" + s
	}
	return s
}

// admits reports whether the pattern allows an endpoint reached with scheme ("http" or "https") at host and port
// (explicit: the scheme's default port when the endpoint names none).
func (p EndpointPattern) admits(scheme, host, port string) bool {
	if p.scheme != "" && p.scheme != scheme {
		return false
	}
	if p.port != "" && p.port != "*" && p.port != port {
		return false
	}
	host = strings.ToLower(host)
	switch {
	case p.host == "*":
		return true
	case strings.HasPrefix(p.host, "*."):
		return strings.HasSuffix(host, p.host[1:]) && len(host) >= len(p.host)
	}
	if a, b := net.ParseIP(p.host), net.ParseIP(host); a != nil && b != nil {
		return a.Equal(b)
	}
	return p.host == host
}

// WithAllowedEndpoints sets the endpoints namespaced configs may name (aws.endpoint.url, gcp.endpoints.*,
// vault.address). Unset, none: a namespaced config then reaches only the clouds' own endpoints. Call it before the
// resolver is used.
func (r *Resolver) WithAllowedEndpoints(ps []EndpointPattern) { r.allowedEndpoints = ps }

// An endpoint is one address a config names, and where in the spec it does.
type endpoint struct {
	field string
	// url is an http(s) URL; or, for a gRPC endpoint, empty and address is host:port.
	url      string
	address  string
	insecure bool
}

// endpointsOf lists the endpoints a config's section names: "aws", "gcp", or "" for every section and Vault.
func endpointsOf(spec v1alpha1.ProviderConfigSpec, section string) []endpoint {
	var eps []endpoint
	if (section == "" || section == "aws") && spec.AWS != nil && spec.AWS.Endpoint != nil {
		eps = append(eps, endpoint{field: "aws.endpoint.url", url: spec.AWS.Endpoint.URL})
	}
	if (section == "" || section == "gcp") && spec.GCP != nil && spec.GCP.Endpoints != nil {
		e := spec.GCP.Endpoints
		if e.Storage != nil {
			eps = append(eps, endpoint{field: "gcp.endpoints.storage", url: *e.Storage})
		}
		if e.PubSub != nil {
			eps = append(eps, endpoint{field: "gcp.endpoints.pubsub.address", address: e.PubSub.Address, insecure: e.PubSub.Insecure})
		}
		if e.Bigtable != nil {
			eps = append(eps, endpoint{field: "gcp.endpoints.bigtable.address", address: e.Bigtable.Address, insecure: e.Bigtable.Insecure})
		}
	}
	return eps
}

// checkEndpoints refuses, for a namespaced config, an endpoint of section (see endpointsOf) that no
// --allowed-endpoint pattern admits: the provider would send requests — signed with the tenant's credentials,
// but from the provider's network and holding one of its workers until they are answered — wherever a tenant
// chooses. A ClusterProviderConfig is the administrator's own and is not restricted. It reads only the config:
// it runs on every connect, before any credential or cloud call.
func (r *Resolver) checkEndpoints(pc config, section string) error {
	if pc.namespace == "" {
		return nil
	}
	for _, e := range endpointsOf(pc.spec, section) {
		if err := r.admitEndpoint(pc, e); err != nil {
			return err
		}
	}
	return nil
}

func (r *Resolver) admitEndpoint(pc config, e endpoint) error {
	scheme, host, port, shown := "https", "", "", e.address
	if e.url != "" {
		u, err := url.Parse(e.url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.Errorf("%s: %s is not an http:// or https:// URL", pc, e.field)
		}
		scheme, host, port, shown = u.Scheme, u.Hostname(), u.Port(), u.Redacted()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[scheme]
		}
	} else {
		h, p, err := net.SplitHostPort(e.address)
		if err != nil {
			return errors.Errorf("%s: %s is not host:port", pc, e.field)
		}
		host, port = h, p
		if e.insecure {
			scheme = "http"
		}
	}
	for _, p := range r.allowedEndpoints {
		if p.admits(scheme, host, port) {
			return nil
		}
	}
	return &NotAllowedError{msg: pc.String() + ": " + e.field + " " + shown +
		" is not an endpoint the platform allows namespaced ProviderConfigs to use (the provider's --allowed-endpoint); " +
		"ask a platform administrator, or leave it unset for the cloud's own endpoint"}
}

// A NotAllowedError says that a namespaced config names something only an administrator can allow: an endpoint,
// a Vault address, a token audience. The config's status shows it as reason NotAllowed.
type NotAllowedError struct{ msg string }

func (e *NotAllowedError) Error() string { return e.msg }

// IsNotAllowed reports whether err is a NotAllowedError.
func IsNotAllowed(err error) bool {
	var na *NotAllowedError
	return errors.As(err, &na)
}

// CheckAllowed checks, without any network call, everything of a namespaced config that only an administrator
// can allow: every endpoint it names, its Vault address and the audiences of its Vault Kubernetes auth. The
// config controllers show the refusal in the config's status; each managed resource's connect checks what it uses.
func (r *Resolver) CheckAllowed(ctx context.Context, ref ConfigRef) error {
	pc, err := r.getConfigByRef(ctx, ref)
	if err != nil {
		return err
	}
	if err := r.checkEndpoints(pc, ""); err != nil {
		return err
	}
	if v := pc.spec.Vault; v != nil {
		if err := r.checkVaultAddress(pc, v.Address); err != nil {
			return err
		}
		if v.Auth.Kubernetes != nil {
			return r.checkAudiences(pc, v.Auth.Kubernetes)
		}
	}
	return nil
}
