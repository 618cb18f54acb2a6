package cleanerr

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"kept":              {in: "Vault is sealed", want: "Vault is sealed"},
		"white space":       {in: "  permission\n\tdenied \r\n", want: "permission denied"},
		"control and bytes": {in: "bad\x1b[31m\x00req\xffuest", want: "bad [31m req uest"},
	}
	for name, tc := range cases {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("%s: got %q, want %q", name, got, tc.want)
		}
	}
	long := Text(strings.Repeat("é", 1000))
	if len(long) > MaxText+3 || !strings.HasSuffix(long, "...") || !utf8.ValidString(long) {
		t.Errorf("long: %d bytes, %q", len(long), long[len(long)-10:])
	}
}
