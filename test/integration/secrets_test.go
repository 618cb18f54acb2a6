//go:build integration

package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rdsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
)

func secretObj(t *testing.T, ns, name string) *corev1.Secret {
	t.Helper()
	s := &corev1.Secret{}
	if err := kube.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, s); err != nil {
		t.Fatalf("cannot get Secret %s/%s: %v", ns, name, err)
	}
	return s
}

// The provider writes only Secrets it created for the resource: a generated password goes into a new Secret
// marked with the DBInstance, never into an existing Secret of the namespace; connection details never go into a
// Secret the resource does not control — not even one of Crossplane's connection type, which crossplane-runtime's
// own publisher would overwrite.
func TestProviderWritesOnlyItsOwnSecrets(t *testing.T) {
	t.Parallel()
	ns := namespace(t)

	// A Secret of the namespace that is not the DBInstance's: it has other keys and no password.
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "app-config"}, StringData: map[string]string{"api-url": "https://api.example.com"}})
	before := secretObj(t, ns, "app-config")
	name := "foreign-pw-" + suffix()
	create(t, dbInstance(ns, name, func(db *rdsv1alpha1.DBInstance) {
		db.Spec.ForProvider.MasterPasswordSecretRef = rdsv1alpha1.PasswordSecretRef{Name: "app-config", Key: "password", Generate: ptr.To(true)}
	}))
	waitDB(t, ns, name, "refusing to write into app-config", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		return syncError("Secret app-config exists and was not created for this DBInstance")(db.GetCondition(xpv2.TypeSynced))
	})
	if after := secretObj(t, ns, "app-config"); after.ResourceVersion != before.ResourceVersion || len(after.Data) != 1 {
		t.Errorf("the foreign Secret was modified: %d keys", len(after.Data))
	}
	if n := proxy.Count("CreateDBInstance", name); n != 0 {
		t.Errorf("CreateDBInstance without a password Secret of its own: %d calls", n)
	}

	// A generated password Secret is marked with the DBInstance it was made for.
	own := "own-pw-" + suffix()
	create(t, dbInstance(ns, own, func(db *rdsv1alpha1.DBInstance) {
		db.Spec.ForProvider.FinalSnapshot = &rdsv1alpha1.FinalSnapshot{Skip: ptr.To(true)}
	}))
	waitDB(t, ns, own, "Ready", dbReady)
	canary(string(secretData(t, ns, own+"-master")["password"]))
	if got := secretObj(t, ns, own+"-master").Annotations["stateful.dev/generated-for"]; got != "DBInstance.rds.aws.stateful.dev/"+own {
		t.Errorf("the generated Secret's marker: %q", got)
	}

	// Connection Secrets: an existing Secret the resource does not control — an Opaque one, and one of
	// Crossplane's connection type without a controller — is refused and left as it was, for every kind.
	for _, typ := range []corev1.SecretType{corev1.SecretTypeOpaque, "connection.crossplane.io/v1alpha1"} {
		target := "taken-" + strings.ReplaceAll(strings.ToLower(string(typ)), "/", "-") + "-" + suffix()
		target = strings.ReplaceAll(target, ".", "-")
		create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: target}, Type: typ, StringData: map[string]string{"endpoint": "do-not-touch"}})
		orig := secretObj(t, ns, target)
		b := bucket(ns, "conn-"+suffix())
		b.Spec.WriteConnectionSecretToReference = &xpv2.LocalSecretReference{Name: target}
		create(t, b)
		waitSyncError(t, ns, b.Name, "Secret "+target+" exists and is not this resource's connection Secret")
		q := queue(ns, "conn-q-"+suffix())
		q.Spec.WriteConnectionSecretToReference = &xpv2.LocalSecretReference{Name: target}
		create(t, q)
		waitQueue(t, ns, q.Name, queueSyncError("Secret "+target+" exists and is not this resource's connection Secret"))
		if cur := secretObj(t, ns, target); cur.ResourceVersion != orig.ResourceVersion || string(cur.Data["endpoint"]) != "do-not-touch" {
			t.Errorf("a %s Secret the resource does not control was overwritten", typ)
		}
		if n := proxy.Count("CreateBucket", b.Name); n != 0 {
			t.Errorf("a Bucket whose connection Secret is taken made %d CreateBucket calls", n)
		}
	}
}

// A DBInstance publishes only a password it set. ObserveOnly: no password, no URI, no DSN in the connection
// Secret, whatever its password Secret holds. Adopted with full management: the password Secret is the spec, so it
// is set once with ModifyDBInstance, and only then published.
func TestDBInstancePublishesOnlyPasswordsItSet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ns := namespace(t)
	legacy := "legacy-pw-" + suffix()
	const theirs, ours = "legacy-not-a-secret", "SpecPassw0rdSpecPassw0rdSpec1234"
	canary(ours)
	if _, err := directRDS().CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(legacy), Engine: aws.String("postgres"),
		DBInstanceClass: aws.String("db.t4g.micro"), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("app"), MasterUserPassword: aws.String(theirs)}); err != nil {
		t.Fatal(err)
	}
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: legacy + "-master"}, StringData: map[string]string{"password": ours}})

	create(t, dbInstance(ns, legacy, func(db *rdsv1alpha1.DBInstance) {
		db.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve}
	}))
	waitDB(t, ns, legacy, "observed", dbReady)
	var conn map[string][]byte
	eventually(t, "the ObserveOnly connection Secret", func() (bool, string) {
		conn = secretData(t, ns, legacy+"-conn")
		return len(conn["endpoint"]) > 0, ""
	})
	for _, k := range []string{"password", "uri", "dsn"} {
		if _, ok := conn[k]; ok {
			t.Errorf("an ObserveOnly DBInstance published %q: a password it never set", k)
		}
	}
	if n := proxy.Count("ModifyDBInstance", legacy); n != 0 {
		t.Errorf("ObserveOnly made %d ModifyDBInstance calls", n)
	}

	// Full management of the adopted instance: the Secret's password is applied, then published.
	updateDB(t, ns, legacy, func(db *rdsv1alpha1.DBInstance) {
		db.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionAll}
		db.Spec.AdoptExisting = ptr.To(true)
		db.Spec.ForProvider.FinalSnapshot = &rdsv1alpha1.FinalSnapshot{Skip: ptr.To(true)}
	})
	eventually(t, "the applied password in the connection Secret", func() (bool, string) {
		return string(secretData(t, ns, legacy+"-conn")["password"]) == ours, ""
	})
	if sent := sentPassword(legacy, "ModifyDBInstance"); sent != ours {
		t.Errorf("the published password was not set with ModifyDBInstance first")
	}
}
