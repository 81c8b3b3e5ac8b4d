package diff

import "hash/maphash"

// kind is the JSON type of a node.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// String names the kind as an error message would.
func (k kind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an array", "an object"}[k]
}

// node is one parsed JSON value. We parse into our own tree rather than
// map[string]any so that objects keep their members in document order (a
// value shown in a Change reads as its author wrote it) and numbers keep
// their source text.
type node struct {
	kind kind
	b    bool     // the value of a boolean
	text string   // a number's source text, or a string's decoded value
	keys []string // an object's member names, in document order, without duplicates
	vals []*node  // an object's member values (parallel to keys), or an array's items

	index  map[string]int // member name → position, built on demand for large objects
	hash   uint64         // cached sum(), valid when hashed
	hashed bool
}

// indexAbove is the member count above which lookups go through a map:
// below it a scan is cheaper than building one.
const indexAbove = 16

// member returns the position of the member named key, or -1.
func (n *node) member(key string) int {
	if len(n.keys) <= indexAbove {
		for i, k := range n.keys {
			if k == key {
				return i
			}
		}
		return -1
	}
	if n.index == nil {
		n.index = make(map[string]int, len(n.keys))
		for i, k := range n.keys {
			n.index[k] = i
		}
	}
	if i, ok := n.index[key]; ok {
		return i
	}
	return -1
}

// set gives the member named key the value v, keeping its place if it exists
// and appending it otherwise; a repeated name in a document thus keeps its
// first place and its last value, as encoding/json decodes it.
func (n *node) set(key string, v *node) {
	if i := n.member(key); i >= 0 {
		n.vals[i] = v
		return
	}
	n.keys = append(n.keys, key)
	n.vals = append(n.vals, v)
	if n.index != nil {
		n.index[key] = len(n.keys) - 1
	}
}

// removeMember deletes the member at position i.
func (n *node) removeMember(i int) {
	n.keys = append(n.keys[:i], n.keys[i+1:]...)
	n.vals = append(n.vals[:i], n.vals[i+1:]...)
	n.index = nil // positions after i moved; rebuilt on the next lookup
}

// equal reports whether a and b are the same JSON value: objects compare
// by member name whatever the order, numbers by value (1 equals 1.0).
func equal(a, b *node) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case kindBool:
		return a.b == b.b
	case kindNumber:
		return sameNumber(a.text, b.text)
	case kindString:
		return a.text == b.text
	case kindArray:
		if len(a.vals) != len(b.vals) {
			return false
		}
		for i := range a.vals {
			if !equal(a.vals[i], b.vals[i]) {
				return false
			}
		}
	case kindObject:
		if len(a.keys) != len(b.keys) {
			return false
		}
		for i, k := range a.keys {
			j := b.member(k)
			if j < 0 || !equal(a.vals[i], b.vals[j]) {
				return false
			}
		}
	}
	return true
}

// seed keys the hashes; they never leave one call, so a per-process seed is
// enough and keeps output independent of hash values.
var seed = maphash.MakeSeed()

// sum hashes a node so that equal values hash alike: numbers by their
// canonical form, objects independently of member order. Only Diff uses it,
// on trees it never changes, so the result is cached.
func (n *node) sum() uint64 {
	if n.hashed {
		return n.hash
	}
	h := uint64(n.kind) + 1
	switch n.kind {
	case kindBool:
		if n.b {
			h += 0x100
		}
	case kindNumber:
		h ^= maphash.String(seed, canonicalNumber(n.text))
	case kindString:
		h ^= maphash.String(seed, n.text)
	case kindArray:
		for _, v := range n.vals {
			h = mix(h ^ v.sum())
		}
	case kindObject:
		// A sum of per-member hashes does not depend on member order.
		for i, k := range n.keys {
			h += mix(maphash.String(seed, k) ^ mix(n.vals[i].sum()))
		}
	}
	n.hash, n.hashed = mix(h), true
	return n.hash
}

// mix scrambles the bits of x so that sums and chains of hashes do not
// cancel out (the splitmix64 finaliser).
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
