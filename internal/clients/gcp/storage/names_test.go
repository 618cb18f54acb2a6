package storage

import "testing"

func TestValidateBucketName(t *testing.T) {
	for name, tc := range map[string]struct {
		in string
		ok bool
	}{
		"Plain": {"orders-data", true}, "Dotted": {"data.example.com", true}, "Underscore": {"orders_data", true},
		"Short": {"ab", false}, "Upper": {"Orders", false}, "Goog": {"goog-data", false}, "LookAlike": {"my-g00gle-data", false},
		"IP": {"192.168.0.1", false}, "DotDash": {"a.-b", false}, "TrailingDash": {"data-", false},
	} {
		t.Run(name, func(t *testing.T) {
			if err := ValidateBucketName(tc.in); (err == nil) != tc.ok {
				t.Errorf("ValidateBucketName(%q) = %v, want ok %t", tc.in, err, tc.ok)
			}
		})
	}
}
