package bucket

import (
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
	"github.com/stateful-dev/provider-stateful/internal/controller/managedkind"
)

type modifier func(*v1alpha1.Bucket)

func withTags(t map[string]string) modifier {
	return func(b *v1alpha1.Bucket) { b.Spec.ForProvider.Tags = t }
}

func withRegion(r string) modifier {
	return func(b *v1alpha1.Bucket) { b.Spec.ForProvider.Region = r }
}

func withPending(at time.Time) modifier {
	return func(b *v1alpha1.Bucket) { meta.SetExternalCreatePending(b, at) }
}

func withDeletion() modifier {
	return func(b *v1alpha1.Bucket) { now := metav1.Now(); b.SetDeletionTimestamp(&now) }
}

func withSynced(gen int64) modifier {
	return func(b *v1alpha1.Bucket) { b.SetConditions(xpv2.ReconcileSuccess().WithObservedGeneration(gen)) }
}

// bucket returns team-a/data in eu-west-1, external name "data", generation 1.
func bucket(m ...modifier) *v1alpha1.Bucket {
	b := &v1alpha1.Bucket{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "data", UID: "uid-a", Generation: 1},
		Spec:       v1alpha1.BucketSpec{ForProvider: v1alpha1.BucketParameters{Region: "eu-west-1"}},
	}
	meta.SetExternalName(b, "data")
	for _, f := range m {
		f(b)
	}
	return b
}

// ownedTags are team-a/data's ownership tags plus extra.
func ownedTags(extra map[string]string) map[string]string {
	out := map[string]string{managedkind.AWSTags.NamespaceKey: "team-a", managedkind.AWSTags.NameKey: "data", managedkind.AWSTags.UIDKey: "uid-a", managedkind.AWSTags.InstallationKey: "default"}
	for k, v := range extra {
		out[k] = v
	}
	return out
}
