//go:build integration

package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rdsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// A ClusterProviderConfig serves only the namespaces its allowedNamespaces selects — by name or by label — and
// the fallback to ClusterProviderConfig/default is checked the same way. A refused resource gets a clear condition,
// leaves no ProviderConfigUsage behind, never reaches the cloud, and can still be deleted (it is let go).
func TestClusterConfigServesAllowedNamespacesOnly(t *testing.T) {
	ctx := context.Background()
	cfgName, label := "platform-"+suffix(), "tier-"+suffix()
	named, labelled, tenant := tenantNamespace(t), newNamespace(t, "lbl-", map[string]string{label: "platform"}), tenantNamespace(t)
	create(t, &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: cfgName}, Spec: v1alpha1.ProviderConfigSpec{
		AllowedNamespaces: &v1alpha1.NamespaceSelection{Names: []string{named}, Selector: &v1alpha1.LabelSelector{MatchLabels: map[string]string{label: "platform"}}},
		AWS: &v1alpha1.AWSConfig{
			Credentials: v1alpha1.AWSCredentials{Source: v1alpha1.AWSCredentialsSecret, SecretRef: &v1alpha1.AWSSecretCredentials{Namespace: "crossplane-system", Name: "aws-creds"}},
			Endpoint:    &v1alpha1.AWSEndpoint{URL: proxy.URL, S3UsePathStyle: true},
		},
	}})

	for _, ns := range []string{named, labelled} {
		b := bucket(ns, "served-"+suffix())
		b.Spec.ProviderConfigReference = ref("ClusterProviderConfig", cfgName)
		create(t, b)
		waitReady(t, ns, b.Name)
	}

	explicit := bucket(tenant, "refused-"+suffix())
	explicit.Spec.ProviderConfigReference = ref("ClusterProviderConfig", cfgName)
	create(t, explicit)
	// No providerConfigRef: ClusterProviderConfig/default, which serves only namespaces labelled as the platform's.
	fallback := bucket(tenant, "fallback-"+suffix())
	create(t, fallback)
	waitSyncError(t, tenant, explicit.Name, "ClusterProviderConfig "+cfgName+" does not serve namespace "+tenant)
	waitSyncError(t, tenant, fallback.Name, "ClusterProviderConfig default does not serve namespace "+tenant)

	// The refusal comes before usage tracking and credentials: no usage record, no cloud call.
	usages := &v1alpha1.ProviderConfigUsageList{}
	if err := kube.List(ctx, usages, client.InNamespace(tenant)); err != nil {
		t.Fatal(err)
	}
	if len(usages.Items) != 0 {
		t.Errorf("a refused resource left %d ProviderConfigUsages in %s", len(usages.Items), tenant)
	}
	if calls := proxy.Calls(func(c harness.Call) bool { return c.Bucket == explicit.Name || c.Bucket == fallback.Name }); len(calls) != 0 {
		t.Errorf("a refused resource reached the cloud: %d calls, first %s", len(calls), calls[0].Operation)
	}

	// A refused resource that never connected has no finalizer: deleting it is immediate, with no cloud call.
	for _, b := range []string{explicit.Name, fallback.Name} {
		deleteAndWaitGone(t, get(t, tenant, b))
	}
	if calls := proxy.Calls(func(c harness.Call) bool { return c.Bucket == explicit.Name || c.Bucket == fallback.Name }); len(calls) != 0 {
		t.Errorf("deleting a refused resource reached the cloud: %d calls", len(calls))
	}

	// Labelling the tenant's namespace (a platform admin's decision) lets it in at the next reconcile.
	setLabels := func(l map[string]string) {
		t.Helper()
		nsObj := &corev1.Namespace{}
		if err := kube.Get(ctx, client.ObjectKey{Name: tenant}, nsObj); err != nil {
			t.Fatal(err)
		}
		nsObj.Labels = l
		if err := kube.Update(ctx, nsObj); err != nil {
			t.Fatal(err)
		}
	}
	setLabels(map[string]string{platformLabel: "true"})
	late := bucket(tenant, "admitted-"+suffix())
	create(t, late)
	waitReady(t, tenant, late.Name)

	// Taking the label away refuses the resource from then on; deleting it then lets it go without a cloud call —
	// the namespace may no longer act with the config's identity, not even to delete — and the namespace is not
	// held up by its finalizer.
	setLabels(nil)
	heads := proxy.Count("HeadBucket", late.Name)
	update(t, tenant, late.Name, func(b *s3v1alpha1.Bucket) { b.Spec.ForProvider.Tags = map[string]string{"poke": "1"} })
	waitSyncError(t, tenant, late.Name, "ClusterProviderConfig default does not serve namespace "+tenant)
	deleteAndWaitGone(t, get(t, tenant, late.Name))
	if n := proxy.Count("HeadBucket", late.Name) - heads; n != 0 {
		t.Errorf("a refused resource reached the cloud: %d HeadBucket calls", n)
	}
	if n := proxy.Count("DeleteBucket", late.Name); n != 0 {
		t.Errorf("a refused resource deleted its bucket")
	}
	if !cloudExists(late.Name) {
		t.Errorf("the bucket of a refused resource is gone: it must be left as it is")
	}
	eventually(t, "a NotServed event for the refused resource's deletion", func() (bool, string) {
		ev := strings.Join(events(t, tenant, late.Name), "\n")
		return strings.Contains(ev, "NotServed"), ev
	})
}

