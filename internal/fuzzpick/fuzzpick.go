// Package fuzzpick turns a fuzzer's bytes into the choices a fuzz target makes, so that one []byte argument can
// describe a whole spec — lists, optional fields, one value among the valid ones — and the fuzzer's mutations
// reach all of it. Each choice consumes a byte; once the bytes run out every choice is the first option, so any
// input, the empty one included, describes some spec.
package fuzzpick

// Bytes are the fuzzer's input, consumed by the choices made from it.
type Bytes struct{ b []byte }

// New returns the choices in b.
func New(b []byte) *Bytes { return &Bytes{b: b} }

// Intn returns a number from 0 to n-1 (0 when n <= 1 or the bytes are used up).
func (p *Bytes) Intn(n int) int {
	if n <= 1 || len(p.b) == 0 {
		return 0
	}
	v := int(p.b[0])
	p.b = p.b[1:]
	return v % n
}

// Bool returns a boolean.
func (p *Bytes) Bool() bool { return p.Intn(2) == 1 }

// One returns one of the options.
func One[T any](p *Bytes, options ...T) T { return options[p.Intn(len(options))] }

// Ptr returns nil, or a pointer to one of the options: an optional field, unset or set.
func Ptr[T any](p *Bytes, options ...T) *T {
	i := p.Intn(len(options) + 1)
	if i == 0 {
		return nil
	}
	v := options[i-1]
	return &v
}
