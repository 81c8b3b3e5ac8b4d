package schema

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The checks of scalar values, arrays and unions.

// checkString checks a string: its enum, its length in characters, its
// pattern, and that it holds no NUL character, which no store keeps.
func (c *checker) checkString(s *rule, r *reader) *Error {
	if r.b[r.pos] != '"' {
		r.skip()
		return c.fail("must be %s", s.noun())
	}
	b := r.strBytes()
	if len(s.enum) > 0 && !slices.Contains(s.enum, string(b)) {
		return c.fail("must be one of %s", strings.Join(s.enum, ", "))
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return c.fail("must not contain the NUL character (\\u0000)")
	}
	n := utf8.RuneCount(b)
	switch {
	case s.minLen == 1 && n == 0:
		return c.fail("must not be empty")
	case s.minLen > 0 && n < s.minLen:
		return c.fail("must be at least %d characters long", s.minLen)
	case s.maxLen > 0 && n > s.maxLen:
		return c.fail("must be at most %d characters long", s.maxLen)
	case s.pattern != nil && !s.pattern.Match(b):
		return c.fail("must match %s", s.pattern)
	}
	return nil
}

func (c *checker) checkNumber(s *rule, r *reader) *Error {
	if b := r.b[r.pos]; b != '-' && (b < '0' || b > '9') {
		r.skip()
		return c.fail("must be %s", s.noun())
	}
	lit := r.literal()
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil || math.IsInf(f, 0) {
		return c.fail("is out of range")
	}
	if s.kind == kInteger {
		if f != math.Trunc(f) {
			return c.fail("must be an integer")
		}
		if math.Abs(f) > maxSafeInteger {
			return c.fail("must be between %s and %s", formatNumber(s.lowest()), formatNumber(s.highest()))
		}
	}
	low := s.min != nil && (f < *s.min || s.exclMin && f == *s.min)
	high := s.max != nil && f > *s.max
	if low || high {
		return c.fail("%s", s.rangeRule())
	}
	if s.canonical && !canonicalNatural(lit) {
		return c.fail("must be written as a plain non-negative integer (0, 1, 2, …), got %s", lit)
	}
	return nil
}

// canonicalNatural reports whether lit is a non-negative integer written the
// one way: no sign, no leading zero, no fraction, no exponent.
func canonicalNatural(lit []byte) bool {
	if len(lit) == 0 || len(lit) > 1 && lit[0] == '0' {
		return false
	}
	for _, b := range lit {
		if b < '0' || b > '9' {
			return false
		}
	}
	return true
}

// lowest and highest are the integer bounds a JSON client can hold, narrowed
// by the rule's own, so that a message never offers values the rule refuses.
func (s *rule) lowest() float64 {
	if s.min != nil && *s.min > -maxSafeInteger {
		return math.Ceil(*s.min)
	}
	return -maxSafeInteger
}

func (s *rule) highest() float64 {
	if s.max != nil && *s.max < maxSafeInteger {
		return math.Floor(*s.max)
	}
	return maxSafeInteger
}

