package bigtable

import (
	"fmt"
	"regexp"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// tableID is what Bigtable accepts as a table ID.
var tableID = regexp.MustCompile(`^[_a-zA-Z0-9][-_.a-zA-Z0-9]{0,49}$`)

// ValidateID checks a table ID before any call, on the name actually used (the external-name annotation).
func ValidateID(id string) error {
	if !tableID.MatchString(id) {
		//nolint:revive // The final '.' is the character the message names, not punctuation; the text is the user's.
		return errors.Errorf("%q is not a valid Bigtable table ID: 1 to 50 letters, digits and - _ ., not starting with - or .", id)
	}
	return nil
}

// InstanceName is an instance's resource name.
func InstanceName(project, instance string) string {
	return fmt.Sprintf("projects/%s/instances/%s", project, instance)
}

// TableName is a table's resource name.
func TableName(project, instance, id string) string {
	return InstanceName(project, instance) + "/tables/" + id
}
