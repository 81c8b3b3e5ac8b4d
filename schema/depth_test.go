package schema

import (
	"encoding/json"
	"strings"
	"testing"
)

// nested returns a JSON value n arrays deep around a string.
func nested(n int) string {
	return strings.Repeat("[", n) + `"x"` + strings.Repeat("]", n)
}

// A body may nest up to MaxDepth levels, the body itself counted; one level
// more is refused before anything else, by DecodeObject and by the
// validator alike.
func TestDepthLimit(t *testing.T) {
	// A Retell LLM keeps a tool's fields as sent: the deepest body it takes
	// is the body (1), general_tools (2), a tool (3) and then the rest.
	body := func(extra int) string {
		return `{"general_tools": [{"type": "end_call", "name": "t", "deep": ` + nested(extra) + `}]}`
	}
	ok := body(MaxDepth - 3)
	fields, err := DecodeObject([]byte(ok))
	if err != nil {
		t.Fatalf("%d levels: %v", MaxDepth, err)
	}
	if err := RetellLLM.Validate(fields, Update); err != nil {
		t.Fatalf("%d levels: %v", MaxDepth, err)
	}

	deep := body(MaxDepth - 2)
	_, err = DecodeObject([]byte(deep))
	if want := "request body: nested deeper than 128 levels (at line 1, column "; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("DecodeObject of %d levels: %v, want %s…", MaxDepth+1, err, want)
	}
	// Fields that did not come through DecodeObject are held to it too.
	raw := map[string]json.RawMessage{"general_tools": json.RawMessage(deep[len(`{"general_tools": `) : len(deep)-1])}
	err = RetellLLM.Validate(raw, Update)
	if want := "general_tools[0].deep" + strings.Repeat("[0]", MaxDepth-3) + ": nested deeper than 128 levels"; err == nil || err.Error() != want {
		t.Errorf("Validate of %d levels: %v, want %s", MaxDepth+1, err, want)
	}
	// Brackets inside strings are not nesting.
	if _, err := DecodeObject([]byte(`{"a": "` + strings.Repeat("[{", 1000) + `"}`)); err != nil {
		t.Errorf("brackets in a string: %v", err)
	}
}

// A body far deeper than the limit, as an attacker would send, is refused
// by DecodeObject with the same message, whatever else is wrong with it.
func TestDeepBodyRefusedEarly(t *testing.T) {
	for _, b := range []string{
		`{"a": ` + nested(10000) + `}`,
		`{"a": ` + strings.Repeat(`{"a": `, 10000) + `1` + strings.Repeat("}", 10000) + `}`,
		`{"a": ` + strings.Repeat("[", 10000), // not even JSON
	} {
		_, err := DecodeObject([]byte(b))
		if err == nil || !strings.Contains(err.Error(), "nested deeper than 128 levels") {
			t.Errorf("DecodeObject(%.20s…) = %v", b, err)
		}
	}
}
