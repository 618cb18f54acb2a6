package awsmr

import (
	"strings"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
)

// The tests use a Bucket as the managed resource; every AWS kind behaves the same.

type modifier func(*v1alpha1.Bucket)

func withTags(t map[string]string) modifier {
	return func(b *v1alpha1.Bucket) { b.Spec.ForProvider.Tags = t }
}

func withAdopt() modifier { return func(b *v1alpha1.Bucket) { b.Spec.AdoptExisting = true } }

func withPolicies(p ...xpv2.ManagementAction) modifier {
	return func(b *v1alpha1.Bucket) { b.Spec.ManagementPolicies = p }
}

func withPending(at time.Time) modifier {
	return func(b *v1alpha1.Bucket) { meta.SetExternalCreatePending(b, at) }
}

func withSucceeded(at time.Time) modifier {
	return func(b *v1alpha1.Bucket) { meta.SetExternalCreateSucceeded(b, at) }
}

func bucket(m ...modifier) *v1alpha1.Bucket {
	b := &v1alpha1.Bucket{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "data", UID: "uid-a", Generation: 1}}
	for _, f := range m {
		f(b)
	}
	return b
}

func ownedTags(extra map[string]string) map[string]string {
	out := map[string]string{TagNamespace: "team-a", TagName: "data", TagUID: "uid-a"}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func TestJudge(t *testing.T) {
	now := time.Now()
	cases := map[string]struct {
		reason string
		cr     *v1alpha1.Bucket
		tags   map[string]string
		want   Ownership
	}{
		"Owned":            {reason: "Tags naming this Bucket make it its own.", cr: bucket(), tags: ownedTags(nil), want: OwnedByCR},
		"OwnedOtherUID":    {reason: "Same namespace and name with another UID is a re-created Bucket: still its own.", cr: bucket(), tags: map[string]string{TagNamespace: "team-a", TagName: "data", TagUID: "old"}, want: OwnedByCR},
		"OtherNamespace":   {reason: "team-b/data's bucket is never team-a/data's.", cr: bucket(), tags: map[string]string{TagNamespace: "team-b", TagName: "data", TagUID: "uid-b"}, want: OwnedByOther},
		"OtherName":        {reason: "Another Bucket in the same namespace owns it.", cr: bucket(), tags: map[string]string{TagNamespace: "team-a", TagName: "logs"}, want: OwnedByOther},
		"ForeignEvenAdopt": {reason: "adoptExisting never takes a bucket tagged for another Bucket.", cr: bucket(withAdopt()), tags: map[string]string{TagNamespace: "team-b", TagName: "data"}, want: OwnedByOther},
		"Untagged":         {reason: "An untagged bucket is not taken without a reason.", cr: bucket(), tags: map[string]string{"x": "y"}, want: NotOurs},
		"Adopt":            {reason: "adoptExisting takes an untagged bucket.", cr: bucket(withAdopt()), want: Adoptable},
		"ObserveOnly":      {reason: "ObserveOnly may observe an untagged bucket.", cr: bucket(withPolicies(xpv2.ManagementActionObserve)), want: Adoptable},
		"CrashWindow":      {reason: "A create pending with no success after it is this Bucket's own attempt.", cr: bucket(withPending(now)), want: Adoptable},
		"CreateConfirmed":  {reason: "After a confirmed create an untagged bucket is someone else's (e.g. external name edited).", cr: bucket(withPending(now.Add(-time.Hour)), withSucceeded(now.Add(-time.Hour))), want: NotOurs},
		"RetryAfterConfirmed": {
			reason: "A newer pending create than the last success is unconfirmed again.",
			cr:     bucket(withSucceeded(now.Add(-time.Hour)), withPending(now)), want: Adoptable,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Judge(tc.cr, tc.cr.Spec.AdoptExisting, tc.tags)); diff != "" {
				t.Errorf("%s\njudge(...): -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestOnlyObserves(t *testing.T) {
	o, c, u, d, l, all := xpv2.ManagementActionObserve, xpv2.ManagementActionCreate, xpv2.ManagementActionUpdate, xpv2.ManagementActionDelete, xpv2.ManagementActionLateInitialize, xpv2.ManagementActionAll
	cases := map[string]struct {
		reason string
		p      xpv2.ManagementPolicies
		want   bool
	}{
		"Default":       {reason: "No policies means full management (the CRD defaults to *).", p: nil, want: false},
		"All":           {reason: "* allows writes.", p: xpv2.ManagementPolicies{all}, want: false},
		"Observe":       {reason: "Observe alone is ObserveOnly.", p: xpv2.ManagementPolicies{o}, want: true},
		"ObserveLate":   {reason: "LateInitialize writes nothing to the cloud.", p: xpv2.ManagementPolicies{o, l}, want: true},
		"NoDelete":      {reason: "Create and Update write.", p: xpv2.ManagementPolicies{o, c, u}, want: false},
		"ObserveDelete": {reason: "Delete writes.", p: xpv2.ManagementPolicies{o, d}, want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := OnlyObserves(tc.p); got != tc.want {
				t.Errorf("%s\nOnlyObserves(%v): want %t, got %t", tc.reason, tc.p, tc.want, got)
			}
		})
	}
}

func TestClaim(t *testing.T) {
	deleting := func(b *v1alpha1.Bucket) { now := metav1.Now(); b.SetDeletionTimestamp(&now) }
	other := map[string]string{TagNamespace: "team-b", TagName: "data"}
	cases := map[string]struct {
		reason     string
		cr         *v1alpha1.Bucket
		tags       map[string]string
		wantAbsent bool
		wantErr    string
	}{
		"Own":             {reason: "Its own resource is managed.", cr: bucket(), tags: ownedTags(nil)},
		"Other":           {reason: "Another's resource is refused, naming the owner.", cr: bucket(), tags: other, wantErr: `bucket "data" belongs to Bucket team-b/data: refusing to manage it`},
		"OtherWhileGone":  {reason: "While deleting, another's resource is let go of, untouched.", cr: bucket(deleting), tags: other, wantAbsent: true},
		"Untagged":        {reason: "An untagged resource is not taken without a reason.", cr: bucket(), wantErr: `bucket "data" already exists and was not created by this Bucket: set spec.adoptExisting`},
		"UntaggedDeleted": {reason: "While deleting, an untagged resource is left alone.", cr: bucket(deleting), wantAbsent: true},
		"Adopt":           {reason: "adoptExisting takes an untagged resource.", cr: bucket(withAdopt())},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			absent, err := Claim(tc.cr, tc.cr.Spec.AdoptExisting, tc.tags, "bucket", "Bucket", "data")
			if absent != tc.wantAbsent || (tc.wantErr == "") != (err == nil) || err != nil && !strings.HasPrefix(err.Error(), tc.wantErr) {
				t.Errorf("%s\nClaim: want absent=%t err=%q, got %t %v", tc.reason, tc.wantAbsent, tc.wantErr, absent, err)
			}
		})
	}
}
