//go:build integration

package integration

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	rdsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

func dbInstance(ns, name string, mutate ...func(*rdsv1alpha1.DBInstance)) *rdsv1alpha1.DBInstance {
	db := &rdsv1alpha1.DBInstance{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: rdsv1alpha1.DBInstanceSpec{ForProvider: rdsv1alpha1.DBInstanceParameters{
			Region: "eu-west-1", Engine: "postgres", EngineVersion: ptr.To("16"), DBInstanceClass: "db.t4g.micro",
			AllocatedStorage: ptr.To(int32(20)), MasterUsername: "app", DBName: ptr.To("orders"),
			MasterPasswordSecretRef: rdsv1alpha1.PasswordSecretRef{Name: name + "-master", Key: "password", Generate: ptr.To(true)},
			ApplyImmediately:        ptr.To(true),
		}},
	}
	db.Spec.WriteConnectionSecretToReference = &xpv2.LocalSecretReference{Name: name + "-conn"}
	for _, m := range mutate {
		m(db)
	}
	return db
}

func newDB() *rdsv1alpha1.DBInstance { return &rdsv1alpha1.DBInstance{} }

func getDB(t *testing.T, ns, name string) *rdsv1alpha1.DBInstance { return getMR(t, ns, name, newDB()) }

func waitDB(t *testing.T, ns, name, what string, ok func(*rdsv1alpha1.DBInstance) (bool, string)) *rdsv1alpha1.DBInstance {
	t.Helper()
	return waitMR(t, ns, name, what, newDB, ok)
}

func dbReady(db *rdsv1alpha1.DBInstance) (bool, string) { return readySynced(db) }

func updateDB(t *testing.T, ns, name string, mutate func(*rdsv1alpha1.DBInstance)) {
	t.Helper()
	updateMR(t, ns, name, newDB, mutate)
}

func secretData(t *testing.T, ns, name string) map[string][]byte {
	t.Helper()
	s := &corev1.Secret{}
	if err := kube.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, s); err != nil {
		return nil
	}
	return s.Data
}

// sentPassword is the MasterUserPassword of the last call op made for instance id, as the proxy kept it.
func sentPassword(id, op string) string {
	calls := proxy.Calls(func(c harness.Call) bool { return c.Operation == op && c.Bucket == id })
	for i := len(calls) - 1; i >= 0; i-- {
		if form, err := url.ParseQuery(string(calls[i].Body)); err == nil && form.Get("MasterUserPassword") != "" {
			return form.Get("MasterUserPassword")
		}
	}
	return ""
}

