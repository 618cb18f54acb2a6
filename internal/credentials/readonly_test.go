package credentials

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

// A resolver WithReadOnlyClients builds every account's clients read-only (plan --refresh); the provider's does
// not.
func TestReadOnlyClients(t *testing.T) {
	spec := awsSpec(v1alpha1.AWSCredentialsSecret, &v1alpha1.AWSSecretCredentials{Namespace: "ops", Name: "creds"})
	spec.GCP = &v1alpha1.GCPConfig{ProjectID: "p", Credentials: v1alpha1.GCPCredentials{Source: v1alpha1.GCPCredentialsInjectedIdentity}}
	type got struct {
		AWS, GCP bool
	}
	cases := map[string]struct {
		reason   string
		readOnly bool
		want     got
	}{
		"Provider": {reason: "The provider's clients write.", want: got{}},
		"Refresh":  {reason: "plan --refresh's clients only read: the AWS settings say so, and the GCP account tells its clients.", readOnly: true, want: got{AWS: true, GCP: true}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r, built := counting(
				&v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "default"}, Spec: spec},
				secret("ops", "creds", "AK", "SK"),
			)
			r.gcpDefault = func(context.Context) (oauth2.TokenSource, error) {
				return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "adc-token"}), nil
			}
			if tc.readOnly {
				r.WithReadOnlyClients()
			}
			if _, err := r.AWS(context.Background(), mr("team-a", nil)); err != nil {
				t.Fatal(err)
			}
			g, err := r.GCP(context.Background(), mr("team-a", nil))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got{AWS: (*built)[0].ReadOnly, GCP: g.ReadOnly}); diff != "" {
				t.Errorf("%s: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
