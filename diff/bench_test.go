package diff

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// flow builds a conversation flow of n nodes with five edges each, in the
// shape of schema.ConversationFlow, about 1.3 KB per node.
func flow(n int) map[string]any {
	r := rand.New(rand.NewPCG(uint64(n), 1))
	text := func(words int) string {
		w := make([]string, words)
		for i := range w {
			w[i] = []string{"caller", "order", "confirm", "please", "number", "the", "ask", "politely"}[r.IntN(8)]
		}
		return strings.Join(w, " ")
	}
	nodes := make([]any, n)
	for i := range nodes {
		edges := make([]any, 5)
		for e := range edges {
			edges[e] = map[string]any{
				"id":                   fmt.Sprintf("edge-%d-%d", i, e),
				"transition_condition": map[string]any{"type": "prompt", "prompt": text(12)},
				"destination_node_id":  fmt.Sprintf("node-%d", r.IntN(n)),
			}
		}
		nodes[i] = map[string]any{
			"id":               fmt.Sprintf("node-%d", i),
			"type":             "conversation",
			"name":             fmt.Sprintf("Step %d", i),
			"instruction":      map[string]any{"type": "prompt", "text": text(40)},
			"edges":            edges,
			"display_position": map[string]any{"x": r.IntN(4000), "y": r.IntN(4000)},
		}
	}
	tools := make([]any, 20)
	for i := range tools {
		tools[i] = map[string]any{"tool_id": fmt.Sprintf("tool-%d", i), "type": "custom",
			"name": fmt.Sprintf("tool_%d", i), "url": "https://example.com/t", "description": text(15)}
	}
	return map[string]any{
		"start_speaker": "agent", "model_choice": map[string]any{"type": "cascading", "model": "gpt-5"},
		"global_prompt": text(300), "start_node_id": "node-0", "tools": tools, "nodes": nodes,
	}
}

// editFlow makes the edits of a typical new version: prompts reworded, two
// nodes added, one removed, one moved, edges redirected, a tool added.
func editFlow(f map[string]any) map[string]any {
	g := clone(anyToGen(f)).(map[string]any)
	nodes := *g["nodes"].(*[]any)
	node := func(i int) map[string]any { return nodes[i].(map[string]any) }
	for _, i := range []int{3, 150, 280} {
		node(i)["instruction"].(map[string]any)["text"] = "Reworded."
	}
	(*node(10)["edges"].(*[]any))[2].(map[string]any)["destination_node_id"] = "node-0"
	*node(20)["edges"].(*[]any) = append(*node(20)["edges"].(*[]any), map[string]any{"id": "edge-new", "destination_node_id": "node-1"})
	moved := nodes[200]
	nodes = append(nodes[:200], nodes[201:]...)
	nodes = append(nodes[:50], append([]any{moved}, nodes[50:]...)...)
	nodes = append(nodes[:100], nodes[101:]...)
	nodes = append(nodes, map[string]any{"id": "node-new-1", "type": "end"}, map[string]any{"id": "node-new-2", "type": "end"})
	*g["nodes"].(*[]any) = nodes
	*g["tools"].(*[]any) = append([]any{map[string]any{"tool_id": "tool-new", "type": "custom", "name": "lookup"}}, *g["tools"].(*[]any)...)
	return g
}

// anyToGen turns []any into *[]any so that clone and the edits can work on
// it in place.
func anyToGen(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = anyToGen(x)
		}
	case []any:
		for i, x := range v {
			v[i] = anyToGen(x)
		}
		return &v
	}
	return v
}

func benchFlow(b *testing.B, n int) {
	f := flow(n)
	from, _ := json.Marshal(f)
	to, _ := json.Marshal(editFlow(f))
	// The integrator diffs an agent version with its pinned engine.
	from = []byte(`{"agent":{"voice_id":"v1"},"engine":` + string(from) + `}`)
	to = []byte(`{"agent":{"voice_id":"v2"},"engine":` + string(to) + `}`)
	cs, err := Diff(from, to)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(cs)), "changes")
	b.SetBytes(int64(len(from) + len(to)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Diff(from, to); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDiffFlow300 diffs two versions of a 300-node flow (about 400 KB).
func BenchmarkDiffFlow300(b *testing.B) { benchFlow(b, 300) }

// BenchmarkDiffFlow1000 diffs two versions of a 1000-node flow (about 1.3 MB).
func BenchmarkDiffFlow1000(b *testing.B) { benchFlow(b, 1000) }

// BenchmarkDiffWorstLists diffs lists built to spend the whole LCS budget:
// long, unnamed, nothing in common at the ends and no unique items.
func BenchmarkDiffWorstLists(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	doc := func() []byte {
		lists := map[string]any{}
		for k := range 10 {
			l := make([]int, 2000)
			for i := range l {
				l[i] = r.IntN(10)
			}
			lists[fmt.Sprint(k)] = l
		}
		out, _ := json.Marshal(lists)
		return out
	}
	from, to := doc(), doc()
	b.SetBytes(int64(len(from) + len(to)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Diff(from, to); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBenchmarkEditsReplay keeps the benchmark's input honest: its changes
// replay and are the handful a reader expects.
func TestBenchmarkEditsReplay(t *testing.T) {
	f := flow(300)
	from, to := marshal(t, f), marshal(t, editFlow(f))
	cs := mustDiff(t, from, to)
	var lines []string
	for _, c := range cs {
		lines = append(lines, c.Op+" "+c.Path)
	}
	want := `replace /nodes/3/instruction/text
replace /nodes/10/edges/2/destination_node_id
add /nodes/20/edges/5
add /nodes/50
remove /nodes/100
replace /nodes/150/instruction/text
remove /nodes/200
replace /nodes/279/instruction/text
add /nodes/299
add /nodes/300
add /tools/0`
	if got := strings.Join(lines, "\n"); got != want {
		t.Errorf("changes:\n%s\nwant:\n%s", got, want)
	}
}
