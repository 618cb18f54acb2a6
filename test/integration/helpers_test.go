//go:build integration

package integration

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
)

const waitTimeout = 60 * time.Second

func suffix() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// platformLabel marks the namespaces ClusterProviderConfig/default serves in this suite (allowedNamespaces).
const platformLabel = "stateful.dev/platform"

// namespace creates a fresh platform namespace for one test: ClusterProviderConfig/default serves it. envtest
// runs no namespace controller, so it is not deleted.
func namespace(t *testing.T) string {
	t.Helper()
	return newNamespace(t, "t-", map[string]string{platformLabel: "true"})
}

// tenantNamespace creates a fresh namespace that ClusterProviderConfig/default does not serve.
func tenantNamespace(t *testing.T) string {
	t.Helper()
	return newNamespace(t, "tenant-", nil)
}

func newNamespace(t *testing.T, prefix string, labels map[string]string) string {
	t.Helper()
	ns := prefix + suffix()
	if err := kube.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: labels}}); err != nil {
		t.Fatalf("cannot create namespace: %v", err)
	}
	return ns
}

// eventually polls cond until it holds or the timeout passes; the last reason is reported on failure.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	eventuallyWithin(t, waitTimeout, what, cond)
}

// eventuallyWithin is eventually with another timeout.
func eventuallyWithin(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	reason := ""
	for time.Now().Before(deadline) {
		var ok bool
		if ok, reason = cond(); ok {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s: %s", what, reason)
}

type bucketOpt func(*s3v1alpha1.Bucket)

func withTags(tags map[string]string) bucketOpt {
	return func(b *s3v1alpha1.Bucket) { b.Spec.ForProvider.Tags = tags }
}

func withPolicies(p ...xpv2.ManagementAction) bucketOpt {
	return func(b *s3v1alpha1.Bucket) { b.Spec.ManagementPolicies = p }
}

func bucket(ns, name string, opts ...bucketOpt) *s3v1alpha1.Bucket {
	b := &s3v1alpha1.Bucket{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       s3v1alpha1.BucketSpec{ForProvider: s3v1alpha1.BucketParameters{Region: "eu-west-1"}},
	}
	for _, o := range opts {
		o(b)
	}
	return b
}

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := kube.Create(context.Background(), obj); err != nil {
		t.Fatalf("cannot create %s: %v", obj.GetName(), err)
	}
}

func get(t *testing.T, ns, name string) *s3v1alpha1.Bucket {
	t.Helper()
	b := &s3v1alpha1.Bucket{}
	if err := kube.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, b); err != nil {
		t.Fatalf("cannot get Bucket %s/%s: %v", ns, name, err)
	}
	return b
}

// waitReady waits until the Bucket is Ready and Synced and returns it.
func waitReady(t *testing.T, ns, name string) *s3v1alpha1.Bucket {
	t.Helper()
	var b *s3v1alpha1.Bucket
	eventually(t, "Bucket "+name+" Ready", func() (bool, string) {
		b = get(t, ns, name)
		r, s := b.GetCondition(xpv2.TypeReady), b.GetCondition(xpv2.TypeSynced)
		return r.Status == corev1.ConditionTrue && s.Status == corev1.ConditionTrue, fmt.Sprintf("ready=%s synced=%s %q", r.Status, s.Status, s.Message)
	})
	return b
}

// waitSyncError waits until the Bucket's Synced condition is False with a message containing want.
func waitSyncError(t *testing.T, ns, name, want string) *s3v1alpha1.Bucket {
	t.Helper()
	var b *s3v1alpha1.Bucket
	eventually(t, "Bucket "+name+" to report "+want, func() (bool, string) {
		b = get(t, ns, name)
		s := b.GetCondition(xpv2.TypeSynced)
		return s.Status == corev1.ConditionFalse && strings.Contains(s.Message, want), s.Message
	})
	return b
}

func deleteAndWaitGone(t *testing.T, b *s3v1alpha1.Bucket) {
	t.Helper()
	if err := kube.Delete(context.Background(), b); err != nil {
		t.Fatalf("cannot delete Bucket: %v", err)
	}
	eventually(t, "Bucket "+b.Name+" gone", func() (bool, string) {
		cur := &s3v1alpha1.Bucket{}
		err := kube.Get(context.Background(), client.ObjectKeyFromObject(b), cur)
		if kerrors.IsNotFound(err) {
			return true, ""
		}
		return false, cur.GetCondition(xpv2.TypeSynced).Message
	})
}

// cloudTags reads a bucket's tags straight from moto.
func cloudTags(t *testing.T, name string) map[string]string {
	t.Helper()
	out, err := direct.GetBucketTagging(context.Background(), &s3.GetBucketTaggingInput{Bucket: aws.String(name)})
	if err != nil {
		return nil
	}
	m := map[string]string{}
	for _, tg := range out.TagSet {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return m
}

func cloudExists(name string) bool {
	_, err := direct.HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: aws.String(name)})
	return err == nil
}

