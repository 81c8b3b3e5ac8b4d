package schema

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
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
