package managedkind

import (
	"context"
	"strings"
	"testing"
	"time"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/stateful-dev/provider-stateful/apis/aws/s3/v1alpha1"
)

// The tests use a Bucket as the managed resource; every AWSTags kind behaves the same.

func ownedTags(extra map[string]string) map[string]string {
	out := map[string]string{AWSTags.NamespaceKey: "team-a", AWSTags.NameKey: "data", AWSTags.UIDKey: "uid-a", AWSTags.InstallationKey: "default"}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func TestJudge(t *testing.T) {
	now := time.Now()
	yes := func() (bool, error) { return true, nil }
	no := func() (bool, error) { return false, nil }
	cases := map[string]struct {
		reason      string
		cr          *v1alpha1.Bucket
		tags        map[string]string
		unconfirmed Unconfirmed
		want        Verdict
	}{
		"Owned":            {reason: "Tags naming this Bucket make it its own.", cr: bucket(), tags: ownedTags(nil), want: OwnedByCR},
		"OwnedOtherUID":    {reason: "Same namespace and name with another UID is a re-created Bucket: still its own.", cr: bucket(), tags: map[string]string{AWSTags.NamespaceKey: "team-a", AWSTags.NameKey: "data", AWSTags.UIDKey: "old"}, want: OwnedByCR},
		"OtherNamespace":   {reason: "team-b/data's bucket is never team-a/data's.", cr: bucket(), tags: map[string]string{AWSTags.NamespaceKey: "team-b", AWSTags.NameKey: "data", AWSTags.UIDKey: "uid-b"}, want: OwnedByOther},
		"OtherName":        {reason: "Another Bucket in the same namespace owns it.", cr: bucket(), tags: map[string]string{AWSTags.NamespaceKey: "team-a", AWSTags.NameKey: "logs"}, want: OwnedByOther},
		"ForeignEvenAdopt": {reason: "adoptExisting never takes a bucket tagged for another Bucket.", cr: bucket(withAdopt()), tags: map[string]string{AWSTags.NamespaceKey: "team-b", AWSTags.NameKey: "data"}, want: OwnedByOther},
		"Untagged":         {reason: "An untagged bucket is not taken without a reason.", cr: bucket(), tags: map[string]string{"x": "y"}, want: NotOurs},
		"Adopt":            {reason: "adoptExisting takes an untagged bucket.", cr: bucket(withAdopt()), want: Adoptable},
		"ObserveOnly":      {reason: "ObserveOnly may observe an untagged bucket.", cr: bucket(withPolicies(xpv2.ManagementActionObserve)), want: Adoptable},
		"CrashWindow":      {reason: "An untagged bucket that the kind's crash-window rule explains is its own.", cr: bucket(), unconfirmed: yes, want: Adoptable},
		"NotExplained":     {reason: "An untagged bucket the rule does not explain is not taken.", cr: bucket(), unconfirmed: no, want: NotOurs},
		"AtomicKind":       {reason: "A kind that tags at create has no crash-window rule: untagged is never its own.", cr: bucket(withPending(now)), want: NotOurs},
		"RuleNotAskedWhenTagged": {
			reason: "The rule (a claim read) is asked only about an untagged resource.",
			cr:     bucket(), tags: ownedTags(nil), unconfirmed: func() (bool, error) { panic("asked") }, want: OwnedByCR,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := AWSTags.Judge(tc.cr, testAdoption.Adopt(nil, tc.cr), tc.unconfirmed, tc.tags)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
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

func TestApply(t *testing.T) {
	deleting := func(b *v1alpha1.Bucket) { now := metav1.Now(); b.SetDeletionTimestamp(&now) }
	other := map[string]string{AWSTags.NamespaceKey: "team-b", AWSTags.NameKey: "data"}
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
			absent, err := testOwn.Apply(context.Background(), tc.cr, "data", tc.tags)
			if absent != tc.wantAbsent || (tc.wantErr == "") != (err == nil) || err != nil && !strings.HasPrefix(err.Error(), tc.wantErr) {
				t.Errorf("%s\nApply: want absent=%t err=%q, got %t %v", tc.reason, tc.wantAbsent, tc.wantErr, absent, err)
			}
		})
	}
}

func TestCreateUnconfirmed(t *testing.T) {
	now := time.Now()
	cases := map[string]struct {
		reason string
		cr     *v1alpha1.Bucket
		want   bool
	}{
		"Pending":         {reason: "A recent create pending with no success after it is unconfirmed.", cr: bucket(withPending(now.Add(-time.Minute))), want: true},
		"Confirmed":       {reason: "After a confirmed create nothing is unconfirmed (e.g. external name edited).", cr: bucket(withPending(now.Add(-time.Hour)), withSucceeded(now.Add(-time.Hour)))},
		"RetryAfterwards": {reason: "A newer pending create than the last success is unconfirmed again.", cr: bucket(withSucceeded(now.Add(-time.Hour)), withPending(now)), want: true},
		"Stale": {
			reason: "A failed create long ago never explains an untagged resource found later: the exception expires.",
			cr:     bucket(withPending(now.Add(-CrashWindow - time.Minute))),
		},
		"Never": {reason: "No create attempt, nothing unconfirmed.", cr: bucket()},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, CreateUnconfirmed(tc.cr, now)); diff != "" {
				t.Errorf("%s\nCreateUnconfirmed: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
