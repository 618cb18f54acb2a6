//go:build integration

package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
)

func TestBucketLifecycle(t *testing.T) {
	ns, name := namespace(t), "life-"+suffix()
	b := bucket(ns, name, withTags(map[string]string{"team": "a"}))
	b.Spec.WriteConnectionSecretToReference = &xpv2.LocalSecretReference{Name: name + "-conn"}
	create(t, b)
	b = waitReady(t, ns, name)

	if n := proxy.Count("CreateBucket", name); n != 1 {
		t.Errorf("CreateBucket calls: want 1, got %d", n)
	}
	want := map[string]string{
		"team": "a", "managed-by": "provider-stateful",
		"stateful.dev/namespace": ns, "stateful.dev/name": name, "stateful.dev/uid": string(b.UID), "stateful.dev/installation": "default",
	}
	if diff := cmp.Diff(want, cloudTags(t, name)); diff != "" {
		t.Errorf("tags in moto: -want +got:\n%s", diff)
	}
	if got := b.Status.AtProvider.ARN; got != "arn:aws:s3:::"+name {
		t.Errorf("atProvider.arn: got %q", got)
	}

	conn := &corev1.Secret{}
	if err := kube.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name + "-conn"}, conn); err != nil {
		t.Fatalf("connection secret: %v", err)
	}
	wantConn := map[string]string{"bucket": name, "region": "eu-west-1", "arn": "arn:aws:s3:::" + name, "endpoint": proxy.URL + "/" + name}
	gotConn := map[string]string{}
	for k, v := range conn.Data {
		gotConn[k] = string(v)
	}
	if diff := cmp.Diff(wantConn, gotConn); diff != "" {
		t.Errorf("connection details: -want +got:\n%s", diff)
	}

	deleteAndWaitGone(t, b)
	if cloudExists(name) {
		t.Errorf("bucket %s still exists in moto after its Bucket was deleted", name)
	}
	if n := proxy.Count("DeleteBucket", name); n != 1 {
		t.Errorf("DeleteBucket calls: want 1, got %d", n)
	}
}

