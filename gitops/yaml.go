package gitops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Values in this package are JSON values as encoding/json decodes them with
// UseNumber: map[string]any, []any, string, json.Number, bool and nil. Files
// are YAML; the YAML of a file is turned into such a value (remembering the
// line of every field, for messages) and values are written back as YAML by
// an emitter of our own, so that the same value always gives the same bytes.

// lines maps the path of every value in a file ("agent.voice_speed",
// "retell_llm.states[2].name") to the line it starts on.
type lines map[string]int

// decodeYAML parses one YAML document into a JSON value and the line of every
// path in it. Only what JSON can hold is accepted: no aliases to values
// beyond plain copies, no merge keys, no tags other than the core ones, no
// keys that are not strings, no key written twice.
func decodeYAML(data []byte) (any, lines, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, lines{}, nil
	}
	ls := lines{}
	v, err := nodeValue(doc.Content[0], "", ls, 0)
	return v, ls, err
}

// yamlError is a problem at a line of a file.
type yamlError struct {
	line int
	msg  string
}

func (e *yamlError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func nodeValue(n *yaml.Node, path string, ls lines, depth int) (any, error) {
	if depth > 200 {
		return nil, &yamlError{n.Line, "nested too deeply"}
	}
	if _, seen := ls[path]; !seen {
		ls[path] = n.Line
	}
	switch n.Kind {
	case yaml.AliasNode:
		return nodeValue(n.Alias, path, ls, depth+1)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || (k.ShortTag() != "!!str" && k.ShortTag() != "!!int" && k.ShortTag() != "!!bool") {
				if k.ShortTag() == "!!merge" {
					return nil, &yamlError{k.Line, "merge keys (<<) are not supported: write the fields out"}
				}
				return nil, &yamlError{k.Line, "a key must be a plain string"}
			}
			p := joinPath(path, k.Value)
			if _, dup := m[k.Value]; dup {
				return nil, &yamlError{k.Line, fmt.Sprintf("%s: written twice", p)}
			}
			ls[p] = k.Line
			v, err := nodeValue(val, p, ls, depth+1)
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		a := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			v, err := nodeValue(item, indexPath(path, i), ls, depth+1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		return a, nil
	case yaml.ScalarNode:
		return scalarValue(n)
	}
	return nil, &yamlError{n.Line, "unexpected YAML node"}
}

// scalarValue turns a scalar into a JSON value by its resolved tag. Numbers
// keep their text when it is already a JSON number, so 0.70 stays 0.70.
func scalarValue(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!str":
		return n.Value, nil
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, &yamlError{n.Line, err.Error()}
		}
		return b, nil
	case "!!int", "!!float":
		if isJSONNumber(n.Value) {
			return json.Number(n.Value), nil
		}
		if n.ShortTag() == "!!int" {
			text := strings.ReplaceAll(n.Value, "_", "")
			i, ok := new(big.Int).SetString(text, 0)
			if !ok {
				return nil, &yamlError{n.Line, fmt.Sprintf("%q is not a number JSON can hold", n.Value)}
			}
			return json.Number(i.String()), nil
		}
		var f float64
		if err := n.Decode(&f); err != nil || f != f || f > 1e308 || f < -1e308 {
			return nil, &yamlError{n.Line, fmt.Sprintf("%q is not a number JSON can hold", n.Value)}
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
	}
	return nil, &yamlError{n.Line, fmt.Sprintf("the tag %s is not supported: use plain values", n.Tag)}
}

func isJSONNumber(s string) bool {
	var v any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if d.Decode(&v) != nil || d.More() {
		return false
	}
	_, ok := v.(json.Number)
	return ok
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func indexPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// field is one member of a document written in a fixed order.
type field struct {
	key   string
	value any
}

// encodeYAML writes a document: a comment, then its top-level fields in the
// order given, each value in the canonical form (see emitter). The result is
// parsed back and compared with the input, so that a file written is always
// read back as the same value.
func encodeYAML(comment string, doc []field) ([]byte, error) {
	var e emitter
	for _, line := range strings.Split(strings.TrimRight(comment, "\n"), "\n") {
		if line == "" {
			e.buf.WriteString("#\n")
		} else {
			e.buf.WriteString("# " + line + "\n")
		}
	}
	want := map[string]any{}
	for _, f := range doc {
		if f.value == nil {
			continue
		}
		e.member(f.key, f.value, 0)
		want[f.key] = f.value
	}
	out := e.buf.Bytes()
	got, _, err := decodeYAML(out)
	if err != nil {
		return nil, fmt.Errorf("gitops: the YAML written does not parse: %v", err)
	}
	if !equalValues(got, want) {
		return nil, fmt.Errorf("gitops: the YAML written does not read back as the same value")
	}
	return out, nil
}

// emitter writes values as block YAML: maps one member per line with keys in
// a fixed order (identity keys first, then by name), lists as "- " items,
// empty maps and lists as {} and [], strings plain when that is safe, as
// literal blocks when they span lines, and double-quoted otherwise.
type emitter struct{ buf bytes.Buffer }

func (e *emitter) indent(n int) { e.buf.WriteString(strings.Repeat("  ", n)) }

// member writes "key: value" at depth.
func (e *emitter) member(key string, v any, depth int) {
	e.indent(depth)
	e.buf.WriteString(scalarString(key))
	e.buf.WriteString(":")
	e.after(v, depth)
}

// after writes a value that follows "key:" or "-": inline when it is a
// scalar or empty, on the next lines otherwise.
func (e *emitter) after(v any, depth int) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			e.buf.WriteString(" {}\n")
			return
		}
		e.buf.WriteString("\n")
		for _, k := range orderedKeys(t) {
			e.member(k, t[k], depth+1)
		}
	case []any:
		if len(t) == 0 {
			e.buf.WriteString(" []\n")
			return
		}
		e.buf.WriteString("\n")
		for _, item := range t {
			e.item(item, depth+1)
		}
	case string:
		if block, ok := literalBlock(t, depth+1); ok {
			e.buf.WriteString(" " + block)
			return
		}
		e.buf.WriteString(" " + scalarString(t) + "\n")
	default:
		e.buf.WriteString(" " + scalarText(v) + "\n")
	}
}

