package storage

import (
	"regexp"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

var (
	bucketName = regexp.MustCompile(`^[a-z0-9]([a-z0-9_-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9_-]*[a-z0-9])?)*$`)
	lookAlike  = regexp.MustCompile(`g[o0]{2}g[l1]e`)
	ipAddress  = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)
)

// ValidateBucketName checks a bucket name before any call, on the name actually used (the external-name annotation):
// Cloud Storage's rules.
func ValidateBucketName(name string) error {
	switch {
	case len(name) < 3 || len(name) > 63 || !bucketName.MatchString(name):
		return errors.Errorf("%q is not a valid bucket name: 3 to 63 lowercase letters, digits, '-', '_' and '.', "+
			"each dot-separated part starting and ending with a letter or digit", name)
	case strings.HasPrefix(name, "goog") || lookAlike.MatchString(name):
		return errors.Errorf("%q is not a valid bucket name: it may not start with goog or contain google or a look-alike", name)
	case ipAddress.MatchString(name):
		return errors.Errorf("%q is not a valid bucket name: it may not be an IP address", name)
	}
	return nil
}
