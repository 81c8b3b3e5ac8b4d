package schema

import (
	"encoding/json"
)

// A small reader for JSON already known to be valid (json.Valid said so). It
// reads a value in place, without building a tree of it: the validator walks
// a body with it once, so that checking costs time and memory in proportion
// to the body, whatever its shape. It sees repeated keys, which
// encoding/json silently merges.

type reader struct {
	b   []byte
	pos int
}

func (r *reader) space() {
	for r.pos < len(r.b) {
		switch r.b[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// peek returns the next byte that is not white space.
func (r *reader) peek() byte {
	r.space()
	return r.b[r.pos]
}

// strBytes reads a string and returns its content: a slice of the input when
// it has no escapes, a decoded copy otherwise.
func (r *reader) strBytes() []byte {
	start := r.pos
	if !r.strEnd() {
		return r.b[start+1 : r.pos-1]
	}
	var s string
	_ = json.Unmarshal(r.b[start:r.pos], &s) // valid by precondition
	return []byte(s)
}

// strEnd moves past a string and reports whether it has escapes.
func (r *reader) strEnd() (escaped bool) {
	r.pos++ // opening quote
	for r.b[r.pos] != '"' {
		if r.b[r.pos] == '\\' {
			escaped = true
			r.pos++
		}
		r.pos++
	}
	r.pos++
	return escaped
}

// str reads a string.
func (r *reader) str() string { return string(r.strBytes()) }

// skip moves past one value and returns where it started.
func (r *reader) skip() int {
	r.space()
	start := r.pos
	switch r.b[r.pos] {
	case '"':
		r.strEnd()
	case '{', '[':
		for depth := 0; ; {
			switch r.b[r.pos] {
			case '"':
				r.strEnd()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			r.pos++
			if depth == 0 {
				break
			}
		}
	default:
		r.scalarEnd()
	}
	return start
}

func (r *reader) scalarEnd() {
	for r.pos < len(r.b) {
		switch r.b[r.pos] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return
		}
		r.pos++
	}
}

// literal reads a number, true, false or null.
func (r *reader) literal() []byte {
	start := r.pos
	r.scalarEnd()
	return r.b[start:r.pos]
}

// members calls f for each key of the object at the reader, leaving the
// reader on the value; f must consume the value. It stops at f's first error.
func (r *reader) members(f func(key string) *Error) *Error {
	r.peek()
	r.pos++ // {
	if r.peek() == '}' {
		r.pos++
		return nil
	}
	for {
		r.peek()
		key := r.str()
		r.peek()
		r.pos++ // :
		if err := f(key); err != nil {
			return err
		}
		sep := r.peek()
		r.pos++
		if sep == '}' {
			return nil
		}
	}
}