// item writes one list item at depth. A map's first member shares the line
// of the dash, the rest align under it.
func (e *emitter) item(v any, depth int) {
	e.indent(depth)
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		e.buf.WriteString("-")
		e.after(v, depth)
		return
	}
	e.buf.WriteString("- ")
	for i, k := range orderedKeys(m) {
		if i == 0 {
			e.buf.WriteString(scalarString(k) + ":")
			e.after(m[k], depth+1)
			continue
		}
		e.member(k, m[k], depth+1)
	}
}

// firstKeys come before the other keys of a map, in this order: what names
// the item reads first.
var firstKeys = []string{"name", "id", "tool_id", "type", "title", "agent", "agent_version", "weight"}

func orderedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for _, k := range firstKeys {
		if _, ok := m[k]; ok {
			keys = append(keys, k)
		}
	}
	rest := make([]string, 0, len(m))
	for k := range m {
		if !isFirstKey(k) {
			rest = append(rest, k)
		}
	}
	sortStrings(rest)
	return append(keys, rest...)
}

func isFirstKey(k string) bool {
	for _, f := range firstKeys {
		if f == k {
			return true
		}
	}
	return false
}

// scalarText writes a non-string scalar.
func scalarText(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(t)
	case json.Number:
		return t.String()
	}
	panic(fmt.Sprintf("gitops: cannot write %T as YAML", v))
}

// scalarString writes s plain when YAML reads it back as the same string,
// and double-quoted (JSON escaping, which YAML's double quotes accept)
// otherwise.
func scalarString(s string) string {
	if plainSafe(s) {
		return s
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// plainSafe reports whether s can be written without quotes: printable
// ASCII-safe text that starts with a letter, digit or one of a few harmless
// characters, carries no sequence YAML gives a meaning, and does not read
// as a number, a boolean or null.
func plainSafe(s string) bool {
	if s == "" || s != strings.TrimSpace(s) {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case r == ' ' || r == '_' || r == '.' || r == '/' || r == '(' || r == ')' || r == '+' || r == '=' || r == ',' || r == ';' || r == '$':
		case (r == '-' || r == ':' || r == '?' || r == '@') && i > 0:
		case r > 0x7f && r != 0xfeff && r != 0x85 && r != 0x2028 && r != 0x2029 && r >= 0xa0:
		default:
			return false
		}
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") || strings.HasPrefix(s, "- ") {
		return false
	}
	var n yaml.Node
	if yaml.Unmarshal([]byte("k: "+s), &n) != nil || len(n.Content) == 0 || len(n.Content[0].Content) != 2 {
		return false
	}
	val := n.Content[0].Content[1]
	return val.ShortTag() == "!!str" && val.Value == s
}

// literalBlock writes a string of several lines as a literal block scalar
// ("|", "|-" or "|+" by its final line breaks) when every line survives the
// block's indentation; ok is false when it cannot.
func literalBlock(s string, depth int) (string, bool) {
	if !strings.Contains(s, "\n") || strings.ContainsAny(s, "\r\t\u0085\u2028\u2029\ufeff") {
		return "", false
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' {
			return "", false
		}
	}
	body := strings.TrimRight(s, "\n")
	if body == "" || body[0] == ' ' {
		return "", false
	}
	for _, line := range strings.Split(body, "\n") {
		if line != "" && strings.TrimSpace(line) == "" {
			return "", false // a line of spaces only reads back as an empty line
		}
	}
	trailing := len(s) - len(body)
	header := "|"
	switch {
	case trailing == 0:
		header = "|-"
	case trailing > 1:
		header = "|+"
	}
	pad := strings.Repeat("  ", depth)
	var b strings.Builder
	b.WriteString(header + "\n")
	for _, line := range strings.Split(body, "\n") {
		if line == "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString(pad + line + "\n")
	}
	for i := 1; i < trailing; i++ {
		b.WriteString("\n")
	}
	// Verify: YAML must read the block back as s.
	var n yaml.Node
	doc := "k: " + b.String()
	if yaml.Unmarshal([]byte(doc), &n) != nil || len(n.Content) == 0 || len(n.Content[0].Content) != 2 || n.Content[0].Content[1].Value != s {
		return "", false
	}
	return b.String(), true
}