func TestBucketTagChangeAndDrift(t *testing.T) {
	ns, name := namespace(t), "drift-"+suffix()
	create(t, bucket(ns, name, withTags(map[string]string{"env": "dev"})))
	waitReady(t, ns, name)

	// A spec change reaches the cloud.
	update(t, ns, name, func(b *s3v1alpha1.Bucket) { b.Spec.ForProvider.Tags = map[string]string{"env": "prod", "owner": "x"} })
	eventually(t, "spec tags in moto", func() (bool, string) {
		got := cloudTags(t, name)
		return got["env"] == "prod" && got["owner"] == "x", ""
	})

	// A change behind the provider's back is reverted on the next poll, and said so in an event; a tag under
	// the always-ignored "aws:"-like prefixes would be kept, an unknown one is removed.
	drifted := cloudTags(t, name)
	drifted["env"] = "hacked"
	drifted["intruder"] = "yes"
	cloudPutTags(t, name, drifted)
	eventually(t, "drift reverted", func() (bool, string) {
		got := cloudTags(t, name)
		_, intruder := got["intruder"]
		return got["env"] == "prod" && !intruder, "tags: " + strings.Join(keys(got), ",")
	})
	eventually(t, "a drift event", func() (bool, string) {
		for _, e := range events(t, ns, name) {
			if strings.HasPrefix(e, "DriftReverted: ") && strings.Contains(e, "env") && strings.Contains(e, "intruder") {
				return true, ""
			}
		}
		return false, strings.Join(events(t, ns, name), " | ")
	})
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// CreateBucket succeeded and the tagging after it failed (as when the provider dies between the two): the bucket
// exists untagged, and the Bucket's latest create attempt, recorded on the name's claim, is unconfirmed. It is
// recognised as the Bucket's own and tagged, with no second create.
func TestBucketCrashWindowAdopted(t *testing.T) {
	ns, name := namespace(t), "crash-"+suffix()
	// Every attempt of the SDK's retry fails.
	proxy.Respond("PutBucketTagging", name, 500, "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>", 3)
	defer proxy.ClearFaults()
	create(t, bucket(ns, name))
	waitReady(t, ns, name)
	eventually(t, "ownership tags", func() (bool, string) {
		return cloudTags(t, name)["stateful.dev/name"] == name, ""
	})
	if n := proxy.Count("CreateBucket", name); n != 1 {
		t.Errorf("CreateBucket calls: want 1, got %d", n)
	}
	if n := proxy.Count("PutBucketTagging", name); n < 4 {
		t.Errorf("the failed tagging was not retried after the create: %d PutBucketTagging calls", n)
	}
}

// Without the Delete policy, deleting the Bucket leaves the bucket.
func TestBucketOrphaned(t *testing.T) {
	ns, name := namespace(t), "orphan-"+suffix()
	b := bucket(ns, name, withPolicies(xpv2.ManagementActionObserve, xpv2.ManagementActionCreate, xpv2.ManagementActionUpdate, xpv2.ManagementActionLateInitialize))
	create(t, b)
	waitReady(t, ns, name)
	deleteAndWaitGone(t, get(t, ns, name))
	if n := proxy.Count("DeleteBucket", name); n != 0 {
		t.Errorf("DeleteBucket calls: want 0, got %d", n)
	}
	if !cloudExists(name) {
		t.Errorf("orphaned bucket was deleted")
	}
}

// Deleting a non-empty bucket is refused with a clear condition, and the bucket kept until it is empty.
func TestBucketDeleteNonEmptyRefused(t *testing.T) {
	ns, name := namespace(t), "full-"+suffix()
	create(t, bucket(ns, name))
	b := waitReady(t, ns, name)
	if _, err := direct.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	if err := kube.Delete(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	waitSyncError(t, ns, name, "is not empty")
	if !cloudExists(name) {
		t.Fatalf("non-empty bucket was deleted")
	}
	// The refusal is decided with a read: no DeleteBucket goes out while the bucket holds objects.
	if n := proxy.Count("DeleteBucket", name); n != 0 {
		t.Errorf("DeleteBucket calls for a non-empty bucket without forceDestroy: %d", n)
	}
	if _, err := direct.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(name), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	deleteAndWaitGone(t, b)
	if cloudExists(name) {
		t.Errorf("bucket still exists after it was emptied and its Bucket deleted")
	}
}

// An outage while deleting keeps the finalizer: "cannot observe" is never "does not exist".
func TestBucketDeleteDuringOutageKeepsFinalizer(t *testing.T) {
	ns, name := namespace(t), "outage-"+suffix()
	create(t, bucket(ns, name))
	b := waitReady(t, ns, name)

	proxy.Respond("HeadBucket", name, 503, "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>", -1)
	defer proxy.ClearFaults()
	if err := kube.Delete(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	waitSyncError(t, ns, name, "cannot check whether the bucket exists")
	if !cloudExists(name) || len(get(t, ns, name).Finalizers) == 0 {
		t.Fatalf("bucket or finalizer lost during an outage")
	}
	if s := get(t, ns, name).GetCondition(xpv2.TypeSynced).Message; strings.Contains(s, "RequestID") || strings.Contains(s, "HostID") {
		t.Errorf("condition message carries request IDs: %q", s)
	}
	proxy.ClearFaults()
	deleteAndWaitGone(t, b)
	if cloudExists(name) {
		t.Errorf("bucket not deleted after the outage")
	}
}

// T07: S3 makes the bucket but the response is lost; the SDK's retry gets BucketAlreadyOwnedByYou, which the
// ownership rule recognises as this Bucket's own create. One bucket, tagged, Ready.
func TestBucketLostCreateResponse(t *testing.T) {
	ns, name := namespace(t), "lost-"+suffix()
	proxy.Rewrite("CreateBucket", name, 1, func(int, []byte) (int, []byte) {
		return 500, []byte("<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>")
	})
	defer proxy.ClearFaults()
	create(t, bucket(ns, name))
	waitReady(t, ns, name)
	if n := proxy.Count("CreateBucket", name); n != 2 {
		t.Errorf("CreateBucket calls: want 2 (the lost one and its replay), got %d", n)
	}
	if tags := cloudTags(t, name); tags["stateful.dev/name"] != name {
		t.Errorf("the replayed create did not tag the bucket: %v", tags)
	}
}
