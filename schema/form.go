package schema

import (
	"encoding/json"
	"sort"
	"strings"
)

// Multipart bodies (create-knowledge-base, add-knowledge-base-sources,
// clone-voice, create-asset) carry the fields of an object as form parts.
// The official SDK sends a string, number or boolean as its text, an array
// or object without files as one part of JSON text, and each file of an
// array as its own part under the array's name. FormFields turns the parts
// into the JSON fields of the object, so that the object's rules check them
// as they check a JSON body; a file stands for its file name there, so that
// rules on how many files, and required files, apply too.

// FormFields converts the text parts (values by field name, in order) and
// the names of the file parts (by field name) of a multipart body into the
// JSON fields of o. It refuses a file where o declares text and text where
// o declares a file; everything else is left to o.Validate.
func FormFields(o *Object, texts, files map[string][]string) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	for _, name := range sortedKeys(files) {
		names := files[name]
		r := o.props[name]
		switch {
		case r == nil:
			out[name] = quote(names[0]) // an unknown field, which Validate names
			continue
		case !r.isFile():
			return nil, fail(name, "must be a text field, not a file")
		case r.kind == kArray:
			items := make([]json.RawMessage, len(names))
			for i, n := range names {
				items[i] = quote(n)
			}
			out[name], _ = json.Marshal(items)
		case len(names) > 1:
			return nil, fail(name, "takes one file, got %d", len(names))
		default:
			out[name] = quote(names[0])
		}
	}
	for _, name := range sortedKeys(texts) {
		r := o.props[name]
		if r != nil && r.isFile() {
			return nil, fail(name, "must be a file part (with a filename), not a text field")
		}
		if _, dup := out[name]; dup {
			return nil, fail(name, "sent both as a file and as text")
		}
		raw, err := formValue(r, name, texts[name])
		if err != nil {
			return nil, err
		}
		out[name] = raw
	}
	return out, nil
}

// formValue is the JSON of the text parts sent for one field.
func formValue(r *rule, name string, values []string) (json.RawMessage, *Error) {
	if r == nil {
		return quote(values[0]), nil
	}
	if r.kind == kArray {
		// One part of JSON text holds the whole array (how the SDK sends
		// it); otherwise each part is one item.
		if v := strings.TrimSpace(values[0]); len(values) == 1 && strings.HasPrefix(v, "[") && json.Valid([]byte(v)) {
			return json.RawMessage(v), nil
		}
		items := make([]json.RawMessage, len(values))
		for i, v := range values {
			item, err := formValue(r.items, name, []string{v})
			if err != nil {
				return nil, err
			}
			items[i] = item
		}
		b, _ := json.Marshal(items)
		return b, nil
	}
	if len(values) > 1 {
		return nil, fail(name, "sent %d times; send it once", len(values))
	}
	v := values[0]
	switch r.kind {
	case kString:
		return quote(v), nil
	case kInteger, kNumber, kBoolean, kObject, kTagged, kUnion, kAny:
		// A number, a boolean or JSON text stands for itself; anything else
		// is a string, which the rules then refuse by its type.
		if t := strings.TrimSpace(v); t != "" && !strings.HasPrefix(t, `"`) && json.Valid([]byte(t)) {
			return json.RawMessage(t), nil
		}
	}
	return quote(v), nil
}

// isFile reports whether r is a file part, or an array of them.
func (s *rule) isFile() bool {
	if s.kind == kArray {
		return s.items.isFile()
	}
	return s.kind == kString && s.format == "binary"
}

func quote(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
