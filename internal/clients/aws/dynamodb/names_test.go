package dynamodb

import (
	"strings"
	"testing"
)

func TestValidateTableName(t *testing.T) {
	for name, ok := range map[string]bool{
		"events": true, "Legacy_Table.v2": true, "abc": true, strings.Repeat("a", 255): true,
		"ab": false, "has space": false, "slash/x": false, strings.Repeat("a", 256): false,
	} {
		if err := ValidateTableName(name); (err == nil) != ok {
			t.Errorf("ValidateTableName(%q): valid %t, got %v", name, ok, err)
		}
	}
}
