package s3

import (
	"regexp"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

var (
	bucketNameChars = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)
	ipLike          = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)
)

// ValidateBucketName applies S3's naming rules for general purpose buckets: the same rules the Bucket CRD applies
// to metadata.name with CEL. The provider checks the external name with it, since an external-name annotation
// escapes the CRD's validation.
func ValidateBucketName(name string) error {
	switch {
	case len(name) < 3 || len(name) > 63:
		return errors.Errorf("bucket name %q must be 3 to 63 characters long", name)
	case !bucketNameChars.MatchString(name) || strings.Contains(name, ".."):
		return errors.Errorf("bucket name %q may only hold lowercase letters, digits, dots and hyphens, must start and end "+
			"with a letter or digit, and must not hold two adjacent dots", name)
	case ipLike.MatchString(name):
		return errors.Errorf("bucket name %q must not be formatted as an IP address", name)
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return errors.Errorf("bucket name %q must not start with %s", name, p)
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return errors.Errorf("bucket name %q must not end with %s", name, s)
		}
	}
	return nil
}
