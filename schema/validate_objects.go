package schema

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Objects as the checker walks them: their members in one pass, the
// repeated key and the missing required field, and the ranges of ignored
// members to cut out of what is kept.

// span is a byte range of the top-level value being checked.
type span struct{ from, to int }

// cutter works out, member by member, the ranges that leave an object with
// its kept members only, separated by the commas they had: what comes
// before the first kept member, what comes between two kept members after
// the first one's comma, and what comes after the last kept member. It
// holds three offsets, whatever the number of members.
type cutter struct {
	first    int // where the first member starts
	keptEnd  int // where the last kept member ends; -1 before one
	dropFrom int // where the first member dropped since then starts; -1 if none
	end      int // where the last member ends
}

func newCutter() cutter { return cutter{first: -1, keptEnd: -1, dropFrom: -1} }

// member records one member, from its key to the end of its value.
func (k *cutter) member(c *checker, start, end int, drop bool) {
	if k.first < 0 {
		k.first = start
	}
	k.end = end
	switch {
	case drop:
		if k.dropFrom < 0 {
			k.dropFrom = start
		}
		return
	case k.dropFrom >= 0 && k.keptEnd < 0:
		c.drops = append(c.drops, span{k.first, start})
	case k.dropFrom >= 0:
		// Keep the comma right after the kept member before.
		comma := k.keptEnd + bytes.IndexByte(c.body[k.keptEnd:], ',') + 1
		c.drops = append(c.drops, span{comma, start})
	}
	k.dropFrom, k.keptEnd = -1, end
}

// done records the ranges after the last member.
func (k *cutter) done(c *checker) {
	switch {
	case k.dropFrom < 0:
	case k.keptEnd < 0:
		c.drops = append(c.drops, span{k.first, k.end})
	default:
		c.drops = append(c.drops, span{k.keptEnd, k.end})
	}
}

// keyRef is where an object's key is: its bytes in the body, or, for a key
// written with escapes, its decoded bytes in the checker's arena (negative
// at). Eight bytes a key, to find a key given twice.
type keyRef struct{ at, n int32 }

func (c *checker) keyRef(r *reader, start int, key []byte) keyRef {
	if len(key) == r.pos-start-2 { // no escapes: the key is the body's bytes
		return keyRef{int32(start + 1), int32(len(key))}
	}
	c.arena = append(c.arena, key...)
	return keyRef{-int32(len(c.arena)-len(key)) - 1, int32(len(key))}
}

func (c *checker) keyBytes(r *reader, k keyRef) []byte {
	if k.at < 0 {
		at := -k.at - 1
		return c.arena[at : at+k.n]
	}
	return r.b[k.at : k.at+k.n]
}

// object checks the members of the object at r against o.
func (c *checker) object(o *Object, r *reader) *Error {
	if err := c.enter(r); err != nil {
		return err
	}
	defer func() { c.depth-- }()
	for len(c.keys) <= c.depth {
		c.keys = append(c.keys, nil)
	}
	keys := c.keys[c.depth][:0]
	defer func() { c.keys[c.depth] = keys[:0] }()

	var (
		declared, extra       *Error // the errors of the first failing field in name order
		declaredKey, extraKey string
		refused               []string
	)
	cut := newCutter() // the ranges of ignored members
	objStart := r.pos
	r.pos++ // {
	for {
		if r.peek() == '}' { // only an empty object gets here
			r.pos++
			break
		}
		keyStart := r.pos
		key := r.strBytes()
		if len(keys) == MaxMembers {
			r.pos = objStart
			r.skip()
			return c.fail("has more than %d members", MaxMembers)
		}
		keys = append(keys, c.keyRef(r, keyStart, key))
		r.peek()
		r.pos++ // :
		r.peek()
		prop := o.props[string(key)]
		switch {
		case prop != nil || o.extra != nil:
			if prop == nil {
				prop = o.extra
			}
			c.path.pushKey(key)
			err := c.check(prop, r)
			c.path.pop()
			if err != nil {
				if o.props[string(key)] != nil {
					if declared == nil || string(key) < declaredKey {
						declared, declaredKey = err, string(key)
					}
				} else if extra == nil || string(key) < extraKey {
					extra, extraKey = err, string(key)
				}
			}
		case c.lenient && !o.closed:
			r.skip()
			c.ignore(string(key))
		default:
			r.skip()
			refused = append(refused, strconv.Quote(string(key)))
		}
		valueEnd := r.pos
		sep := r.peek()
		r.pos++
		if c.lenient {
			cut.member(c, keyStart, valueEnd, prop == nil && !o.closed)
		}
		if sep == '}' {
			break
		}
	}
	cut.done(c)
	slices.SortFunc(keys, func(a, b keyRef) int { return bytes.Compare(c.keyBytes(r, a), c.keyBytes(r, b)) })
	for i := 1; i < len(keys); i++ {
		if k := c.keyBytes(r, keys[i]); bytes.Equal(k, c.keyBytes(r, keys[i-1])) {
			return c.fail("duplicate field %q", k)
		}
	}
	if len(refused) > 0 {
		return c.fail("%s", unknownFields(refused))
	}
	for _, k := range o.keys {
		if declared != nil && k >= declaredKey {
			break
		}
		if o.required[k] && !c.hasKey(r, keys, k) {
			return c.failIn(segment{key: []byte(k), index: -1}, "is required")
		}
	}
	if declared != nil {
		return declared
	}
	return extra
}

// hasKey reports whether sorted keys hold k.
func (c *checker) hasKey(r *reader, keys []keyRef, k string) bool {
	_, found := slices.BinarySearchFunc(keys, k, func(a keyRef, k string) int { return strings.Compare(string(c.keyBytes(r, a)), k) })
	return found
}

// walk consumes any value, checking only what every body must meet: no
// repeated keys and no nesting beyond MaxDepth.
func (c *checker) walk(r *reader) *Error {
	switch r.peek() {
	case '{':
		return c.object(anyObject, r)
	case '[':
		return c.checkArray(anyArray, r)
	}
	r.skip()
	return nil
}

// anyObject and anyArray take any content (the rules of walk).
var (
	anyObject = &Object{props: map[string]*rule{}, required: map[string]bool{}, extra: anyValue()}
	anyArray  = array(anyValue())
)

// cutDrops returns raw without the ranges of the ignored fields.
func (c *checker) cutDrops(raw []byte) json.RawMessage {
	slices.SortFunc(c.drops, func(a, b span) int { return a.from - b.from })
	out := make([]byte, 0, len(raw))
	at := 0
	for _, d := range c.drops {
		if d.from > at {
			out = append(out, raw[at:d.from]...)
		}
		at = max(at, d.to)
	}
	return append(out, raw[at:]...)
}
