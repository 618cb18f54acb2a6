//go:build integration

package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ddbv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/dynamodb/v1alpha1"
	rdsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/rds/v1alpha1"
	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	sqsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	"github.com/stateful-dev/provider-stateful/apis/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// tenantConfig makes a namespaced ProviderConfig "aws" in ns whose key ID is keyID, so the proxy can tell the
// tenant's calls from everyone else's.
func tenantConfig(t *testing.T, ns, keyID string) *xpv2.ProviderConfigReference {
	t.Helper()
	create(t, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "creds"}, StringData: map[string]string{
		"access_key_id": keyID, "secret_access_key": "canary-secret-" + keyID,
	}})
	create(t, &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "aws"}, Spec: v1alpha1.ProviderConfigSpec{AWS: &v1alpha1.AWSConfig{
		Credentials: v1alpha1.AWSCredentials{Source: v1alpha1.AWSCredentialsSecret, SecretRef: &v1alpha1.AWSSecretCredentials{Name: "creds"}},
		Endpoint:    &v1alpha1.AWSEndpoint{URL: proxy.URL, S3UsePathStyle: true},
	}}})
	return &xpv2.ProviderConfigReference{Kind: "ProviderConfig", Name: "aws"}
}

// Two tenants' resources of the same kind and name, in one account, applied in the same sync: the proxy holds
// their create calls until both have arrived (or 8 s), so without an atomic claim both reach the cloud together —
// and S3 answers both with success. Exactly one resource may own the name: one create reaches the cloud, one
// resource is Ready with the cloud resource tagged as its own, and the other is refused and never writes to it.
func TestRaceForOneName(t *testing.T) {
	type kind struct {
		op     string
		object func(ns, name string, ref *xpv2.ProviderConfigReference) client.Object
		get    func(ns, name string) managedObj
		tagged func(t *testing.T, name string) string // the namespace the ownership tags name
	}
	kinds := map[string]kind{
		"Bucket": {op: "CreateBucket",
			object: func(ns, name string, ref *xpv2.ProviderConfigReference) client.Object {
				b := bucket(ns, name)
				b.Spec.ForProvider.Region = "us-east-1" // where CreateBucket answers 200 to its owner again
				b.Spec.ProviderConfigReference = ref
				return b
			},
			get:    func(ns, name string) managedObj { return getMR(t, ns, name, &s3v1alpha1.Bucket{}) },
			tagged: func(t *testing.T, name string) string { return cloudTags(t, name)["stateful.dev/namespace"] },
		},
		"Queue": {op: "CreateQueue",
			object: func(ns, name string, ref *xpv2.ProviderConfigReference) client.Object {
				q := queue(ns, name)
				q.Spec.ProviderConfigReference = ref
				return q
			},
			get: func(ns, name string) managedObj { return getMR(t, ns, name, &sqsv1alpha1.Queue{}) },
			tagged: func(t *testing.T, name string) string {
				_, tags := cloudQueue(t, name)
				return tags["stateful.dev/namespace"]
			},
		},
		"DBInstance": {op: "CreateDBInstance",
			object: func(ns, name string, ref *xpv2.ProviderConfigReference) client.Object {
				db := dbInstance(ns, name, func(db *rdsv1alpha1.DBInstance) {
					db.Spec.ForProvider.FinalSnapshot = &rdsv1alpha1.FinalSnapshot{Skip: ptr.To(true)}
				})
				db.Spec.ProviderConfigReference = ref
				return db
			},
			get:    func(ns, name string) managedObj { return getMR(t, ns, name, &rdsv1alpha1.DBInstance{}) },
			tagged: func(t *testing.T, name string) string { return dbTags(t, name)["stateful.dev/namespace"] },
		},
		"Table": {op: "CreateTable",
			object: func(ns, name string, ref *xpv2.ProviderConfigReference) client.Object {
				tb := table(ns, name)
				tb.Spec.ProviderConfigReference = ref
				return tb
			},
			get:    func(ns, name string) managedObj { return getMR(t, ns, name, &ddbv1alpha1.Table{}) },
			tagged: func(t *testing.T, name string) string { return tableTags(t, name)["stateful.dev/namespace"] },
		},
	}
	for kn, k := range kinds {
		t.Run(kn, func(t *testing.T) {
			t.Parallel()
			a, b := namespace(t), namespace(t)
			keyA, keyB := "AKIARACEA"+suffix(), "AKIARACEB"+suffix()
			refA, refB := tenantConfig(t, a, keyA), tenantConfig(t, b, keyB)
			name := "race-" + suffix()
			proxy.Hold(k.op, name, 2, 8*time.Second)
			objA, objB := k.object(a, name, refA), k.object(b, name, refB)
			errs := make(chan error, 2)
			for _, o := range []client.Object{objA, objB} {
				go func() { errs <- kube.Create(context.Background(), o) }()
			}
			for range 2 {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			var winner, loser, loserKey string
			eventually(t, "one "+kn+" Ready and the other refused", func() (bool, string) {
				ra, rb := readyOf(k.get(a, name)), readyOf(k.get(b, name))
				sa, sb := k.get(a, name).GetCondition(xpv2.TypeSynced), k.get(b, name).GetCondition(xpv2.TypeSynced)
				switch {
				case ra && !rb && sb.Status == corev1.ConditionFalse:
					winner, loser, loserKey = a, b, keyB
				case rb && !ra && sa.Status == corev1.ConditionFalse:
					winner, loser, loserKey = b, a, keyA
				default:
					return false, fmt.Sprintf("%s ready=%t %q; %s ready=%t %q", a, ra, sa.Message, b, rb, sb.Message)
				}
				return true, ""
			})
			if n := proxy.Count(k.op, name); n != 1 {
				t.Errorf("%s calls for one name: want 1, got %d", k.op, n)
			}
			if got := k.tagged(t, name); got != winner {
				t.Errorf("the %s is tagged for %q, want the winner %s", kn, got, winner)
			}
			if w := proxy.Calls(func(c harness.Call) bool { return c.AccessKey == loserKey && harness.IsMutating(c.Operation) }); len(w) != 0 {
				t.Errorf("the refused %s in %s wrote to the cloud: %d calls, first %s", kn, loser, len(w), w[0].Operation)
			}
		})
	}
}

func readyOf(mg managedObj) bool {
	return mg.GetCondition(xpv2.TypeReady).Status == corev1.ConditionTrue && mg.GetCondition(xpv2.TypeSynced).Status == corev1.ConditionTrue
}

// A create failed, then the external name is edited to point at someone's untagged bucket: the crash-window
// exception was made for the failed attempt on the old name and does not cover the new one. The bucket is refused
// and never written to. The create is refused (403), so the claim it took is released and the edit is not refused
// as a changed name (TestExternalNameEditAfterCreateRefused): the ownership rule is what refuses the bucket.
func TestEditedExternalNameAdoptsNothing(t *testing.T) {
	ns, name, victim := namespace(t), "first-"+suffix(), "victim-"+suffix()
	cloudCreate(t, victim, nil)
	proxy.Respond("CreateBucket", name, http.StatusForbidden, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", -1)
	defer proxy.ClearFaults()
	create(t, bucket(ns, name))
	eventually(t, "a failed create", func() (bool, string) {
		b := get(t, ns, name)
		return !meta.GetExternalCreateFailed(b).IsZero(), b.GetCondition(xpv2.TypeSynced).Message
	})
	// NOTE: a create attempt in flight writes the external name it used back with its critical annotations: edit
	// until the new name holds.
	want := `bucket "` + victim + `" already exists and was not created by this Bucket`
	eventually(t, "the Bucket to refuse the edited name", func() (bool, string) {
		b := get(t, ns, name)
		if meta.GetExternalName(b) != victim {
			update(t, ns, name, func(b *s3v1alpha1.Bucket) { meta.SetExternalName(b, victim) })
			return false, "external name " + meta.GetExternalName(b)
		}
		s := b.GetCondition(xpv2.TypeSynced)
		return strings.Contains(s.Message, want), s.Message
	})
	if w := proxy.Mutating(victim); len(w) != 0 {
		t.Errorf("the edited Bucket wrote to the untagged bucket: %d calls, first %s", len(w), w[0].Operation)
	}
	if tags := cloudTags(t, victim); len(tags) != 0 {
		t.Errorf("the untagged bucket was tagged: %v", tags)
	}
}

// dbTags reads a DB instance's tags straight from moto.
func dbTags(t *testing.T, id string) map[string]string {
	t.Helper()
	out, err := directRDS().DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	if err != nil || len(out.DBInstances) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, tg := range out.DBInstances[0].TagList {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return m
}

// tableTags reads a table's tags straight from moto.
func tableTags(t *testing.T, name string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out, err := directDDB().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		return nil
	}
	tags, err := directDDB().ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: out.Table.TableArn})
	if err != nil {
		return nil
	}
	m := map[string]string{}
	for _, tg := range tags.Tags {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return m
}

// Ownership tags wiped by another tool (S3's PutBucketTagging replaces the whole set; SQS tags removed one by one):
// the resource remembers, on its name's claim, that it created them — the tags are restored, and deleting the
// resource afterwards deletes the cloud resource instead of silently orphaning it.
func TestWipedOwnershipTagsRestored(t *testing.T) {
	ctx := context.Background()
	ns, name := namespace(t), "wiped-"+suffix()
	create(t, bucket(ns, name))
	waitReady(t, ns, name)
	cloudPutTags(t, name, map[string]string{"cost-center": "42"})
	eventually(t, "the bucket's ownership tags restored", func() (bool, string) {
		tags := cloudTags(t, name)
		return tags["stateful.dev/name"] == name && tags["stateful.dev/namespace"] == ns, fmt.Sprint(tags)
	})

	q := "wiped-q-" + suffix()
	create(t, queue(ns, q))
	waitQueue(t, ns, q, queueReady)
	if _, err := directSQS().UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: cloudQueueURL(t, q), TagKeys: []string{"stateful.dev/namespace", "stateful.dev/name", "stateful.dev/uid", "stateful.dev/installation"}}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the queue's ownership tags restored", func() (bool, string) {
		_, tags := cloudQueue(t, q)
		return tags["stateful.dev/name"] == q, fmt.Sprint(tags)
	})

	// Wiped again, then deleted: the bucket goes with its Bucket.
	cloudPutTags(t, name, map[string]string{"cost-center": "42"})
	deleteAndWaitGone(t, get(t, ns, name))
	if cloudExists(name) {
		t.Errorf("the bucket was orphaned: its Bucket is gone and the bucket is still there")
	}
}
