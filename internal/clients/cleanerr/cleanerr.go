// Package cleanerr holds the error type the cloud and Vault clients return: a short, stable message (no request
// IDs, URLs or retry chatter, so condition messages do not change between polls) that still unwraps to the
// original error for errors.As and errors.Is.
package cleanerr

import "errors"

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
