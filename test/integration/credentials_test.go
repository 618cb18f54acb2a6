//go:build integration

package integration

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	pubsubv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/pubsub/v1alpha1"
	gcsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// Assume-role: the provider calls sts:AssumeRole once and reuses the role's credentials for every reconcile.
func TestAssumeRole(t *testing.T) {
	cfgName := "assume-" + suffix()
	create(t, &v1alpha1.ClusterProviderConfig{
		ObjectMeta: metav1.ObjectMeta{Name: cfgName},
		Spec: v1alpha1.ProviderConfigSpec{AWS: &v1alpha1.AWSConfig{
			Credentials: v1alpha1.AWSCredentials{Source: v1alpha1.AWSCredentialsSecret, SecretRef: &v1alpha1.AWSSecretCredentials{Namespace: "crossplane-system", Name: "aws-creds"}},
			Endpoint:    &v1alpha1.AWSEndpoint{URL: proxy.URL, S3UsePathStyle: true},
			AssumeRole: &v1alpha1.AWSAssumeRole{
				RoleARN: "arn:aws:iam::123456789012:role/platform", ExternalID: ptr.To("ext-42"), SessionName: ptr.To("ps-" + cfgName),
				SessionTags: []v1alpha1.AWSSessionTag{{Key: "team", Value: "platform"}},
			},
		}},
	})
	ns := namespace(t)
	before := len(proxy.Calls(isAssumeRole))
	var names []string
	for i := 0; i < 3; i++ {
		name := "role-" + suffix()
		b := bucket(ns, name)
		b.Spec.ProviderConfigReference = ref("ClusterProviderConfig", cfgName)
		create(t, b)
		names = append(names, name)
	}
	for _, n := range names {
		waitReady(t, ns, n)
	}
	heads := proxy.Count("HeadBucket", names[0])
	eventually(t, "two more polls", func() (bool, string) { return proxy.Count("HeadBucket", names[0])-heads >= 2, "" })

	calls := proxy.Calls(isAssumeRole)[before:]
	if len(calls) != 1 {
		t.Fatalf("AssumeRole calls for 3 Buckets over several polls: want 1, got %d", len(calls))
	}
	body := string(calls[0].Body)
	for _, want := range []string{"RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fplatform", "ExternalId=ext-42", "RoleSessionName=ps-" + cfgName, "Tags.member.1.Key=team"} {
		if !strings.Contains(body, want) {
			t.Errorf("AssumeRole request lacks %s", want)
		}
	}
	// The S3 calls are signed with the role's temporary credentials, not the Secret's key.
	for _, c := range proxy.Calls(func(c harness.Call) bool { return c.Bucket == names[0] }) {
		if c.AccessKey == "AKIAIOSFODNN7EXAMPLE" {
			t.Fatalf("%s was signed with the Secret's key instead of the role's", c.Operation)
		}
	}
}

func isAssumeRole(c harness.Call) bool { return c.Service == "sts" && c.Operation == "AssumeRole" }

// The provider's own cloud-call metric agrees with the proxy: no hidden retries, nothing uncounted.
func TestCloudCallMetric(t *testing.T) {
	ns, name := namespace(t), "metric-"+suffix()
	m0 := cloudCalls(t, "S3", "CreateBucket")
	p0 := proxy.Count("CreateBucket", "")
	create(t, bucket(ns, name))
	waitReady(t, ns, name)
	if dm, dp := cloudCalls(t, "S3", "CreateBucket")-m0, proxy.Count("CreateBucket", "")-p0; dm != 1 || dp != 1 {
		t.Errorf("CreateBucket: metric counted %v, proxy saw %d; want 1 and 1", dm, dp)
	}
	// Cloud Storage, whose JSON API the metric and the proxy name the same way.
	g0, q0 := cloudCalls(t, "storage", "InsertBucket"), gcsProxy.Count("InsertBucket", "")
	create(t, gcsBucket(ns, name))
	waitMR(t, ns, name, "Ready", func() managedObj { return &gcsv1alpha1.Bucket{} }, readySynced[managedObj])
	if dm, dp := cloudCalls(t, "storage", "InsertBucket")-g0, gcsProxy.Count("InsertBucket", "")-q0; dm != 1 || dp != 1 {
		t.Errorf("InsertBucket: metric counted %v, proxy saw %d; want 1 and 1", dm, dp)
	}
	// Pub/Sub over gRPC: the provider's interceptor and the emulator-side forwarder agree.
	at := topicName(name)
	pubsubProxy.Watch(at)
	t0 := cloudCalls(t, "pubsub", "CreateTopic")
	create(t, topic(ns, name))
	waitMR(t, ns, name, "Ready", func() managedObj { return &pubsubv1alpha1.Topic{} }, readySynced[managedObj])
	if dm, dp := cloudCalls(t, "pubsub", "CreateTopic")-t0, pubsubProxy.Count("CreateTopic", at); dm != 1 || dp != 1 {
		t.Errorf("CreateTopic: metric counted %v, forwarder saw %d; want 1 and 1", dm, dp)
	}
}

func cloudCalls(t *testing.T, service, op string) float64 {
	t.Helper()
	mfs, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for _, mf := range mfs {
		if mf.GetName() != "stateful_cloud_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label(m, "operation") == op && label(m, "service") == service {
				total += m.GetCounter().GetValue()
			}
		}
	}
	return total
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// No credential ever reaches a condition, an event or the provider's debug log. The secret access key of every
// config in this run starts with "canary-secret".
func TestNoSecretInStatusEventsOrLogs(t *testing.T) {
	// Provoke failures that carry configuration into messages: a missing Secret key and a refused request.
	ns := namespace(t)
	s := awsSecret(ns, "creds")
	s.StringData = map[string]string{"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret": "canary-secret-in-wrong-key"}
	create(t, s)
	create(t, &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "broken"}, Spec: spec(v1alpha1.AWSCredentialsSecret, &v1alpha1.AWSSecretCredentials{Name: "creds"})})
	b := bucket(ns, "canary-"+suffix())
	b.Spec.ProviderConfigReference = ref("ProviderConfig", "broken")
	create(t, b)
	waitSyncError(t, ns, b.Name, `has no key "secret_access_key"`)

	l := &corev1.EventList{}
	if err := kube.List(context.Background(), l); err != nil {
		t.Fatal(err)
	}
	for _, e := range l.Items {
		if strings.Contains(e.Message, "canary-secret") {
			t.Errorf("event %s carries a secret: %s", e.Reason, e.Message)
		}
	}
	all := get(t, ns, b.Name)
	for _, c := range all.Status.Conditions {
		if strings.Contains(c.Message, "canary-secret") {
			t.Errorf("condition %s carries a secret", c.Type)
		}
	}
	logs, err := os.ReadFile(filepath.Join(harness.RepoRoot(), "_output", "integration", "provider.log"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(logs), "canary-secret") {
		t.Errorf("the provider's debug log carries a secret")
	}
}
