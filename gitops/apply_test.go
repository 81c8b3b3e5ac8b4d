package gitops

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// edit replaces old by new in a file of dir; the file must contain old.
func edit(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q:\n%s", rel, old, b)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func objectReport(t *testing.T, rep *Report, file string) *ObjectReport {
	t.Helper()
	for _, o := range rep.Objects {
		if o.File == file {
			return o
		}
	}
	t.Fatalf("no %s in the report:\n%s", file, reportText(rep))
	return nil
}

func voiceSpeed(t *testing.T, s *testServer, agent string) string {
	t.Helper()
	return fmt.Sprint(s.call(200, "GET", "/get-agent/"+agent, nil)["voice_speed"])
}

func TestApplyEditsTheDraftAndPublishesWithATitle(t *testing.T) {
	a := newTestServer(t)
	w := populate(t, a)
	dir := t.TempDir()
	pull(t, a, dir)
	edit(t, dir, "agents/support.yaml", "voice_speed: 1.2", "voice_speed: 1.4")
	edit(t, dir, "agents/support.yaml", "general_prompt: You help a lot.", "general_prompt: You help even more.")
	rep := plan(t, a, dir, Options{})
	o := objectReport(t, rep, "agents/support.yaml")
	if o.Status != StatusPlanned || len(o.Steps) != 1 || o.Steps[0].Action != ActUpdate || o.Steps[0].Detail != "edit draft 1" {
		t.Fatalf("the latest version is a draft: the plan edits it:\n%s", reportText(rep))
	}
	mustContain(t, "the plan", reportText(rep), "~ /agent/voice_speed: 1.2 → 1.4", `~ /retell_llm/general_prompt: "You help a lot." → "You help even more."`)
	rep = apply(t, a, dir, Options{Publish: true, Title: "Faster", Description: "Speeds up."})
	// --publish publishes every draft that holds its file: the edited one
	// and the four that pull found as drafts.
	if rep.Failed() || rep.Summary.Steps[ActUpdate] != 1 || rep.Summary.Steps[ActPublish] != 5 {
		t.Fatalf("apply --publish:\n%s", reportText(rep))
	}
	v := a.call(200, "GET", "/get-agent/"+w.support+"?version=1", nil)
	if v["is_published"] != true || v["version_title"] != "Faster" || v["version_description"] != "Speeds up." || fmt.Sprint(v["voice_speed"]) != "1.4" {
		t.Fatalf("version 1 after apply --publish: %v", v)
	}
	engine := pinnedEngine(v)
	llm := a.call(200, "GET", fmt.Sprintf("/get-retell-llm/%s?version=%d", engine.id, *engine.version), nil)
	if llm["is_published"] != true || llm["general_prompt"] != "You help even more." {
		t.Fatalf("the engine version the draft pins holds the edit and is published with it: %v", llm)
	}
	// The latest version is published now: the next edit lands in a new
	// draft, branched from it.
	edit(t, dir, "agents/support.yaml", "voice_speed: 1.4", "voice_speed: 1.5")
	rep = apply(t, a, dir, Options{})
	o = objectReport(t, rep, "agents/support.yaml")
	// The staging tag, in the main file, follows the latest version.
	if len(o.Steps) != 3 || o.Steps[0].Detail != "new draft 2 from version 1" || o.Steps[1].Detail != "edit draft 2" ||
		o.Steps[2].Detail != "move tag staging from version 1 to version 2" {
		t.Fatalf("an edit of a published latest version makes a new draft:\n%s", reportText(rep))
	}
	if got := voiceSpeed(t, a, w.support); got != "1.5" {
		t.Fatalf("voice_speed %s", got)
	}
	if rep := plan(t, a, dir, Options{Publish: true}); rep.Summary.Steps[ActPublish] != 1 || rep.Summary.Steps[ActUpdate] != 0 {
		t.Fatalf("plan --publish publishes the draft that holds the file, and nothing else:\n%s", reportText(rep))
	}
}

