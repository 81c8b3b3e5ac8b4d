package gitops

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// A file means what the server stores when an agent is created with it: a
// default of creation the file leaves out (contact_memory_config), and a
// value the server stores in another form (language "multi"), are no
// difference, in plans, in patches and in finding a tag's version.

// defaultContactMemory is what creating an agent stores when the create
// does not say.
const defaultContactMemory = `{"enable_read":true,"enable_update":false}`

// contactMemory reads an agent version's contact_memory_config as JSON
// ("" when it has none).
func contactMemory(t *testing.T, s *testServer, agent string, version int64) string {
	t.Helper()
	v := s.call(200, "GET", fmt.Sprintf("/get-agent/%s?version=%d", agent, version), nil)
	cm, ok := v["contact_memory_config"]
	if !ok || cm == nil {
		return ""
	}
	return string(encodeJSON(cm))
}

// noChanges fails unless a plan of dir has nothing to do.
func noChanges(t *testing.T, s *testServer, dir, what string) {
	t.Helper()
	if rep := plan(t, s, dir, Options{}); rep.Changes() || rep.Failed() || rep.Conflicts() {
		t.Fatalf("%s: plan must be empty:\n%s", what, reportText(rep))
	}
}

func TestFilesWithoutTheDefaultsOfCreationHoldWhatWasCreated(t *testing.T) {
	b := newTestServer(t)
	dir := writeFiles(t, map[string]string{
		"agents/a.yaml":        "agent:\n  agent_name: A\n  voice_id: retell-Cimo\n  voice_speed: 1.1\nretell_llm:\n  general_prompt: Hi.\ntags:\n  staging: {}\n",
		"agents/a@canary.yaml": "agent:\n  agent_name: A\n  voice_id: retell-Cimo\n  voice_speed: 1.5\nretell_llm:\n  general_prompt: Hi there.\ntags:\n  canary: {}\n",
		"chat-agents/c.yaml":   "agent:\n  agent_name: C\nretell_llm:\n  general_prompt: Chat.\n",
	})
	if rep := apply(t, b, dir, Options{}); rep.Failed() || rep.Conflicts() {
		t.Fatalf("apply to an empty server:\n%s", reportText(rep))
	}
	st, _ := LoadState(StatePath(dir, b.URL, b.key, ""), b.URL)
	a, c := st.idOf("agents/a.yaml"), st.idOf("chat-agents/c.yaml")
	canary, _ := integer(b.tag(a, "canary"), "version")
	latest := integerOf(b.call(200, "GET", "/get-agent/"+a, nil)["version"])
	if canary == latest {
		t.Fatalf("the canary's file and the main file hold different versions: both %d", canary)
	}
	// The server stored the default each file left out: the files must
	// still hold those versions.
	for _, v := range []int64{canary, latest} {
		if got := contactMemory(t, b, a, v); got != defaultContactMemory {
			t.Fatalf("version %d of a holds contact_memory_config %s, want the default of creation", v, got)
		}
	}
	if got := b.call(200, "GET", "/get-chat-agent/"+c, nil)["contact_memory_config"]; string(encodeJSON(got)) != defaultContactMemory {
		t.Fatalf("the chat agent holds contact_memory_config %v", got)
	}
	noChanges(t, b, dir, "right after apply")
	before := b.requestCount()
	if rep := apply(t, b, dir, Options{}); rep.Failed() || rep.Changes() {
		t.Fatalf("apply again:\n%s", reportText(rep))
	}
	if w := b.writesSince(before); len(w) > 0 {
		t.Fatalf("applying the same files again wrote %v", w)
	}

	// An edit of a file that leaves the default out changes what it edits,
	// and nothing else: the default is neither shown nor cleared.
	edit(t, dir, "agents/a.yaml", "voice_speed: 1.1", "voice_speed: 1.3")
	edit(t, dir, "agents/a@canary.yaml", "voice_speed: 1.5", "voice_speed: 1.6")
	rep := plan(t, b, dir, Options{})
	text := reportText(rep)
	mustContain(t, "the plan", text, "~ /agent/voice_speed: 1.1 → 1.3", "~ /agent/voice_speed: 1.5 → 1.6")
	if strings.Contains(text, "contact_memory_config") || rep.Failed() {
		t.Fatalf("the default of creation is no change:\n%s", text)
	}
	if rep := apply(t, b, dir, Options{}); rep.Failed() || rep.Conflicts() {
		t.Fatalf("apply of the edits:\n%s", reportText(rep))
	}
	noChanges(t, b, dir, "after the edits")
}

