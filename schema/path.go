package schema

import (
	"strconv"
	"strings"
)

// pos is the place of a value in a body: a chain of object keys and array
// indices up to a top-level field. It is rendered into a path string
// ("voicemail_option.action.type", "language[2]") only when a message needs
// one, so that checking a value nested n levels deep costs O(n), not the
// O(n²) of building every level's path string on the way down.
type pos struct {
	up    *pos
	key   []byte // a slice of the body, most often: naming a place copies nothing
	index int    // the array index, or -1 when key names the value
}

// root is the place of a top-level field.
func root(field string) pos { return pos{key: []byte(field), index: -1} }

func (p *pos) field(key []byte) pos { return pos{up: p, key: key, index: -1} }
func (p *pos) item(i int) pos       { return pos{up: p, index: i} }

// String renders the path as messages show it; the nil pos is the body
// itself, "".
func (p *pos) String() string {
	if p == nil {
		return ""
	}
	var chain []*pos
	for q := p; q != nil; q = q.up {
		chain = append(chain, q)
	}
	var b strings.Builder
	for i := len(chain) - 1; i >= 0; i-- {
		q := chain[i]
		switch {
		case q.index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(q.index))
			b.WriteByte(']')
		case b.Len() > 0:
			b.WriteByte('.')
			b.Write(q.key)
		default:
			b.Write(q.key)
		}
	}
	return b.String()
}

// under renders the path of a member key of the object at p, quoting a key
// that is not a plain name, so that a list of such paths (the ignored
// fields) reads unambiguously and is safe in a header.
func (p *pos) under(key string) string {
	if !plainName(key) {
		key = strconv.QuoteToASCII(key)
	}
	if s := p.String(); s != "" {
		return s + "." + key
	}
	return key
}

// plainName reports whether key is made of letters, digits, _ and - only.
func plainName(key string) bool {
	if key == "" {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// failAt reports a rule broken at p.
func failAt(p *pos, format string, args ...any) *Error {
	return fail(p.String(), format, args...)
}
