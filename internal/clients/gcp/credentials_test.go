package gcp_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/stateful-dev/provider-stateful/internal/clients/gcp"
	"github.com/stateful-dev/provider-stateful/internal/clients/gcp/gcptest"
)

const email = "deployer@test-project.iam.gserviceaccount.com"

func TestFromKey(t *testing.T) {
	srv := gcptest.NewTokenServer(t)
	key := srv.Key(email)
	cases := map[string]struct {
		reason  string
		key     []byte
		policy  gcp.KeyPolicy
		token   string
		errHas  string
		errLack string
	}{
		"ServiceAccountKey": {
			reason: "A service-account key gets a token for a JWT assertion signed with its private key.",
			key:    key, token: gcptest.Token(email),
		},
		"ExternalAccount": {
			reason: "Other credential files (an external_account can run a program) are refused.",
			key:    []byte(`{"type":"external_account","credential_source":{"executable":{"command":"/bin/sh"}}}`),
			errHas: `type "external_account"`,
		},
		"NotJSON": {reason: "Not JSON.", key: []byte("-----BEGIN PRIVATE KEY-----"), errHas: "not JSON"},
		"ForeignTokenURI": {
			reason: "For a namespaced config, a key whose token_uri is not Google's is refused: the provider would post a signed assertion to an address a tenant chose.",
			key:    key, policy: gcp.KeyPolicy{GoogleTokenURIOnly: true}, errHas: "token_uri",
		},
		"Malformed": {
			reason:  "A malformed key is refused without quoting it.",
			key:     []byte(`{"type":"service_account","client_email":"x@p.iam.gserviceaccount.com","private_key":"not-a-key-SECRETBITS"}`),
			errHas:  "private_key is malformed",
			errLack: "SECRETBITS",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ts, err := gcp.FromKey(context.Background(), tc.key, tc.policy)
			var tok *oauth2.Token
			if err == nil {
				tok, err = ts.Token()
			}
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) || (tc.errLack != "" && strings.Contains(err.Error(), tc.errLack)) {
					t.Fatalf("%s\nwant an error with %q (and without %q), got %v", tc.reason, tc.errHas, tc.errLack, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\n%v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.token, tok.AccessToken); diff != "" {
				t.Errorf("%s\naccess token: -want, +got:\n%s", tc.reason, diff)
			}
			a := srv.Assertions[len(srv.Assertions)-1]
			if a["iss"] != email || a["scope"] != gcp.Scope {
				t.Errorf("%s\nthe assertion's claims: %v", tc.reason, a)
			}
		})
	}
}

func TestImpersonate(t *testing.T) {
	iam := gcptest.NewIAMServer(t)
	target, delegate := "runner@test-project.iam.gserviceaccount.com", "hop@test-project.iam.gserviceaccount.com"
	ts, err := gcp.Impersonate(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "caller-token"}),
		gcp.Impersonation{Target: target, Delegates: []string{delegate}, Transport: iam.Transport()})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != gcptest.ImpersonatedToken(target) {
		t.Errorf("token %q, want the target's", tok.AccessToken)
	}
	want := []gcptest.IAMRequest{{Bearer: "caller-token", Target: target, Delegates: []string{"projects/-/serviceAccounts/" + delegate}}}
	if diff := cmp.Diff(want, iam.Requests); diff != "" {
		t.Errorf("generateAccessToken requests: -want, +got:\n%s", diff)
	}
}
