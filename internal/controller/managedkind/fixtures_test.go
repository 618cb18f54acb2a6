package managedkind

import (
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
)

// The runtime is cloud-neutral; an S3 Bucket stands in for any managed kind in its tests.
type modifier func(*v1alpha1.Bucket)

func bucket(m ...modifier) *v1alpha1.Bucket {
	b := &v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "data", UID: "uid-a", Generation: 1}}
	for _, f := range m {
		f(b)
	}
	return b
}

func created(b *v1alpha1.Bucket) { meta.SetExternalCreateSucceeded(b, time.Now()) }

func withAdopt() modifier { return func(b *v1alpha1.Bucket) { b.Spec.AdoptExisting = ptr.To(true) } }

func withPolicies(p ...xpv2.ManagementAction) modifier {
	return func(b *v1alpha1.Bucket) { b.Spec.ManagementPolicies = p }
}

func withPending(at time.Time) modifier {
	return func(b *v1alpha1.Bucket) { meta.SetExternalCreatePending(b, at) }
}

func withSucceeded(at time.Time) modifier {
	return func(b *v1alpha1.Bucket) { meta.SetExternalCreateSucceeded(b, at) }
}

// testOwn is a Bucket's ownership rule, bound to no lease.
var testOwn = Ownership[*v1alpha1.Bucket]{Marker: AWSTags, Adoption: testAdoption, Kind: "Bucket", Noun: "bucket"}
