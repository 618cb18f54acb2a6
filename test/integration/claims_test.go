//go:build integration

package integration

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	sqsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
	"github.com/stateful-dev/provider-stateful/internal/devstack/harness"
)

// claimsOn returns the namespaces holding a claim on name of kind (Kind.group).
func claimsOn(t *testing.T, kind, name string) []string {
	t.Helper()
	leases := &coordinationv1.LeaseList{}
	if err := kube.List(context.Background(), leases, client.MatchingLabels{managedkind.LabelClaim: "true"}); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range leases.Items {
		if strings.HasSuffix(l.Annotations[managedkind.AnnotationScope], "|"+name) && l.Annotations[managedkind.AnnotationKind] == kind {
			out = append(out, l.Annotations[managedkind.AnnotationNamespace])
		}
	}
	return out
}

// A tenant's Bucket whose create the cloud refuses (403 for its own key) must not hold the global name: the claim
// its failed create took is released, and the platform's Bucket of the same name, applied afterwards, is created.
// Before, the failing Bucket kept the claim and the platform's was refused as long as the tenant's existed.
func TestRefusedCreateHoldsNoName(t *testing.T) {
	tenant, platform := namespace(t), namespace(t)
	key := "AKIASQUAT" + suffix()
	name := "squat-" + suffix()
	proxy.RespondTo(key, "CreateBucket", name, http.StatusForbidden, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")
	squatter := bucket(tenant, name)
	squatter.Spec.ProviderConfigReference = tenantConfig(t, tenant, key)
	create(t, squatter)
	waitSyncError(t, tenant, name, "AccessDenied")
	eventually(t, "no claim left by the refused create", func() (bool, string) {
		held := claimsOn(t, "Bucket.s3.aws.stateful.dev", name)
		return len(held) == 0, fmt.Sprint(held)
	})

	create(t, bucket(platform, name))
	waitReady(t, platform, name)
	if got := cloudTags(t, name)["stateful.dev/namespace"]; got != platform {
		t.Errorf("the bucket is tagged for %q, want %s", got, platform)
	}
	// The tenant, retrying, now finds the platform's bucket, and never wrote to it.
	waitSyncError(t, tenant, name, `bucket "`+name+`" belongs to Bucket `+platform+"/"+name)
	if w := proxy.Calls(func(c harness.Call) bool {
		return c.AccessKey == key && harness.IsMutating(c.Operation) && c.Status < http.StatusBadRequest
	}); len(w) != 0 {
		t.Errorf("the refused tenant wrote to the cloud: %d calls, first %s", len(w), w[0].Operation)
	}
}

// Editing the external name of a created resource is refused before any cloud call on either name: nothing is
// orphaned, and putting the old name back goes on as before.
func TestExternalNameEditAfterCreateRefused(t *testing.T) {
	ns, name, edited := namespace(t), "named-"+suffix(), "edited-"+suffix()
	create(t, bucket(ns, name))
	waitReady(t, ns, name)
	update(t, ns, name, func(b *s3v1alpha1.Bucket) { meta.SetExternalName(b, edited) })
	waitSyncError(t, ns, name, `was "`+name+`" when this Bucket created or adopted its resource, and is now "`+edited+`"`)
	heads := proxy.Count("HeadBucket", name)
	update(t, ns, name, func(b *s3v1alpha1.Bucket) { b.Spec.ForProvider.Tags = map[string]string{"poke": "1"} })
	eventually(t, "the refusal at the new generation", func() (bool, string) {
		s := get(t, ns, name).GetCondition(xpv2.TypeSynced)
		return s.ObservedGeneration == 2 && s.Status == corev1.ConditionFalse && strings.Contains(s.Message, "put it back"), s.Message
	})
	if calls := proxy.Calls(func(c harness.Call) bool { return c.Bucket == edited }); len(calls) != 0 {
		t.Errorf("calls on the edited name: %v", opsOf(calls))
	}
	if n := proxy.Count("HeadBucket", name) - heads; n != 0 {
		t.Errorf("the refused Bucket still read its old bucket: %d HeadBucket calls", n)
	}

	update(t, ns, name, func(b *s3v1alpha1.Bucket) { meta.SetExternalName(b, name) })
	eventually(t, "Ready again under the old name, with the tag applied", func() (bool, string) {
		b := get(t, ns, name)
		ok, why := readySynced(b)
		return ok && cloudTags(t, name)["poke"] == "1", why
	})
	if cloudExists(edited) {
		t.Errorf("a bucket was created under the edited name")
	}
}

// A namespace holds at most --max-claims-per-namespace claims (claimLimit here): the next resource needing one is
// refused with a clear condition and no cloud call, and goes on once a claim is released.
func TestClaimLimitPerNamespace(t *testing.T) {
	ns := namespace(t)
	names := make([]string, claimLimit)
	for i := range names {
		names[i] = fmt.Sprintf("held-%d-%s", i, suffix())
		create(t, queue(ns, names[i]))
	}
	for _, n := range names {
		waitQueue(t, ns, n, queueReady)
	}
	over := "over-" + suffix()
	create(t, queue(ns, over))
	waitQueue(t, ns, over, func(q *sqsv1alpha1.Queue) (bool, string) {
		s := q.GetCondition(xpv2.TypeSynced)
		return s.Status == corev1.ConditionFalse && strings.Contains(s.Message, fmt.Sprintf("namespace %s holds %d claims on cloud names", ns, claimLimit)), s.Message
	})
	if n := proxy.Count("CreateQueue", over); n != 0 {
		t.Errorf("a Queue over the limit reached the cloud: %d CreateQueue calls", n)
	}
	// Another namespace is not held back by this one's claims.
	other, elsewhere := namespace(t), "elsewhere-"+suffix()
	create(t, queue(other, elsewhere))
	waitQueue(t, other, elsewhere, queueReady)

	deleteAndWait(t, ns, names[0], func() managedObj { return &sqsv1alpha1.Queue{} })
	waitQueue(t, ns, over, queueReady)
}