// cloudCreate makes a bucket behind the provider's back (not through the proxy).
func cloudCreate(t *testing.T, name string, tags map[string]string) {
	t.Helper()
	_, err := direct.CreateBucket(context.Background(), &s3.CreateBucketInput{
		Bucket:                    aws.String(name),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"},
	})
	if err != nil {
		t.Fatalf("cannot create bucket in moto: %v", err)
	}
	if len(tags) > 0 {
		cloudPutTags(t, name, tags)
	}
}

func cloudPutTags(t *testing.T, name string, tags map[string]string) {
	t.Helper()
	var ts []types.Tag
	for k, v := range tags {
		ts = append(ts, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := direct.PutBucketTagging(context.Background(), &s3.PutBucketTaggingInput{Bucket: aws.String(name), Tagging: &types.Tagging{TagSet: ts}}); err != nil {
		t.Fatalf("cannot tag bucket in moto: %v", err)
	}
}

// events returns the reasons and messages of the events recorded for an object.
func events(t *testing.T, ns, name string) []string {
	t.Helper()
	l := &corev1.EventList{}
	if err := kube.List(context.Background(), l, client.InNamespace(ns)); err != nil {
		t.Fatalf("cannot list events: %v", err)
	}
	var out []string
	for _, e := range l.Items {
		if e.InvolvedObject.Name == name {
			out = append(out, e.Reason+": "+e.Message)
		}
	}
	return out
}

func ref(kind, name string) *xpv2.ProviderConfigReference {
	return &xpv2.ProviderConfigReference{Kind: kind, Name: name}
}

// update changes a Bucket with mutate, re-reading and retrying when the provider wrote it in between.
func update(t *testing.T, ns, name string, mutate func(*s3v1alpha1.Bucket)) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		b := get(t, ns, name)
		mutate(b)
		return kube.Update(context.Background(), b)
	})
	if err != nil {
		t.Fatalf("cannot update Bucket %s/%s: %v", ns, name, err)
	}
}

// A managedObj is a managed resource of any kind, as the tests read and wait for it.
type managedObj interface {
	client.Object
	GetCondition(xpv2.ConditionType) xpv2.Condition
}

// getMR reads ns/name into obj.
func getMR[T managedObj](t *testing.T, ns, name string, obj T) T {
	t.Helper()
	if err := kube.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, obj); err != nil {
		t.Fatalf("cannot get %T %s/%s: %v", obj, ns, name, err)
	}
	return obj
}

// waitMR waits until ok accepts the resource ns/name.
func waitMR[T managedObj](t *testing.T, ns, name, what string, newObj func() T, ok func(T) (bool, string)) T {
	t.Helper()
	var mg T
	eventually(t, name+" "+what, func() (bool, string) {
		mg = getMR(t, ns, name, newObj())
		return ok(mg)
	})
	return mg
}

// updateMR changes ns/name with mutate, re-reading and retrying when the provider wrote it in between.
func updateMR[T managedObj](t *testing.T, ns, name string, newObj func() T, mutate func(T)) {
	t.Helper()
	if err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		mg := getMR(t, ns, name, newObj())
		mutate(mg)
		return kube.Update(context.Background(), mg)
	}); err != nil {
		t.Fatalf("cannot update %s/%s: %v", ns, name, err)
	}
}

// readySynced accepts a resource that is Ready and Synced.
func readySynced[T managedObj](mg T) (bool, string) {
	r, s := mg.GetCondition(xpv2.TypeReady), mg.GetCondition(xpv2.TypeSynced)
	return r.Status == corev1.ConditionTrue && s.Status == corev1.ConditionTrue, fmt.Sprintf("ready=%s/%s synced=%s %q", r.Status, r.Reason, s.Status, s.Message)
}

// vaultRecorder is a Vault of the test's own, for a namespaced ProviderConfig to point at: an https server that
// keeps the service account token of every Kubernetes login, by role, and refuses the login (403) — what a
// tenant's own address would receive, without a Vault that could accept it.
type vaultRecorder struct {
	URL    string
	mu     sync.Mutex
	logins map[string][]string // role → JWTs received
}

// recordVaultLogins starts a vaultRecorder for the test and puts its CA in ns's Secret vault-ca (key ca.crt),
// which caBundleIf names: the provider must trust the recorder as it would the tenant's Vault.
func recordVaultLogins(t *testing.T, ns string) *vaultRecorder {
	t.Helper()
	v := &vaultRecorder{logins: map[string][]string{}}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ JWT, Role string }
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &body)
		v.mu.Lock()
		v.logins[body.Role] = append(v.logins[body.Role], body.JWT)
		v.mu.Unlock()
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"errors":["permission denied"]}`)
	}))
	t.Cleanup(srv.Close)
	v.URL = srv.URL
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "vault-ca"}, StringData: map[string]string{
		"ca.crt": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})),
	}})
	return v
}

// received returns the JWTs sent so far with a login for role.
func (v *vaultRecorder) received(role string) []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.logins[role]...)
}

// caBundleIf names the Secret recordVaultLogins writes when address is https, and nothing for a plain-http one.
func caBundleIf(address string) *v1alpha1.SecretKeySelector {
	if !strings.HasPrefix(address, "https://") {
		return nil
	}
	return &v1alpha1.SecretKeySelector{Name: "vault-ca", Key: "ca.crt"}
}
