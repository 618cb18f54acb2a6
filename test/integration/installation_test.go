//go:build integration

package integration

import (
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	s3v1alpha1 "github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
)

// The ownership marker names the provider installation (this one is "default"). A resource marked for the same
// namespace and name by another live installation — a second cluster applying the same repository — is refused
// without a write, and deleting the refused managed resource deletes nothing. A marker older than installations
// is upgraded in place by the first poll, never refused.
func TestInstallationOwnsItsMarker(t *testing.T) {
	t.Parallel()
	ns := namespace(t)
	newObj := func() *s3v1alpha1.Bucket { return &s3v1alpha1.Bucket{} }

	theirs := "blue-" + suffix()
	cloudCreate(t, theirs, map[string]string{
		"stateful.dev/namespace": ns, "stateful.dev/name": theirs, "stateful.dev/uid": "u-blue", "stateful.dev/installation": "blue",
	})
	create(t, bucket(ns, theirs))
	waitMR(t, ns, theirs, "refused", newObj, func(b *s3v1alpha1.Bucket) (bool, string) {
		return syncError(`bucket "` + theirs + `" belongs to Bucket ` + ns + "/" + theirs + " of provider installation blue (this one is default; to take its resources over, stop it and start this provider with --handover-from=blue)")(b.GetCondition(xpv2.TypeSynced))
	})
	deleteAndWait(t, ns, theirs, func() managedObj { return newObj() })
	if got := proxy.Mutating(theirs); len(got) != 0 {
		t.Errorf("another installation's bucket was written: %v", opsOf(got))
	}
	if !cloudExists(theirs) {
		t.Error("deleting the refused Bucket deleted another installation's bucket")
	}

	older := "older-" + suffix()
	cloudCreate(t, older, map[string]string{"stateful.dev/namespace": ns, "stateful.dev/name": older, "stateful.dev/uid": "u-old"})
	create(t, bucket(ns, older))
	waitMR(t, ns, older, "Ready", newObj, readySynced[*s3v1alpha1.Bucket])
	eventually(t, "the installation added to the older marker", func() (bool, string) {
		tags := cloudTags(t, older)
		return tags["stateful.dev/installation"] == "default", tags["stateful.dev/installation"]
	})
	for _, c := range proxy.Mutating(older) {
		if c.Operation != "PutBucketTagging" {
			t.Errorf("upgrading the marker sent %s: only the tags may be written", c.Operation)
		}
	}
}
