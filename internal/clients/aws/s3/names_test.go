package s3

import (
	"strings"
	"testing"
)

func TestValidateBucketName(t *testing.T) {
	cases := map[string]struct {
		reason string
		name   string
		ok     bool
	}{
		"Simple":        {reason: "Lowercase letters, digits and hyphens are fine.", name: "my-bucket-1", ok: true},
		"Dots":          {reason: "Single dots are allowed.", name: "logs.example.com", ok: true},
		"Min":           {reason: "Three characters is the minimum.", name: "abc", ok: true},
		"Max":           {reason: "63 characters is the maximum.", name: strings.Repeat("a", 63), ok: true},
		"TooShort":      {reason: "Two characters are too few.", name: "ab"},
		"TooLong":       {reason: "64 characters are too many.", name: strings.Repeat("a", 64)},
		"Upper":         {reason: "Uppercase is not allowed.", name: "MyBucket"},
		"Underscore":    {reason: "Underscores are not allowed.", name: "my_bucket"},
		"LeadingHyphen": {reason: "Names start with a letter or digit.", name: "-bucket"},
		"TrailingDot":   {reason: "Names end with a letter or digit.", name: "bucket."},
		"AdjacentDots":  {reason: "Two adjacent dots are not allowed.", name: "a..b"},
		"IPAddress":     {reason: "An IP-address form is not allowed.", name: "192.168.5.4"},
		"IPLike":        {reason: "Any four dotted numbers are refused, as in the CRD.", name: "999.1.1.1"},
		"XN":            {reason: "The xn-- prefix is reserved.", name: "xn--bucket"},
		"Sthree":        {reason: "The sthree- prefix is reserved.", name: "sthree-bucket"},
		"Alias":         {reason: "The -s3alias suffix is reserved.", name: "bucket-s3alias"},
		"OL":            {reason: "The --ol-s3 suffix is reserved.", name: "bucket--ol-s3"},
		"Mrap":          {reason: "The .mrap suffix is reserved.", name: "bucket.mrap"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := ValidateBucketName(tc.name)
			if (err == nil) != tc.ok {
				t.Errorf("%s\nValidateBucketName(%q): want ok=%t, got error %v", tc.reason, tc.name, tc.ok, err)
			}
		})
	}
}
