package diff

import (
	"bytes"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
)

// sameJSON reports whether a and b hold the same JSON value. It decodes with
// encoding/json and compares numbers with math/big, independently of the
// package's own parser and comparison, so it can judge them.
func sameJSON(t testing.TB, a, b []byte) bool {
	t.Helper()
	return sameValue(decodeAny(t, a), decodeAny(t, b))
}

func decodeAny(t testing.TB, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return v
}

func sameValue(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			w, ok := b[k]
			if !ok || !sameValue(v, w) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !sameValue(a[i], b[i]) {
				return false
			}
		}
		return true
	case json.Number:
		b, ok := b.(json.Number)
		if !ok {
			return false
		}
		x, okx := new(big.Rat).SetString(string(a))
		y, oky := new(big.Rat).SetString(string(b))
		return okx && oky && x.Cmp(y) == 0
	default:
		return a == b
	}
}

// render writes a change on one line for test expectations and failures.
func render(c Change) string {
	s := c.Op + " " + c.Path
	if c.From != nil {
		s += " from=" + string(c.From)
	}
	if c.To != nil {
		s += " to=" + string(c.To)
	}
	return s
}

func renderAll(cs []Change) string {
	var lines []string
	for _, c := range cs {
		lines = append(lines, render(c))
	}
	return strings.Join(lines, "\n")
}

// mustDiff diffs two documents and checks what every diff must satisfy:
// the changes are well formed, replay exactly in both directions and
// survive a JSON round trip, and each side diffs to nothing against itself.
func mustDiff(t testing.TB, from, to string) []Change {
	t.Helper()
	cs, err := Diff(json.RawMessage(from), json.RawMessage(to))
	if err != nil {
		t.Fatalf("Diff: %v", err)
	}
	checkChanges(t, cs)
	checkReplay(t, from, to, cs)
	wire, err := json.Marshal(cs)
	if err != nil {
		t.Fatalf("marshal changes: %v", err)
	}
	var back []Change
	if err := json.Unmarshal(wire, &back); err != nil {
		t.Fatalf("unmarshal changes: %v", err)
	}
	checkReplay(t, from, to, back)
	back, err = Diff(json.RawMessage(to), json.RawMessage(from))
	if err != nil {
		t.Fatalf("Diff back: %v", err)
	}
	checkReplay(t, to, from, back)
	for _, doc := range []string{from, to} {
		if same, err := Diff(json.RawMessage(doc), json.RawMessage(doc)); err != nil || len(same) != 0 {
			t.Fatalf("Diff(x, x) = %s, %v; want nothing\nx = %s", renderAll(same), err, doc)
		}
	}
	return cs
}

// checkReplay checks that applying cs to from gives to.
func checkReplay(t testing.TB, from, to string, cs []Change) {
	t.Helper()
	got, err := Apply(json.RawMessage(from), cs)
	if err != nil {
		t.Fatalf("Apply: %v\nfrom %s\nto   %s\nchanges:\n%s", err, from, to, renderAll(cs))
	}
	if !sameJSON(t, got, []byte(to)) {
		t.Fatalf("Apply(from, Diff(from, to)) != to\nfrom %s\nto   %s\ngot  %s\nchanges:\n%s", from, to, got, renderAll(cs))
	}
}

// checkChanges checks that each change carries the values its op needs.
func checkChanges(t testing.TB, cs []Change) {
	t.Helper()
	for _, c := range cs {
		ok := false
		switch c.Op {
		case OpAdd:
			ok = c.From == nil && json.Valid(c.To)
		case OpRemove:
			ok = json.Valid(c.From) && c.To == nil
		case OpReplace:
			ok = json.Valid(c.From) && json.Valid(c.To)
		}
		if !ok {
			t.Fatalf("malformed change %s", render(c))
		}
	}
}
