package credentials

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/gcptest"
)

const saEmail = "deployer@test-project.iam.gserviceaccount.com"

func gcpSpec(c v1alpha1.GCPCredentials, mutate ...func(*v1alpha1.GCPConfig)) v1alpha1.ProviderConfigSpec {
	g := &v1alpha1.GCPConfig{ProjectID: "test-project", Credentials: c, DefaultLabels: map[string]string{"team": "data"}, IgnoreLabelPrefixes: []string{"billing-"}}
	for _, m := range mutate {
		m(g)
	}
	return v1alpha1.ProviderConfigSpec{GCP: g}
}

func keySecret(ns, name string, key []byte) *corev1.Secret {
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: map[string][]byte{"key.json": key}}
}

func clusterConfig(name string, spec v1alpha1.ProviderConfigSpec) *v1alpha1.ClusterProviderConfig {
	return &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("uid-" + name), Generation: 1}, Spec: spec}
}

func namespacedConfig(ns, name string, spec v1alpha1.ProviderConfigSpec) *v1alpha1.ProviderConfig {
	return &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID("uid-" + name), Generation: 1}, Spec: spec}
}

func token(t *testing.T, ts oauth2.TokenSource) string {
	t.Helper()
	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}

func TestGCPResolution(t *testing.T) {
	srv := gcptest.NewTokenServer(t)
	iam := gcptest.NewIAMServer(t)
	key := srv.Key(saEmail)
	keyFile := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(keyFile, key, 0o600); err != nil {
		t.Fatal(err)
	}
	secretRef := func(ns string) *v1alpha1.SecretKeySelector {
		return &v1alpha1.SecretKeySelector{Namespace: ns, Name: "gcp-key", Key: "key.json"}
	}
	cluster := &xpv2.ProviderConfigReference{Kind: "ClusterProviderConfig", Name: "gcp"}
	mine := &xpv2.ProviderConfigReference{Kind: "ProviderConfig", Name: "gcp"}
	target := "runner@test-project.iam.gserviceaccount.com"
	cases := map[string]struct {
		reason string
		objs   []client.Object
		ref    *xpv2.ProviderConfigReference
		token  string
		errHas string
	}{
		"ClusterSecretKey": {
			reason: "A ClusterProviderConfig reads the key from the Secret it names.",
			objs:   []client.Object{clusterConfig("gcp", gcpSpec(v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsSecret, SecretRef: secretRef("crossplane-system")})), keySecret("crossplane-system", "gcp-key", key)},
			ref:    cluster, token: gcptest.Token(saEmail),
		},
		"ClusterFilesystem": {
			reason: "A ClusterProviderConfig may read a key file.",
			objs:   []client.Object{clusterConfig("gcp", gcpSpec(v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsFilesystem, Filesystem: &v1alpha1.GCPFilesystemCredentials{Path: keyFile}}))},
			ref:    cluster, token: gcptest.Token(saEmail),
		},
		"ClusterDefault": {
			reason: "A ClusterProviderConfig may use application default credentials.",
			objs:   []client.Object{clusterConfig("gcp", gcpSpec(v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsInjectedIdentity}))},
			ref:    cluster, token: "adc-token",
		},
		"Impersonation": {
			reason: "With impersonate, the key is the caller and the token is the target's.",
			objs: []client.Object{clusterConfig("gcp", gcpSpec(v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsSecret, SecretRef: secretRef("crossplane-system")},
				func(g *v1alpha1.GCPConfig) { g.Impersonate = &v1alpha1.GCPImpersonation{TargetServiceAccount: target} })), keySecret("crossplane-system", "gcp-key", key)},
			ref: cluster, token: gcptest.ImpersonatedToken(target),
		},
		"TenantFilesystem": {
			reason: "A namespaced ProviderConfig cannot read the provider's files.",
			objs:   []client.Object{namespacedConfig("team-a", "gcp", gcpSpec(v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsFilesystem, Filesystem: &v1alpha1.GCPFilesystemCredentials{Path: keyFile}}))},
			ref:    mine, errHas: "only a ClusterProviderConfig may use the provider's own identity",
		},
		"TenantDefault": {
			reason: "A namespaced ProviderConfig cannot use the provider's own identity.",
			objs:   []client.Object{namespacedConfig("team-a", "gcp", gcpSpec(v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsInjectedIdentity}))},
			ref:    mine, errHas: "only a ClusterProviderConfig may use the provider's own identity",
		},
		"TenantOtherNamespace": {
			reason: "A namespaced ProviderConfig reads Secrets of its own namespace only.",
			objs:   []client.Object{namespacedConfig("team-a", "gcp", gcpSpec(v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsSecret, SecretRef: secretRef("crossplane-system")})), keySecret("crossplane-system", "gcp-key", key)},
			ref:    mine, errHas: "reads Secrets only from its own namespace",
		},
		"TenantForeignTokenURI": {
			reason: "A tenant's key must be Google's: its token_uri is where the provider would post a signed assertion.",
			objs:   []client.Object{namespacedConfig("team-a", "gcp", gcpSpec(v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsSecret, SecretRef: secretRef("")})), keySecret("team-a", "gcp-key", key)},
			ref:    mine, errHas: "token_uri",
		},
		"BadDefaultLabel": {
			reason: "Default labels Google Cloud would refuse are a config error.",
			objs: []client.Object{clusterConfig("gcp", gcpSpec(v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsInjectedIdentity},
				func(g *v1alpha1.GCPConfig) { g.DefaultLabels = map[string]string{"Team": "data"} }))},
			ref: cluster, errHas: `gcp.defaultLabels: label key "Team"`,
		},
		"NoSection": {
			reason: "A config without a gcp section says so.",
			objs:   []client.Object{clusterConfig("gcp", v1alpha1.ProviderConfigSpec{})},
			ref:    cluster, errHas: "has no gcp section",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r, _ := counting(tc.objs...)
			r.gcpDefault = func(context.Context) (oauth2.TokenSource, error) {
				return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "adc-token"}), nil
			}
			r.gcpTransport = iam.Transport()
			a, err := r.GCP(context.Background(), mr("team-a", tc.ref))
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("%s\nwant an error with %q, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\n%v", tc.reason, err)
			}
			if got := token(t, a.TokenSource); got != tc.token {
				t.Errorf("%s\ntoken %q, want %q", tc.reason, got, tc.token)
			}
			if diff := cmp.Diff([]string{"goog-", "billing-"}, a.IgnoreLabelPrefixes); diff != "" || a.ProjectID != "test-project" {
				t.Errorf("%s\nproject %q, ignored prefixes -want +got:\n%s", tc.reason, a.ProjectID, diff)
			}
		})
	}
}

