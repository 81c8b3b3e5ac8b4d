package diff

import (
	"fmt"
	"strings"
	"testing"
)

// tools writes a general_tools list of custom tools with the given names.
func tools(names ...string) string {
	var items []string
	for _, n := range names {
		items = append(items, fmt.Sprintf(`{"type":"custom","name":%q,"url":"https://x/%s"}`, n, n))
	}
	return `{"general_tools":[` + strings.Join(items, ",") + `]}`
}

func tool(name string) string {
	return fmt.Sprintf(`{"type":"custom","name":%q,"url":"https://x/%s"}`, name, name)
}

func TestNamedLists(t *testing.T) {
	runCases(t, []diffCase{
		{name: "insert at the front of five is one add",
			from: tools("a", "b", "c", "d", "e"), to: tools("new", "a", "b", "c", "d", "e"),
			want: []string{`add /general_tools/0 to=` + tool("new")}},
		{name: "insert in the middle", from: tools("a", "b", "c"), to: tools("a", "x", "b", "c"),
			want: []string{`add /general_tools/1 to=` + tool("x")}},
		{name: "append", from: tools("a", "b"), to: tools("a", "b", "c"),
			want: []string{`add /general_tools/2 to=` + tool("c")}},
		{name: "remove one is one remove", from: tools("a", "b", "c", "d", "e"), to: tools("a", "b", "d", "e"),
			want: []string{`remove /general_tools/2 from=` + tool("c")}},
		{name: "remove the first", from: tools("a", "b", "c"), to: tools("b", "c"),
			want: []string{`remove /general_tools/0 from=` + tool("a")}},
		{name: "remove two, add one",
			from: tools("a", "b", "c", "d"), to: tools("a", "x", "d"),
			want: []string{
				`remove /general_tools/1 from=` + tool("b"),
				`remove /general_tools/1 from=` + tool("c"),
				`add /general_tools/1 to=` + tool("x"),
			}},
		{name: "move the last to the front",
			from: tools("a", "b", "c", "d", "e"), to: tools("e", "a", "b", "c", "d"),
			want: []string{
				`add /general_tools/0 to=` + tool("e"),
				`remove /general_tools/5 from=` + tool("e"),
			}},
		{name: "swap two neighbours moves one", from: tools("a", "b", "c"), to: tools("b", "a", "c"),
			want: []string{
				`add /general_tools/0 to=` + tool("b"),
				`remove /general_tools/2 from=` + tool("b"),
			}},
		{name: "edit inside a tool that also shifted",
			from: `{"general_tools":[{"name":"a","description":"old"},{"name":"b"}]}`,
			to:   `{"general_tools":[{"name":"z"},{"name":"a","description":"new"},{"name":"b"}]}`,
			want: []string{
				`add /general_tools/0 to={"name":"z"}`,
				`replace /general_tools/1/description from="old" to="new"`,
			}},
		{name: "rename is remove and add",
			from: `{"states":[{"name":"greet"},{"name":"verify","state_prompt":"p"},{"name":"end"}]}`,
			to:   `{"states":[{"name":"greet"},{"name":"check","state_prompt":"p"},{"name":"end"}]}`,
			want: []string{
				`remove /states/1 from={"name":"verify","state_prompt":"p"}`,
				`add /states/1 to={"name":"check","state_prompt":"p"}`,
			}},
		{name: "tool_id wins over name",
			from: `{"tools":[{"tool_id":"t1","name":"lookup"},{"tool_id":"t2","name":"book"}]}`,
			to:   `{"tools":[{"tool_id":"t1","name":"find"},{"tool_id":"t2","name":"book"}]}`,
			want: []string{`replace /tools/0/name from="lookup" to="find"`}},
		{name: "flow nodes and their edges by id",
			from: `{"nodes":[{"id":"n1","edges":[{"id":"e1","destination_node_id":"n2"},{"id":"e2","destination_node_id":"n3"}]},{"id":"n2"},{"id":"n3"}]}`,
			to:   `{"nodes":[{"id":"n1","edges":[{"id":"e0","destination_node_id":"n3"},{"id":"e1","destination_node_id":"n3"},{"id":"e2","destination_node_id":"n3"}]},{"id":"n3"}]}`,
			want: []string{
				`add /nodes/0/edges/0 to={"id":"e0","destination_node_id":"n3"}`,
				`replace /nodes/0/edges/1/destination_node_id from="n2" to="n3"`,
				`remove /nodes/1 from={"id":"n2"}`,
			}},
		{name: "LLM state edges by destination",
			from: `{"states":[{"name":"a","edges":[{"destination_state_name":"b","description":"x"}]},{"name":"b"},{"name":"c"}]}`,
			to:   `{"states":[{"name":"a","edges":[{"destination_state_name":"c","description":"y"},{"destination_state_name":"b","description":"z"}]},{"name":"b"},{"name":"c"}]}`,
			want: []string{
				`add /states/0/edges/0 to={"destination_state_name":"c","description":"y"}`,
				`replace /states/0/edges/1/description from="x" to="z"`,
			}},
		{name: "components by component_id",
			from: `{"components":[{"component_id":"c1","v":1},{"component_id":"c2","v":1}]}`,
			to:   `{"components":[{"component_id":"c2","v":2},{"component_id":"c1","v":1}]}`,
			want: []string{
				`add /components/0 to={"component_id":"c2","v":2}`,
				`remove /components/2 from={"component_id":"c2","v":1}`,
			}},
		{name: "post-call analysis by name",
			from: `{"post_call_analysis_data":[{"type":"string","name":"city","description":"d"}]}`,
			to:   `{"post_call_analysis_data":[{"type":"boolean","name":"ok","description":"e"},{"type":"string","name":"city","description":"d2"}]}`,
			want: []string{
				`add /post_call_analysis_data/0 to={"type":"boolean","name":"ok","description":"e"}`,
				`replace /post_call_analysis_data/1/description from="d" to="d2"`,
			}},
		{name: "pronunciations by word",
			from: `{"pronunciation_dictionary":[{"word":"Retell","alphabet":"ipa","phoneme":"a"},{"word":"agentry","alphabet":"ipa","phoneme":"b"}]}`,
			to:   `{"pronunciation_dictionary":[{"word":"agentry","alphabet":"ipa","phoneme":"c"}]}`,
			want: []string{
				`remove /pronunciation_dictionary/0 from={"word":"Retell","alphabet":"ipa","phoneme":"a"}`,
				`replace /pronunciation_dictionary/0/phoneme from="b" to="c"`,
			}},
		{name: "repeated names fall back to alignment by value",
			from: `{"l":[{"name":"a","v":1},{"name":"a","v":2}]}`,
			to:   `{"l":[{"name":"a","v":1},{"name":"a","v":3}]}`,
			want: []string{`replace /l/1/v from=2 to=3`}},
		{name: "an item without the name falls back",
			from: `{"l":[{"name":"a"},{"name":"b"}]}`,
			to:   `{"l":[{"name":"a"},{"title":"b"}]}`,
			want: []string{`replace /l/1 from={"name":"b"} to={"title":"b"}`}},
		{name: "a later field serves when an earlier one is missing",
			from: `{"l":[{"id":"1","name":"a"},{"name":"b","v":1}]}`,
			to:   `{"l":[{"name":"b","v":2},{"id":"1","name":"a"}]}`,
			want: []string{
				`add /l/0 to={"name":"b","v":2}`,
				`remove /l/2 from={"name":"b","v":1}`,
			}},
		{name: "empty names are not names",
			from: `{"l":[{"name":""},{"name":"b"}]}`, to: `{"l":[{"name":"x"},{"name":"b"}]}`,
			want: []string{`replace /l/0 from={"name":""} to={"name":"x"}`}},
		{name: "from empty to named", from: `{"l":[]}`, to: `{"l":[{"name":"a"},{"name":"b"}]}`,
			want: []string{`add /l/0 to={"name":"a"}`, `add /l/1 to={"name":"b"}`}},
		{name: "from named to empty", from: `{"l":[{"name":"a"},{"name":"b"}]}`, to: `{"l":[]}`,
			want: []string{`remove /l/0 from={"name":"a"}`, `remove /l/0 from={"name":"b"}`}},
	})
}

