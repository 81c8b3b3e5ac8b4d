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

// maxSafeInteger is the largest integer every JSON client can hold exactly.
const maxSafeInteger = 1<<53 - 1

// Checked is a body that passed an object's rules.
type Checked struct {
	// Fields are the body's top-level fields, with every ignored field left
	// out at any depth; the map is the one given when nothing was ignored.
	Fields map[string]json.RawMessage
	// Ignored names the fields that were accepted and left out, by path
	// ("enable_voicemail_detection", "voicemail_option.action.beep"), in
	// name order.
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
// with the undeclared fields that unknown lets it ignore left out. It
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
				c.ignored = append(c.ignored, (*pos)(nil).under(k))
			} else {
				refused = append(refused, strconv.Quote(k))
			}
		}
	}
	if len(refused) > 0 {
		return Checked{}, unknownFields(nil, refused)
	}
	var cut map[string]json.RawMessage // fields whose nested ignored fields are cut out
	check := func(k string, s *rule) *Error {
		raw := fields[k]
		p := root(k)
		if !json.Valid(raw) {
			return failAt(&p, "invalid JSON")
		}
		c.drops, c.body = c.drops[:0], raw
		if err := c.check(s, &reader{b: raw}, &p); err != nil {
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
	if len(c.ignored) == 0 {
		return Checked{Fields: fields}, nil
	}
	kept := make(map[string]json.RawMessage, len(fields))
	for k, v := range fields {
		if o.props[k] != nil || o.extra != nil {
			kept[k] = v
		}
	}
	for k, v := range cut {
		kept[k] = v
	}
	sort.Strings(c.ignored)
	return Checked{Fields: kept, Ignored: c.ignored}, nil
}

func unknownFields(p *pos, quoted []string) *Error {
	sort.Strings(quoted)
	noun := "unknown field "
	if len(quoted) > 1 {
		noun = "unknown fields "
	}
	return failAt(p, "%s", noun+strings.Join(quoted, ", "))
}

// checker walks one body. Every check consumes the value it checks, even
// when the value breaks a rule, so that the walk reads each byte once and
// an object can report the error of its first field in name order.
type checker struct {
	lenient bool
	ignored []string
	// drops are the byte ranges of the current top-level value that ignored
	// fields take, each with the comma that separated it.
	drops []span
	body  []byte // the current top-level value, which drops index
	depth int
	// keys and members hold, per depth, the keys and places of the members
	// of the object being checked there.
	keys    [][][]byte
	members [][]member
}

type span struct{ from, to int }

// member is where one member of an object is, from its key to the end of its
// value, and whether it is ignored.
type member struct {
	start, end int
	drop       bool
}

// cutMembers records the ranges that leave an object with its kept members
// only, separated by the commas they had: what comes before the first kept
// member, what comes between two kept members after the first one's comma,
// and what comes after the last kept member.
func (c *checker) cutMembers(ms []member) {
	if !slices.ContainsFunc(ms, func(m member) bool { return m.drop }) {
		return
	}
	last := -1 // the last kept member
	for i, m := range ms {
		if m.drop {
			continue
		}
		switch {
		case last < 0 && i > 0:
			c.drops = append(c.drops, span{ms[0].start, m.start})
		case last >= 0 && last < i-1:
			// Keep the comma right after the kept member before.
			comma := ms[last].end + bytes.IndexByte(c.body[ms[last].end:], ',') + 1
			c.drops = append(c.drops, span{comma, m.start})
		}
		last = i
	}
	switch {
	case last < 0:
		c.drops = append(c.drops, span{ms[0].start, ms[len(ms)-1].end})
	case last < len(ms)-1:
		c.drops = append(c.drops, span{ms[last].end, ms[len(ms)-1].end})
	}
}

// check checks the value at r against s and leaves r after it.
func (c *checker) check(s *rule, r *reader, p *pos) *Error {
	switch r.peek() {
	case 'n':
		r.literal()
		if s.nullable || s.kind == kAny {
			return nil
		}
		return failAt(p, "cannot be null")
	}
	switch s.kind {
	case kAny:
		return c.walk(r, p)
	case kString:
		return c.checkString(s, r, p)
	case kInteger, kNumber:
		return c.checkNumber(s, r, p)
	case kBoolean:
		if b := r.b[r.pos]; b != 't' && b != 'f' {
			r.skip()
			return failAt(p, "must be a boolean")
		}
		r.literal()
		return nil
	case kArray:
		return c.checkArray(s, r, p)
	case kObject:
		if r.b[r.pos] != '{' {
			r.skip()
			return failAt(p, "must be an object")
		}
		return c.object(s.obj, r, p)
	case kTagged:
		return c.checkTagged(s, r, p)
	case kUnion:
		return c.checkUnion(s, r, p)
	}
	panic("schema: unknown kind")
}

// enter counts one more level of nesting, refusing a body that nests deeper
// than MaxDepth.
func (c *checker) enter(r *reader, p *pos) *Error {
	c.depth++
	if c.depth > MaxDepth {
		c.depth--
		r.skip()
		return failAt(p, "nested deeper than %d levels", MaxDepth)
	}
	return nil
}

// object checks the members of the object at r against o.
func (c *checker) object(o *Object, r *reader, p *pos) *Error {
	if err := c.enter(r, p); err != nil {
		return err
	}
	defer func() { c.depth-- }()
	for len(c.keys) <= c.depth {
		c.keys = append(c.keys, nil)
		c.members = append(c.members, nil)
	}
	keys := c.keys[c.depth][:0]
	defer func() { c.keys[c.depth] = keys[:0] }()

	var (
		declared, extra       *Error // the errors of the first failing field in name order
		declaredKey, extraKey string
		refused               []string
	)
	var members []member // their places, to cut out the ignored ones
	if c.lenient {
		members = c.members[c.depth][:0]
		defer func() { c.members[c.depth] = members[:0] }()
	}
	r.pos++ // {
	for {
		if r.peek() == '}' { // only an empty object gets here
			r.pos++
			break
		}
		keyStart := r.pos
		key := r.strBytes()
		keys = append(keys, key)
		r.peek()
		r.pos++ // :
		r.peek()
		prop := o.props[string(key)]
		switch {
		case prop != nil || o.extra != nil:
			if prop == nil {
				prop = o.extra
			}
			child := p.field(key)
			if err := c.check(prop, r, &child); err != nil {
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
			c.ignored = append(c.ignored, p.under(string(key)))
		default:
			r.skip()
			refused = append(refused, strconv.Quote(string(key)))
		}
		valueEnd := r.pos
		sep := r.peek()
		r.pos++
		if c.lenient {
			members = append(members, member{start: keyStart, end: valueEnd, drop: prop == nil && !o.closed})
		}
		if sep == '}' {
			break
		}
	}
	c.cutMembers(members)
	slices.SortFunc(keys, bytes.Compare)
	for i := 1; i < len(keys); i++ {
		if bytes.Equal(keys[i], keys[i-1]) {
			return failAt(p, "duplicate field %q", keys[i])
		}
	}
	if len(refused) > 0 {
		return unknownFields(p, refused)
	}
	for _, k := range o.keys {
		if declared != nil && k >= declaredKey {
			break
		}
		if o.required[k] && !hasKey(keys, k) {
			child := p.field([]byte(k))
			return failAt(&child, "is required")
		}
	}
	if declared != nil {
		return declared
	}
	return extra
}

// hasKey reports whether sorted keys hold k.
func hasKey(keys [][]byte, k string) bool {
	_, found := slices.BinarySearchFunc(keys, k, func(a []byte, k string) int { return strings.Compare(string(a), k) })
	return found
}

// walk consumes any value, checking only what every body must meet: no
// repeated keys and no nesting beyond MaxDepth.
func (c *checker) walk(r *reader, p *pos) *Error {
	switch r.peek() {
	case '{':
		return c.object(anyObject, r, p)
	case '[':
		return c.checkArray(anyArray, r, p)
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

func (c *checker) checkString(s *rule, r *reader, p *pos) *Error {
	if r.b[r.pos] != '"' {
		r.skip()
		return failAt(p, "must be %s", s.noun())
	}
	b := r.strBytes()
	if len(s.enum) > 0 && !slices.Contains(s.enum, string(b)) {
		return failAt(p, "must be one of %s", strings.Join(s.enum, ", "))
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return failAt(p, "must not contain the NUL character (\\u0000)")
	}
	n := utf8.RuneCount(b)
	switch {
	case s.minLen == 1 && n == 0:
		return failAt(p, "must not be empty")
	case s.minLen > 0 && n < s.minLen:
		return failAt(p, "must be at least %d characters long", s.minLen)
	case s.maxLen > 0 && n > s.maxLen:
		return failAt(p, "must be at most %d characters long", s.maxLen)
	case s.pattern != nil && !s.pattern.Match(b):
		return failAt(p, "must match %s", s.pattern)
	}
	return nil
}

func (c *checker) checkNumber(s *rule, r *reader, p *pos) *Error {
	if b := r.b[r.pos]; b != '-' && (b < '0' || b > '9') {
		r.skip()
		return failAt(p, "must be %s", s.noun())
	}
	lit := r.literal()
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil || math.IsInf(f, 0) {
		return failAt(p, "is out of range")
	}
	if s.kind == kInteger {
		if f != math.Trunc(f) {
			return failAt(p, "must be an integer")
		}
		if math.Abs(f) > maxSafeInteger {
			return failAt(p, "must be between %s and %s", formatNumber(s.lowest()), formatNumber(s.highest()))
		}
	}
	low := s.min != nil && (f < *s.min || s.exclMin && f == *s.min)
	high := s.max != nil && f > *s.max
	if low || high {
		return failAt(p, "%s", s.rangeRule())
	}
	if s.canonical && !canonicalNatural(lit) {
		return failAt(p, "must be written as a plain non-negative integer (0, 1, 2, …), got %s", lit)
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

func (c *checker) checkArray(s *rule, r *reader, p *pos) *Error {
	if r.b[r.pos] != '[' {
		r.skip()
		return failAt(p, "must be an array")
	}
	if err := c.enter(r, p); err != nil {
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
				child := p.item(n)
				first = c.check(s.items, r, &child)
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
			return failAt(p, "must not be empty")
		}
		return failAt(p, "must have at least %d items", s.minItems)
	}
	if s.maxItems > 0 && n > s.maxItems {
		return failAt(p, "must have at most %d items", s.maxItems)
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
				child := p.item(i)
				return failAt(&child, "duplicates item %d", j)
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

func (c *checker) checkTagged(s *rule, r *reader, p *pos) *Error {
	if r.b[r.pos] != '{' {
		r.skip()
		return failAt(p, "must be an object")
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
	tagPath := p.field([]byte(s.tag))
	if tagAt < 0 {
		return failAt(&tagPath, "is required")
	}
	tag := &reader{b: r.b, pos: tagAt}
	if tag.peek() != '"' {
		return failAt(&tagPath, "must be a string")
	}
	variant := s.variant(tag.str())
	if variant == nil {
		return failAt(&tagPath, "must be one of %s", strings.Join(s.tagValues(), ", "))
	}
	r.pos = start
	err := c.object(variant, r, p)
	r.pos = end
	return err
}

// checkUnion accepts a value that one option whose JSON type matches
// accepts. When none does, the message comes from the first matching option,
// except that several string enums are reported as one list.
func (c *checker) checkUnion(s *rule, r *reader, p *pos) *Error {
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
		return failAt(p, "must be %s", strings.Join(nouns, " or "))
	}
	var first *Error
	var values []string
	allEnums := true
	for _, o := range fits {
		r.pos = start
		ignored, drops := len(c.ignored), len(c.drops)
		err := c.check(o, r, p)
		if err == nil {
			return nil
		}
		// What a failed option ignored is not ignored by the one that fits.
		c.ignored, c.drops = c.ignored[:ignored], c.drops[:drops]
		if first == nil {
			first = err
		}
		allEnums = allEnums && o.kind == kString && len(o.enum) > 0
		values = append(values, o.enum...)
	}
	if allEnums && len(fits) > 1 {
		return failAt(p, "must be one of %s", strings.Join(values, ", "))
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