// A ClusterProviderConfig in use by a namespace it serves cannot be deleted; resources of namespaces it does not
// serve still naming it are not its users — they can never use it — so they neither count nor keep it.
func TestClusterConfigDeletionCountsServedNamespacesOnly(t *testing.T) {
	ctx := context.Background()
	cfgName, served, stranger := "narrow-"+suffix(), tenantNamespace(t), tenantNamespace(t)
	cfg := &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: cfgName}, Spec: v1alpha1.ProviderConfigSpec{
		AllowedNamespaces: &v1alpha1.NamespaceSelection{Names: []string{served}},
		AWS: &v1alpha1.AWSConfig{
			Credentials: v1alpha1.AWSCredentials{Source: v1alpha1.AWSCredentialsSecret, SecretRef: &v1alpha1.AWSSecretCredentials{Namespace: "crossplane-system", Name: "aws-creds"}},
			Endpoint:    &v1alpha1.AWSEndpoint{URL: proxy.URL, S3UsePathStyle: true},
		},
	}}
	create(t, cfg)
	user := bucket(served, "user-"+suffix())
	user.Spec.ProviderConfigReference = ref("ClusterProviderConfig", cfgName)
	create(t, user)
	waitReady(t, served, user.Name)
	refused := bucket(stranger, "refused-"+suffix())
	refused.Spec.ProviderConfigReference = ref("ClusterProviderConfig", cfgName)
	create(t, refused)
	waitSyncError(t, stranger, refused.Name, "ClusterProviderConfig "+cfgName+" does not serve namespace "+stranger)

	if err := kube.Delete(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the config's deletion blocked by its one user", func() (bool, string) {
		cur := &v1alpha1.ClusterProviderConfig{}
		if err := kube.Get(ctx, client.ObjectKeyFromObject(cfg), cur); err != nil {
			return false, err.Error()
		}
		for _, c := range cur.Status.Conditions {
			if c.Status == corev1.ConditionTrue && strings.HasPrefix(c.Message, "Blocking deletion while") {
				return c.Message == "Blocking deletion while 1 managed resource(s) still use it", c.Message
			}
		}
		return false, "no blocking condition yet"
	})

	deleteAndWaitGone(t, get(t, served, user.Name))
	// NOTE: envtest has no garbage collector to remove the Bucket's usage record with it.
	if err := kube.DeleteAllOf(ctx, &v1alpha1.ProviderConfigUsage{}, client.InNamespace(served)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the config gone while a namespace it does not serve still names it", func() (bool, string) {
		err := kube.Get(ctx, client.ObjectKeyFromObject(cfg), &v1alpha1.ClusterProviderConfig{})
		return kerrors.IsNotFound(err), fmt.Sprint(err)
	})
	if n := proxy.Count("CreateBucket", refused.Name); n != 0 {
		t.Errorf("the refused Bucket reached the cloud: %d CreateBucket calls", n)
	}
}

// The provider reads no Secret outside the namespace of the object it serves (T20), as the API server's audit log
// records it: a tenant's resources naming Secrets and ProviderConfigs that exist only in another namespace reach
// nothing there.
func TestProviderReadsNoSecretOfAnotherNamespace(t *testing.T) {
	tenant, victim := namespace(t), namespace(t)
	for _, name := range []string{"app-config", "orders-conn"} {
		create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: victim, Name: name}, StringData: map[string]string{"password": "canary-secret-victim"}})
	}
	tenantConfig(t, victim, "AKIAVICTIM"+suffix())
	create(t, &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: victim, Name: "victims"}, Spec: v1alpha1.ProviderConfigSpec{AWS: &v1alpha1.AWSConfig{
		Credentials: v1alpha1.AWSCredentials{Source: v1alpha1.AWSCredentialsSecret, SecretRef: &v1alpha1.AWSSecretCredentials{Name: "creds"}},
		Endpoint:    &v1alpha1.AWSEndpoint{URL: proxy.URL, S3UsePathStyle: true},
	}}})
	pcRef := tenantConfig(t, tenant, "AKIATENANT"+suffix())

	// A ProviderConfig that exists only in the victim's namespace.
	b := bucket(tenant, "reach-"+suffix())
	b.Spec.ProviderConfigReference = &xpv2.ProviderConfigReference{Kind: "ProviderConfig", Name: "victims"}
	create(t, b)
	// Password and connection Secrets named like the victim's, that do not exist in the tenant's namespace.
	db := dbInstance(tenant, "reach-db-"+suffix(), func(db *rdsv1alpha1.DBInstance) {
		db.Spec.ForProvider.MasterPasswordSecretRef = rdsv1alpha1.PasswordSecretRef{Name: "app-config", Key: "password"}
		db.Spec.WriteConnectionSecretToReference = &xpv2.LocalSecretReference{Name: "orders-conn"}
		db.Spec.ProviderConfigReference = pcRef
	})
	create(t, db)
	waitSyncError(t, tenant, b.Name, "cannot get ProviderConfig "+tenant+"/victims")
	waitDB(t, tenant, db.Name, "missing its password", func(d *rdsv1alpha1.DBInstance) (bool, string) {
		return syncError("Secret app-config has no key")(d.GetCondition(xpv2.TypeSynced))
	})
	events, err := harness.ReadAudit(auditLog(), providerAgent)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range events {
		switch e.ObjectRef.Namespace {
		case victim:
			t.Errorf("the provider %s Secret %s/%s for another namespace's resources", e.Verb, victim, e.ObjectRef.Name)
		case tenant:
			seen++
		}
	}
	if seen == 0 {
		t.Errorf("the audit log shows no Secret read in the tenant's namespace: the check proves nothing")
	}
}

