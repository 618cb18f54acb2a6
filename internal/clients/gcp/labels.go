package gcp

import (
	"regexp"
	"sort"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Google Cloud label keys and values: lowercase letters, digits, '_' and '-', at most 63 characters; a key
// starts with a letter. (Google also allows international lowercase letters; this provider keeps to ASCII.)
var (
	labelKey   = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
	labelValue = regexp.MustCompile(`^[a-z0-9_-]{0,63}$`)
)

// ValidLabels returns an error naming the first invalid label (keys in order), or nil.
func ValidLabels(labels map[string]string) error {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch {
		case !labelKey.MatchString(k):
			return errors.Errorf("label key %q: use lowercase letters, digits, '_' and '-', at most 63 characters, starting with a letter", k)
		case !labelValue.MatchString(labels[k]):
			return errors.Errorf("label %q has value %q: use lowercase letters, digits, '_' and '-', at most 63 characters", k, labels[k])
		}
	}
	return nil
}
