// Package schema holds the field rules of every configuration type agentry
// accepts. The same definitions validate request bodies and produce the
// OpenAPI document served at GET /openapi.json, so the two cannot disagree.
package schema

import (
	"regexp"
	"slices"
	"sort"
)

// kind is the JSON shape a rule accepts.
type kind uint8

const (
	kString  kind = iota + 1
	kInteger      // a JSON number with no fractional part
	kNumber
	kBoolean
	kArray
	kObject // a declared object (obj)
	kTagged // one of several objects, chosen by the string property tag
	kUnion  // the first of options whose rules the value meets
	kAny    // any JSON value, kept as sent
)

// rule constrains one JSON value. Rules are built once at package
// initialisation by the helpers below and never changed afterwards; every
// modifier returns a copy, so a shared schema can be specialised safely.
type rule struct {
	kind       kind
	name       string // component name in the OpenAPI document; "" means inline
	desc       string
	nullable   bool
	deprecated bool

	enum           []string // kString
	format         string   // kString: "binary" is a file part of a multipart body
	minLen, maxLen int      // kString, in characters; 0 means no bound
	pattern        *regexp.Regexp

	min, max *float64 // kInteger, kNumber
	exclMin  bool     // min itself is not allowed
	// canonical asks for a version number written the one way: digits only,
	// no sign (not even "-0"), no leading zero, fraction or exponent.
	canonical bool

	items              *rule // kArray
	minItems, maxItems int   // 0 means no bound
	unique             bool

	obj      *Object   // kObject
	tag      string    // kTagged: the discriminating property
	variants []*Object // kTagged, in declaration order
	options  []*rule   // kUnion
}

// Object is the rule for a JSON object: its declared properties, which of them
// are required, and what undeclared keys may hold (nothing, by default).
type Object struct {
	name     string // component name in the OpenAPI document; "" means inline
	desc     string
	props    map[string]*rule
	required map[string]bool
	extra    *rule // rule for undeclared keys; nil: they are unknown fields
	// closed marks an object that Retell's reference closes
	// (additionalProperties: false): an unknown field is refused in every
	// mode, not ignored.
	closed bool
	keys   []string
	// createOnly lists properties that only a create sets: a patch that
	// sends one is accepted and the field ignored, as the reference documents.
	createOnly []string
	// patchable marks a configuration, which is the shape of a create and of
	// a patch alike: its required list applies to a create only, so its
	// component in the document requires nothing (the create's body adds the
	// list).
	patchable bool
}

// props lists an object's properties by name.
type props map[string]*rule

// object declares an object type; name is its OpenAPI component name or "".
func object(name string, p props, required ...string) *Object {
	o := &Object{name: name, props: p, required: map[string]bool{}}
	for _, r := range required {
		if p[r] == nil {
			panic("schema: required property " + r + " is not declared")
		}
		o.required[r] = true
	}
	for k := range p {
		o.keys = append(o.keys, k)
	}
	sort.Strings(o.keys)
	return o
}

// about sets the object's description.
func (o *Object) about(desc string) *Object { o.desc = desc; return o }

// sealed marks o as closed by the reference.
func (o *Object) sealed() *Object { o.closed = true; return o }

// configuration marks o as the configuration of a kind (see patchable).
func (o *Object) configuration() *Object { o.patchable = true; return o }

// onlyOnCreate marks properties that an update ignores.
func (o *Object) onlyOnCreate(fields ...string) *Object {
	for _, f := range fields {
		if o.props[f] == nil {
			panic("schema: create-only property " + f + " is not declared")
		}
	}
	o.createOnly = append(o.createOnly, fields...)
	return o
}

// extend returns a new object with o's properties and requirements plus p.
func (o *Object) extend(name string, p props) *Object {
	all := props{}
	for k, v := range o.props {
		all[k] = v
	}
	for k, v := range p {
		all[k] = v
	}
	n := object(name, all, o.requiredList()...)
	n.desc, n.extra = o.desc, o.extra
	return n
}

// RequiredList lists the required properties in name order.
func (o *Object) RequiredList() []string { return o.requiredList() }

func (o *Object) requiredList() []string {
	var r []string
	for _, k := range o.keys {
		if o.required[k] {
			r = append(r, k)
		}
	}
	return r
}