func TestATagsFileWithoutTheDefaultsFindsItsVersion(t *testing.T) {
	b := newTestServer(t)
	x := "agent:\n  agent_name: A\n  voice_id: retell-Cimo\n  voice_speed: 1.1\nretell_llm:\n  general_prompt: Hi.\n"
	dir := writeFiles(t, map[string]string{"agents/a.yaml": x + "tags:\n  staging: {}\n"})
	if rep := apply(t, b, dir, Options{Publish: true}); rep.Failed() {
		t.Fatalf("apply:\n%s", reportText(rep))
	}
	edit(t, dir, "agents/a.yaml", "voice_speed: 1.1", "voice_speed: 1.2")
	if rep := apply(t, b, dir, Options{Publish: true}); rep.Failed() {
		t.Fatalf("apply of an edit:\n%s", reportText(rep))
	}
	// prod is to serve what version 0 holds, written by hand without the
	// default of creation: version 0 holds it, so the tag goes there and no
	// version is made.
	if err := os.WriteFile(filepath.Join(dir, "agents/a@prod.yaml"), []byte(x+"tags:\n  prod: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := apply(t, b, dir, Options{})
	if o := objectReport(t, rep, "agents/a.yaml"); fmt.Sprint(stepDetails(o)) != "[create tag prod at version 0]" {
		t.Fatalf("a tag's file that version 0 holds:\n%s", reportText(rep))
	}
	noChanges(t, b, dir, "after the tag moved")

	// A tag's file that leaves the default out, on a draft branched from a
	// version that says otherwise, holds what a create of it would store:
	// the default.
	edit(t, dir, "agents/a.yaml", "voice_speed: 1.2", "voice_speed: 1.2\n  contact_memory_config:\n    enable_read: false")
	edit(t, dir, "agents/a@prod.yaml", "general_prompt: Hi.", "general_prompt: Hello.")
	if rep := apply(t, b, dir, Options{}); rep.Failed() || rep.Conflicts() {
		t.Fatalf("apply:\n%s", reportText(rep))
	}
	st, _ := LoadState(StatePath(dir, b.URL, b.key, ""), b.URL)
	id := st.idOf("agents/a.yaml")
	prod, _ := integer(b.tag(id, "prod"), "version")
	latest := integerOf(b.call(200, "GET", "/get-agent/"+id, nil)["version"])
	if got := contactMemory(t, b, id, latest); got != `{"enable_read":false,"enable_update":false}` {
		t.Fatalf("the main file's version holds contact_memory_config %s", got)
	}
	if got := contactMemory(t, b, id, prod); prod == 0 || got != defaultContactMemory {
		t.Fatalf("prod's new version %d holds contact_memory_config %s, want the default its file means", prod, got)
	}
	noChanges(t, b, dir, "after apply")
}

func TestLanguageMultiIsItsTenLocales(t *testing.T) {
	b := newTestServer(t)
	dir := writeFiles(t, map[string]string{"agents/a.yaml": "agent:\n  agent_name: A\n  language: multi\n  voice_id: retell-Cimo\nretell_llm:\n  general_prompt: Hi.\n"})
	if rep := apply(t, b, dir, Options{}); rep.Failed() {
		t.Fatalf("apply:\n%s", reportText(rep))
	}
	st, _ := LoadState(StatePath(dir, b.URL, b.key, ""), b.URL)
	id := st.idOf("agents/a.yaml")
	locales := `["en-US","es-ES","fr-FR","de-DE","hi-IN","ru-RU","pt-PT","ja-JP","it-IT","nl-NL"]`
	if got := string(encodeJSON(b.call(200, "GET", "/get-agent/"+id, nil)["language"])); got != locales {
		t.Fatalf("the server holds language %s", got)
	}
	noChanges(t, b, dir, "a file saying multi, after apply")

	// An edit of another field leaves the language alone.
	edit(t, dir, "agents/a.yaml", "Hi.", "Hello.")
	rep := plan(t, b, dir, Options{})
	if text := reportText(rep); strings.Contains(text, "language") || !strings.Contains(text, `~ /retell_llm/general_prompt: "Hi." → "Hello."`) {
		t.Fatalf("an edit beside language: multi:\n%s", text)
	}
	if rep := apply(t, b, dir, Options{}); rep.Failed() {
		t.Fatalf("apply:\n%s", reportText(rep))
	}
	noChanges(t, b, dir, "after the edit")

	// pull writes what the server holds: the ten locales, and the default
	// of creation.
	pull(t, b, dir)
	got := files(t, dir)["agents/a.yaml"]
	mustContain(t, "the pulled file", got,
		"  language:\n    - en-US\n    - es-ES\n    - fr-FR\n    - de-DE\n    - hi-IN\n    - ru-RU\n    - pt-PT\n    - ja-JP\n    - it-IT\n    - nl-NL\n",
		"  contact_memory_config:\n    enable_read: true\n    enable_update: false\n")
	noChanges(t, b, dir, "the pulled files")
	// The pulled files make the same agent on another server, which pulls
	// back byte for byte.
	c := newTestServer(t)
	if rep := apply(t, c, dir, Options{}); rep.Failed() {
		t.Fatalf("apply of the pulled files to another server:\n%s", reportText(rep))
	}
	dir2 := t.TempDir()
	copyState(t, dir, dir2)
	pull(t, c, dir2)
	if again := files(t, dir2)["agents/a.yaml"]; again != got {
		t.Fatalf("pull → apply → pull differs:\n%s\nthen:\n%s", got, again)
	}
}

// beforeDefaults are the field rules of an agentry from before the
// defaults of creation: it stores contact_memory_config only when sent,
// and language "multi" as sent.
type beforeDefaults struct{ schema.Rules }

func (r beforeDefaults) CheckFields(kind *agentry.Kind, fields agentry.Fields, patch bool) (agentry.Fields, []string, error) {
	_, sent := fields["contact_memory_config"]
	lang, hasLang := fields["language"]
	out, ignored, err := r.Rules.CheckFields(kind, fields, patch)
	if err != nil {
		return out, ignored, err
	}
	if !sent {
		delete(out, "contact_memory_config")
	}
	if hasLang {
		out["language"] = lang
	}
	return out, ignored, nil
}

func TestVersionsStoredWithoutTheDefaultsPullAndPlanAsTheyAre(t *testing.T) {
	a := newTestServer(t)
	// Versions made by an agentry from before the defaults of creation: the
	// tagged, published version 0, and the draft branched from it.
	a.svc.Rules = beforeDefaults{}
	id := str(a.call(201, "POST", "/create-agent", object{"agent_name": "Old", "voice_id": "retell-Cimo", "language": "multi",
		"response_engine": object{"type": "custom-llm", "llm_websocket_url": "wss://example.com/old"}}), "agent_id")
	a.call(200, "POST", "/publish-agent-version/"+id, object{"version": 0})
	a.call(201, "POST", "/create-agent-version/"+id, object{"base_version": 0})
	a.call(200, "PATCH", "/update-agent/"+id, object{"voice_speed": 1.2})
	a.svc.Rules = schema.Rules{}
	a.call(200, "PUT", "/agentry/v1/agents/"+id+"/tags/prod", object{"version": 0, "published_only": true})
	if got := contactMemory(t, a, id, 0) + contactMemory(t, a, id, 1); got != "" {
		t.Fatalf("the old versions hold contact_memory_config %s", got)
	}

	dir := t.TempDir()
	pull(t, a, dir)
	fs := files(t, dir)
	for _, f := range []string{"agents/old.yaml", "agents/old@prod.yaml"} {
		if strings.Contains(fs[f], "contact_memory_config") || !strings.Contains(fs[f], "language: multi") {
			t.Fatalf("pull writes the version as the server holds it:\n%s", fs[f])
		}
	}
	// The files hold those versions as written: no version is made, and
	// prod stays where it is.
	noChanges(t, a, dir, "right after pull")

	// An edit of the main file changes what it edits, and not the default
	// it leaves out, which the version does not have either.
	edit(t, dir, "agents/old.yaml", "voice_speed: 1.2", "voice_speed: 1.3")
	rep := apply(t, a, dir, Options{})
	if o := objectReport(t, rep, "agents/old.yaml"); rep.Failed() || fmt.Sprint(stepDetails(o)) != "[edit draft 1]" || strings.Contains(reportText(rep), "contact_memory_config") {
		t.Fatalf("an edit of an old draft:\n%s", reportText(rep))
	}
	if got := contactMemory(t, a, id, 1); got != "" {
		t.Fatalf("the edit set contact_memory_config %s, which the file does not ask for", got)
	}
	noChanges(t, a, dir, "after the edit")
}