// A DBInstance with a generated password: the password is generated once into its Secret, is exactly what
// CreateDBInstance sent, reaches the connection Secret with a DSN, and appears nowhere else. A changed Secret
// rotates it with ModifyDBInstance; an auto-upgraded minor version causes no update; deletion needs a decision.
func TestDBInstanceLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ns := namespace(t)
	name := "orders-" + suffix()
	create(t, dbInstance(ns, name, func(db *rdsv1alpha1.DBInstance) { db.Spec.ForProvider.Tags = map[string]string{"team": "orders"} }))
	got := waitDB(t, ns, name, "Ready", dbReady)

	generated := string(secretData(t, ns, name+"-master")["password"])
	if len(generated) != 32 {
		t.Fatalf("the generated password has %d characters, want 32", len(generated))
	}
	canary(generated)
	if sent := sentPassword(name, "CreateDBInstance"); sent != generated {
		t.Fatalf("CreateDBInstance sent another password than the one stored in the Secret")
	}
	if n := proxy.Count("CreateDBInstance", name); n != 1 {
		t.Errorf("CreateDBInstance calls: want 1, got %d", n)
	}
	var conn map[string][]byte
	eventually(t, "the connection secret", func() (bool, string) {
		conn = secretData(t, ns, name+"-conn")
		return conn != nil && string(conn["endpoint"]) != "", fmt.Sprint(len(conn), " keys")
	})
	host, port := string(conn["endpoint"]), string(conn["port"])
	want := map[string]string{
		"username": "app", "password": generated, "database": "orders", "endpoint": got.Status.AtProvider.Address,
		"uri": "postgres://app:" + generated + "@" + host + ":" + port + "/orders?sslmode=require",
		"dsn": "host=" + host + " port=" + port + " user=app password=" + generated + " dbname=orders sslmode=require",
	}
	for k, v := range want {
		if string(conn[k]) != v {
			t.Errorf("connection secret %s: %q, want %q", k, conn[k], v)
		}
	}

	// Steady state: moto reports the version it was given ("16"); AWS would report 16.x after an automatic minor
	// upgrade — the proxy says 16.4 from now on, and the spec's "16" is satisfied by it: no ModifyDBInstance.
	proxy.Rewrite("DescribeDBInstances", name, -1, func(status int, body []byte) (int, []byte) {
		return status, bytes.ReplaceAll(body, []byte("<EngineVersion>16</EngineVersion>"), []byte("<EngineVersion>16.4</EngineVersion>"))
	})
	describes := proxy.Count("DescribeDBInstances", name)
	eventually(t, "three more polls", func() (bool, string) { return proxy.Count("DescribeDBInstances", name)-describes >= 3, "" })
	if n := proxy.Count("ModifyDBInstance", name); n != 0 {
		t.Errorf("ModifyDBInstance calls in steady state: %d", n)
	}
	waitDB(t, ns, name, "reporting 16.4", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		return db.Status.AtProvider.EngineVersion == "16.4", db.Status.AtProvider.EngineVersion
	})

	// A spec change: one ModifyDBInstance with just that field.
	updateDB(t, ns, name, func(db *rdsv1alpha1.DBInstance) { db.Spec.ForProvider.DBInstanceClass = "db.t4g.small" })
	waitDB(t, ns, name, "on the new class", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		return db.Status.AtProvider.DBInstanceClass == "db.t4g.small", db.Status.AtProvider.DBInstanceClass
	})
	mods := proxy.Calls(func(c harness.Call) bool { return c.Operation == "ModifyDBInstance" && c.Bucket == name })
	if len(mods) != 1 || !strings.Contains(string(mods[0].Body), "DBInstanceClass=db.t4g.small") || strings.Contains(string(mods[0].Body), "MasterUserPassword") {
		t.Errorf("the class change: want one ModifyDBInstance with DBInstanceClass and no password, got %d calls", len(mods))
	}

	// Rotation: new content in the password Secret → ModifyDBInstance with it → the connection secret follows.
	const rotated = "RotatedPassw0rdRotatedPassw0rd42"
	canary(rotated)
	s := &corev1.Secret{}
	if err := kube.Get(ctx, client.ObjectKey{Namespace: ns, Name: name + "-master"}, s); err != nil {
		t.Fatal(err)
	}
	s.Data["password"] = []byte(rotated)
	if err := kube.Update(ctx, s); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the rotated password in the connection secret", func() (bool, string) {
		return string(secretData(t, ns, name+"-conn")["password"]) == rotated, ""
	})
	if sent := sentPassword(name, "ModifyDBInstance"); sent != rotated {
		t.Errorf("ModifyDBInstance did not send the rotated password")
	}
	for _, e := range events(t, ns, name) {
		if strings.Contains(e, rotated) || strings.Contains(e, generated) {
			t.Errorf("an event carries the password")
		}
	}

	// Deletion waits for a decision about the data.
	if err := kube.Delete(ctx, getDB(t, ns, name)); err != nil {
		t.Fatal(err)
	}
	waitDB(t, ns, name, "refusing to delete without a decision", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		s := db.GetCondition(xpv2.TypeSynced)
		return strings.Contains(s.Message, "is not deleted until spec.forProvider.finalSnapshot says what happens to its data"), s.Message
	})
	if n := proxy.Count("DeleteDBInstance", name); n != 0 {
		t.Errorf("DeleteDBInstance without a final-snapshot decision: %d calls", n)
	}
	updateDB(t, ns, name, func(db *rdsv1alpha1.DBInstance) {
		db.Spec.ForProvider.FinalSnapshot = &rdsv1alpha1.FinalSnapshot{Identifier: ptr.To(name + "-final")}
	})
	eventually(t, "DBInstance gone", func() (bool, string) {
		err := kube.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &rdsv1alpha1.DBInstance{})
		return kerrors.IsNotFound(err), fmt.Sprint(err)
	})
	dels := proxy.Calls(func(c harness.Call) bool { return c.Operation == "DeleteDBInstance" && c.Bucket == name })
	if len(dels) == 0 || !strings.Contains(string(dels[0].Body), "FinalDBSnapshotIdentifier="+name+"-final") {
		t.Errorf("DeleteDBInstance must ask for the final snapshot")
	}
}

