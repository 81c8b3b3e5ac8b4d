package diff

import (
	"encoding/json"
	"strings"
	"testing"
)

func raw(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}

func TestApplyRFC6902(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		changes   []Change
		want      string
	}{
		{"add inserts and shifts", `{"a":[1,2,3]}`,
			[]Change{{Op: OpAdd, Path: "/a/1", To: raw(`9`)}}, `{"a":[1,9,2,3]}`},
		{"add at the length appends", `[1]`,
			[]Change{{Op: OpAdd, Path: "/1", To: raw(`2`)}}, `[1,2]`},
		{"dash appends", `{"a":[1]}`,
			[]Change{{Op: OpAdd, Path: "/a/-", To: raw(`2`)}, {Op: OpAdd, Path: "/a/-", To: raw(`3`)}}, `{"a":[1,2,3]}`},
		{"add sets an existing member", `{"a":1,"b":2}`,
			[]Change{{Op: OpAdd, Path: "/a", To: raw(`5`)}}, `{"a":5,"b":2}`},
		{"remove shifts", `[1,2,3]`,
			[]Change{{Op: OpRemove, Path: "/0"}, {Op: OpRemove, Path: "/0"}}, `[3]`},
		{"replace the whole document", `{"a":1}`,
			[]Change{{Op: OpReplace, Path: "", From: raw(`{"a":1.0}`), To: raw(`[true]`)}}, `[true]`},
		{"add to the root replaces it", `{"a":1}`,
			[]Change{{Op: OpAdd, Path: "", To: raw(`null`)}}, `null`},
		{"escaped tokens", `{"a/b":{"~":1}}`,
			[]Change{{Op: OpReplace, Path: "/a~1b/~0", To: raw(`2`)}}, `{"a/b":{"~":2}}`},
		{"empty key", `{"":{"":1}}`,
			[]Change{{Op: OpRemove, Path: "//"}}, `{"":{}}`},
		{"numeric member names are names", `{"0":{"1":"x"}}`,
			[]Change{{Op: OpReplace, Path: "/0/1", To: raw(`"y"`)}}, `{"0":{"1":"y"}}`},
		{"from matches by value", `{"n":1}`,
			[]Change{{Op: OpRemove, Path: "/n", From: raw(`1.00`)}}, `{}`},
		{"each change sees the result of the one before", `{}`,
			[]Change{
				{Op: OpAdd, Path: "/l", To: raw(`[]`)},
				{Op: OpAdd, Path: "/l/0", To: raw(`{"name":"a"}`)},
				{Op: OpAdd, Path: "/l/0/x", To: raw(`1`)},
				{Op: OpReplace, Path: "/l/0/name", To: raw(`"b"`)},
			}, `{"l":[{"name":"b","x":1}]}`},
		{"large objects use the member index", `{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17}`,
			[]Change{
				{Op: OpRemove, Path: "/k3"},
				{Op: OpReplace, Path: "/k17", To: raw(`0`)},
				{Op: OpAdd, Path: "/k18", To: raw(`18`)},
				{Op: OpRemove, Path: "/k0"},
				{Op: OpReplace, Path: "/k18", To: raw(`1`)},
			},
			`{"k1":1,"k2":2,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":0,"k18":1}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Apply(raw(tc.doc), tc.changes)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("Apply = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestApplyRefusesBadChanges(t *testing.T) {
	const doc = `{"a":[1,2,3],"o":{"k":"v"},"s":"str","n":null}`
	for _, tc := range []struct {
		name   string
		change Change
		want   string // part of the error message
	}{
		{"missing member", Change{Op: OpRemove, Path: "/nope"}, `no member "nope" to remove`},
		{"replace of a missing member", Change{Op: OpReplace, Path: "/o/x", To: raw(`1`)}, `no member "x" to replace`},
		{"missing member on the way", Change{Op: OpAdd, Path: "/x/y", To: raw(`1`)}, `no member "x" at ""`},
		{"index out of range", Change{Op: OpRemove, Path: "/a/3"}, `index 3 is out of range: the array has 3 items`},
		{"add past the end", Change{Op: OpAdd, Path: "/a/4", To: raw(`1`)}, `index 4 is out of range`},
		{"replace past the end", Change{Op: OpReplace, Path: "/a/3", To: raw(`1`)}, `index 3 is out of range`},
		{"index on the way out of range", Change{Op: OpAdd, Path: "/a/7/x", To: raw(`1`)}, `at "/a": index 7 is out of range`},
		{"huge index", Change{Op: OpRemove, Path: "/a/99999999999999999999999"}, `out of range`},
		{"leading zero", Change{Op: OpRemove, Path: "/a/01"}, `"01" is not an array index`},
		{"negative index", Change{Op: OpRemove, Path: "/a/-1"}, `"-1" is not an array index`},
		{"dash outside add", Change{Op: OpRemove, Path: "/a/-"}, `"-" is not an array index`},
		{"word as index", Change{Op: OpReplace, Path: "/a/x", To: raw(`1`)}, `"x" is not an array index`},
		{"into a string", Change{Op: OpAdd, Path: "/s/x", To: raw(`1`)}, `the parent of "x" is a string`},
		{"through a null", Change{Op: OpAdd, Path: "/n/x/y", To: raw(`1`)}, `"/n" is null, not an object or array`},
		{"no slash", Change{Op: OpRemove, Path: "a"}, `must be empty or start with '/'`},
		{"bad escape", Change{Op: OpRemove, Path: "/a~2"}, `'~' must be followed by 0 or 1`},
		{"tilde at the end", Change{Op: OpRemove, Path: "/a~"}, `'~' must be followed by 0 or 1`},
		{"unknown op", Change{Op: "move", Path: "/a"}, `unknown op "move"`},
		{"empty op", Change{Path: "/a"}, `unknown op ""`},
		{"add without a value", Change{Op: OpAdd, Path: "/b"}, `"to" is missing`},
		{"replace without a value", Change{Op: OpReplace, Path: "/s"}, `"to" is missing`},
		{"invalid value", Change{Op: OpAdd, Path: "/b", To: raw(`{`)}, `"to": invalid JSON`},
		{"invalid from", Change{Op: OpRemove, Path: "/s", From: raw(`nope`)}, `"from": invalid JSON`},
		{"from differs", Change{Op: OpRemove, Path: "/a/0", From: raw(`2`)}, `the value there is 1, not the one in "from"`},
		{"from differs on replace", Change{Op: OpReplace, Path: "/o", From: raw(`{}`), To: raw(`1`)}, `the value there is {"k":"v"}`},
		{"remove the document", Change{Op: OpRemove, Path: ""}, `whole document cannot be removed`},
		{"replace the wrong document", Change{Op: OpReplace, Path: "", From: raw(`{}`), To: raw(`1`)}, `not the one in "from"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changes := []Change{{Op: OpReplace, Path: "/n", To: raw(`null`)}, tc.change}
			got, err := Apply(raw(doc), changes)
			if err == nil {
				t.Fatalf("Apply succeeded: %s", got)
			}
			if got != nil {
				t.Errorf("Apply returned %s with its error", got)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "change 1 (") {
				t.Errorf("error %q, want it to name change 1 and say %q", err, tc.want)
			}
		})
	}
}

func TestApplyRefusesBadDocument(t *testing.T) {
	for _, doc := range []string{``, `{`, `{"a":1}x`} {
		if _, err := Apply(raw(doc), nil); err == nil || !strings.HasPrefix(err.Error(), "diff: document: ") {
			t.Errorf("Apply(%q) error = %v", doc, err)
		}
	}
}

func TestApplyNullValuesSurviveJSON(t *testing.T) {
	// A client decodes changes from JSON: "to": null must still mean the
	// value null, not a missing value.
	cs := mustDiff(t, `{"a":1,"b":null}`, `{"a":null}`)
	wire, _ := json.Marshal(cs)
	if string(wire) != `[{"path":"/a","op":"replace","from":1,"to":null},{"path":"/b","op":"remove","from":null}]` {
		t.Errorf("wire form %s", wire)
	}
}

func TestNoChangesEncodeAsAnEmptyList(t *testing.T) {
	cs := mustDiff(t, `{"a":[1]}`, `{"a":[1.0]}`)
	if wire, _ := json.Marshal(cs); string(wire) != `[]` {
		t.Errorf("no changes encode as %s, want []", wire)
	}
}
