package managedkind

import (
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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
