package rds

import "testing"

func TestValidateIdentifier(t *testing.T) {
	for id, ok := range map[string]bool{
		"orders-db": true, "Legacy1": true, "a": true,
		"": false, "1db": false, "db--x": false, "db-": false, "db_x": false,
		"a123456789012345678901234567890123456789012345678901234567890123": false,
	} {
		if err := ValidateIdentifier(id); (err == nil) != ok {
			t.Errorf("ValidateIdentifier(%q): valid %t, got %v", id, ok, err)
		}
	}
}
