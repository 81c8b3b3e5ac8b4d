package schema

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Mode says how a body is meant: as a whole new object or as a patch.
type Mode int

const (
	// Create enforces required fields; null is allowed only on nullable
	// fields, where it means "unset".
	Create Mode = iota
	// Update (PATCH) requires nothing at the top level; null is allowed only
	// on nullable fields, where it means "clear". A nested object replaces
	// the old one whole, so its own required fields are still enforced.
	Update
)

// Unknown says what a field that a declared object does not declare means.
type Unknown int

const (
	// Refuse makes an undeclared field a 400 that names it (serve --strict).
	Refuse Unknown = iota
	// Ignore accepts an undeclared field, leaves it out of what is kept and
	// names it (the default), so that a client written against another
	// revision of Retell's API works. Objects the reference closes refuse
	// undeclared fields in both modes.
	Ignore
)

// MaxDepth is how deeply a body may nest objects and arrays. Real
// configurations stay below 20 levels; a deeper body is refused before any
// of it is checked or kept.
const MaxDepth = 128

// MaxMembers is how many members one object of a body may have. A
// configuration has about a hundred fields and its maps a few dozen keys;
// a body of a hundred thousand tiny members would cost the server ten times
// its size in bookkeeping.
const MaxMembers = 10_000

// maxSafeInteger is the largest integer every JSON client can hold exactly.
const maxSafeInteger = 1<<53 - 1

// Checked is a body that passed an object's rules.
type Checked struct {
	// Fields are the body's top-level fields, with every ignored field left
	// out at any depth: the map given to Check.
	Fields map[string]json.RawMessage
	// Ignored names the fields that were accepted and left out, by path
	// ("enable_voicemail_detection", "voicemail_option.action.beep"), in
	// name order: at most MaxIgnored of them, then "..." when there were
	// more.
	Ignored []string
}

// Validate checks the top-level fields of a body (as DecodeObject returns
// them) against o, refusing undeclared fields. It reports the first failure
// as an *Error.
func (o *Object) Validate(fields map[string]json.RawMessage, mode Mode) error {
	_, err := o.Check(fields, mode, Refuse)
	return err
}

// Check checks the top-level fields of a body against o and returns them
// with the undeclared fields that unknown lets it ignore left out. It takes
// the map: what it leaves out, it deletes from it. It
// reports the first failure as an *Error: a repeated key first, then
// undeclared fields, then the declared fields in name order; within an
// array, the first item that fails.
func (o *Object) Check(fields map[string]json.RawMessage, mode Mode, unknown Unknown) (Checked, error) {
	// The body itself is the first level of nesting.
	c := &checker{lenient: unknown == Ignore, depth: 1}
	var refused []string
	for k := range fields {
		if o.props[k] == nil && o.extra == nil {
			if c.lenient && !o.closed {
				c.ignore(k) // at the top: the path is empty yet
			} else {
				refused = append(refused, strconv.Quote(k))
			}
		}
	}
	if len(refused) > 0 {
		return Checked{}, fail("", "%s", unknownFields(refused))
	}
	var cut map[string]json.RawMessage // fields whose nested ignored fields are cut out
	check := func(k string, s *rule) *Error {
		raw := fields[k]
		if !json.Valid(raw) {
			return fail(k, "invalid JSON")
		}
		c.drops, c.body = c.drops[:0], raw
		c.path = append(c.path[:0], segment{key: []byte(k), index: -1})
		if err := c.check(s, &reader{b: raw}); err != nil {
			return err
		}
		if len(c.drops) > 0 {
			if cut == nil {
				cut = map[string]json.RawMessage{}
			}
			cut[k] = c.cutDrops(raw)
		}
		return nil
	}
	for _, k := range o.keys {
		if _, ok := fields[k]; !ok {
			if mode == Create && o.required[k] {
				return Checked{}, fail(k, "is required")
			}
			continue
		}
		if err := check(k, o.props[k]); err != nil {
			return Checked{}, err
		}
	}
	if o.extra != nil {
		var rest []string
		for k := range fields {
			if o.props[k] == nil {
				rest = append(rest, k)
			}
		}
		sort.Strings(rest)
		for _, k := range rest {
			if err := check(k, o.extra); err != nil {
				return Checked{}, err
			}
		}
	}
	if !c.dropped {
		return Checked{Fields: fields}, nil
	}
	// The fields are the caller's, decoded for this check: ignored ones are
	// left out of them in place rather than in a copy, which for a body of
	// thousands of them would cost as much again.
	if o.extra == nil {
		for k := range fields {
			if o.props[k] == nil {
				delete(fields, k)
			}
		}
	}
	for k, v := range cut {
		fields[k] = v
	}
	if len(c.ignored) > MaxIgnored {
		c.ignored = c.ignored[:MaxIgnored] // "..." goes last, after sorting
		sort.Strings(c.ignored)
		c.ignored = append(c.ignored, "...")
	} else {
		sort.Strings(c.ignored)
	}
	return Checked{Fields: fields, Ignored: c.ignored}, nil
}