// While RDS reports the instance modifying (moto never does: the proxy rewrites its answers), the DBInstance is
// Ready — it serves traffic — with RDS's state in the message, and no ModifyDBInstance is sent, whatever the spec
// says; once available, the change goes out. A stopped instance is Unavailable.
func TestDBInstanceCreatingNoModify(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	name := "busy-" + suffix()
	create(t, dbInstance(ns, name, func(db *rdsv1alpha1.DBInstance) {
		db.Spec.ForProvider.FinalSnapshot = &rdsv1alpha1.FinalSnapshot{Skip: ptr.To(true)}
	}))
	waitDB(t, ns, name, "Ready", dbReady)
	creating := func(status int, body []byte) (int, []byte) {
		return status, bytes.ReplaceAll(body, []byte("<DBInstanceStatus>available</DBInstanceStatus>"), []byte("<DBInstanceStatus>modifying</DBInstanceStatus>"))
	}
	proxy.Rewrite("DescribeDBInstances", name, 4, creating)
	updateDB(t, ns, name, func(db *rdsv1alpha1.DBInstance) { db.Spec.ForProvider.BackupRetentionPeriod = ptr.To(int32(7)) })
	// Modifying, the instance serves traffic: Ready, saying RDS is busy — not "Creating".
	waitDB(t, ns, name, "Ready but busy while RDS modifies it", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		r := db.GetCondition(xpv2.TypeReady)
		return r.Status == corev1.ConditionTrue && strings.Contains(r.Message, "RDS reports the instance modifying") && db.Status.AtProvider.Status == "modifying", string(r.Reason) + " " + r.Message
	})
	if n := proxy.Count("ModifyDBInstance", name); n != 0 {
		t.Errorf("ModifyDBInstance while the instance is not available: %d calls", n)
	}
	waitDB(t, ns, name, "Ready with the change applied", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		ok, why := dbReady(db)
		return ok && proxy.Count("ModifyDBInstance", name) == 1, why
	})
	proxy.Rewrite("DescribeDBInstances", name, 2, func(status int, body []byte) (int, []byte) {
		return status, bytes.ReplaceAll(body, []byte("<DBInstanceStatus>available</DBInstanceStatus>"), []byte("<DBInstanceStatus>stopped</DBInstanceStatus>"))
	})
	waitDB(t, ns, name, "Unavailable while stopped", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		r := db.GetCondition(xpv2.TypeReady)
		return r.Status == corev1.ConditionFalse && r.Reason == xpv2.ReasonUnavailable && strings.Contains(r.Message, "stopped"), string(r.Reason)
	})
	waitDB(t, ns, name, "Ready again", dbReady)

	// Deletion protection: a delete waits until the spec turns it off, which then goes out before the delete.
	updateDB(t, ns, name, func(db *rdsv1alpha1.DBInstance) { db.Spec.ForProvider.DeletionProtection = ptr.To(true) })
	waitDB(t, ns, name, "protected", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		ok, why := dbReady(db)
		return ok && proxy.Count("ModifyDBInstance", name) == 2, why
	})
	if err := kube.Delete(context.Background(), getDB(t, ns, name)); err != nil {
		t.Fatal(err)
	}
	waitDB(t, ns, name, "refusing to delete a protected instance", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		s := db.GetCondition(xpv2.TypeSynced)
		return strings.Contains(s.Message, "has deletion protection: set spec.forProvider.deletionProtection to false first"), s.Message
	})
	updateDB(t, ns, name, func(db *rdsv1alpha1.DBInstance) { db.Spec.ForProvider.DeletionProtection = ptr.To(false) })
	eventually(t, "DBInstance gone", func() (bool, string) {
		err := kube.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &rdsv1alpha1.DBInstance{})
		return kerrors.IsNotFound(err), fmt.Sprint(err)
	})
	if n := proxy.Count("DeleteDBInstance", name); n != 1 {
		t.Errorf("DeleteDBInstance calls: want 1, got %d", n)
	}
}

