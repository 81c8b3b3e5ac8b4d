package diff

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// maxDepth bounds nesting, as encoding/json does, so that a hostile
// document cannot exhaust the stack of the recursive walks.
const maxDepth = 10000

// parse reads one JSON value (and nothing after it) into a node tree.
func parse(data []byte) (*node, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("no JSON value (empty input)")
	}
	p := parser{data: data}
	p.space()
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.data) {
		return nil, p.fail("unexpected %q after the value", p.data[p.pos])
	}
	return n, nil
}

// parser is a recursive-descent JSON reader over one input.
type parser struct {
	data  []byte
	pos   int
	depth int
}

func (p *parser) fail(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}

// peek returns the next byte, or 0 at the end of the input.
func (p *parser) peek() byte {
	if p.pos < len(p.data) {
		return p.data[p.pos]
	}
	return 0
}

func (p *parser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value() (*node, error) {
	switch c := p.peek(); {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		return &node{kind: kindString, text: s}, err
	case c == 't':
		return p.literal("true", &node{kind: kindBool, b: true})
	case c == 'f':
		return p.literal("false", &node{kind: kindBool})
	case c == 'n':
		return p.literal("null", &node{kind: kindNull})
	case c == '-' || isDigit(c):
		return p.number()
	case p.pos >= len(p.data):
		return nil, p.fail("unexpected end of input")
	default:
		return nil, p.fail("unexpected %q", c)
	}
}

func (p *parser) literal(word string, n *node) (*node, error) {
	if len(p.data)-p.pos < len(word) || string(p.data[p.pos:p.pos+len(word)]) != word {
		return nil, p.fail("expected %s", word)
	}
	p.pos += len(word)
	return n, nil
}

// enter and leave count nesting around objects and arrays.
func (p *parser) enter() error {
	if p.depth++; p.depth > maxDepth {
		return p.fail("nested deeper than %d", maxDepth)
	}
	p.pos++ // the opening bracket
	p.space()
	return nil
}

func (p *parser) leave() { p.depth--; p.pos++ }

func (p *parser) object() (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	n := &node{kind: kindObject}
	if p.peek() == '}' {
		p.leave()
		return n, nil
	}
	for {
		if p.peek() != '"' {
			return nil, p.fail("expected a member name")
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.peek() != ':' {
			return nil, p.fail("expected ':' after a member name")
		}
		p.pos++
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.set(key, v)
		p.space()
		switch p.peek() {
		case ',':
			p.pos++
			p.space()
		case '}':
			p.leave()
			return n, nil
		default:
			return nil, p.fail("expected ',' or '}' in an object")
		}
	}
}

func (p *parser) array() (*node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	n := &node{kind: kindArray}
	if p.peek() == ']' {
		p.leave()
		return n, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.vals = append(n.vals, v)
		p.space()
		switch p.peek() {
		case ',':
			p.pos++
			p.space()
		case ']':
			p.leave()
			return n, nil
		default:
			return nil, p.fail("expected ',' or ']' in an array")
		}
	}
}

// str reads a string literal. It checks the syntax itself and leaves the
// decoding of escapes and invalid UTF-8 to encoding/json, so a string means
// here what it means to every other Go reader of the document.
func (p *parser) str() (string, error) {
	start := p.pos
	p.pos++ // the opening quote
	plain := true
	for p.pos < len(p.data) {
		switch c := p.data[p.pos]; {
		case c == '"':
			p.pos++
			raw := p.data[start+1 : p.pos-1]
			if plain && utf8.Valid(raw) {
				return string(raw), nil
			}
			var s string
			if err := json.Unmarshal(p.data[start:p.pos], &s); err != nil {
				return "", p.fail("%v", err)
			}
			return s, nil
		case c == '\\':
			plain = false
			if err := p.escape(); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", p.fail("control character %#02x in a string", c)
		default:
			p.pos++
		}
	}
	return "", p.fail("unterminated string")
}

// escape checks one backslash escape and steps over it.
func (p *parser) escape() error {
	p.pos++ // the backslash
	switch p.peek() {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		p.pos++
		return nil
	case 'u':
		p.pos++
		for range 4 {
			if !isHex(p.peek()) {
				return p.fail("invalid \\u escape")
			}
			p.pos++
		}
		return nil
	}
	return p.fail("invalid escape in a string")
}

// number checks a number's syntax and keeps its text.
func (p *parser) number() (*node, error) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	switch c := p.peek(); {
	case c == '0':
		p.pos++
	case isDigit(c):
		p.digits()
	default:
		return nil, p.fail("invalid number")
	}
	if p.peek() == '.' {
		p.pos++
		if !isDigit(p.peek()) {
			return nil, p.fail("expected a digit after '.'")
		}
		p.digits()
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		if !isDigit(p.peek()) {
			return nil, p.fail("expected a digit in the exponent")
		}
		p.digits()
	}
	return &node{kind: kindNumber, text: string(p.data[start:p.pos])}, nil
}

func (p *parser) digits() {
	for isDigit(p.peek()) {
		p.pos++
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
