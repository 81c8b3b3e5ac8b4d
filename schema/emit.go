package schema

// jsonObject is a node of the OpenAPI document; encoding/json writes map keys
// in sorted order, so the document is byte-for-byte deterministic.
type jsonObject = map[string]any

// Emitter turns schemas into OpenAPI schema objects, collecting every named
// schema once under components/schemas. The package api builds the whole
// document with one.
type Emitter struct {
	components jsonObject
}

// NewEmitter returns an emitter with no components yet.
func NewEmitter() *Emitter { return &Emitter{components: jsonObject{}} }

// Object returns the OpenAPI schema of a value that must be an object
// following o: a reference when o has a component name.
func (e *Emitter) Object(o *Object) map[string]any { return e.schema(ref(o)) }

// Components returns every named schema emitted so far, by name.
func (e *Emitter) Components() map[string]any { return e.components }

func componentRef(name string) jsonObject {
	return jsonObject{"$ref": "#/components/schemas/" + name}
}

// schema returns the OpenAPI form of s: a reference when s has a component
// name, wrapped so that a nullable use stays nullable.
func (e *Emitter) schema(s *rule) jsonObject {
	name := s.name
	if s.kind == kObject && s.obj.name != "" {
		name = s.obj.name
	}
	if name == "" {
		return e.inline(s)
	}
	if _, done := e.components[name]; !done {
		e.components[name] = nil // reserve first: a schema may refer to itself
		body := *s
		body.nullable = false
		e.components[name] = e.inline(&body)
	}
	if !s.nullable {
		return componentRef(name)
	}
	// Keywords beside a $ref are ignored in OpenAPI 3.0, hence allOf.
	out := jsonObject{"nullable": true, "allOf": []any{componentRef(name)}}
	if t := s.typeName(); t != "" {
		out["type"] = t
	}
	return out
}

// inline returns the OpenAPI form of s without naming it.
func (e *Emitter) inline(s *rule) jsonObject {
	out := jsonObject{}
	if t := s.typeName(); t != "" {
		out["type"] = t
	}
	switch s.kind {
	case kString:
		if len(s.enum) > 0 {
			values := []any{}
			for _, v := range s.enum {
				values = append(values, v)
			}
			if s.nullable {
				values = append(values, nil) // OpenAPI 3.0 needs null listed too
			}
			out["enum"] = values
		}
		if s.minLen > 0 {
			out["minLength"] = s.minLen
		}
		if s.maxLen > 0 {
			out["maxLength"] = s.maxLen
		}
		if s.pattern != nil {
			out["pattern"] = s.pattern.String()
		}
		if s.format != "" {
			out["format"] = s.format
		}
	case kInteger, kNumber:
		if s.min != nil {
			out["minimum"] = *s.min
			if s.exclMin {
				out["exclusiveMinimum"] = true
			}
		}
		if s.max != nil {
			out["maximum"] = *s.max
		}
	case kArray:
		out["items"] = e.schema(s.items)
		if s.minItems > 0 {
			out["minItems"] = s.minItems
		}
		if s.maxItems > 0 {
			out["maxItems"] = s.maxItems
		}
		if s.unique {
			out["uniqueItems"] = true
		}
	case kObject:
		for k, v := range e.object(s.obj) {
			out[k] = v
		}
	case kTagged:
		var refs []any
		mapping := jsonObject{}
		for _, v := range s.variants {
			ref := e.schema(&rule{kind: kObject, obj: v})
			refs = append(refs, ref)
			mapping[s.tagValue(v)] = ref["$ref"]
		}
		out["oneOf"] = refs
		out["discriminator"] = jsonObject{"propertyName": s.tag, "mapping": mapping}
	case kUnion:
		var options []any
		for _, o := range s.options {
			options = append(options, e.schema(o))
		}
		out["oneOf"] = options
	}
	if s.nullable {
		out["nullable"] = true
	}
	if s.deprecated {
		out["deprecated"] = true
	}
	if s.desc != "" {
		out["description"] = s.desc
	}
	return out
}

// object returns the keywords of an object schema.
func (e *Emitter) object(o *Object) jsonObject {
	out := jsonObject{"type": "object"}
	if len(o.props) > 0 {
		p := jsonObject{}
		for k, v := range o.props {
			p[k] = e.schema(v)
		}
		out["properties"] = p
	}
	if r := o.requiredList(); len(r) > 0 && !o.patchable {
		out["required"] = r
	}
	switch {
	case o.closed:
		out["additionalProperties"] = false
	case o.extra == nil:
		// Undeclared fields are accepted and ignored (refused only under
		// serve --strict), as the reference leaves its objects open.
	case o.extra.kind == kAny:
		out["additionalProperties"] = true
	default:
		out["additionalProperties"] = e.schema(o.extra)
	}
	if o.desc != "" {
		out["description"] = o.desc
	}
	return out
}

// typeName is the OpenAPI type keyword for s, or "" for unions and any value.
func (s *rule) typeName() string {
	switch s.kind {
	case kString:
		return "string"
	case kInteger:
		return "integer"
	case kNumber:
		return "number"
	case kBoolean:
		return "boolean"
	case kArray:
		return "array"
	case kObject:
		return "object"
	}
	return ""
}