// closer is a client holding connections.
type closer struct{ closed atomic.Bool }

func (c *closer) Close() error { c.closed.Store(true); return nil }

// eventuallyTrue waits up to 5 s for cond (the resolver closes replaced accounts in the background).
func eventuallyTrue(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A GCP account is built once per config generation and key, and replacing it closes the clients built from it.
func TestGCPAccountCacheAndClose(t *testing.T) {
	srv := gcptest.NewTokenServer(t)
	pc := clusterConfig("gcp", gcpSpec(v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsSecret, SecretRef: &v1alpha1.SecretKeySelector{Namespace: "crossplane-system", Name: "gcp-key", Key: "key.json"}}))
	sec := keySecret("crossplane-system", "gcp-key", srv.Key(saEmail))
	r, _ := counting(pc, sec)
	ctx := context.Background()
	mg := mr("team-a", &xpv2.ProviderConfigReference{Kind: "ClusterProviderConfig", Name: "gcp"})
	first, err := r.GCP(ctx, mg)
	if err != nil {
		t.Fatal(err)
	}
	builds := 0
	c1, err := Cached(first, "pubsub", func() (*closer, error) { builds++; return &closer{}, nil })
	if err != nil {
		t.Fatal(err)
	}
	again, _ := r.GCP(ctx, mg)
	c2, _ := Cached(again, "pubsub", func() (*closer, error) { builds++; return &closer{}, nil })
	if again != first || c2 != c1 || builds != 1 {
		t.Fatalf("an unchanged config built a new account or client (same account %t, same client %t, %d builds)", again == first, c2 == c1, builds)
	}

	// The key is rotated: a new account; the old one's clients are closed (in the background).
	other := gcptest.NewTokenServer(t)
	sec.Data["key.json"] = other.Key(saEmail)
	if err := r.secrets.(client.Client).Update(ctx, sec); err != nil {
		t.Fatal(err)
	}
	next, err := r.GCP(ctx, mg)
	if err != nil {
		t.Fatal(err)
	}
	if next == first {
		t.Fatal("a rotated key did not build a new account")
	}
	eventuallyTrue(t, "the replaced account's client closed", c1.closed.Load)
	if _, err := Cached(first, "storage", func() (*closer, error) { return &closer{}, nil }); err == nil {
		t.Error("a closed account built a client")
	}
	if got := token(t, next.TokenSource); got != gcptest.Token(saEmail) || len(other.Assertions) != 1 {
		t.Errorf("the new account does not use the rotated key (token %q, %d assertions to the new key's server)", got, len(other.Assertions))
	}
}
