package diff

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The property tests build random configurations and random edits of them
// and check that every diff replays exactly. Arrays are held as *[]any so
// that an edit can change them in place; maps are walked in key order so
// that a seed always gives the same cases.

var (
	genNames   = []string{"greet", "verify", "book", "end", "lookup", "transfer", "n1", "n2"}
	genKeys    = []string{"model", "voice_speed", "prompt", "a/b", "t~x", "", "flag", "x", "edges", "name", "id"}
	genStrings = []string{"", "hello", "a/b", "~0", "<b>&", "é", "line\nbreak", "\x1b[31m", "\u2028", "😀", "greet", "\xff"}
	genNumbers = []string{"0", "-0", "1", "1.0", "1e0", "10e-1", "2.5", "-3", "1e400", "12345678901234567890123",
		"0.1", "1E+2", "100", "-0.0e-7"}
)

type gen struct{ r *rand.Rand }

func pick[T any](g *gen, from []T) T { return from[g.r.IntN(len(from))] }

func (g *gen) scalar() any {
	switch g.r.IntN(5) {
	case 0:
		return nil
	case 1:
		return g.r.IntN(2) == 0
	case 2:
		return json.Number(pick(g, genNumbers))
	default:
		return pick(g, genStrings)
	}
}

func (g *gen) value(depth int) any {
	if depth <= 0 {
		return g.scalar()
	}
	switch g.r.IntN(8) {
	case 0, 1, 2:
		return g.scalar()
	case 3, 4:
		m := map[string]any{}
		for range g.r.IntN(4) {
			m[pick(g, genKeys)] = g.value(depth - 1)
		}
		return m
	case 5:
		return g.named(pick(g, identityFields), depth-1)
	case 6:
		return g.strings()
	default:
		items := []any{}
		for range g.r.IntN(5) {
			items = append(items, g.value(depth-1))
		}
		return &items
	}
}

func (g *gen) strings() any {
	items := []any{}
	for range g.r.IntN(7) {
		items = append(items, pick(g, genStrings[:6]))
	}
	return &items
}

// named builds a list of items named in field, drawn from a small pool so
// that two lists share names; states and nodes get named edges of their own.
func (g *gen) named(field string, depth int) any {
	names := slices.Clone(genNames)
	g.r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	items := []any{}
	for _, n := range names[:g.r.IntN(6)] {
		items = append(items, g.item(field, n, depth))
	}
	return &items
}

func (g *gen) item(field, name string, depth int) map[string]any {
	m := map[string]any{field: name}
	for range g.r.IntN(3) {
		if k := pick(g, genKeys); k != field {
			m[k] = g.value(depth)
		}
	}
	if depth > 0 && g.r.IntN(2) == 0 {
		switch field {
		case "name":
			m["edges"] = g.named("destination_state_name", depth-1)
		case "id":
			m["edges"] = g.named("id", depth-1)
		}
	}
	return m
}

func (g *gen) config() any {
	if g.r.IntN(20) == 0 {
		return g.value(3) // sometimes not an object at all
	}
	m := map[string]any{
		"general_tools":            g.named("name", 1),
		"states":                   g.named("name", 2),
		"nodes":                    g.named("id", 2),
		"tools":                    g.named("tool_id", 1),
		"post_call_analysis_data":  g.named("name", 0),
		"pronunciation_dictionary": g.named("word", 0),
		"boosted_keywords":         g.strings(),
	}
	for range g.r.IntN(4) {
		m[pick(g, genKeys)] = g.value(3)
	}
	for _, k := range sortedKeys(m) {
		if g.r.IntN(4) == 0 {
			delete(m, k)
		}
	}
	return m
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func clone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = clone(x)
		}
		return m
	case *[]any:
		s := make([]any, len(*v))
		for i, x := range *v {
			s[i] = clone(x)
		}
		return &s
	}
	return v
}

// containers lists every object and array under v, in a fixed order.
func containers(v any, out []any) []any {
	switch v := v.(type) {
	case map[string]any:
		out = append(out, v)
		for _, k := range sortedKeys(v) {
			out = containers(v[k], out)
		}
	case *[]any:
		out = append(out, v)
		for _, x := range *v {
			out = containers(x, out)
		}
	}
	return out
}

