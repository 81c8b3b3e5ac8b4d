package console_test

import (
	"strings"
)

// diff: two numbered versions, a tag against a tag with a change to the
// pinned engine, side by side, named items labelled by name, changed words
// marked; a reference that names nothing, in the API's words.
func (w *workflow) diff() {
	t, b, s := w.t, w.b, w.s
	t.Log("diff: v0 against v1, side by side")
	w.open("#/agents/" + w.frontDesk + "/diff?from=0&to=1")
	b.waitText(".diff-out .summary", "v0 → v1: 4 changes")
	rows := w.texts("table.diff tbody tr:not(.group) th")
	want := []string{"changed agent_name", "changed response_engine › version", "changed voice_speed", "removed webhook_url"}
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Errorf("the diff of v0 and v1 lists %q, want %q", rows, want)
	}
	if got := w.texts("table.diff tr.op-replace td.to ins"); len(got) != 1 || got[0] != "(faster)" {
		t.Errorf("the changed texts' new words are marked as %q, want (faster) in the name", got)
	}
	if got := w.texts("table.diff tr.op-remove td.from"); len(got) != 1 || got[0] != `"https://example.com/hook"` {
		t.Errorf("the removed webhook shows %q", got)
	}
	b.waitText(".sides .side:first-child", "Launch")
	b.waitText(".sides .side:last-child", "Faster voice")
	b.checkConsole("diff of versions")

	t.Log("diff: a tag against a tag, with a change to the pinned engine; named items by name")
	llm := s.must(200, "GET", "/get-agent/"+w.frontDesk+"?version=2", nil)["response_engine"].(map[string]any)
	s.must(200, "PATCH", "/update-agent/"+w.frontDesk+"?version=2", map[string]any{"post_call_analysis_data": []any{
		map[string]any{"type": "string", "name": "topic", "description": "What the call was about"},
		map[string]any{"type": "boolean", "name": "booked", "description": "Whether an appointment was booked"}}})
	s.must(200, "PATCH", "/update-retell-llm/"+llm["llm_id"].(string)+"?version=2", map[string]any{"states": []any{
		map[string]any{"name": "triage", "state_prompt": "Ask whether the call is urgent."},
		map[string]any{"name": "greeting", "state_prompt": "Greet the caller.",
			"edges": []any{map[string]any{"destination_state_name": "booking", "description": "The caller wants an appointment."}}},
		map[string]any{"name": "booking", "state_prompt": "Find a free slot this week and confirm it."},
	}})
	s.must(200, "PUT", w.agentPath("/tags/staging"), map[string]any{"version": 2, "reason": "try the triage"})
	w.open("#/agents/" + w.frontDesk + "/diff?from=prod&to=staging")
	b.waitText(".diff-out .summary", "v1 → v2")
	rows = w.texts("table.diff tbody tr th")
	want = []string{"Agent configuration", "added post_call_analysis_data › “booked”", "changed response_engine › version",
		"Engine (Retell LLM)", "added states › “triage”", "changed states › “booking” › state_prompt"}
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Errorf("the diff of prod and staging lists %q, want %q", rows, want)
	}
	if got := w.texts("table.diff tr.op-replace td.to ins"); !strings.Contains(strings.Join(got, " "), "this week and confirm it.") {
		t.Errorf("the changed prompt marks %q as new", got)
	}
	if got := w.texts("table.diff tr.op-replace td.from del"); !strings.Contains(strings.Join(got, " "), "slot.") {
		t.Errorf("the changed prompt marks %q as old", got)
	}
	b.waitText(".sides .side:first-child", "Retell LLM "+llm["llm_id"].(string)+" v1")
	b.waitText(".sides .side:last-child", "Retell LLM "+llm["llm_id"].(string)+" v2")
	if n := eval[int](b, `document.querySelectorAll('table.diff tbody tr:not(.group)').length -
		document.querySelectorAll('table.diff tbody tr:not(.group) td.from + td.to').length`); n != 0 {
		t.Errorf("%d changes are not shown side by side (old value, then new)", n)
	}
	b.checkConsole("diff of tags")
	w.tabWalk("diff")
	b.shoot(w.shots, "diff", "table.diff")

	t.Log("diff: Swap, and a reference that names nothing")
	w.clickText(".toolbar button", "Swap")
	b.waitText(".diff-out .summary", "v2 → v1")
	if got := eval[string](b, `location.hash`); got != "#/agents/"+w.frontDesk+"/diff?from=staging&to=prod" {
		t.Errorf("after Swap the address is %s", got)
	}
	w.set(".toolbar input", "nightly")
	b.expect("/diff", 404)
	w.clickText(".toolbar button", "Compare")
	b.waitFor("the error", `document.querySelector('.diff-out .error') !== null`)
	_, answer, _ := s.call("GET", w.agentPath("/diff?from=nightly&to=prod"), nil)
	b.waitText(".diff-out .error", answer["message"].(string))
	b.checkConsole("diff error")
}
