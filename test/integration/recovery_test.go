//go:build integration

package integration

import (
	"context"
	"net/url"
	"strings"
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rdsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/aws/dbinstance"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// A DBInstance with a generated password, restored from Git after its cluster was lost — the DBInstance, its
// password Secret, its connection Secret and its claim gone, the instance left running — is taken back without a
// create and without resetting the password: whatever outside the cluster uses it keeps working. The condition
// says how to publish it again.
func TestDBInstanceRestoredFromGitKeepsItsPassword(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ns, name := namespace(t), "restored-"+suffix()
	create(t, dbInstance(ns, name))
	waitDB(t, ns, name, "Ready", dbReady)
	var before string
	eventually(t, "the generated password published", func() (bool, string) {
		before = string(secretData(t, ns, name+"-conn")["password"])
		return before != "", ""
	})

	// The cluster is lost: nothing the provider can see of the DBInstance survives, and nothing is deleted in
	// the cloud.
	updateDB(t, ns, name, func(db *rdsv1alpha1.DBInstance) {
		db.Spec.ManagementPolicies = xpv2.ManagementPolicies{xpv2.ManagementActionObserve, xpv2.ManagementActionCreate, xpv2.ManagementActionUpdate, xpv2.ManagementActionLateInitialize}
	})
	waitDB(t, ns, name, "orphaning", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		return db.GetCondition(xpv2.TypeSynced).ObservedGeneration == db.Generation, "not yet reconciled"
	})
	deleteAndWait(t, ns, name, func() managedObj { return newDB() })
	for _, s := range []string{name + "-master", name + "-conn"} {
		if err := client.IgnoreNotFound(kube.Delete(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: s}})); err != nil {
			t.Fatal(err)
		}
	}
	leases := &coordinationv1.LeaseList{}
	if err := kube.List(ctx, leases, client.MatchingLabels{managedkind.LabelClaim: "true"}); err != nil {
		t.Fatal(err)
	}
	for i := range leases.Items {
		if l := &leases.Items[i]; l.Annotations[managedkind.AnnotationNamespace] == ns && strings.HasSuffix(l.Annotations[managedkind.AnnotationScope], "|"+name) {
			if err := kube.Delete(ctx, l); err != nil {
				t.Fatal(err)
			}
		}
	}
	creates, resets := proxy.Count("CreateDBInstance", name), passwordsSent(name)

	// The same YAML applied to the fresh cluster.
	create(t, dbInstance(ns, name))
	db := waitDB(t, ns, name, "Ready, its password not provable", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		c := db.GetCondition(dbinstance.TypeMasterPassword)
		if ok, why := readySynced(db); !ok {
			return false, why
		}
		return c.Status == corev1.ConditionFalse, c.Message
	})
	if !strings.Contains(db.GetCondition(dbinstance.TypeMasterPassword).Message, "Write the instance's password into Secret "+name+"-master") {
		t.Errorf("the condition does not say what to do: %q", db.GetCondition(dbinstance.TypeMasterPassword).Message)
	}
	if n := proxy.Count("CreateDBInstance", name) - creates; n != 0 {
		t.Errorf("%d CreateDBInstance calls after the recovery", n)
	}
	if n := passwordsSent(name) - resets; n != 0 {
		t.Errorf("the master password was reset %d times after the recovery", n)
	}
	eventually(t, "the connection Secret back, without a password", func() (bool, string) {
		conn := secretData(t, ns, name+"-conn")
		return len(conn["endpoint"]) > 0 && len(conn["password"]) == 0, ""
	})

	// Restoring the old password into its Secret publishes it again (setting it to what it is).
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-master"}, StringData: map[string]string{"password": before}})
	eventually(t, "the restored password published", func() (bool, string) {
		return string(secretData(t, ns, name+"-conn")["password"]) == before, ""
	})
	waitDB(t, ns, name, "its password known", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		c := db.GetCondition(dbinstance.TypeMasterPassword)
		return c.Status == corev1.ConditionTrue, c.Message
	})
}

// passwordsSent counts the ModifyDBInstance calls on id that set a master password.
func passwordsSent(id string) int {
	return len(proxy.Calls(func(c harness.Call) bool {
		if c.Operation != "ModifyDBInstance" || c.Bucket != id {
			return false
		}
		form, err := url.ParseQuery(string(c.Body))
		return err == nil && form.Get("MasterUserPassword") != ""
	}))
}
