package diff

import (
	"strings"
	"testing"
)

// diffCase is one table row: the changes a user reading the diff expects,
// one per line as render writes them.
type diffCase struct {
	name, from, to string
	want           []string
}

func runCases(t *testing.T, cases []diffCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := renderAll(mustDiff(t, tc.from, tc.to))
			if want := strings.Join(tc.want, "\n"); got != want {
				t.Errorf("changes:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestDiffObjectsAndScalars(t *testing.T) {
	runCases(t, []diffCase{
		{name: "identical", from: `{"a":1,"b":[1,2]}`, to: `{"a":1,"b":[1,2]}`},
		{name: "member order does not matter", from: `{"a":1,"b":2}`, to: `{"b":2,"a":1}`},
		{name: "whitespace does not matter", from: `{"a":[1, 2]}`, to: " {\n\"a\" : [1,2]}\n"},
		{name: "scalar replaced", from: `{"voice_speed":1}`, to: `{"voice_speed":1.2}`,
			want: []string{`replace /voice_speed from=1 to=1.2`}},
		{name: "members added and removed in name order",
			from: `{"z":1,"b":true,"m":null}`, to: `{"a":"x","m":null,"c":[]}`,
			want: []string{
				`add /a to="x"`,
				`remove /b from=true`,
				`add /c to=[]`,
				`remove /z from=1`,
			}},
		{name: "nested member", from: `{"response_engine":{"type":"retell-llm","version":1}}`,
			to:   `{"response_engine":{"type":"retell-llm","version":2}}`,
			want: []string{`replace /response_engine/version from=1 to=2`}},
		{name: "null is a value", from: `{"a":null}`, to: `{"b":null}`,
			want: []string{`remove /a from=null`, `add /b to=null`}},
		{name: "null to value", from: `{"webhook_url":null}`, to: `{"webhook_url":"https://x"}`,
			want: []string{`replace /webhook_url from=null to="https://x"`}},
		{name: "object to string", from: `{"kb":{"top_k":3}}`, to: `{"kb":"none"}`,
			want: []string{`replace /kb from={"top_k":3} to="none"`}},
		{name: "array to object", from: `{"x":[1]}`, to: `{"x":{"0":1}}`,
			want: []string{`replace /x from=[1] to={"0":1}`}},
		{name: "boolean flipped", from: `{"f":true}`, to: `{"f":false}`,
			want: []string{`replace /f from=true to=false`}},
		{name: "whole document, scalars", from: `1`, to: `"one"`,
			want: []string{`replace  from=1 to="one"`}},
		{name: "whole document, object to array", from: `{"a":1}`, to: `[1]`,
			want: []string{`replace  from={"a":1} to=[1]`}},
		{name: "top-level arrays", from: `[1,2]`, to: `[1,2,3]`,
			want: []string{`add /2 to=3`}},
		{name: "keys with slash and tilde are escaped",
			from: `{"a/b":1,"m~n":{"~1":1}}`, to: `{"a/b":2,"m~n":{"~1":2}}`,
			want: []string{`replace /a~1b from=1 to=2`, `replace /m~0n/~01 from=1 to=2`}},
		{name: "empty key", from: `{"":1}`, to: `{"":2}`,
			want: []string{`replace / from=1 to=2`}},
		{name: "strings are not HTML-escaped", from: `{"p":"a"}`, to: `{"p":"<b>&é\n"}`,
			want: []string{`replace /p from="a" to="<b>&é\n"`}},
		{name: "values keep their member order", from: `{}`, to: `{"t":{"z":1,"a":2}}`,
			want: []string{`add /t to={"z":1,"a":2}`}},
		{name: "engine inside a combined document",
			from: `{"agent":{"voice_id":"v1"},"engine":{"general_tools":[{"name":"a"}]}}`,
			to:   `{"agent":{"voice_id":"v1"},"engine":{"general_tools":[{"name":"b"},{"name":"a"}]}}`,
			want: []string{`add /engine/general_tools/0 to={"name":"b"}`}},
	})
}

func TestDiffNumbers(t *testing.T) {
	runCases(t, []diffCase{
		{name: "1 and 1.0 are equal", from: `{"n":1}`, to: `{"n":1.0}`},
		{name: "exponent forms are equal", from: `[100, 0.5, -0]`, to: `[1e2, 50E-2, 0]`},
		{name: "large integers compare exactly",
			from: `{"id":12345678901234567891}`, to: `{"id":12345678901234567892}`,
			want: []string{`replace /id from=12345678901234567891 to=12345678901234567892`}},
		{name: "text kept as written", from: `{"t":0.50}`, to: `{"t":0.7500}`,
			want: []string{`replace /t from=0.50 to=0.7500`}},
		{name: "number and string differ", from: `{"n":1}`, to: `{"n":"1"}`,
			want: []string{`replace /n from=1 to="1"`}},
	})
}

func TestDiffRefusesInvalidJSON(t *testing.T) {
	for _, bad := range []string{``, ` `, `{`, `{"a":}`, `[1,]`, `{"a":1,}`, `01`, `1.`, `-`,
		`1e`, `"a`, "\"a\x01\"", `"\x"`, `"\u12"`, `tru`, `nul`, `{} {}`, `[1] x`, `{1:2}`,
		`{"a" 1}`, `[1 2]`, "\ufeff{}", strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)} {
		if _, err := Diff([]byte(bad), []byte(`{}`)); err == nil {
			t.Errorf("Diff(%q, {}) succeeded", bad)
		}
		if _, err := Diff([]byte(`{}`), []byte(bad)); err == nil {
			t.Errorf("Diff({}, %q) succeeded", bad)
		}
	}
	deep := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	if _, err := Diff([]byte(deep), []byte(`[]`)); err != nil {
		t.Errorf("Diff of %d levels: %v", maxDepth, err)
	}
}

func TestDuplicateMembersKeepTheLastValue(t *testing.T) {
	// encoding/json keeps the last of repeated members; so must we, or a
	// diff would disagree with what every other reader of the document sees.
	runCases(t, []diffCase{
		{name: "last wins", from: `{"a":1,"a":2}`, to: `{"a":2}`},
		{name: "many members", from: `{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,
			"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"k3":30}`,
			to: `{"k0":0,"k1":1,"k2":2,"k3":30,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,
			"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17}`},
	})
}

func TestCanonicalNumber(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "-0": "0", "0.000": "0", "0e10": "0",
		"1": "1e0", "1.0": "1e0", "10e-1": "1e0", "0.1e1": "1e0", "1E+0": "1e0",
		"100": "1e2", "-1200.50": "-12005e-1", "0.0012": "12e-4", "5e007": "5e7",
		"1e99999999999999999999": "1e99999999999999999999s0",
	} {
		if got := canonicalNumber(in); got != want {
			t.Errorf("canonicalNumber(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestDiffConcurrently(t *testing.T) {
	// Nothing is shared between calls but the hash seed; run under -race.
	from, to := tools("a", "b", "c"), tools("c", "a", "x")
	want := renderAll(mustDiff(t, from, to))
	done := make(chan string)
	for range 4 {
		go func() {
			cs, _ := Diff([]byte(from), []byte(to))
			done <- renderAll(cs)
		}()
	}
	for range 4 {
		if got := <-done; got != want {
			t.Errorf("concurrent Diff gave\n%s\nwant\n%s", got, want)
		}
	}
}
