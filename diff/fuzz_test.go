package diff

import (
	"encoding/json"
	"testing"
)

// FuzzDiff checks, for any two inputs, that Diff accepts exactly what
// encoding/json accepts and that its changes replay exactly.
func FuzzDiff(f *testing.F) {
	for _, seed := range [][2]string{
		{`{"a":1}`, `{"a":1.0,"b":[1,2]}`},
		{tools("a", "b", "c"), tools("c", "x", "a")},
		{`{"states":[{"name":"s","edges":[{"destination_state_name":"t"}]}]}`, `{"states":[{"name":"s","edges":[]},{"name":"t"}]}`},
		{`{"nodes":[{"id":"1","edges":[{"id":"e","destination_node_id":"2"}]},{"id":"2"}]}`, `{"nodes":[{"id":"2"},{"id":"1","edges":[]}]}`},
		{`["a","b",{"x":[null,true]}]`, `[{"x":[false]},"b","c"]`},
		{`{"a/b":{"~":"\u00e9"}}`, `{"a/b":{"~":"é","":0}}`},
		{`1e400`, `"x"`},
		{`[{"name":"a"},{"name":"a"}]`, `[{"name":"a","v":1}]`},
	} {
		f.Add([]byte(seed[0]), []byte(seed[1]))
	}
	f.Fuzz(func(t *testing.T, from, to []byte) {
		cs, err := Diff(from, to)
		valid := json.Valid(from) && json.Valid(to)
		if err != nil {
			if valid {
				t.Fatalf("Diff refused valid JSON: %v", err)
			}
			return
		}
		if !valid {
			t.Fatalf("Diff accepted invalid JSON %q, %q", from, to)
		}
		checkChanges(t, cs)
		checkReplay(t, string(from), string(to), cs)
		if same, err := Diff(from, from); err != nil || len(same) != 0 {
			t.Fatalf("Diff(x, x) = %s, %v", renderAll(same), err)
		}
	})
}

// FuzzApply checks that Apply never panics on any change, and that what it
// returns is JSON.
func FuzzApply(f *testing.F) {
	f.Add([]byte(`{"a":[1,2]}`), "add", "/a/-", []byte(`3`), []byte(nil))
	f.Add([]byte(`{"a":[1,2]}`), "remove", "/a/0", []byte(nil), []byte(`1`))
	f.Add([]byte(`{"a/b":{"~":1}}`), "replace", "/a~1b/~0", []byte(`2`), []byte(`1.0`))
	f.Add([]byte(`[]`), "add", "", []byte(`{}`), []byte(nil))
	f.Fuzz(func(t *testing.T, doc []byte, op, path string, to, from []byte) {
		got, err := Apply(doc, []Change{{Op: op, Path: path, To: to, From: from}})
		if err == nil && !json.Valid(got) {
			t.Fatalf("Apply returned invalid JSON %q", got)
		}
	})
}
