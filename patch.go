package agentry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
)

// Metadata fields of a version: accepted in create and update bodies but kept
// beside the configuration rather than in it.
const (
	fieldTitle       = "version_title"
	fieldDescription = "version_description"
	fieldName        = "agent_name"
)

// mergedObjectFields are nested objects whose PATCH merges flag by flag
// instead of replacing the whole value, as the reference documents.
var mergedObjectFields = map[string]bool{"contact_memory_config": true}

// applyPatch applies patch to config and to v's metadata. A JSON null removes
// a configuration field (the rules have already refused null where a field
// is not nullable).
func applyPatch(v *Version, config, patch Fields) error {
	for k, raw := range patch {
		null := isNull(raw)
		switch {
		case k == fieldTitle:
			v.Title = stringOrNil(raw)
		case k == fieldDescription:
			v.Description = stringOrNil(raw)
		case null:
			delete(config, k)
		case mergedObjectFields[k] && config[k] != nil:
			merged, err := mergeObjects(config[k], raw)
			if err != nil {
				return err
			}
			config[k] = merged
		default:
			config[k] = raw
		}
	}
	return nil
}

func mergeObjects(base, patch json.RawMessage) (json.RawMessage, error) {
	var b, p map[string]json.RawMessage
	if err := json.Unmarshal(base, &b); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, err
	}
	if b == nil {
		b = map[string]json.RawMessage{}
	}
	for k, val := range p {
		b[k] = val
	}
	return json.Marshal(b)
}

func encodeConfig(config Fields) (json.RawMessage, error) {
	// Compact each value so stored documents do not keep client whitespace.
	for k, raw := range config {
		buf, err := compact(raw)
		if err != nil {
			return nil, fmt.Errorf("config field %s: %w", k, err)
		}
		config[k] = buf
	}
	return json.Marshal(config)
}

func compact(raw json.RawMessage) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

func stringOrNil(raw json.RawMessage) *string {
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil
	}
	return s
}

// nameOf returns agent_name from a stored configuration, or "".
func nameOf(config json.RawMessage) string {
	var c struct {
		Name *string `json:"agent_name"`
	}
	if json.Unmarshal(config, &c) != nil || c.Name == nil {
		return ""
	}
	return *c.Name
}

// A stored configuration is in the canonical form that encodeConfig writes:
// a compact JSON object, members sorted by name, every value compacted with
// encoding/json's HTML escaping. An update that changes a few members need
// not decode the whole document and encode it again: splitConfig cuts the
// stored bytes into members (the values are subslices of config, not
// copies), the patch's values are put into the same form (canonicalPatch),
// and appendCanonical joins the members again. The bytes written are the
// same as decoding with encoding/json and encodeConfig would give; a stored
// document not in that form (whitespace, a name with an escape, a character
// that encoding/json would escape) is reported, and decoded the slow way.

// splitConfig returns the members of a canonical stored configuration, or
// false when config is not in that form.
func splitConfig(config []byte) (Fields, bool) {
	n := len(config)
	if n < 2 || config[0] != '{' || config[n-1] != '}' {
		return nil, false
	}
	fields := make(Fields, 16)
	if n == 2 {
		return fields, true
	}
	i := 1
	for {
		// A name: plain printable ASCII that needs no escape.
		if i >= n || config[i] != '"' {
			return nil, false
		}
		start := i + 1
		i = start
		for i < n && config[i] != '"' {
			if !plainNameByte(config[i]) {
				return nil, false
			}
			i++
		}
		if i >= n || i+1 >= n || config[i+1] != ':' {
			return nil, false
		}
		name := internName(config[start:i])
		i += 2
		end, ok := skipCanonicalValue(config, i)
		if !ok || end >= n {
			return nil, false
		}
		fields[name] = json.RawMessage(config[i:end:end])
		i = end
		switch config[i] {
		case ',':
			i++
		case '}':
			if i != n-1 {
				return nil, false
			}
			return fields, true
		default:
			return nil, false
		}
	}
}

// configNames holds the member names splitConfig has met, so that each
// update does not allocate them again: the schema's field names, a few
// hundred. It stops growing at maxConfigNames.
var configNames = struct {
	sync.RWMutex
	m map[string]string
}{m: map[string]string{}}

const maxConfigNames = 4096

func internName(b []byte) string {
	configNames.RLock()
	s, ok := configNames.m[string(b)]
	configNames.RUnlock()
	if ok {
		return s
	}
	s = string(b)
	configNames.Lock()
	if len(configNames.m) < maxConfigNames {
		configNames.m[s] = s
	}
	configNames.Unlock()
	return s
}

// plainNameByte reports a byte that encoding/json writes as itself in a
// member name.
func plainNameByte(c byte) bool {
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
}

// skipCanonicalValue returns the end of the JSON value that starts at i, or
// false when the bytes up to it are not canonical: whitespace outside a
// string, or a character inside one that encoding/json escapes (<, >, &,
// U+2028, U+2029). The document was validated when it was written; this
// only finds where each value ends and whether it is in canonical form.
func skipCanonicalValue(b []byte, i int) (int, bool) {
	start, depth := i, 0
	for i < len(b) {
		c := b[i]
		if depth == 0 && i > start && (c == ',' || c == '}') {
			return i, true
		}
		switch c {
		case '"':
			i++
			for i < len(b) && b[i] != '"' {
				switch b[i] {
				case '\\':
					i++ // the escaped byte (or the u of \uXXXX) is never the closing quote
				case '<', '>', '&':
					return 0, false
				case 0xE2: // U+2028 and U+2029 are E2 80 A8 and E2 80 A9
					if i+2 < len(b) && b[i+1] == 0x80 && (b[i+2] == 0xA8 || b[i+2] == 0xA9) {
						return 0, false
					}
				}
				i++
			}
			if i >= len(b) {
				return 0, false
			}
			i++
		case '{', '[':
			depth++
			i++
		case '}', ']':
			if depth == 0 {
				return 0, false
			}
			depth--
			i++
		case ' ', '\t', '\n', '\r':
			return 0, false
		default:
			i++
		}
	}
	return 0, false
}

// canonicalPatch returns patch with every value in the canonical form a
// stored configuration keeps (what encodeConfig gives), leaving patch
// itself unchanged.
func canonicalPatch(patch Fields) (Fields, error) {
	out := make(Fields, len(patch))
	for k, raw := range patch {
		if k == fieldTitle || k == fieldDescription || isNull(raw) {
			out[k] = raw // read, never stored as a configuration value
			continue
		}
		// Marshal compacts a RawMessage with encoding/json's escaping, as
		// encodeConfig's Marshal of the whole map does.
		c, err := json.Marshal(raw)
		if err != nil {
			return nil, fmt.Errorf("config field %s: %w", k, err)
		}
		out[k] = c
	}
	return out, nil
}

// appendCanonical appends config, whose values are all canonical, as the
// canonical document: what encodeConfig would write for it.
func appendCanonical(b []byte, config Fields) []byte {
	keys := make([]string, 0, len(config))
	for k := range config {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendName(b, k)
		b = append(b, ':')
		b = append(b, config[k]...)
	}
	return append(b, '}')
}

// appendName appends a member name as encoding/json writes a map key.
func appendName(b []byte, name string) []byte {
	for i := 0; i < len(name); i++ {
		if !plainNameByte(name[i]) {
			q, _ := json.Marshal(name)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"')
}
