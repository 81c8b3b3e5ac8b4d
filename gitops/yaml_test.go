package gitops

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestYAMLRoundTripsAwkwardStrings(t *testing.T) {
	strs := []string{"", " ", "plain text", "yes", "no", "on", "off", "null", "~", "true", "False",
		"1", "0x1F", "1e3", "-1", ".5", "+1", "1_000", "0o17", ".inf", ".nan",
		"a: b", "a #b", "#c", "- x", "-x", "x-", "?", "? x", ":x", "x:", "@x", "`x", "'q'", "\"q\"",
		"{a}", "[a]", "*a", "&a", "!a", "%a", "|", ">", "a\tb", "tab\t", "new\nline", "new\nline\n",
		"new\nline\n\n", "\nleading", "  indented\nblock", "trailing \nspaces  ", "a\n  \nb", "a\r\nb",
		"caf\u00e9", "emoji \U0001F600", "\u2028", "nul\x00", "bell\x07", "<&>", "2024-01-01", "12:30",
		"# heading\n\n- item\n  - nested: x\n", "{{var}}", "a,b", "x y  z", "\ufeffbom"}
	for _, s := range strs {
		doc := []field{{"s", s}, {"list", []any{s, object{"k": s, s + "k": s}}}}
		out, err := encodeYAML("comment", doc)
		if err != nil {
			t.Errorf("%q: %v", s, err)
			continue
		}
		v, _, err := decodeYAML(out)
		if err != nil || !equalValues(v, object{"s": s, "list": []any{s, object{"k": s, s + "k": s}}}) {
			t.Errorf("%q: read back %#v (%v) from\n%s", s, v, err, out)
		}
	}
}

func TestYAMLIsCanonical(t *testing.T) {
	v := object{"b": json.Number("0.70"), "a": []any{}, "name": "x", "m": object{},
		"prompt": "line one\nline two\n", "n": nil, "t": true, "items": []any{object{"id": "n1", "z": json.Number("1")}, "s"}}
	a, err := encodeYAML("c", []field{{"doc", v}})
	if err != nil {
		t.Fatal(err)
	}
	want := `# c
doc:
  name: x
  a: []
  b: 0.70
  items:
    - id: n1
      z: 1
    - s
  m: {}
  n: null
  prompt: |
    line one
    line two
  t: true
`
	if string(a) != want {
		t.Fatalf("got\n%s\nwant\n%s", a, want)
	}
}

func TestYAMLRandomValuesRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("ab :#-\n\t'\"{}[],&*!|>%@`?\\/é\u2028 0123.eE+x")
	randString := func() string {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	var gen func(depth int) any
	gen = func(depth int) any {
		switch k := r.IntN(7); {
		case k == 0 && depth < 4:
			m := object{}
			for range r.IntN(4) {
				m[randString()] = gen(depth + 1)
			}
			return m
		case k == 1 && depth < 4:
			var a []any = []any{}
			for range r.IntN(4) {
				a = append(a, gen(depth+1))
			}
			return a
		case k == 2:
			return json.Number([]string{"0", "-3", "1.5", "1e-7", "12345678901234567890"}[r.IntN(5)])
		case k == 3:
			return r.IntN(2) == 0
		case k == 4:
			return nil
		default:
			return randString()
		}
	}
	for i := range 3000 {
		v := object{"v": gen(0)}
		out, err := encodeYAML("x", []field{{"v", v["v"]}})
		if v["v"] == nil {
			continue // a nil top-level field is left out
		}
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		got, _, err := decodeYAML(out)
		if err != nil || !equalValues(got, v) {
			t.Fatalf("case %d: %#v read back as %#v (%v):\n%s", i, v, got, err, out)
		}
	}
}

func TestDecodeYAMLNamesLinesAndRefusesWhatJSONCannotHold(t *testing.T) {
	v, ls, err := decodeYAML([]byte("a:\n  b: 1\n  c:\n    - x\n    - d: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if ls["a.b"] != 2 || ls["a.c[1].d"] != 5 || ls["a.c[0]"] != 4 {
		t.Fatalf("lines %v", ls)
	}
	if !equalValues(v, object{"a": object{"b": json.Number("1"), "c": []any{"x", object{"d": json.Number("2")}}}}) {
		t.Fatalf("value %#v", v)
	}
	for doc, want := range map[string]string{
		"a: 1\na: 2\n":                 "line 2: a: written twice",
		"a: &x {b: 1}\nc:\n  <<: *x\n": "line 3: merge keys",
		"a: !!binary aGk=\n":           "line 1: the tag !!binary",
		"a: .inf\n":                    "line 1:",
		"a: [1\n":                      "not valid YAML",
	} {
		_, _, err := decodeYAML([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", doc, err, want)
		}
	}
	v, _, err = decodeYAML([]byte("a: 0x10\nb: 1_000\nc: 1.0\n"))
	if err != nil || !equalValues(v, object{"a": json.Number("16"), "b": json.Number("1000"), "c": json.Number("1")}) {
		t.Fatalf("numbers: %#v %v", v, err)
	}
}
