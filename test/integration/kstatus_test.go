//go:build integration

package integration

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/controller-runtime/pkg/client"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	sqsv1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/sqs/v1alpha1"
	"github.com/stateful-dev/provider-stateful/test/argocd"
)

func getUnstructured(t *testing.T, gvk schema.GroupVersionKind, ns, name string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	if err := kube.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, u); err != nil {
		t.Fatal(err)
	}
	return u
}

// argoHealth runs cluster/argocd/health.lua on u as Argo CD would.
func argoHealth(t *testing.T, u *unstructured.Unstructured) argocd.Health {
	t.Helper()
	script, err := argocd.Script()
	if err != nil {
		t.Fatal(err)
	}
	h, err := argocd.Eval(script, u.Object)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// kstatusOf computes what Flux's kstatus reads of ns/name.
func kstatusOf(t *testing.T, gvk schema.GroupVersionKind, ns, name string) (status.Status, string) {
	t.Helper()
	return kstatus(t, getUnstructured(t, gvk, ns, name))
}

func kstatus(t *testing.T, u *unstructured.Unstructured) (status.Status, string) {
	t.Helper()
	r, err := status.Compute(u)
	if err != nil {
		t.Fatal(err)
	}
	return r.Status, r.Message
}

// Flux reads the provider's resources with kstatus, no custom health expression: Current once Ready (and the
// observed generation is the object's), InProgress while a change is in flight or a transient error is retried,
// Failed when the cloud rejected the spec. Argo CD's health check (cluster/argocd/health.lua) reads the same live
// objects as Healthy, Progressing and Degraded.
func TestKStatusReadsEveryState(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	ready, rejectedName, waiting := "ks-ready-"+suffix(), "ks-rejected-"+suffix(), "ks-waiting-"+suffix()
	proxy.Respond("CreateBucket", rejectedName, http.StatusBadRequest, "<Error><Code>InvalidArgument</Code><Message>Invalid argument.</Message></Error>", -1)
	defer proxy.ClearFaults()
	create(t, bucket(ns, ready))
	create(t, bucket(ns, rejectedName))
	create(t, queue(ns, waiting, func(q *sqsv1alpha1.Queue) {
		q.Spec.ForProvider.RedrivePolicy = &sqsv1alpha1.RedrivePolicy{DeadLetterTargetRef: &xpv2.NamespacedReference{Name: "no-such-dlq"}, MaxReceiveCount: 3}
	}))
	for _, tc := range []struct {
		gvk  schema.GroupVersionKind
		name string
		want status.Status
		argo string
	}{
		{s3v1alpha1.BucketGroupVersionKind, ready, status.CurrentStatus, "Healthy"},
		{s3v1alpha1.BucketGroupVersionKind, rejectedName, status.FailedStatus, "Degraded"},
		{sqsv1alpha1.QueueGroupVersionKind, waiting, status.InProgressStatus, "Progressing"},
	} {
		// NOTE: kstatus reads an object with no status at all as Current, so a Current alone would pass before the
		// provider has seen the resource: the same read must also satisfy Argo CD's script, which says Progressing
		// until the provider has written conditions.
		eventually(t, fmt.Sprintf("%s kstatus %s and Argo CD %s", tc.name, tc.want, tc.argo), func() (bool, string) {
			u := getUnstructured(t, tc.gvk, ns, tc.name)
			s, msg := kstatus(t, u)
			h := argoHealth(t, u)
			return s == tc.want && h.Status == tc.argo, fmt.Sprintf("kstatus %s: %s; Argo CD %s: %s", s, msg, h.Status, h.Message)
		})
	}

	// A spec change is InProgress until the provider has acted on the new generation, then Current again.
	update(t, ns, ready, func(b *s3v1alpha1.Bucket) { b.Spec.ForProvider.Versioning = ptr.To("Enabled") })
	eventually(t, ready+" Current at the new generation", func() (bool, string) {
		s, msg := kstatusOf(t, s3v1alpha1.BucketGroupVersionKind, ns, ready)
		b := get(t, ns, ready)
		return s == status.CurrentStatus && b.Status.ObservedGeneration == b.Generation, fmt.Sprintf("%s: %s (observed %d of %d)", s, msg, b.Status.ObservedGeneration, b.Generation)
	})
}
