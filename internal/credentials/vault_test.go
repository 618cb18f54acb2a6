package credentials

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/clients/vault"
)

// lookupSelf answers a token lookup for a token that never expires.
func lookupSelf(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path != "/v1/auth/token/lookup-self" {
		return false
	}
	_, _ = w.Write([]byte(`{"data":{"ttl":0,"renewable":false}}`))
	return true
}

// kvServer is a minimal stand-in for Vault's KV v2 read API, counting reads and checking the token.
func kvServer(t *testing.T, reads *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Vault-Token") == "good-token" && lookupSelf(w, r) {
			return
		}
		reads.Add(1)
		if r.Header.Get("X-Vault-Token") != "good-token" {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"errors":["permission denied"]}`))
			return
		}
		if r.URL.Path != "/v1/secret/data/aws/static" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"errors":[]}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":{"data":{"access_key_id":"AKVAULT","secret_access_key":"SKVAULT"},"metadata":{"version":1}}}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestVaultKVRetrieve(t *testing.T) {
	var reads atomic.Int32
	srv := kvServer(t, &reads)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		reason string
		token  string
		ref    v1alpha1.VaultKVAWSCredentials
		want   aws.Credentials
		errHas string
	}{
		"Read": {
			reason: "The access key is read, with an expiry that makes the SDK re-read it later.",
			token:  "good-token", ref: v1alpha1.VaultKVAWSCredentials{Path: "aws/static"},
			want: aws.Credentials{AccessKeyID: "AKVAULT", SecretAccessKey: "SKVAULT", Source: "Vault KV", CanExpire: true, Expires: now.Add(kvRefresh)},
		},
		"MissingField": {
			reason: "A missing field is named, its value never shown.",
			token:  "good-token", ref: v1alpha1.VaultKVAWSCredentials{Path: "aws/static", SessionTokenKey: "token"},
			errHas: `has no string field "token"`,
		},
		"Denied": {
			reason: "A refused token is a clean error.",
			token:  "bad-token", ref: v1alpha1.VaultKVAWSCredentials{Path: "aws/static"},
			errHas: "Vault answered HTTP 403: permission denied",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := vault.New(vault.Settings{Address: srv.URL, Token: tc.token})
			if err != nil {
				t.Fatal(err)
			}
			p := &vaultKV{client: c, ref: tc.ref, refresh: kvRefresh, now: func() time.Time { return now }}
			got, err := p.Retrieve(context.Background())
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) || strings.Contains(err.Error(), tc.token) {
					t.Fatalf("%s\nRetrieve: want error containing %q without the token, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreUnexported(aws.Credentials{})); diff != "" {
				t.Errorf("%s\nRetrieve: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestVaultResolution(t *testing.T) {
	var reads atomic.Int32
	srv := kvServer(t, &reads)
	spec := func(tokenNS string) v1alpha1.ProviderConfigSpec {
		return v1alpha1.ProviderConfigSpec{
			Vault: &v1alpha1.VaultConfig{Address: srv.URL, Auth: v1alpha1.VaultAuth{Token: &v1alpha1.VaultTokenAuth{SecretRef: v1alpha1.SecretKeySelector{Namespace: tokenNS, Name: "vault", Key: "token"}}}},
			AWS: &v1alpha1.AWSConfig{Credentials: v1alpha1.AWSCredentials{
				Source: v1alpha1.AWSCredentialsVault, Vault: &v1alpha1.AWSVaultCredentials{KV: &v1alpha1.VaultKVAWSCredentials{Path: "aws/static"}},
			}},
		}
	}
	token := func(ns string) *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "vault"}, Data: map[string][]byte{"token": []byte("good-token")}}
	}
	pcRef := &xpv2.ProviderConfigReference{Kind: "ProviderConfig", Name: "mine"}

	t.Run("NamespacedOwnToken", func(t *testing.T) {
		c := fakeClient(&v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "mine"}, Spec: spec("")}, token("team-a"))
		r := NewResolver(c, c, c)
		// The test's Vault is on loopback, without TLS: allowed by the administrator's flag.
		r.WithVaultTenancy(VaultTenancy{InsecureAddresses: []string{srv.URL}})
		reads.Store(0)
		a, err := r.AWS(context.Background(), mr("team-a", pcRef))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			if _, err := r.AWS(context.Background(), mr("team-a", pcRef)); err != nil {
				t.Fatal(err)
			}
			creds, err := a.Config.Credentials.Retrieve(context.Background())
			if err != nil || creds.AccessKeyID != "AKVAULT" {
				t.Fatalf("credentials from Vault: %v %v", creds.AccessKeyID, err)
			}
		}
		if n := reads.Load(); n != 1 {
			t.Errorf("Vault reads for four resolutions and three credential uses: want 1, got %d", n)
		}
		if len(r.vaults) != 1 {
			t.Errorf("one Vault client per config, got %d", len(r.vaults))
		}
	})
	t.Run("NamespacedPlainHTTP", func(t *testing.T) {
		c := fakeClient(&v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "mine"}, Spec: spec("")}, token("team-a"))
		reads.Store(0)
		_, err := NewResolver(c, c, c).AWS(context.Background(), mr("team-a", pcRef))
		if err == nil || !strings.Contains(err.Error(), "is not https") {
			t.Errorf("a namespaced config's plain-http Vault address must be refused: %v", err)
		}
		if n := reads.Load(); n != 0 {
			t.Errorf("a refused address was contacted: %d requests", n)
		}
	})
	t.Run("NamespacedForeignToken", func(t *testing.T) {
		c := fakeClient(&v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "mine"}, Spec: spec("team-b")}, token("team-b"))
		r := NewResolver(c, c, c)
		r.WithVaultTenancy(VaultTenancy{InsecureAddresses: []string{srv.URL}})
		_, err := r.AWS(context.Background(), mr("team-a", pcRef))
		if err == nil || !strings.Contains(err.Error(), "reads Secrets only from its own namespace") {
			t.Errorf("a namespaced config must not read another namespace's Vault token: %v", err)
		}
	})
}

func fakeClient(objs ...client.Object) client.Client {
	r, _ := counting(objs...)
	return r.kube.(client.Client)
}

func TestServiceAccountToken(t *testing.T) {
	sa := func(ns, name, optIn string) *corev1.ServiceAccount {
		return &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Annotations: map[string]string{AnnotationVaultAuth: optIn}}}
	}
	c := fakeClient(sa("team-a", "tenant", "ProviderConfig/pc, ClusterProviderConfig/cpc"), sa("team-a", "bystander", ""),
		sa("crossplane-system", "provider-stateful", ""))
	r := NewResolver(c, c, c)
	r.WithVaultTenancy(VaultTenancy{ServiceAccount: "crossplane-system/provider-stateful", AllowedAudiences: []string{"vault", "vault-eu"}})
	withAudiences := func(k *v1alpha1.VaultKubernetesAuth, aud ...string) *v1alpha1.VaultKubernetesAuth {
		k.Audiences = aud
		return k
	}
	k := func(ns string) *v1alpha1.VaultKubernetesAuth {
		return &v1alpha1.VaultKubernetesAuth{Role: "r", ServiceAccount: &v1alpha1.ServiceAccountReference{Namespace: ns, Name: "tenant"}}
	}
	namespaced := config{kind: "ProviderConfig", namespace: "team-a", name: "pc"}
	cluster := config{kind: "ClusterProviderConfig", name: "cpc"}
	cases := map[string]struct {
		reason  string
		pc      config
		auth    *v1alpha1.VaultKubernetesAuth
		errHas  string
		wantTok string
	}{
		"OwnNamespace":     {reason: "A namespaced config uses a service account of its own namespace.", pc: namespaced, auth: k("")},
		"ForeignNamespace": {reason: "A namespaced config cannot authenticate as another namespace's account.", pc: namespaced, auth: k("team-b"), errHas: "service accounts of its own namespace only"},
		"NamespacedNoSA":   {reason: "A namespaced config must name its service account.", pc: namespaced, auth: &v1alpha1.VaultKubernetesAuth{Role: "r"}, errHas: "needs a serviceAccount"},
		"Cluster":          {reason: "A cluster config names any account, with its namespace.", pc: cluster, auth: k("team-a")},
		"ClusterNoNS":      {reason: "A cluster config's account needs a namespace.", pc: cluster, auth: k(""), errHas: "needs a namespace"},
		"NotOptedIn": {
			reason: "A service account that did not opt in gets no token, for a namespaced config.", pc: namespaced,
			auth: &v1alpha1.VaultKubernetesAuth{Role: "r", ServiceAccount: &v1alpha1.ServiceAccountReference{Name: "bystander"}}, errHas: "has not opted in to Vault logins for ProviderConfig team-a/pc",
		},
		"OptedInForAnother": {
			reason: "Opting in names the config: another config of the namespace cannot borrow it.", pc: config{kind: "ProviderConfig", namespace: "team-a", name: "other"},
			auth: k(""), errHas: "annotate it stateful.dev/vault-auth=ProviderConfig/other",
		},
		"OwnIdentity": {
			reason: "A cluster config without a service account requests a token for the provider's own, for Vault's audience.", pc: cluster,
			auth: &v1alpha1.VaultKubernetesAuth{Role: "r"}, wantTok: "jwt-for-crossplane-system/provider-stateful-aud-vault",
		},
		"DefaultAudience": {reason: "Unset audiences mean Vault's, never the API server's.", pc: namespaced, auth: k(""), wantTok: "-aud-vault"},
		"APIServerAudience": {
			reason: "A token the API server would accept is never sent, whatever audience the config asks for (a cluster config chooses any).", pc: cluster,
			auth: withAudiences(k("team-a"), "kubernetes"), errHas: "is accepted by the Kubernetes API server",
		},
		"NamespacedForeignAudience": {
			reason: "A namespaced config may not have a token minted for another service's audience: it would be sent to the tenant's address.", pc: namespaced,
			auth: withAudiences(k(""), "sts.amazonaws.com"), errHas: `"sts.amazonaws.com" is not an audience the platform allows`,
		},
		"NamespacedOneForeignAudience": {
			reason: "Every audience of the token must be allowed.", pc: namespaced,
			auth: withAudiences(k(""), "vault", "kubernetes"), errHas: `"kubernetes" is not an audience the platform allows`,
		},
		"NamespacedAllowedAudience": {
			reason: "An audience the administrator allowed.", pc: namespaced, auth: withAudiences(k(""), "vault-eu"), wantTok: "-aud-vault-eu",
		},
		"ClusterAnyAudience": {
			reason: "A cluster config is the administrator's: its audiences are not restricted.", pc: cluster,
			auth: withAudiences(k("team-a"), "sts.amazonaws.com"), wantTok: "-aud-sts.amazonaws.com",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			jwt, err := r.serviceAccountToken(tc.pc, tc.auth)
			tok := ""
			if err == nil {
				// The opt-in is checked at every login, when the token is requested.
				tok, err = jwt(context.Background())
			}
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("%s\nwant error containing %q, got %v", tc.reason, tc.errHas, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\n%v", tc.reason, err)
			}
			if tok == "" || !strings.Contains(tok, tc.wantTok) {
				t.Errorf("%s\nTokenRequest: got %q, want it to contain %q", tc.reason, tok, tc.wantTok)
			}
		})
	}
}

func TestVaultEngineRetrieve(t *testing.T) {
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if lookupSelf(w, r) {
			return
		}
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		switch r.URL.Path {
		case "/v1/aws/creds/iam":
			_, _ = w.Write([]byte(`{"lease_id":"aws/creds/iam/x","lease_duration":900,"renewable":true,"data":{"access_key":"AKIAMINTED","secret_key":"s","security_token":null}}`))
		case "/v1/aws/sts/sts":
			_, _ = w.Write([]byte(`{"lease_duration":3600,"data":{"access_key":"ASIAMINTED","secret_key":"s","security_token":"tok"}}`))
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	c, err := vault.New(vault.Settings{Address: srv.URL, Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_000_000, 0)
	cases := map[string]struct {
		reason   string
		ref      v1alpha1.VaultAWSSecretsEngine
		want     aws.Credentials
		bodyHave string
	}{
		"IAMUser": {
			reason: "iam_user reads creds/<role>; the key is refreshed at two thirds of its lease.",
			ref:    v1alpha1.VaultAWSSecretsEngine{Role: "iam", CredentialType: "iam_user"},
			want:   aws.Credentials{AccessKeyID: "AKIAMINTED", SecretAccessKey: "s", Source: "Vault AWS secrets engine", CanExpire: true, Expires: now.Add(600 * time.Second)},
		},
		"AssumedRole": {
			reason:   "assumed_role writes sts/<role> with the derived session name and the TTL.",
			ref:      v1alpha1.VaultAWSSecretsEngine{Role: "sts", CredentialType: "assumed_role", TTL: ptrTo("1h")},
			want:     aws.Credentials{AccessKeyID: "ASIAMINTED", SecretAccessKey: "s", SessionToken: "tok", Source: "Vault AWS secrets engine", CanExpire: true, Expires: now.Add(40 * time.Minute)},
			bodyHave: `"role_session_name":"ps.ClusterProviderConfig.vault"`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := &vaultEngine{client: c, ref: tc.ref, sessionName: sessionNameFor(config{kind: "ClusterProviderConfig", name: "vault"}), now: func() time.Time { return now }}
			defer func() { _ = p.Close(context.Background()) }()
			got, err := p.Retrieve(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreUnexported(aws.Credentials{})); diff != "" {
				t.Errorf("%s\nRetrieve: -want +got:\n%s", tc.reason, diff)
			}
			if !strings.Contains(body, tc.bodyHave) {
				t.Errorf("%s\nrequest body %q lacks %q", tc.reason, body, tc.bodyHave)
			}
		})
	}
}

func TestSessionNameFor(t *testing.T) {
	cases := map[string]struct {
		reason string
		pc     config
		want   string
	}{
		"Cluster":    {reason: "Kind and name.", pc: config{kind: "ClusterProviderConfig", name: "vault"}, want: "ps.ClusterProviderConfig.vault"},
		"Namespaced": {reason: "Namespace and name.", pc: config{kind: "ProviderConfig", namespace: "team-a", name: "aws"}, want: "ps.team-a.aws"},
		"Long":       {reason: "At most 64 characters, as STS requires.", pc: config{kind: "ProviderConfig", namespace: strings.Repeat("n", 63), name: "x"}, want: "ps." + strings.Repeat("n", 61)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := sessionNameFor(tc.pc); got != tc.want {
				t.Errorf("%s\nsessionNameFor: want %q, got %q", tc.reason, tc.want, got)
			}
		})
	}
}

func ptrTo(s string) *string { return &s }

// leaseServer mints iam_user keys with 900 s renewable leases and records renewals and revocations.
type leaseServer struct {
	mu       sync.Mutex
	minted   int
	renewFor int // seconds a renewal grants
	calls    []string
}

func (s *leaseServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if lookupSelf(w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, _ := io.ReadAll(r.Body)
	switch r.URL.Path {
	case "/v1/aws/creds/iam":
		s.minted++
		s.calls = append(s.calls, fmt.Sprintf("mint %d", s.minted))
		fmt.Fprintf(w, `{"lease_id":"aws/creds/iam/%d","lease_duration":900,"renewable":true,"data":{"access_key":"AK%d","secret_key":"s"}}`, s.minted, s.minted)
	case "/v1/sys/leases/renew":
		var in struct {
			LeaseID string `json:"lease_id"`
		}
		_ = json.Unmarshal(b, &in)
		s.calls = append(s.calls, "renew "+in.LeaseID)
		fmt.Fprintf(w, `{"lease_id":%q,"lease_duration":%d,"renewable":true}`, in.LeaseID, s.renewFor)
	case "/v1/sys/leases/revoke":
		var in struct {
			LeaseID string `json:"lease_id"`
		}
		_ = json.Unmarshal(b, &in)
		s.calls = append(s.calls, "revoke "+in.LeaseID)
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (s *leaseServer) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.calls
	s.calls = nil
	return c
}

func TestVaultEngineLeaseLifecycle(t *testing.T) {
	ls := &leaseServer{renewFor: 900}
	srv := httptest.NewServer(ls)
	defer srv.Close()
	c, err := vault.New(vault.Settings{Address: srv.URL, Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_000_000, 0)
	var revoked []string
	p := &vaultEngine{client: c, ref: v1alpha1.VaultAWSSecretsEngine{Role: "iam", CredentialType: "iam_user"}, now: func() time.Time { return now },
		revoke: func(l *lease) { revoked = append(revoked, l.id) }}

	steps := []struct {
		reason      string
		advance     time.Duration
		renewFor    int
		refused     bool
		wantKey     string
		wantExpires time.Duration // from now
		wantCalls   []string
		wantRevoked []string
	}{
		{reason: "First use mints a key, to be refreshed two thirds into its lease.", wantKey: "AK1", wantExpires: 600 * time.Second, wantCalls: []string{"mint 1"}},
		{reason: "With more than a third of the lease left the key is handed out again without a Vault call.", advance: 400 * time.Second, wantKey: "AK1", wantExpires: 500 * time.Second * 2 / 3},
		{reason: "With less than a third left the lease is renewed, not replaced.", advance: 300 * time.Second, renewFor: 900, wantKey: "AK1", wantExpires: 600 * time.Second, wantCalls: []string{"renew aws/creds/iam/1"}},
		{reason: "A renewal capped near the max TTL replaces the key; the old lease is revoked.", advance: 700 * time.Second, renewFor: 100, wantKey: "AK2", wantExpires: 600 * time.Second, wantCalls: []string{"renew aws/creds/iam/1", "mint 2"}, wantRevoked: []string{"aws/creds/iam/1"}},
		{reason: "A key AWS refused is never handed out again, even with time left on its lease.", advance: time.Second, refused: true, wantKey: "AK3", wantExpires: 600 * time.Second, wantCalls: []string{"mint 3"}, wantRevoked: []string{"aws/creds/iam/1", "aws/creds/iam/2"}},
	}
	for i, st := range steps {
		now = now.Add(st.advance)
		if st.renewFor != 0 {
			ls.renewFor = st.renewFor
		}
		if st.refused {
			p.Refused()
		}
		got, err := p.Retrieve(context.Background())
		if err != nil {
			t.Fatalf("step %d: %s\n%v", i, st.reason, err)
		}
		if got.AccessKeyID != st.wantKey || !got.Expires.Equal(now.Add(st.wantExpires)) {
			t.Errorf("step %d: %s\nwant %s expiring in %s, got %s expiring in %s", i, st.reason, st.wantKey, st.wantExpires, got.AccessKeyID, got.Expires.Sub(now))
		}
		if diff := cmp.Diff(st.wantCalls, ls.take(), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("step %d: %s\nVault calls: -want +got:\n%s", i, st.reason, diff)
		}
		if diff := cmp.Diff(st.wantRevoked, revoked, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("step %d: %s\nrevoked leases: -want +got:\n%s", i, st.reason, diff)
		}
	}
	if s := p.Status(); s.Kind != "iam_user" || !s.LastIssued.Equal(now) || !s.ExpiresAt.Equal(now.Add(900*time.Second)) || s.Err != "" {
		t.Errorf("status: %+v", s)
	}

	// Close (config deleted or changed) revokes the lease in use.
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"revoke aws/creds/iam/3"}, ls.take()); diff != "" {
		t.Errorf("Close: -want +got:\n%s", diff)
	}
}

func TestCheckVaultAddress(t *testing.T) {
	namespaced := config{kind: "ProviderConfig", namespace: "team-a", name: "pc"}
	cluster := config{kind: "ClusterProviderConfig", name: "cpc"}
	cases := map[string]struct {
		reason    string
		tenancy   VaultTenancy
		endpoints []string
		pc        config
		address   string
		errHas    string
	}{
		"HTTPS":          {reason: "An https address the administrator did not allow.", pc: namespaced, address: "https://vault.example.com:8200", errHas: "not one the platform allows"},
		"Pattern":        {reason: "An https address an --allowed-endpoint pattern admits.", endpoints: []string{"*.example.com:8200"}, pc: namespaced, address: "https://vault.example.com:8200"},
		"PatternPort":    {reason: "The pattern's port must match.", endpoints: []string{"*.example.com:8200"}, pc: namespaced, address: "https://vault.example.com", errHas: "not one the platform allows"},
		"PatternHTTP":    {reason: "A pattern never lets a namespaced config's token go in clear text.", endpoints: []string{"*"}, pc: namespaced, address: "http://vault.example.com", errHas: "is not https"},
		"HTTP":           {reason: "A namespaced config never sends a token in clear text.", pc: namespaced, address: "http://vault.example.com:8200", errHas: "is not https"},
		"AllowedHTTP":    {reason: "An http address the administrator allowed.", tenancy: VaultTenancy{InsecureAddresses: []string{"http://127.0.0.1:8200/"}}, pc: namespaced, address: "http://127.0.0.1:8200"},
		"ClusterHTTP":    {reason: "A cluster config is the administrator's own: its address is not restricted.", pc: cluster, address: "http://vault.internal:8200"},
		"NotAllowedHost": {reason: "With allowed addresses, any other is refused.", tenancy: VaultTenancy{AllowedAddresses: []string{"https://vault.example.com"}}, pc: namespaced, address: "https://evil.example.com", errHas: "not one the platform allows"},
		"AllowedHost":    {reason: "An allowed address.", tenancy: VaultTenancy{AllowedAddresses: []string{"https://vault.example.com"}}, pc: namespaced, address: "https://vault.example.com/"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := NewResolver(nil, nil, nil)
			r.WithVaultTenancy(tc.tenancy)
			r.WithAllowedEndpoints(patterns(t, tc.endpoints...))
			err := r.checkVaultAddress(tc.pc, tc.address)
			if tc.errHas == "" && err != nil || tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)) {
				t.Errorf("%s\ncheckVaultAddress(%q): want error %q, got %v", tc.reason, tc.address, tc.errHas, err)
			}
		})
	}
}

func TestValidateInsecureAddress(t *testing.T) {
	for a, ok := range map[string]bool{
		"http://127.0.0.1:8200": true, "http://localhost:8200": true, "http://[::1]:8200": true,
		"http://10.0.0.5:8200": false, "https://127.0.0.1:8200": false, "http://vault.example.com": false, "127.0.0.1:8200": false,
	} {
		if err := ValidateInsecureAddress(a); (err == nil) != ok {
			t.Errorf("ValidateInsecureAddress(%q): want ok=%t, got %v", a, ok, err)
		}
	}
}
