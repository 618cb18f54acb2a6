package rds

import (
	"regexp"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// ValidateIdentifier checks a DB instance identifier (the external name) against RDS's rules, so that a bad name
// fails with a clear message before any call: 1 to 63 letters, digits and hyphens, starting with a letter, with
// no two hyphens in a row and none at the end. RDS stores identifiers lower-cased.
func ValidateIdentifier(id string) error {
	switch {
	case len(id) < 1 || len(id) > 63:
		return errors.Errorf("DB instance identifier %q must be 1 to 63 characters long", id)
	case !identifier.MatchString(id) || strings.Contains(id, "--") || strings.HasSuffix(id, "-"):
		return errors.Errorf("DB instance identifier %q may only hold letters, digits and hyphens, must start with a letter, "+
			"and must not hold two hyphens in a row or end with one", id)
	}
	return nil
}

var identifier = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)
