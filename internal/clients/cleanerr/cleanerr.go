// Package cleanerr holds the error type the cloud and Vault clients return: a short, stable message (no request
// IDs, URLs or retry chatter, so condition messages do not change between polls) that still unwraps to the
// original error for errors.As and errors.Is.
package cleanerr

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// New returns an error with message msg that unwraps to cause.
func New(msg string, cause error) error { return &cleanError{msg: msg, cause: cause} }

type cleanError struct {
	msg   string
	cause error
}

func (e *cleanError) Error() string { return e.msg }
func (e *cleanError) Unwrap() error { return e.cause }

// Is reports whether err, or an error it wraps, is already clean: a credentials provider's or Vault's message,
// kept whole by the cloud clients.
func Is(err error) bool {
	var c *cleanError
	return errors.As(err, &c)
}

// MaxText is the most of a server's own words (an error message it sent) that reaches a condition or an event.
const MaxText = 256

// Text returns s, a server's own message, fit for a condition: invalid UTF-8 and control characters become
// spaces, runs of white space one space, and it is cut to MaxText bytes (on a character boundary, marked "...").
// A server a tenant chose may answer anything; what it says is quoted, never copied whole.
func Text(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if b.Len()+utf8.RuneLen(r) > MaxText {
			return b.String() + "..."
		}
		b.WriteRune(r)
	}
	return b.String()
}