// rangeRule states a number's bounds in words.
func (s *rule) rangeRule() string {
	lo, hi := "", ""
	if s.min != nil {
		lo = formatNumber(*s.min)
	}
	if s.max != nil {
		hi = formatNumber(*s.max)
	}
	switch {
	case s.min != nil && s.max != nil && !s.exclMin:
		return "must be between " + lo + " and " + hi
	case s.min != nil && s.max != nil:
		return "must be greater than " + lo + " and at most " + hi
	case s.min != nil && s.exclMin:
		return "must be greater than " + lo
	case s.min != nil:
		return "must be at least " + lo
	default:
		return "must be at most " + hi
	}
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func (c *checker) checkArray(s *rule, r *reader) *Error {
	if r.b[r.pos] != '[' {
		r.skip()
		return c.fail("must be an array")
	}
	if err := c.enter(r); err != nil {
		return err
	}
	defer func() { c.depth-- }()
	var first *Error
	var starts []int // where each item starts, for uniqueness
	n := 0
	r.pos++ // [
	if r.peek() == ']' {
		r.pos++
	} else {
		for ; ; n++ {
			r.space()
			if first != nil {
				r.skip()
			} else {
				if s.unique {
					starts = append(starts, r.pos)
				}
				c.path.pushIndex(n)
				first = c.check(s.items, r)
				c.path.pop()
			}
			sep := r.peek()
			r.pos++
			if sep == ']' {
				n++
				break
			}
		}
	}
	if s.minItems > 0 && n < s.minItems {
		if s.minItems == 1 {
			return c.fail("must not be empty")
		}
		return c.fail("must have at least %d items", s.minItems)
	}
	if s.maxItems > 0 && n > s.maxItems {
		return c.fail("must have at most %d items", s.maxItems)
	}
	if first != nil {
		return first
	}
	if s.unique {
		seen := map[string]int{}
		for i, at := range starts {
			item := &reader{b: r.b, pos: at}
			key := canonicalValue(item)
			if j, dup := seen[key]; dup {
				return c.failIn(segment{index: i}, "duplicates item %d", j)
			}
			seen[key] = i
		}
	}
	return nil
}

// canonicalValue is one spelling of the value at r, for telling equal items
// apart: a string decoded, anything else compacted.
func canonicalValue(r *reader) string {
	if r.peek() == '"' {
		return "s" + r.str()
	}
	start := r.skip()
	var b bytes.Buffer
	_ = json.Compact(&b, r.b[start:r.pos])
	return b.String()
}

func (c *checker) checkTagged(s *rule, r *reader) *Error {
	if r.b[r.pos] != '{' {
		r.skip()
		return c.fail("must be an object")
	}
	start := r.pos
	tagAt := -1
	_ = r.members(func(key string) *Error {
		if key == s.tag && tagAt < 0 {
			tagAt = r.pos
		}
		r.skip()
		return nil
	})
	end := r.pos
	tagPath := segment{key: []byte(s.tag), index: -1}
	if tagAt < 0 {
		return c.failIn(tagPath, "is required")
	}
	tag := &reader{b: r.b, pos: tagAt}
	if tag.peek() != '"' {
		return c.failIn(tagPath, "must be a string")
	}
	variant := s.variant(tag.str())
	if variant == nil {
		return c.failIn(tagPath, "must be one of %s", strings.Join(s.tagValues(), ", "))
	}
	r.pos = start
	err := c.object(variant, r)
	r.pos = end
	return err
}

// checkUnion accepts a value that one option whose JSON type matches
// accepts. When none does, the message comes from the first matching option,
// except that several string enums are reported as one list.
func (c *checker) checkUnion(s *rule, r *reader) *Error {
	start := r.pos
	var fits []*rule
	for _, o := range s.options {
		if o.accepts(r.b[start]) {
			fits = append(fits, o)
		}
	}
	defer func() { r.pos = start; r.skip() }()
	if len(fits) == 0 {
		var nouns []string
		for _, o := range s.options {
			if n := o.noun(); !slices.Contains(nouns, n) {
				nouns = append(nouns, n)
			}
		}
		return c.fail("must be %s", strings.Join(nouns, " or "))
	}
	var first *Error
	var values []string
	allEnums := true
	for _, o := range fits {
		r.pos = start
		ignored, drops, dropped := len(c.ignored), len(c.drops), c.dropped
		err := c.check(o, r)
		if err == nil {
			return nil
		}
		// What a failed option ignored is not ignored by the one that fits.
		c.ignored, c.drops, c.dropped = c.ignored[:ignored], c.drops[:drops], dropped
		if first == nil {
			first = err
		}
		allEnums = allEnums && o.kind == kString && len(o.enum) > 0
		values = append(values, o.enum...)
	}
	if allEnums && len(fits) > 1 {
		return c.fail("must be one of %s", strings.Join(values, ", "))
	}
	return first
}

// accepts reports whether a value starting with b has the JSON type that s
// describes.
func (s *rule) accepts(b byte) bool {
	switch {
	case b == '"':
		return s.kind == kString
	case b == '-' || '0' <= b && b <= '9':
		return s.kind == kInteger || s.kind == kNumber
	case b == 't' || b == 'f':
		return s.kind == kBoolean
	case b == '[':
		return s.kind == kArray
	case b == '{':
		return s.kind == kObject || s.kind == kTagged
	}
	return s.kind == kAny
}

// noun names the JSON type s describes, for "must be ..." messages.
func (s *rule) noun() string {
	switch s.kind {
	case kString:
		return "a string"
	case kInteger:
		return "an integer"
	case kNumber:
		return "a number"
	case kBoolean:
		return "a boolean"
	case kArray:
		return "an array"
	case kObject, kTagged:
		return "an object"
	}
	return "a JSON value"
}
