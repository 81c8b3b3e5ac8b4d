package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/agentry/agentry"
)

// Error is the domain's error; every failure here has code EINVALID and a
// message that starts with the path of the offending value
// ("voicemail_option.action.type: ...", "language[2]: ..."), or only the
// message for the body itself.
type Error = agentry.Error

// fail reports a rule broken at path.
func fail(path, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return &Error{Code: agentry.EINVALID, Message: msg}
}

// DecodeObject parses a request body that must be exactly one JSON object
// and returns its top-level fields undecoded. It rejects invalid JSON (saying
// where), any other JSON value, data after the object, and a key that appears
// twice, and text that is not UTF-8. The error is an *Error.
//
// It reads each byte a small number of times and builds no tree of the body:
// a body nested deeper than MaxDepth is refused first, by one pass over it,
// and neither this function nor the validator ever holds more than a small
// multiple of the body in memory, whatever its shape.
func DecodeObject(body []byte) (map[string]json.RawMessage, error) {
	members, err := checkDepth(body)
	if err != nil {
		return nil, err
	}
	if !json.Valid(body) {
		return nil, decodeError(body)
	}
	if !utf8.Valid(body) { // encoding/json would quietly replace the bad bytes
		return nil, fail("", "request body: invalid JSON: not valid UTF-8")
	}
	r := &reader{b: body}
	r.space()
	if r.pos == len(body) || body[r.pos] != '{' {
		return nil, fail("", "request body: must be a JSON object")
	}
	if members > MaxMembers {
		return nil, fail("", "request body: has more than %d members", MaxMembers)
	}
	// Sized once for the members counted (at most MaxMembers).
	fields := make(map[string]json.RawMessage, members)
	err = r.members(func(key string) *Error {
		if _, dup := fields[key]; dup {
			return fail("", "request body: duplicate field %q", key)
		}
		start := r.skip()
		fields[key] = body[start:r.pos:r.pos]
		return nil
	})
	if err != nil {
		return nil, err
	}
	return fields, nil
}

// checkDepth refuses a body that nests objects and arrays deeper than
// MaxDepth, saying where. It counts brackets outside strings, so it holds
// nothing and reads the body once; a body that is not JSON at all is left to
// the JSON checks. It also counts the members of the outermost object, so
// that the map of them is made once at its size.
func checkDepth(body []byte) (members int, _ *Error) {
	depth := 0
	inString := false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case inString:
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > MaxDepth {
				return 0, fail("", "request body: nested deeper than %d levels (at %s)", MaxDepth, where(body, int64(i)))
			}
		case c == '}' || c == ']':
			depth--
		case c == ',' && depth == 1:
			members++
		}
	}
	return members + 1, nil
}

// decodeError explains why body, which is not valid JSON, was refused. It
// reads the first value as raw bytes, never as a tree: a broken body costs
// no more memory than a valid one.
func decodeError(body []byte) *Error {
	dec := json.NewDecoder(bytes.NewReader(body))
	var v json.RawMessage
	err := dec.Decode(&v)
	switch {
	case err == io.EOF:
		return fail("", "request body: must be a JSON object")
	case err != nil:
		return syntaxError(body, err)
	}
	// One whole value, then something else.
	end := dec.InputOffset()
	rest := body[end:]
	at := end + int64(len(rest)-len(bytes.TrimLeft(rest, " \t\r\n")))
	if len(v) == 0 || v[0] != '{' {
		return fail("", "request body: must be a JSON object")
	}
	return fail("", "request body: unexpected data after the JSON object at %s", where(body, at))
}

// jsonCheck returns the syntax error of body, if any, with its offset.
func jsonCheck(body []byte) error {
	var v json.RawMessage
	return json.Unmarshal(body, &v)
}

// syntaxError turns a decoding error into a message that says where the body
// stopped being JSON.
func syntaxError(body []byte, err error) *Error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fail("", "request body: invalid JSON: unexpected end of input")
	}
	// The streaming decoder reports some errors without an offset; a full
	// parse of the same bytes always has one.
	if full := jsonCheck(body); full != nil {
		err = full
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		msg := strings.TrimPrefix(se.Error(), "json: ")
		if strings.Contains(msg, "unexpected end of JSON input") {
			return fail("", "request body: invalid JSON: unexpected end of input")
		}
		return fail("", "request body: invalid JSON at %s: %s", where(body, se.Offset-1), msg)
	}
	return fail("", "request body: invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// where describes byte offset off of body as a line and column, both from 1.
func where(body []byte, off int64) string {
	if off < 0 {
		off = 0
	}
	if off > int64(len(body)) {
		off = int64(len(body))
	}
	before := body[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := off - int64(bytes.LastIndexByte(before, '\n'))
	return "line " + strconv.Itoa(line) + ", column " + strconv.FormatInt(col, 10)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }
