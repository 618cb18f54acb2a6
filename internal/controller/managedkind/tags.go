package managedkind

import (
	"slices"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DesiredTags is the whole tag (or label) set a cloud resource should carry (apart from ignored keys): the
// ProviderConfig's defaults, overridden by the spec's, plus the ownership marker, which nothing overrides.
func (m Marker) DesiredTags(mg metav1.Object, spec, defaults map[string]string) map[string]string {
	out := make(map[string]string, len(defaults)+len(spec)+3)
	for k, v := range defaults {
		out[k] = v
	}
	for k, v := range spec {
		out[k] = v
	}
	for k, v := range m.Tags(mg) {
		out[k] = v
	}
	return out
}

// Ignored reports whether a tag key is left alone: it has one of the prefixes (a cloud's own, such as "aws:", and
// the ProviderConfig's ignored prefixes).
func Ignored(key string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// TagDiff lists the keys whose observed value differs from the desired one, sorted: a missing or changed desired
// key, or an extra key that is not ignored. An empty result means the tags are up to date.
func TagDiff(desired, observed map[string]string, ignore []string) []string {
	var diff []string
	for k, v := range desired {
		if ov, ok := observed[k]; !ok || ov != v {
			diff = append(diff, k)
		}
	}
	for k := range observed {
		if _, ok := desired[k]; !ok && !Ignored(k, ignore) {
			diff = append(diff, k)
		}
	}
	sort.Strings(diff)
	return diff
}

// TagChanges splits the way to desired for APIs that add and remove tags separately: the tags to set (missing or
// changed) and the keys to remove (extra, not ignored), sorted.
func TagChanges(desired, observed map[string]string, ignore []string) (set map[string]string, remove []string) {
	set = map[string]string{}
	for k, v := range desired {
		if ov, ok := observed[k]; !ok || ov != v {
			set[k] = v
		}
	}
	for k := range observed {
		if _, ok := desired[k]; !ok && !Ignored(k, ignore) {
			remove = append(remove, k)
		}
	}
	sort.Strings(remove)
	return set, remove
}

// ReplacedSet is the whole tag (or label) set to send to an API that replaces it (Pub/Sub, Bigtable, GCS
// updates): the observed set, minus the keys to remove, plus the keys to set (see TagChanges) — ignored and
// unmanaged keys are sent back as they are.
func ReplacedSet(observed, set map[string]string, remove []string) map[string]string {
	out := make(map[string]string, len(observed)+len(set))
	for k, v := range observed {
		if !slices.Contains(remove, k) {
			out[k] = v
		}
	}
	for k, v := range set {
		out[k] = v
	}
	return out
}

// IgnoredPrefixes are the tag prefixes a resource leaves alone: the ProviderConfig's — and every key (the empty
// prefix) when the spec sets no tags. Unset tags are unmanaged: keys other tools set are kept, and only the
// default and ownership tags are added. `tags: {}` says "no tags but the default and ownership ones": any other
// key is removed.
func IgnoredPrefixes(spec map[string]string, prefixes []string) []string {
	if spec == nil {
		return []string{""}
	}
	return prefixes
}