// mutate returns an edited copy of v: members set, deleted or retyped,
// items inserted, deleted, moved, swapped, replaced or renamed.
func (g *gen) mutate(v any) any {
	if g.r.IntN(15) == 0 {
		return g.config() // an unrelated document
	}
	v = clone(v)
	all := containers(v, nil)
	if len(all) == 0 {
		return g.value(2)
	}
	for range 1 + g.r.IntN(4) {
		switch c := pick(g, all).(type) {
		case map[string]any:
			keys := sortedKeys(c)
			switch op := g.r.IntN(3); {
			case op == 0 || len(keys) == 0:
				c[pick(g, genKeys)] = g.value(2)
			case op == 1:
				delete(c, pick(g, keys))
			default:
				c[pick(g, keys)] = g.scalar()
			}
		case *[]any:
			g.mutateList(c)
		}
	}
	return v
}

func (g *gen) mutateList(p *[]any) {
	s := *p
	n := len(s)
	switch op := g.r.IntN(6); {
	case op == 0 || n == 0:
		// Insert a copy of a sibling under a new name, or something new.
		var it any = g.value(2)
		if n > 0 {
			it = clone(s[g.r.IntN(n)])
			if m, ok := it.(map[string]any); ok {
				for _, f := range identityFields {
					if _, ok := m[f]; ok && g.r.IntN(3) > 0 {
						m[f] = pick(g, genNames)
					}
				}
			}
		}
		s = slices.Insert(s, g.r.IntN(n+1), it)
	case op == 1:
		i := g.r.IntN(n)
		s = slices.Delete(s, i, i+1)
	case op == 2:
		i := g.r.IntN(n)
		it := s[i]
		s = slices.Delete(s, i, i+1)
		s = slices.Insert(s, g.r.IntN(n), it)
	case op == 3:
		i, j := g.r.IntN(n), g.r.IntN(n)
		s[i], s[j] = s[j], s[i]
	case op == 4:
		s[g.r.IntN(n)] = g.value(1)
	default:
		if m, ok := s[g.r.IntN(n)].(map[string]any); ok {
			m[pick(g, []string{"name", "id", "tool_id"})] = pick(g, genNames)
		}
	}
	*p = s
}

func marshal(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDiffReplaysRandomEdits is the main property: for thousands of random
// pairs, the changes replay exactly in both directions, survive JSON, and a
// document diffs to nothing against itself (mustDiff checks all of it).
func TestDiffReplaysRandomEdits(t *testing.T) {
	g := &gen{rand.New(rand.NewPCG(2026, 11))}
	pairs := 3000
	if testing.Short() {
		pairs = 300
	}
	ops := map[string]int{}
	for range pairs {
		from := g.config()
		to := g.mutate(from)
		for _, c := range mustDiff(t, marshal(t, from), marshal(t, to)) {
			ops[c.Op]++
		}
	}
	// The generator must actually exercise every operation.
	for _, op := range []string{OpAdd, OpRemove, OpReplace} {
		if ops[op] < pairs/10 {
			t.Errorf("only %d %s changes in %d pairs", ops[op], op, pairs)
		}
	}
}

// TestNamedListEditsStaySmall checks, on random named lists, the promises
// a reader relies on: one inserted item is one add at its place, one
// removed item one remove, and an edit inside an item shows only under it.
func TestNamedListEditsStaySmall(t *testing.T) {
	g := &gen{rand.New(rand.NewPCG(7, 7))}
	for range 500 {
		field := pick(g, identityFields)
		list := g.named(field, 1).(*[]any)
		n := len(*list)
		from := marshal(t, map[string]any{"l": list})

		at := g.r.IntN(n + 1)
		fresh := g.item(field, "fresh", 1)
		inserted := slices.Insert(slices.Clone(*list), at, any(fresh))
		want := fmt.Sprintf("add /l/%d to=", at)
		if got := renderAll(mustDiff(t, from, marshal(t, map[string]any{"l": inserted}))); !strings.HasPrefix(got, want) || strings.Contains(got, "\n") {
			t.Fatalf("insert at %d into %s:\n%s", at, from, got)
		}
		if n == 0 {
			continue
		}
		at = g.r.IntN(n)
		removed := slices.Delete(slices.Clone(*list), at, at+1)
		want = fmt.Sprintf("remove /l/%d from=", at)
		if got := renderAll(mustDiff(t, from, marshal(t, map[string]any{"l": removed}))); !strings.HasPrefix(got, want) || strings.Contains(got, "\n") {
			t.Fatalf("remove %d from %s:\n%s", at, from, got)
		}
		edited := clone(list).(*[]any)
		(*edited)[at].(map[string]any)["description"] = "edited"
		prefix := fmt.Sprintf("/l/%d/", at)
		for _, c := range mustDiff(t, from, marshal(t, map[string]any{"l": edited})) {
			if !strings.HasPrefix(c.Path, prefix) {
				t.Fatalf("edit of item %d in %s gave %s", at, from, render(c))
			}
		}
	}
}