func TestApplyRefusesWhatChangedOnTheServer(t *testing.T) {
	a := newTestServer(t)
	w := populate(t, a)
	dir := t.TempDir()
	pull(t, a, dir)
	edit(t, dir, "agents/support.yaml", "voice_speed: 1.2", "voice_speed: 1.4")
	edit(t, dir, "agents/custom.yaml", "wss://example.com/llm", "wss://example.com/llm2")
	a.call(200, "PATCH", "/update-agent/"+w.support, object{"voice_speed": 0.9}) // someone edits the draft by hand

	rep := plan(t, a, dir, Options{})
	o := objectReport(t, rep, "agents/support.yaml")
	if !rep.Conflicts() || o.Status != StatusConflict || !strings.Contains(o.Error, "changed on the server since the state was recorded") {
		t.Fatalf("plan must report the change on the server:\n%s", reportText(rep))
	}
	before := a.requestCount()
	rep = apply(t, a, dir, Options{})
	if !rep.Conflicts() || rep.Summary.Objects[StatusNotApplied] == 0 {
		t.Fatalf("apply must refuse:\n%s", reportText(rep))
	}
	if writes := a.writesSince(before); len(writes) > 0 {
		t.Fatalf("a refused apply wrote %v", writes)
	}
	if got := voiceSpeed(t, a, w.support); got != "0.9" {
		t.Fatalf("the change on the server was overwritten: voice_speed %s", got)
	}
	if got := a.call(200, "GET", "/get-agent/"+w.custom, nil)["response_engine"].(object)["llm_websocket_url"]; got != "wss://example.com/llm" {
		t.Fatalf("a refused apply changed another agent: %v", got)
	}

	// A file edited the same way as the server is no conflict: nothing to write.
	edit(t, dir, "agents/support.yaml", "voice_speed: 1.4", "voice_speed: 0.9")
	if o := objectReport(t, plan(t, a, dir, Options{}), "agents/support.yaml"); o.Status != StatusUnchanged {
		t.Fatalf("the server already holds the file: %+v", o)
	}
	edit(t, dir, "agents/support.yaml", "voice_speed: 0.9", "voice_speed: 1.4")

	rep = apply(t, a, dir, Options{Force: true})
	if rep.Failed() || rep.Conflicts() {
		t.Fatalf("apply --force:\n%s", reportText(rep))
	}
	if got := voiceSpeed(t, a, w.support); got != "1.4" {
		t.Fatalf("apply --force: voice_speed %s", got)
	}

	// A tag moved by hand is a conflict too, when apply would move it.
	a.call(200, "PUT", "/agentry/v1/agents/"+w.support+"/tags/prod", object{"version": 1, "published_only": false})
	edit(t, dir, "agents/support@prod.yaml", "voice_speed: 1.1", "voice_speed: 1.0")
	before = a.requestCount()
	rep = apply(t, a, dir, Options{})
	o = objectReport(t, rep, "agents/support.yaml")
	if o.Status != StatusConflict || !strings.Contains(o.Error, "tag prod of voice agent") {
		t.Fatalf("a tag moved on the server:\n%s", reportText(rep))
	}
	if writes := a.writesSince(before); len(writes) > 0 {
		t.Fatalf("a refused apply wrote %v", writes)
	}
}

