package credentials

import (
	"context"
	"strings"
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

func patterns(t *testing.T, ss ...string) []EndpointPattern {
	t.Helper()
	var ps []EndpointPattern
	for _, s := range ss {
		p, err := ParseEndpointPattern(s)
		if err != nil {
			t.Fatalf("ParseEndpointPattern(%q): %v", s, err)
		}
		ps = append(ps, p)
	}
	return ps
}

func TestParseEndpointPattern(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     string
		want   string // String() of the parsed pattern; empty when an error is wanted
	}{
		"Host":          {reason: "A bare host, every port and scheme.", in: "S3.Example.com", want: "s3.example.com"},
		"HostPort":      {reason: "A host and a port.", in: "127.0.0.1:5055", want: "127.0.0.1:5055"},
		"SchemeAnyPort": {reason: "A scheme and any port.", in: "https://*.example.com:*", want: "https://*.example.com:*"},
		"IPv6":          {reason: "An IPv6 address in brackets.", in: "[::1]:8200", want: "[::1]:8200"},
		"IPv6NoPort":    {reason: "An IPv6 address in brackets, every port.", in: "[::1]", want: "[::1]"},
		"Any":           {reason: "Any host: the administrator's explicit choice.", in: "*", want: "*"},
		"Path":          {reason: "A path does not decide where requests go: refused.", in: "https://vault.example.com/v1"},
		"User":          {reason: "No user part.", in: "https://u@vault.example.com"},
		"Scheme":        {reason: "Only http and https.", in: "ftp://example.com"},
		"InnerWildcard": {reason: "A wildcard is the whole host or its first label.", in: "s3.*.example.com"},
		"SuffixGlob":    {reason: "No partial-label wildcard: *example.com would admit evilexample.com.", in: "*example.com"},
		"BadPort":       {reason: "A port is a number.", in: "example.com:http"},
		"Empty":         {reason: "Nothing.", in: "https://"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := ParseEndpointPattern(tc.in)
			switch {
			case tc.want == "" && err == nil:
				t.Errorf("%s\nParseEndpointPattern(%q): want an error, got %s", tc.reason, tc.in, p)
			case tc.want != "" && err != nil:
				t.Errorf("%s\nParseEndpointPattern(%q): %v", tc.reason, tc.in, err)
			case tc.want != "" && p.String() != tc.want:
				t.Errorf("%s\nParseEndpointPattern(%q): want %s, got %s", tc.reason, tc.in, tc.want, p)
			}
		})
	}
}