// Through a ClusterProviderConfig a resource may name only the KMS keys, RDS groups and security groups that the
// config's allowedReferences admit for its namespace: the platform's identity may reach every team's. The
// refusal comes before any cloud call, and the admin's edit of the list lets the resource in.
func TestClusterConfigAllowedReferences(t *testing.T) {
	ctx := context.Background()
	ns := namespace(t)
	cfgName := "refs-" + suffix()
	cfg := &v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: cfgName}, Spec: v1alpha1.ProviderConfigSpec{AWS: &v1alpha1.AWSConfig{
		Credentials:       v1alpha1.AWSCredentials{Source: v1alpha1.AWSCredentialsSecret, SecretRef: &v1alpha1.AWSSecretCredentials{Namespace: "crossplane-system", Name: "aws-creds"}},
		Endpoint:          &v1alpha1.AWSEndpoint{URL: proxy.URL, S3UsePathStyle: true},
		AllowedReferences: &v1alpha1.AWSAllowedReferences{KMSKeys: []string{"alias/{namespace}/*"}},
	}}}
	create(t, cfg)
	withKey := func(key string) bucketOpt {
		return func(b *s3v1alpha1.Bucket) {
			b.Spec.ProviderConfigReference = ref("ClusterProviderConfig", cfgName)
			b.Spec.ForProvider.ServerSideEncryption = &s3v1alpha1.ServerSideEncryption{Algorithm: "aws:kms", KMSKeyID: ptr.To(key)}
		}
	}
	own, other := bucket(ns, "own-key-"+suffix(), withKey("alias/"+ns+"/orders")), bucket(ns, "other-key-"+suffix(), withKey("alias/team-b/orders"))
	db := dbInstance(ns, "sg-"+suffix(), func(d *rdsv1alpha1.DBInstance) {
		d.Spec.ProviderConfigReference = ref("ClusterProviderConfig", cfgName)
		d.Spec.ForProvider.VPCSecurityGroupIDs = []string{"sg-0123456789abcdef0"}
	})
	create(t, own)
	create(t, other)
	create(t, db)

	if got := waitReady(t, ns, own.Name).Status.AtProvider.ServerSideEncryption; got == nil || got.KMSKeyID != "alias/"+ns+"/orders" {
		t.Errorf("the namespace's own key was not applied: %+v", got)
	}
	waitSyncError(t, ns, other.Name, `spec.forProvider.serverSideEncryption.kmsKeyID "alias/team-b/orders" is not allowed through ClusterProviderConfig `+cfgName+": its spec.aws.allowedReferences.kmsKeys admits no such name for namespace "+ns)
	waitDB(t, ns, db.Name, "refused security group", func(d *rdsv1alpha1.DBInstance) (bool, string) {
		return syncError(`spec.forProvider.vpcSecurityGroupIDs[0] "sg-0123456789abcdef0" is not allowed`)(d.GetCondition(xpv2.TypeSynced))
	})
	if calls := proxy.Calls(func(c harness.Call) bool {
		return c.Bucket == other.Name || (c.Service == "rds" && strings.Contains(string(c.Body), db.Name))
	}); len(calls) != 0 {
		t.Errorf("a refused reference reached the cloud: %d calls, first %s", len(calls), calls[0].Operation)
	}

	// The platform admin allows team-b's keys through this config: the Bucket goes on with its next attempt.
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		c := &v1alpha1.ClusterProviderConfig{}
		if err := kube.Get(ctx, client.ObjectKey{Name: cfgName}, c); err != nil {
			return err
		}
		c.Spec.AWS.AllowedReferences.KMSKeys = append(c.Spec.AWS.AllowedReferences.KMSKeys, "alias/team-b/*")
		return kube.Update(ctx, c)
	})
	if err != nil {
		t.Fatal(err)
	}
	eventuallyWithin(t, 2*waitTimeout, "Bucket "+other.Name+" Ready once its key is allowed", func() (bool, string) {
		return readySynced(get(t, ns, other.Name))
	})
}
