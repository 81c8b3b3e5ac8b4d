package schema

import (
	"bytes"
	"encoding/json"
)

// A small reader for JSON already known to be valid (json.Valid said so). It
// is several times faster than encoding/json's token stream, and it sees
// repeated keys, which encoding/json silently merges.

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

// str reads a string; only strings with escapes go through encoding/json.
func (r *reader) str() string {
	start := r.pos
	r.pos++ // opening quote
	escaped := false
	for r.b[r.pos] != '"' {
		if r.b[r.pos] == '\\' {
			escaped = true
			r.pos++
		}
		r.pos++
	}
	r.pos++
	if !escaped {
		return string(r.b[start+1 : r.pos-1])
	}
	var s string
	_ = json.Unmarshal(r.b[start:r.pos], &s) // valid by precondition
	return s
}

// skip moves past one value and returns where it started.
func (r *reader) skip() int {
	r.space()
	start := r.pos
	switch r.b[r.pos] {
	case '"':
		r.str()
	case '{', '[':
		for depth := 0; ; {
			switch r.b[r.pos] {
			case '"':
				r.str()
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

// value reads one value as nil, bool, json.Number, string, []any or
// map[string]any.
func (r *reader) value(path string) (any, *Error) {
	switch c := r.peek(); c {
	case '"':
		return r.str(), nil
	case '{':
		m := map[string]any{}
		err := r.members(func(key string) *Error {
			if _, dup := m[key]; dup {
				return fail(path, "duplicate field %q", key)
			}
			v, err := r.value(join(path, key))
			m[key] = v
			return err
		})
		return m, err
	case '[':
		a := []any{}
		r.pos++
		if r.peek() == ']' {
			r.pos++
			return a, nil
		}
		for {
			v, err := r.value(index(path, len(a)))
			if err != nil {
				return nil, err
			}
			a = append(a, v)
			sep := r.peek()
			r.pos++
			if sep == ']' {
				return a, nil
			}
		}
	default:
		start := r.pos
		r.scalarEnd()
		lit := r.b[start:r.pos]
		switch {
		case bytes.Equal(lit, []byte("null")):
			return nil, nil
		case bytes.Equal(lit, []byte("true")):
			return true, nil
		case bytes.Equal(lit, []byte("false")):
			return false, nil
		}
		return json.Number(lit), nil
	}
}

// parse reads one JSON value into a tree (see reader.value), rejecting a key
// repeated within one object. path names the value in messages.
func parse(raw []byte, path string) (any, *Error) {
	if !json.Valid(raw) {
		return nil, fail(path, "invalid JSON")
	}
	r := &reader{b: raw}
	return r.value(path)
}