func TestValueLists(t *testing.T) {
	runCases(t, []diffCase{
		{name: "insert a string is one add",
			from: `{"boosted_keywords":["a","b","c","d"]}`, to: `{"boosted_keywords":["a","b","x","c","d"]}`,
			want: []string{`add /boosted_keywords/2 to="x"`}},
		{name: "remove a string is one remove",
			from: `{"k":["a","b","c","d"]}`, to: `{"k":["a","c","d"]}`,
			want: []string{`remove /k/1 from="b"`}},
		{name: "change a string in place",
			from: `{"k":["a","b","c"]}`, to: `{"k":["a","B","c"]}`,
			want: []string{`replace /k/1 from="b" to="B"`}},
		{name: "insert and remove far apart",
			from: `{"k":["a","b","c","d","e","f"]}`, to: `{"k":["x","a","b","c","d","f"]}`,
			want: []string{`add /k/0 to="x"`, `remove /k/5 from="e"`}},
		{name: "equal numbers match", from: `[1, 2, 3]`, to: `[0, 1.0, 2e0, 3]`,
			want: []string{`add /0 to=0`}},
		{name: "unnamed objects of equal length edit in place",
			from: `{"equations":[{"left":"a","operator":"==","right":"1"},{"left":"b","operator":"==","right":"2"}]}`,
			to:   `{"equations":[{"left":"a","operator":"!=","right":"1"},{"left":"b","operator":"==","right":"3"}]}`,
			want: []string{
				`replace /equations/0/operator from="==" to="!="`,
				`replace /equations/1/right from="2" to="3"`,
			}},
		{name: "one unnamed object edited among equal ones",
			from: `[{"a":1,"b":1},{"a":2,"b":2},{"a":3,"b":3}]`, to: `[{"a":1,"b":1},{"a":2,"b":20},{"a":3,"b":3}]`,
			want: []string{`replace /1/b from=2 to=20`}},
		{name: "unrelated objects are replaced whole",
			from: `[{"a":1},{"k":"x"}]`, to: `[{"b":2},{"k":"x"}]`,
			want: []string{`replace /0 from={"a":1} to={"b":2}`}},
		{name: "nested arrays edit inside", from: `[[1,2],[3,4]]`, to: `[[1,2],[3,5]]`,
			want: []string{`replace /1/1 from=4 to=5`}},
		{name: "mixed types", from: `[1,"a",null,{"x":1},[2]]`, to: `["a",null,{"x":2},[2],true]`,
			want: []string{
				`remove /0 from=1`,
				`replace /2 from={"x":1} to={"x":2}`, // nothing in common
				`add /4 to=true`,
			}},
		{name: "reversed", from: `["a","b","c"]`, to: `["c","b","a"]`,
			want: []string{
				`remove /0 from="a"`,
				`remove /0 from="b"`,
				`add /1 to="b"`,
				`add /2 to="a"`,
			}},
		{name: "equal length, nothing equal", from: `["a","b"]`, to: `["c","d"]`,
			want: []string{`replace /0 from="a" to="c"`, `replace /1 from="b" to="d"`}},
		{name: "more old than new in a gap", from: `["k","a","b","c","k2"]`, to: `["k","x","k2"]`,
			want: []string{
				`replace /1 from="a" to="x"`,
				`remove /2 from="b"`,
				`remove /2 from="c"`,
			}},
	})
}

