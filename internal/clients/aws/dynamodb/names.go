package dynamodb

import (
	"regexp"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// ValidateTableName checks a table name (the external name) against DynamoDB's rules, so that a bad name fails
// with a clear message before any call: 3 to 255 letters, digits, underscores, hyphens and dots.
func ValidateTableName(name string) error {
	if len(name) < 3 || len(name) > 255 || !tableName.MatchString(name) {
		return errors.Errorf("table name %q must be 3 to 255 letters, digits, underscores, hyphens and dots", name)
	}
	return nil
}

var tableName = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
