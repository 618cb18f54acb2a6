//go:build integration

package integration

import (
	"net/http"
	"strings"
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// Authentication and signature failures, against every service, reach conditions, events and logs only as fixed
// texts. The keys are a real access key ID with a wrong secret key and a session token (both canaries), sent to a
// moto that verifies signatures; for RDS the proxy answers as AWS's query APIs do, quoting the canonical request —
// with the session token — in the error message. The end-of-run sweep then finds neither canary anywhere.
func TestAuthFailuresCarryNoCredentials(t *testing.T) {
	m, adminKey, _ := strictMoto(t)
	p, err := harness.StartProxy(m.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	wrongSecret, sessionToken := "canary-secret-wrong-"+suffix(), "canary-session-token-"+suffix()
	canary(wrongSecret)
	canary(sessionToken)

	ns := namespace(t)
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "creds"}, StringData: map[string]string{
		"access_key_id": adminKey, "secret_access_key": wrongSecret, "session_token": sessionToken,
	}})
	create(t, &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "wrong"}, Spec: v1alpha1.ProviderConfigSpec{AWS: &v1alpha1.AWSConfig{
		Credentials: v1alpha1.AWSCredentials{Source: v1alpha1.AWSCredentialsSecret, SecretRef: &v1alpha1.AWSSecretCredentials{Name: "creds", SessionTokenKey: "session_token"}},
		Endpoint:    &v1alpha1.AWSEndpoint{URL: p.URL, S3UsePathStyle: true},
	}}})
	pcRef := &xpv2.ProviderConfigReference{Kind: "ProviderConfig", Name: "wrong"}

	dbName := "leak-db-" + suffix()
	p.Respond("DescribeDBInstances", dbName, http.StatusForbidden, `<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>`+
		`<Message>The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.`+
		"\n\nThe Canonical String for this request should have been\n'POST\n/\n\nhost:rds.eu-west-1.amazonaws.com\nx-amz-security-token:"+sessionToken+"\n'"+
		`</Message></Error><RequestId>0c2c1d8e-req</RequestId></ErrorResponse>`, -1)

	b := bucket(ns, "leak-"+suffix())
	b.Spec.ProviderConfigReference = pcRef
	create(t, b)
	q := queue(ns, "leak-q-"+suffix())
	q.Spec.ProviderConfigReference = pcRef
	create(t, q)
	db := dbInstance(ns, dbName)
	db.Spec.ProviderConfigReference = pcRef
	create(t, db)
	tb := table(ns, "leak-t-"+suffix())
	tb.Spec.ProviderConfigReference = pcRef
	create(t, tb)

	refused := func(s xpv2.Condition) (bool, string) {
		ok := s.Status == corev1.ConditionFalse && (strings.Contains(s.Message, "AWS refused") || strings.Contains(s.Message, "AWS does not know"))
		return ok, s.Message
	}
	clean := func(what, msg string) {
		t.Helper()
		for _, c := range []string{wrongSecret, sessionToken, "Canonical", "RequestId", "0c2c1d8e"} {
			if strings.Contains(msg, c) {
				t.Errorf("%s's condition quotes %q: %s", what, c, msg)
			}
		}
	}
	for _, mg := range []struct {
		what string
		get  func() xpv2.Condition
	}{
		{"Bucket", func() xpv2.Condition { return get(t, ns, b.Name).GetCondition(xpv2.TypeSynced) }},
		{"Queue", func() xpv2.Condition { return getQueue(t, ns, q.Name).GetCondition(xpv2.TypeSynced) }},
		{"DBInstance", func() xpv2.Condition { return getDB(t, ns, db.Name).GetCondition(xpv2.TypeSynced) }},
		{"Table", func() xpv2.Condition { return getTable(t, ns, tb.Name).GetCondition(xpv2.TypeSynced) }},
	} {
		var msg string
		eventually(t, mg.what+" to report refused credentials", func() (bool, string) {
			ok, m := refused(mg.get())
			msg = m
			return ok, m
		})
		clean(mg.what, msg)
	}
	for _, name := range []string{b.Name, q.Name, db.Name, tb.Name} {
		for _, e := range events(t, ns, name) {
			clean("an event of "+name, e)
		}
	}
}