// Has reports whether field is a declared property.
func (o *Object) Has(field string) bool { return o.props[field] != nil }

// OnlyOnCreate reports whether field is set only by a create: an update
// ignores it.
func (o *Object) OnlyOnCreate(field string) bool { return slices.Contains(o.createOnly, field) }

// Nullable reports whether field is declared and may be set to null.
func (o *Object) Nullable(field string) bool {
	s := o.props[field]
	return s != nil && s.nullable
}

func str() *rule     { return &rule{kind: kString} }
func file() *rule    { return &rule{kind: kString, format: "binary"} }
func integer() *rule { return &rule{kind: kInteger} }
func number() *rule  { return &rule{kind: kNumber} }
func boolean() *rule { return &rule{kind: kBoolean} }
func anyValue() *rule {
	return &rule{kind: kAny}
}

// enum is a string that must be one of values.
func enum(values ...string) *rule { return &rule{kind: kString, enum: values} }

// array is a JSON array whose every item follows items.
func array(items *rule) *rule { return &rule{kind: kArray, items: items} }

// ref is a value that must be an object following o.
func ref(o *Object) *rule { return &rule{kind: kObject, obj: o} }

// mapOf is a free-form object whose every value follows values.
func mapOf(values *rule) *rule {
	o := object("", props{})
	o.extra = values
	return ref(o)
}

// tagged is one of variants, chosen by the value of their string property tag;
// each variant declares tag as an enum of exactly one value.
func tagged(tag string, variants ...*Object) *rule {
	for _, v := range variants {
		if v.name == "" || v.props[tag] == nil || len(v.props[tag].enum) != 1 || !v.required[tag] {
			panic("schema: variant of a tagged union needs a name and a required one-value " + tag)
		}
	}
	return &rule{kind: kTagged, tag: tag, variants: variants}
}

// union accepts a value that meets the rules of at least one of options.
func union(options ...*rule) *rule { return &rule{kind: kUnion, options: options} }

func (s *rule) with(change func(*rule)) *rule {
	c := *s
	change(&c)
	return &c
}

func ptr(f float64) *float64 { return &f }

func (s *rule) null() *rule { return s.with(func(c *rule) { c.nullable = true }) }
func (s *rule) named(name string) *rule {
	return s.with(func(c *rule) { c.name = name })
}
func (s *rule) about(desc string) *rule { return s.with(func(c *rule) { c.desc = desc }) }
func (s *rule) old() *rule              { return s.with(func(c *rule) { c.deprecated = true }) }
func (s *rule) between(lo, hi float64) *rule {
	return s.with(func(c *rule) { c.min, c.max = ptr(lo), ptr(hi) })
}
func (s *rule) atLeast(lo float64) *rule { return s.with(func(c *rule) { c.min = ptr(lo) }) }
func (s *rule) above(lo float64) *rule {
	return s.with(func(c *rule) { c.min, c.exclMin = ptr(lo), true })
}
func (s *rule) length(lo, hi int) *rule {
	return s.with(func(c *rule) { c.minLen, c.maxLen = lo, hi })
}
func (s *rule) match(pattern string) *rule {
	return s.with(func(c *rule) { c.pattern = regexp.MustCompile(pattern) })
}
func (s *rule) count(lo, hi int) *rule {
	return s.with(func(c *rule) { c.minItems, c.maxItems = lo, hi })
}
func (s *rule) distinct() *rule { return s.with(func(c *rule) { c.unique = true }) }

// versionNumber is a version number: an integer of at least 0, written
// canonically (see rule.canonical).
func versionNumber() *rule {
	return integer().atLeast(0).with(func(c *rule) { c.canonical = true })
}

// tagValue is the discriminator value of a tagged union's variant.
func (s *rule) tagValue(v *Object) string { return v.props[s.tag].enum[0] }

// tagValues lists the discriminator values in declaration order.
func (s *rule) tagValues() []string {
	var vs []string
	for _, v := range s.variants {
		vs = append(vs, s.tagValue(v))
	}
	return vs
}

// variant returns the variant whose discriminator is value, or nil.
func (s *rule) variant(value string) *Object {
	i := slices.IndexFunc(s.variants, func(v *Object) bool { return s.tagValue(v) == value })
	if i < 0 {
		return nil
	}
	return s.variants[i]
}
