package managedkind

import "errors"

// NothingMade marks err, returned by a kind's Create, as proof that the create made nothing in the cloud: it
// stopped before any write, or the cloud answered the create call itself with a refusal that cannot hide an earlier
// success (invalid input, no permission, a name that is someone else's). The chain (chain.go, leased) then
// releases the name's lease if this create took it. A timeout, a 5xx, throttling, or any error after the create call succeeded must not be
// marked: the resource may exist, and the crash-window rule needs the lease's record of the attempt. Nil stays
// nil; the message and the cause are err's.
func NothingMade(err error) error {
	if err == nil {
		return nil
	}
	return &nothingMade{err}
}

type nothingMade struct{ error }

func (e *nothingMade) Unwrap() error { return e.error }

// IsNothingMade reports whether err says the create made nothing (NothingMade).
func IsNothingMade(err error) bool {
	var n *nothingMade
	return errors.As(err, &n)
}