func TestApplyMovesTagsWhereTheFilesSay(t *testing.T) {
	a := newTestServer(t)
	w := populate(t, a)
	dir := t.TempDir()
	pull(t, a, dir)

	// Promote: prod serves what the latest version holds. The latest
	// version already holds it, so the tag moves and no version is made.
	if err := os.Remove(filepath.Join(dir, "agents/support@prod.yaml")); err != nil {
		t.Fatal(err)
	}
	edit(t, dir, "agents/support.yaml", "tags:\n  staging: {}", "tags:\n  prod:\n    dynamic_variables:\n      region: eu\n  staging: {}")
	edit(t, dir, "agents/support.yaml", "unassigned_tags:\n  beta: {}\n", "")
	rep := apply(t, a, dir, Options{})
	o := objectReport(t, rep, "agents/support.yaml")
	var details []string
	for _, s := range o.Steps {
		details = append(details, s.Detail)
	}
	if fmt.Sprint(details) != "[move tag prod from version 0 to version 1 delete tag beta]" {
		t.Fatalf("promotion steps %q:\n%s", details, reportText(rep))
	}
	prod := a.tag(w.support, "prod")
	beta := a.tag(w.support, "beta")
	if v, _ := integer(prod, "version"); v != 1 || beta != nil {
		t.Fatalf("tags after apply: prod %v, beta %v", prod, beta)
	}

	// A tag on a configuration no version holds gets a new version of its
	// own, and the latest version still holds the main file.
	if err := os.WriteFile(filepath.Join(dir, "agents/support@canary.yaml"), []byte(
		"agent:\n  agent_name: Support\n  voice_id: retell-Cimo\n  voice_speed: 2\nretell_llm:\n  general_prompt: Canary.\n  model: gpt-4.1\ntags:\n  canary: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep = apply(t, a, dir, Options{Publish: true})
	if rep.Failed() || rep.Conflicts() {
		t.Fatalf("apply of a new tag's file:\n%s", reportText(rep))
	}
	canary, _ := integer(a.tag(w.support, "canary"), "version")
	cv := a.call(200, "GET", fmt.Sprintf("/get-agent/%s?version=%d", w.support, canary), nil)
	latest := a.call(200, "GET", "/get-agent/"+w.support, nil)
	if fmt.Sprint(cv["voice_speed"]) != "2" || cv["is_published"] != true || fmt.Sprint(latest["voice_speed"]) != "1.2" || integerOf(latest["version"]) <= canary {
		t.Fatalf("canary on %d (%v), latest %v (%v)", canary, cv["voice_speed"], latest["version"], latest["voice_speed"])
	}
	if rep := plan(t, a, dir, Options{Publish: true}); rep.Changes() {
		t.Fatalf("plan after apply:\n%s", reportText(rep))
	}
	dir2 := t.TempDir()
	copyState(t, dir, dir2)
	pull(t, a, dir2)
	if got, want := files(t, dir2)["agents/support@canary.yaml"], "voice_speed: 2"; !strings.Contains(got, want) {
		t.Fatalf("pull gives the canary's file:\n%s", got)
	}
}

func TestInterruptedApplyResumes(t *testing.T) {
	a := newTestServer(t)
	populate(t, a)
	dir := t.TempDir()
	pull(t, a, dir)
	want := files(t, dir)

	// Count the writes of a whole apply, then interrupt one apply at each.
	probe := newTestServer(t)
	pdir := t.TempDir()
	copyDir(t, dir, pdir)
	start := probe.requestCount()
	apply(t, probe, pdir, Options{Publish: true})
	total := len(probe.writesSince(start))
	if total < 15 {
		t.Fatalf("a whole apply made %d writes", total)
	}
	for n := 1; n <= total; n++ {
		for _, lost := range []bool{false, true} {
			b := newTestServer(t)
			bdir := t.TempDir()
			copyDir(t, dir, bdir)
			if lost {
				b.loseWrite = b.writes + n
			} else {
				b.failWrite = b.writes + n
			}
			rep := apply(t, b, bdir, Options{Publish: true})
			if !rep.Failed() {
				t.Fatalf("write %d failed, yet apply did not:\n%s", n, reportText(rep))
			}
			text := reportText(rep)
			if !lost {
				mustContain(t, "a failed apply's report", text, ": failed", "run apply again to finish")
			}
			b.failWrite, b.loseWrite = 0, 0
			// Run again: it finishes the job, without --force even where
			// the server did the write and its answer was lost (the state
			// recorded what that write would leave).
			rep = apply(t, b, bdir, Options{Publish: true})
			if rep.Failed() || rep.Conflicts() {
				t.Fatalf("write %d (lost answer: %v): the second apply:\n%s", n, lost, reportText(rep))
			}
			if rep := plan(t, b, bdir, Options{Publish: true}); rep.Changes() {
				t.Fatalf("write %d (lost answer: %v): plan after the second apply:\n%s", n, lost, reportText(rep))
			}
			agents := b.call(200, "POST", "/v2/list-agents", nil)["items"].([]any)
			if len(agents) != 5 {
				t.Fatalf("write %d (lost answer: %v): %d agents, want 5: an object was made twice", n, lost, len(agents))
			}
			cdir := t.TempDir()
			copyState(t, bdir, cdir)
			pull(t, b, cdir)
			for name, text := range files(t, cdir) {
				if want[name] != text {
					t.Fatalf("write %d (lost answer: %v): %s pulled back differs:\n%s\nwant\n%s", n, lost, name, text, want[name])
				}
			}
		}
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	for name, text := range files(t, from) {
		p := filepath.Join(to, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPlanSaysWhatTheAPICannotDo(t *testing.T) {
	a := newTestServer(t)
	populate(t, a)
	dir := t.TempDir()
	pull(t, a, dir)
	edit(t, dir, "agents/support.yaml", "  voice_speed: 1.2\n", "")
	rep := plan(t, a, dir, Options{})
	o := objectReport(t, rep, "agents/support.yaml")
	if o.Status != StatusError || !strings.Contains(o.Error, "voice_speed is set on the server (1.2) and the API cannot clear it") {
		t.Fatalf("removing a field the API cannot clear:\n%s", reportText(rep))
	}
	if rep := apply(t, a, dir, Options{}); rep.Summary.Objects[StatusApplied] != 0 || !rep.Failed() {
		t.Fatalf("apply must refuse a plan with errors, applying nothing:\n%s", reportText(rep))
	}
}

func TestApplyChangesTheKindOfEngine(t *testing.T) {
	a := newTestServer(t)
	w := populate(t, a)
	dir := t.TempDir()
	pull(t, a, dir)
	edit(t, dir, "agents/custom.yaml", "  response_engine:\n    type: custom-llm\n    llm_websocket_url: wss://example.com/llm\n", "")
	f, err := os.OpenFile(filepath.Join(dir, "agents/custom.yaml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("conversation_flow:\n  model_choice:\n    model: gpt-4.1\n    type: cascading\n  nodes:\n    - id: only\n      type: end\n  start_speaker: user\n")
	f.Close()
	rep := apply(t, a, dir, Options{})
	o := objectReport(t, rep, "agents/custom.yaml")
	if o.Status != StatusApplied || !strings.Contains(o.Steps[0].Detail, "with a new conversation flow") {
		t.Fatalf("custom LLM to flow:\n%s", reportText(rep))
	}
	got := pinnedEngine(a.call(200, "GET", "/get-agent/"+w.custom, nil))
	if got.kind == nil || got.kind.Name != "conversation-flow" {
		t.Fatalf("the agent pins %+v", got)
	}
	if rep := plan(t, a, dir, Options{}); rep.Changes() {
		t.Fatalf("plan after:\n%s", reportText(rep))
	}
}

func TestPrune(t *testing.T) {
	a := newTestServer(t)
	w := populate(t, a)
	dir := t.TempDir()
	pull(t, a, dir)
	if err := os.Remove(filepath.Join(dir, "agents/custom.yaml")); err != nil {
		t.Fatal(err)
	}
	rep := plan(t, a, dir, Options{})
	if rep.Changes() || !strings.Contains(strings.Join(rep.Warnings, "\n"), "agents/custom.yaml: its file is gone") {
		t.Fatalf("without --prune nothing is deleted, and the plan says so:\n%s", reportText(rep))
	}
	rep = apply(t, a, dir, Options{Prune: true})
	o := objectReport(t, rep, "agents/custom.yaml")
	if o.Status != StatusApplied || o.Steps[0].Action != ActDelete || o.ID != w.custom {
		t.Fatalf("apply --prune:\n%s", reportText(rep))
	}
	a.call(http.StatusUnprocessableEntity, "GET", "/get-agent/"+w.custom, nil)
	if rep := plan(t, a, dir, Options{Prune: true}); rep.Changes() || len(rep.Warnings) > 0 {
		t.Fatalf("plan after the prune:\n%s", reportText(rep))
	}
}

func TestFilesWithoutStateFindTheirObjectsByName(t *testing.T) {
	a := newTestServer(t)
	w := populate(t, a)
	dir := t.TempDir()
	pull(t, a, dir)
	if err := os.RemoveAll(filepath.Join(dir, ".agentry")); err != nil {
		t.Fatal(err)
	}
	rep := plan(t, a, dir, Options{})
	// Two agents are named Twin: without the state, nothing says which
	// file is which, and the plan says so rather than guessing.
	if o := objectReport(t, rep, "agents/twin.yaml"); o.Status != StatusError || !strings.Contains(o.Error, `2 agents are named "Twin"`) {
		t.Fatalf("twins without state:\n%s", reportText(rep))
	}
	if o := objectReport(t, rep, "phone-numbers/14155550100.yaml"); o.Status != StatusError || !strings.Contains(o.Error, "agents/twin-2.yaml") {
		t.Fatalf("a number bound to an agent the plan cannot tell: %+v", o)
	}
	for _, f := range []string{"agents/support.yaml", "agents/custom.yaml", "chat-agents/chat-bot.yaml", "components/collect-info.yaml", "knowledge-bases/faq.yaml"} {
		if o := objectReport(t, rep, f); o.Status != StatusUnchanged {
			t.Errorf("%s without state: %s %s", f, o.Status, o.Error)
		}
	}
	if o := objectReport(t, rep, "agents/support.yaml"); o.ID != w.support {
		t.Fatalf("support.yaml found %s, want %s", o.ID, w.support)
	}
}

func TestVersionsOfTheSameConfigurationStayApart(t *testing.T) {
	a, b := newTestServer(t), newTestServer(t)
	llm := str(a.call(201, "POST", "/create-retell-llm", object{"general_prompt": "Same."}), "llm_id")
	id := str(a.call(201, "POST", "/create-agent", object{"agent_name": "Same", "voice_id": "retell-Cimo",
		"response_engine": object{"type": "retell-llm", "llm_id": llm}}), "agent_id")
	a.call(200, "POST", "/publish-agent-version/"+id, object{"version": 0})
	a.call(200, "PUT", "/agentry/v1/agents/"+id+"/tags/prod", object{"version": 0})
	a.call(201, "POST", "/create-agent-version/"+id, object{"base_version": 0}) // a copy, unedited
	a.call(200, "PUT", "/agentry/v1/agents/"+id+"/tags/qa", object{"version": 1})
	a.call(201, "POST", "/create-agent-version/"+id, object{"base_version": 1})
	dir := t.TempDir()
	pull(t, a, dir)
	want := files(t, dir)
	if fmt.Sprint(names(want)) != "[agents/same.yaml agents/same@prod.yaml agents/same@qa.yaml]" {
		t.Fatalf("pulled %v", names(want))
	}
	if rep := apply(t, b, dir, Options{}); rep.Failed() || rep.Conflicts() {
		t.Fatalf("apply:\n%s", reportText(rep))
	}
	if rep := plan(t, b, dir, Options{}); rep.Changes() {
		t.Fatalf("plan after apply:\n%s", reportText(rep))
	}
	dir2 := t.TempDir()
	pull(t, b, dir2) // no state: names come from the content alone
	for name, text := range files(t, dir2) {
		if want[name] != text {
			t.Errorf("%s differs:\n%s\nwant\n%s", name, text, want[name])
		}
	}
	if len(files(t, dir2)) != len(want) {
		t.Errorf("pull from B gives %v", names(files(t, dir2)))
	}
}

func TestResumeReusesTheEngineMadeBeforeAndTheFileEditedSince(t *testing.T) {
	b := newTestServer(t)
	dir := writeFiles(t, map[string]string{"agents/a.yaml": "agent:\n  agent_name: A\n  voice_id: retell-Cimo\nretell_llm:\n  general_prompt: First.\n"})
	b.failWrite = b.writes + 2 // the LLM is made, the agent is not
	if rep := apply(t, b, dir, Options{}); !rep.Failed() {
		t.Fatalf("apply:\n%s", reportText(rep))
	}
	edit(t, dir, "agents/a.yaml", "First.", "Second.")
	if rep := apply(t, b, dir, Options{}); rep.Failed() || rep.Conflicts() {
		t.Fatalf("the second apply:\n%s", reportText(rep))
	}
	if rep := plan(t, b, dir, Options{}); rep.Changes() {
		t.Fatalf("plan:\n%s", reportText(rep))
	}
	llms := b.call(200, "GET", "/v2/list-retell-llms", nil)["items"].([]any)
	if len(llms) != 1 || llms[0].(object)["general_prompt"] != "Second." {
		t.Fatalf("LLMs after the resumed apply: %v", llms)
	}
}
