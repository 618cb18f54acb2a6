package gcsbucket

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/storage"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/stateful-dev/provider-stateful/apis/gcp/storage/v1alpha1"
)

// maxRetention is Cloud Storage's longest retention period: 100 years, in whole seconds.
const maxRetention = 3155760000 * time.Second

// Lifecycle is the SDK's lifecycle for the spec's rules.
func Lifecycle(rules []v1alpha1.LifecycleRule) (storage.Lifecycle, error) {
	var out storage.Lifecycle
	for i, r := range rules {
		c := r.Condition
		sr := storage.LifecycleRule{
			Action: storage.LifecycleAction{Type: r.Action.Type, StorageClass: ptr.Deref(r.Action.StorageClass, "")},
			Condition: storage.LifecycleCondition{
				NumNewerVersions: ptr.Deref(c.NumNewerVersions, 0), DaysSinceNoncurrentTime: ptr.Deref(c.DaysSinceNoncurrentTime, 0),
				MatchesStorageClasses: c.MatchesStorageClass, MatchesPrefix: c.MatchesPrefix, MatchesSuffix: c.MatchesSuffix,
			},
		}
		if c.AgeDays != nil {
			if *c.AgeDays == 0 {
				// The SDK omits a zero age unless told that every object matches.
				sr.Condition.AllObjects = true
			}
			sr.Condition.AgeInDays = *c.AgeDays
		}
		if c.CreatedBefore != nil {
			t, err := time.Parse(time.DateOnly, *c.CreatedBefore)
			if err != nil {
				return out, errors.Errorf("spec.forProvider.lifecycleRules[%d].condition.createdBefore %q: use a date, YYYY-MM-DD", i, *c.CreatedBefore)
			}
			sr.Condition.CreatedBefore = t
		}
		if c.IsLive != nil {
			sr.Condition.Liveness = storage.Archived
			if *c.IsLive {
				sr.Condition.Liveness = storage.Live
			}
		}
		out.Rules = append(out.Rules, sr)
	}
	return out, nil
}

// describeRule spells a lifecycle rule canonically, so two rules that mean the same compare equal: sets sorted, an
// age of zero the same whether Cloud Storage reports it or not.
func describeRule(r storage.LifecycleRule) string {
	c := r.Condition
	sorted := func(l []string) string {
		l = slices.Clone(l)
		slices.Sort(l)
		return strings.Join(l, ",")
	}
	created := ""
	if !c.CreatedBefore.IsZero() {
		created = c.CreatedBefore.UTC().Format(time.DateOnly)
	}
	return fmt.Sprintf("%s/%s age=%d all=%t created=%s live=%d newer=%d noncurrent=%d classes=%s prefix=%s suffix=%s",
		r.Action.Type, r.Action.StorageClass, c.AgeInDays, c.AllObjects || c.AgeInDays > 0, created, c.Liveness, c.NumNewerVersions,
		c.DaysSinceNoncurrentTime, sorted(c.MatchesStorageClasses), sorted(c.MatchesPrefix), sorted(c.MatchesSuffix))
}

// lifecycleInSync compares rules as a multiset: order means nothing to Cloud Storage.
func lifecycleInSync(want, got storage.Lifecycle) bool {
	a, b := make([]string, 0, len(want.Rules)), make([]string, 0, len(got.Rules))
	for _, r := range want.Rules {
		a = append(a, describeRule(r))
	}
	for _, r := range got.Rules {
		b = append(b, describeRule(r))
	}
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// CORS is the SDK's CORS for the spec's rules.
func CORS(rules []v1alpha1.CORS) []storage.CORS {
	out := make([]storage.CORS, 0, len(rules))
	for _, r := range rules {
		out = append(out, storage.CORS{
			Origins:         r.Origins,
			Methods:         r.Methods,
			ResponseHeaders: r.ResponseHeaders,
			MaxAge:          time.Duration(ptr.Deref(r.MaxAgeSeconds, 0)) * time.Second,
		})
	}
	return out
}

// corsInSync compares CORS rules as a multiset, each rule's lists as sets.
func corsInSync(want, got []storage.CORS) bool {
	spell := func(l []storage.CORS) []string {
		out := make([]string, 0, len(l))
		for _, c := range l {
			o, m, h := slices.Clone(c.Origins), slices.Clone(c.Methods), slices.Clone(c.ResponseHeaders)
			slices.Sort(o)
			slices.Sort(m)
			slices.Sort(h)
			out = append(out, fmt.Sprintf("%v|%v|%v|%d", o, m, h, int64(c.MaxAge/time.Second)))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(spell(want), spell(got))
}

// retention parses the spec's retention period; nil for {} (no policy).
func retention(p *v1alpha1.RetentionPolicy) (*time.Duration, error) {
	if p == nil || p.RetentionPeriod == nil {
		return nil, nil
	}
	d, err := time.ParseDuration(*p.RetentionPeriod)
	if err != nil || d <= 0 || d%time.Second != 0 || d > maxRetention {
		return nil, errors.Errorf("spec.forProvider.retentionPolicy.retentionPeriod %q: use whole seconds, more than 0 and at most 100 years",
			*p.RetentionPeriod)
	}
	return &d, nil
}

// retentionChange says what the retention policy needs: a PATCH of the period (or its removal), and whether the
// policy is to be locked once the period is right. What Cloud Storage cannot do with a locked policy is an error
// naming the field: unlock it, remove it, shorten it.
func retentionChange(p *v1alpha1.RetentionPolicy, o *storage.RetentionPolicy) (patch *storage.RetentionPolicy, lock bool, err error) {
	if p == nil {
		return nil, false, nil
	}
	want, err := retention(p)
	if err != nil {
		return nil, false, err
	}
	locked := o != nil && o.IsLocked
	switch {
	case locked && p.Locked != nil && !*p.Locked:
		return nil, false, errors.New("the bucket's retention policy is locked, which is irreversible: spec.forProvider.retentionPolicy.locked cannot be false")
	case locked && want == nil:
		return nil, false, errors.New("the bucket's retention policy is locked, which is irreversible: it cannot be removed")
	case locked && *want < o.RetentionPeriod:
		return nil, false, errors.Errorf("the bucket's retention policy is locked at %s, which is irreversible: "+
			"spec.forProvider.retentionPolicy.retentionPeriod can only grow", o.RetentionPeriod)
	}
	var have time.Duration
	if o != nil {
		have = o.RetentionPeriod
	}
	switch {
	case want == nil && have != 0:
		patch = &storage.RetentionPolicy{}
	case want != nil && *want != have:
		patch = &storage.RetentionPolicy{RetentionPeriod: *want}
	}
	return patch, ptr.Deref(p.Locked, false) && !locked && patch == nil, nil
}
