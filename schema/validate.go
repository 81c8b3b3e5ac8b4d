package schema

import (
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

// maxSafeInteger is the largest integer every JSON client can hold exactly.
const maxSafeInteger = 1<<53 - 1

// Validate checks the top-level fields of a body (as DecodeObject returns
// them) against o. It reports the first failure as an *Error: unknown fields
// first, then the declared fields in name order.
func (o *Object) Validate(fields map[string]json.RawMessage, mode Mode) error {
	values := make(map[string]any, len(fields))
	for k, raw := range fields {
		values[k] = raw // parsed lazily, so that errors come in name order
	}
	if err := o.check(values, "", mode == Create); err != nil {
		return err
	}
	return nil
}

// check validates the members of one object. requireAll is false only for
// the top level of a patch.
func (o *Object) check(m map[string]any, path string, requireAll bool) *Error {
	if o.extra == nil {
		var unknown []string
		for k := range m {
			if o.props[k] == nil {
				unknown = append(unknown, strconv.Quote(k))
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			noun := "unknown field "
			if len(unknown) > 1 {
				noun = "unknown fields "
			}
			return fail(path, "%s", noun+strings.Join(unknown, ", "))
		}
	}
	for _, k := range o.keys {
		v, ok := m[k]
		if !ok {
			if requireAll && o.required[k] {
				return fail(join(path, k), "is required")
			}
			continue
		}
		if err := o.props[k].check(v, join(path, k)); err != nil {
			return err
		}
	}
	if o.extra != nil {
		var rest []string
		for k := range m {
			if o.props[k] == nil {
				rest = append(rest, k)
			}
		}
		sort.Strings(rest)
		for _, k := range rest {
			if err := o.extra.check(m[k], join(path, k)); err != nil {
				return err
			}
		}
	}
	return nil
}

// check validates one value, which is a parsed tree or still raw JSON.
func (s *rule) check(v any, path string) *Error {
	if raw, ok := v.(json.RawMessage); ok {
		var err *Error
		if v, err = parse(raw, path); err != nil {
			return err
		}
	}
	if v == nil {
		if s.nullable || s.kind == kAny {
			return nil
		}
		return fail(path, "cannot be null")
	}
	switch s.kind {
	case kAny:
		return nil
	case kString:
		return s.checkString(v, path)
	case kInteger, kNumber:
		return s.checkNumber(v, path)
	case kBoolean:
		if _, ok := v.(bool); !ok {
			return fail(path, "must be a boolean")
		}
		return nil
	case kArray:
		return s.checkArray(v, path)
	case kObject:
		m, ok := v.(map[string]any)
		if !ok {
			return fail(path, "must be an object")
		}
		return s.obj.check(m, path, true)
	case kTagged:
		return s.checkTagged(v, path)
	case kUnion:
		return s.checkUnion(v, path)
	}
	panic("schema: unknown kind")
}

func (s *rule) checkString(v any, path string) *Error {
	x, ok := v.(string)
	if !ok {
		return fail(path, "must be a string")
	}
	if len(s.enum) > 0 && !slices.Contains(s.enum, x) {
		return fail(path, "must be one of %s", strings.Join(s.enum, ", "))
	}
	n := utf8.RuneCountInString(x)
	switch {
	case s.minLen == 1 && n == 0:
		return fail(path, "must not be empty")
	case s.minLen > 0 && n < s.minLen:
		return fail(path, "must be at least %d characters long", s.minLen)
	case s.maxLen > 0 && n > s.maxLen:
		return fail(path, "must be at most %d characters long", s.maxLen)
	case s.pattern != nil && !s.pattern.MatchString(x):
		return fail(path, "must match %s", s.pattern)
	}
	return nil
}

func (s *rule) checkNumber(v any, path string) *Error {
	n, ok := v.(json.Number)
	if !ok {
		return fail(path, "must be %s", s.noun())
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsInf(f, 0) {
		return fail(path, "is out of range")
	}
	if s.kind == kInteger {
		if f != math.Trunc(f) {
			return fail(path, "must be an integer")
		}
		if math.Abs(f) > maxSafeInteger {
			return fail(path, "must be between %d and %d", -maxSafeInteger, maxSafeInteger)
		}
	}
	low := s.min != nil && (f < *s.min || s.exclMin && f == *s.min)
	high := s.max != nil && f > *s.max
	if low || high {
		return fail(path, "%s", s.rangeRule())
	}
	return nil
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

func (s *rule) checkArray(v any, path string) *Error {
	a, ok := v.([]any)
	if !ok {
		return fail(path, "must be an array")
	}
	if s.minItems > 0 && len(a) < s.minItems {
		if s.minItems == 1 {
			return fail(path, "must not be empty")
		}
		return fail(path, "must have at least %d items", s.minItems)
	}
	if s.maxItems > 0 && len(a) > s.maxItems {
		return fail(path, "must have at most %d items", s.maxItems)
	}
	for i, item := range a {
		if err := s.items.check(item, index(path, i)); err != nil {
			return err
		}
	}
	if s.unique {
		seen := map[string]int{}
		for i, item := range a {
			key, _ := json.Marshal(item) // maps marshal with sorted keys
			if j, dup := seen[string(key)]; dup {
				return fail(index(path, i), "duplicates item %d", j)
			}
			seen[string(key)] = i
		}
	}
	return nil
}

func (s *rule) checkTagged(v any, path string) *Error {
	m, ok := v.(map[string]any)
	if !ok {
		return fail(path, "must be an object")
	}
	tagPath := join(path, s.tag)
	t, present := m[s.tag]
	if !present {
		return fail(tagPath, "is required")
	}
	name, ok := t.(string)
	if !ok {
		return fail(tagPath, "must be a string")
	}
	variant := s.variant(name)
	if variant == nil {
		return fail(tagPath, "must be one of %s", strings.Join(s.tagValues(), ", "))
	}
	return variant.check(m, path, true)
}

// checkUnion accepts v when one option whose JSON type matches accepts it.
// When none does, the message comes from the first matching option, except
// that several string enums are reported as one list.
func (s *rule) checkUnion(v any, path string) *Error {
	var fits []*rule
	for _, o := range s.options {
		if o.accepts(v) {
			fits = append(fits, o)
		}
	}
	if len(fits) == 0 {
		var nouns []string
		for _, o := range s.options {
			if n := o.noun(); !slices.Contains(nouns, n) {
				nouns = append(nouns, n)
			}
		}
		return fail(path, "must be %s", strings.Join(nouns, " or "))
	}
	var first *Error
	var values []string
	allEnums := true
	for _, o := range fits {
		err := o.check(v, path)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
		allEnums = allEnums && o.kind == kString && len(o.enum) > 0
		values = append(values, o.enum...)
	}
	if allEnums && len(fits) > 1 {
		return fail(path, "must be one of %s", strings.Join(values, ", "))
	}
	return first
}

// accepts reports whether v has the JSON type that s describes.
func (s *rule) accepts(v any) bool {
	switch v.(type) {
	case string:
		return s.kind == kString
	case json.Number:
		return s.kind == kInteger || s.kind == kNumber
	case bool:
		return s.kind == kBoolean
	case []any:
		return s.kind == kArray
	case map[string]any:
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