// unknownFields words a list of quoted field names that are refused.
func unknownFields(quoted []string) string {
	sort.Strings(quoted)
	noun := "unknown field "
	if len(quoted) > 1 {
		noun = "unknown fields "
	}
	return noun + strings.Join(quoted, ", ")
}

// MaxIgnored is how many ignored fields a check names; when more were
// ignored, the list ends with "...". A body can hold a hundred thousand
// of them; naming each would cost more memory than the body.
const MaxIgnored = 100

// ignore names one ignored field, a member key of the object at the
// checker's place.
func (c *checker) ignore(key string) {
	switch {
	case len(c.ignored) < MaxIgnored:
		c.ignored = append(c.ignored, c.path.under(key))
	case len(c.ignored) == MaxIgnored:
		c.ignored = append(c.ignored, "...")
	}
	c.dropped = true
}

// fail reports a rule broken by the value the checker is at.
func (c *checker) fail(format string, args ...any) *Error {
	return fail(c.path.String(), format, args...)
}

// failIn reports a rule broken one step below the checker's place.
func (c *checker) failIn(s segment, format string, args ...any) *Error {
	c.path = append(c.path, s)
	defer c.path.pop()
	return c.fail(format, args...)
}

// checker walks one body. Every check consumes the value it checks, even
// when the value breaks a rule, so that the walk reads each byte once and
// an object can report the error of its first field in name order.
type checker struct {
	lenient bool
	ignored []string // at most MaxIgnored names, then "..."
	dropped bool     // whether anything was ignored
	// drops are the byte ranges of the current top-level value that ignored
	// fields take, each with the comma that separated it.
	drops []span
	body  []byte // the current top-level value, which drops index
	depth int
	path  path // where the value being checked is
	// keys holds, per depth, where the keys of the object being checked
	// there are; arena holds the keys written with escapes, decoded.
	keys  [][]keyRef
	arena []byte
}

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

// check checks the value at r against s and leaves r after it.
func (c *checker) check(s *rule, r *reader) *Error {
	switch r.peek() {
	case 'n':
		r.literal()
		if s.nullable || s.kind == kAny {
			return nil
		}
		return c.fail("cannot be null")
	}
	switch s.kind {
	case kAny:
		return c.walk(r)
	case kString:
		return c.checkString(s, r)
	case kInteger, kNumber:
		return c.checkNumber(s, r)
	case kBoolean:
		if b := r.b[r.pos]; b != 't' && b != 'f' {
			r.skip()
			return c.fail("must be a boolean")
		}
		r.literal()
		return nil
	case kArray:
		return c.checkArray(s, r)
	case kObject:
		if r.b[r.pos] != '{' {
			r.skip()
			return c.fail("must be an object")
		}
		return c.object(s.obj, r)
	case kTagged:
		return c.checkTagged(s, r)
	case kUnion:
		return c.checkUnion(s, r)
	}
	panic("schema: unknown kind")
}

// enter counts one more level of nesting, refusing a body that nests deeper
// than MaxDepth.
func (c *checker) enter(r *reader) *Error {
	c.depth++
	if c.depth > MaxDepth {
		c.depth--
		r.skip()
		return c.fail("nested deeper than %d levels", MaxDepth)
	}
	return nil
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