func TestCheckEndpoints(t *testing.T) {
	namespaced := func(spec v1alpha1.ProviderConfigSpec) config {
		return config{kind: "ProviderConfig", namespace: "team-a", name: "pc", spec: spec}
	}
	aws := func(url string) v1alpha1.ProviderConfigSpec {
		return v1alpha1.ProviderConfigSpec{AWS: &v1alpha1.AWSConfig{Endpoint: &v1alpha1.AWSEndpoint{URL: url}}}
	}
	gcp := func(e v1alpha1.GCPEndpoints) v1alpha1.ProviderConfigSpec {
		return v1alpha1.ProviderConfigSpec{GCP: &v1alpha1.GCPConfig{Endpoints: &e}}
	}
	cases := map[string]struct {
		reason  string
		allowed []string
		pc      config
		section string
		errHas  string
	}{
		"NoOverride": {reason: "The cloud's own endpoints need no allowance.", pc: namespaced(v1alpha1.ProviderConfigSpec{AWS: &v1alpha1.AWSConfig{}})},
		"NotAllowed": {
			reason: "By default a namespaced config names no endpoint of its own.", pc: namespaced(aws("http://10.0.0.5:9000")), section: "aws",
			errHas: "ProviderConfig team-a/pc: aws.endpoint.url http://10.0.0.5:9000 is not an endpoint the platform allows",
		},
		"Cluster": {
			reason: "A ClusterProviderConfig is the administrator's own.", section: "aws",
			pc: config{kind: "ClusterProviderConfig", name: "default", spec: aws("http://169.254.169.254")},
		},
		"Host":        {reason: "A host pattern admits every port.", allowed: []string{"127.0.0.1"}, pc: namespaced(aws("http://127.0.0.1:5055")), section: "aws"},
		"DefaultPort": {reason: "An endpoint without a port is at its scheme's.", allowed: []string{"minio.example.com:443"}, pc: namespaced(aws("https://minio.example.com/")), section: "aws"},
		"OtherPort": {
			reason: "A pattern's port is the only one.", allowed: []string{"minio.example.com:9000"}, pc: namespaced(aws("https://minio.example.com:9001")), section: "aws",
			errHas: "is not an endpoint the platform allows",
		},
		"Scheme": {
			reason: "A pattern's scheme is the only one.", allowed: []string{"https://minio.example.com"}, pc: namespaced(aws("http://minio.example.com")), section: "aws",
			errHas: "is not an endpoint the platform allows",
		},
		"Suffix": {reason: "*.domain admits its subdomains.", allowed: []string{"*.svc.cluster.local"}, pc: namespaced(aws("http://minio.store.svc.cluster.local:9000")), section: "aws"},
		"SuffixLookalike": {
			reason: "*.domain admits no other domain that ends the same way.", allowed: []string{"*.example.com"}, pc: namespaced(aws("http://evilexample.com")), section: "aws",
			errHas: "is not an endpoint the platform allows",
		},
		"SuffixItself": {
			reason: "*.domain does not admit the domain itself.", allowed: []string{"*.example.com"}, pc: namespaced(aws("http://example.com")), section: "aws",
			errHas: "is not an endpoint the platform allows",
		},
		"UserInfo": {
			reason: "What is checked is the host the request goes to, not what precedes an @.", allowed: []string{"127.0.0.1"},
			pc: namespaced(aws("http://127.0.0.1:80@metadata.internal/")), section: "aws", errHas: "http://127.0.0.1:xxxxx@metadata.internal/ is not an endpoint",
		},
		"IPSpelling":      {reason: "IP addresses are compared as addresses.", allowed: []string{"[::ffff:127.0.0.1]"}, pc: namespaced(aws("http://127.0.0.1:1")), section: "aws"},
		"CaseInsensitive": {reason: "Host names without case.", allowed: []string{"MinIO.example.com"}, pc: namespaced(aws("http://minio.EXAMPLE.com")), section: "aws"},
		"GCPStorage": {
			reason: "gcp.endpoints.storage is checked.", allowed: []string{"127.0.0.1"}, section: "gcp",
			pc: namespaced(gcp(v1alpha1.GCPEndpoints{Storage: ptr.To("http://10.1.2.3:4443/storage/v1/")})), errHas: "gcp.endpoints.storage http://10.1.2.3:4443/storage/v1/",
		},
		"GCPInsecureGRPC": {
			reason: "An insecure gRPC endpoint is http: an https pattern does not admit it.", allowed: []string{"https://127.0.0.1"}, section: "gcp",
			pc: namespaced(gcp(v1alpha1.GCPEndpoints{PubSub: &v1alpha1.GCPGRPCEndpoint{Address: "127.0.0.1:8085", Insecure: true}})), errHas: "gcp.endpoints.pubsub.address 127.0.0.1:8085",
		},
		"GCPGRPC": {
			reason: "A TLS gRPC endpoint is https.", allowed: []string{"https://*.example.com"}, section: "gcp",
			pc: namespaced(gcp(v1alpha1.GCPEndpoints{Bigtable: &v1alpha1.GCPGRPCEndpoint{Address: "bt.example.com:443"}})),
		},
		"OtherSection": {
			reason: "An AWS resource is not refused for the config's GCP endpoints (the config's status says so).", section: "aws",
			pc: namespaced(gcp(v1alpha1.GCPEndpoints{Storage: ptr.To("http://10.1.2.3/")})),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := NewResolver(nil, nil, nil)
			r.WithAllowedEndpoints(patterns(t, tc.allowed...))
			err := r.checkEndpoints(tc.pc, tc.section)
			if tc.errHas == "" && err != nil || tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)) {
				t.Errorf("%s\ncheckEndpoints: want error %q, got %v", tc.reason, tc.errHas, err)
			}
			if err != nil && !IsNotAllowed(err) {
				t.Errorf("%s\nthe refusal is not a NotAllowedError: %v", tc.reason, err)
			}
		})
	}
}

// TestEndpointCheckedOnConnect: a namespaced config naming an endpoint the administrator does not allow is refused
// when a managed resource resolves it — before its Secret is read or an SDK configuration built — and
// CheckAllowed, which the config's status shows, refuses it too.
func TestEndpointCheckedOnConnect(t *testing.T) {
	pcRef := &xpv2.ProviderConfigReference{Kind: "ProviderConfig", Name: "pc"}
	spec := awsSpec(v1alpha1.AWSCredentialsSecret, &v1alpha1.AWSSecretCredentials{Name: "aws"})
	spec.AWS.Endpoint = &v1alpha1.AWSEndpoint{URL: "http://10.0.0.5:9000"}
	r, built := counting(&v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "pc"}, Spec: spec}, secret("team-a", "aws", "AKIA", "sk"))
	_, err := r.AWS(context.Background(), mr("team-a", pcRef))
	if err == nil || !IsNotAllowed(err) || !strings.Contains(err.Error(), "aws.endpoint.url http://10.0.0.5:9000 is not an endpoint the platform allows") {
		t.Errorf("AWS(): want the endpoint refused, got %v", err)
	}
	if len(*built) != 0 {
		t.Errorf("a refused config built %d SDK configurations", len(*built))
	}
	if err := r.CheckAllowed(context.Background(), ConfigRef{Kind: "ProviderConfig", Namespace: "team-a", Name: "pc"}); !IsNotAllowed(err) {
		t.Errorf("CheckAllowed: want NotAllowed, got %v", err)
	}

	r.WithAllowedEndpoints(patterns(t, "10.0.0.5:9000"))
	if _, err := r.AWS(context.Background(), mr("team-a", pcRef)); err != nil {
		t.Errorf("AWS() with the endpoint allowed: %v", err)
	}
	if err := r.CheckAllowed(context.Background(), ConfigRef{Kind: "ProviderConfig", Namespace: "team-a", Name: "pc"}); err != nil {
		t.Errorf("CheckAllowed with the endpoint allowed: %v", err)
	}
}
