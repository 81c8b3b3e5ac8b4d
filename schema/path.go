package schema

import (
	"strconv"
	"strings"
)

// segment is one step of a path: an object key, or an array index.
type segment struct {
	key   []byte // a slice of the body, most often: naming a place copies nothing
	index int    // the array index, or -1 when key names the value
}

// path is the place of a value in a body, from a top-level field down: the
// checker pushes a segment as it enters a value and pops it as it leaves,
// and renders the path ("voicemail_option.action.type", "language[2]") only
// when a message needs one. Checking a value nested n levels deep costs
// O(n), not the O(n²) of building every level's path string on the way
// down, and no allocation per level.
type path []segment

func (p *path) pushKey(key []byte) { *p = append(*p, segment{key: key, index: -1}) }
func (p *path) pushIndex(i int)    { *p = append(*p, segment{index: i}) }
func (p *path) pop()               { *p = (*p)[:len(*p)-1] }

// String renders the path as messages show it; the empty path is the body
// itself, "".
func (p path) String() string {
	var b strings.Builder
	for _, s := range p {
		switch {
		case s.index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
		case b.Len() > 0:
			b.WriteByte('.')
			b.Write(s.key)
		default:
			b.Write(s.key)
		}
	}
	return b.String()
}

// under renders the path of a member key of the object at p, quoting a key
// that is not a plain name, so that a list of such paths (the ignored
// fields) reads unambiguously and is safe in a header.
func (p path) under(key string) string {
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