// Invalid DBInstances are refused by the CRD.
func TestDBInstanceCRDValidation(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	for _, tc := range []struct {
		name, want string
		db         *rdsv1alpha1.DBInstance
	}{
		{"Engine", "spec.forProvider.engine", dbInstance(ns, "eng-"+suffix(), func(db *rdsv1alpha1.DBInstance) { db.Spec.ForProvider.Engine = "oracle-ee" })},
		{"Identifier", "metadata.name is the DB instance identifier", dbInstance(ns, "db--"+suffix())},
		{"IOPSOnGP2", "iops needs storageType io1, io2 or gp3", dbInstance(ns, "iops-"+suffix(), func(db *rdsv1alpha1.DBInstance) {
			db.Spec.ForProvider.StorageType, db.Spec.ForProvider.IOPS = ptr.To("gp2"), ptr.To(int32(3000))
		})},
		{"FinalSnapshotBoth", "set either skip: true or a snapshot identifier", dbInstance(ns, "fs-"+suffix(), func(db *rdsv1alpha1.DBInstance) {
			db.Spec.ForProvider.FinalSnapshot = &rdsv1alpha1.FinalSnapshot{Skip: ptr.To(true), Identifier: ptr.To("x")}
		})},
		{"MaintenanceWindow", "spec.forProvider.preferredMaintenanceWindow", dbInstance(ns, "mw-"+suffix(), func(db *rdsv1alpha1.DBInstance) {
			db.Spec.ForProvider.PreferredMaintenanceWindow = ptr.To("sunday 3am")
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := kube.Create(context.Background(), tc.db)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want a refusal containing %q, got %v", tc.want, err)
			}
		})
	}
}

// RDS's own changes are not drift: an automatic minor upgrade (16.4 → 16.8) and storage autoscaling (20 → 34 GiB
// under maxAllocatedStorage 100), as the proxy reports them, cause no ModifyDBInstance over several polls.
func TestDBInstanceCloudNormalisationInSync(t *testing.T) {
	t.Parallel()
	ns, name := namespace(t), "norm-"+suffix()
	create(t, dbInstance(ns, name, func(db *rdsv1alpha1.DBInstance) {
		db.Spec.ForProvider.EngineVersion, db.Spec.ForProvider.MaxAllocatedStorage = ptr.To("16.4"), ptr.To(int32(100))
		db.Spec.ForProvider.FinalSnapshot = &rdsv1alpha1.FinalSnapshot{Skip: ptr.To(true)}
	}))
	waitDB(t, ns, name, "Ready", dbReady)
	proxy.Rewrite("DescribeDBInstances", name, -1, func(status int, body []byte) (int, []byte) {
		body = bytes.ReplaceAll(body, []byte("<EngineVersion>16.4</EngineVersion>"), []byte("<EngineVersion>16.8</EngineVersion>"))
		return status, bytes.ReplaceAll(body, []byte("<AllocatedStorage>20</AllocatedStorage>"), []byte("<AllocatedStorage>34</AllocatedStorage>"))
	})
	waitDB(t, ns, name, "reporting what RDS did", func(db *rdsv1alpha1.DBInstance) (bool, string) {
		a := db.Status.AtProvider
		return a.EngineVersion == "16.8" && a.AllocatedStorage == 34, fmt.Sprint(a.EngineVersion, " ", a.AllocatedStorage)
	})
	describes := proxy.Count("DescribeDBInstances", name)
	eventually(t, "three more polls", func() (bool, string) { return proxy.Count("DescribeDBInstances", name)-describes >= 3, "" })
	if n := proxy.Count("ModifyDBInstance", name); n != 0 {
		t.Errorf("ModifyDBInstance calls against RDS's own upgrade and autoscaling: %d", n)
	}
}