// TestLongListsStayExact crosses the limits on alignment tables: the result
// must replay exactly, and a single insertion must stay a single add thanks
// to the common ends and the unique anchors.
func TestLongListsStayExact(t *testing.T) {
	list := func(n int, f func(i int) string) string {
		items := make([]string, n)
		for i := range items {
			items[i] = f(i)
		}
		return "[" + strings.Join(items, ",") + "]"
	}
	const n = 3000
	plain := list(n, func(i int) string { return fmt.Sprint(i) })

	t.Run("one insertion", func(t *testing.T) {
		to := list(n+1, func(i int) string {
			switch {
			case i < 1000:
				return fmt.Sprint(i)
			case i == 1000:
				return `"new"`
			default:
				return fmt.Sprint(i - 1)
			}
		})
		if got := renderAll(mustDiff(t, plain, to)); got != `add /1000 to="new"` {
			t.Errorf("changes:\n%s", got)
		}
	})
	t.Run("edits at both ends", func(t *testing.T) {
		// Past the table limit: the unique items anchor the alignment.
		to := list(n+1, func(i int) string {
			switch {
			case i == 0:
				return `"first"`
			case i == n:
				return `"last"`
			default:
				return fmt.Sprint(i)
			}
		})
		if got := renderAll(mustDiff(t, plain, to)); got != `replace /0 from=0 to="first"`+"\n"+`add /3000 to="last"` {
			t.Errorf("changes:\n%s", got)
		}
	})
	t.Run("nothing unique", func(t *testing.T) {
		// Repeated items and no common ends: compared by position.
		from := list(n, func(i int) string { return fmt.Sprint(i % 3) })
		to := list(n+2, func(i int) string { return fmt.Sprint((i + 1) % 4) })
		mustDiff(t, from, to)
	})
	t.Run("budget spent", func(t *testing.T) {
		// Many medium lists in one document exhaust the call's budget; the
		// later ones are aligned by position and must still replay.
		var a, b []string
		for k := range 8 {
			a = append(a, fmt.Sprintf(`"l%d":%s`, k, list(1500, func(i int) string { return fmt.Sprint((i * 7) % 1501) })))
			b = append(b, fmt.Sprintf(`"l%d":%s`, k, list(1500, func(i int) string { return fmt.Sprint((i * 11) % 1501) })))
		}
		mustDiff(t, "{"+strings.Join(a, ",")+"}", "{"+strings.Join(b, ",")+"}")
	})
}

// TestAlignWithoutBudget checks the cheapest path: with no table cells left
// and no anchors, only the common ends are matched.
func TestAlignWithoutBudget(t *testing.T) {
	d := differ{budget: 0}
	got := d.align([]int{1, 2, 3, 4, 9}, []int{1, 3, 2, 4, 9}, 10, 20, false)
	want := []pair{{10, 20}, {13, 23}, {14, 24}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("align = %v, want %v", got, want)
	}
	d.budget = totalCells
	got = d.align([]int{1, 2, 3, 4, 9}, []int{1, 3, 2, 4, 9}, 10, 20, false)
	if len(got) != 4 || d.budget != totalCells-3*3 {
		t.Errorf("align with budget = %v, budget left %d", got, d.budget)
	}
}

func TestIncreasing(t *testing.T) {
	for _, tc := range []struct{ in, want []pair }{
		{nil, nil},
		{[]pair{{0, 0}}, []pair{{0, 0}}},
		{[]pair{{2, 0}, {0, 1}, {1, 2}, {3, 3}}, []pair{{0, 1}, {1, 2}, {3, 3}}},
		{[]pair{{3, 0}, {2, 1}, {1, 2}, {0, 3}}, []pair{{0, 3}}},
	} {
		if got := increasing(tc.in); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("increasing(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
