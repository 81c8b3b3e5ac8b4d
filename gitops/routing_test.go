package gitops

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Tags and phone numbers through the real endpoints: the order of one apply
// that removes a tag and rebinds the number that used it, If-Match on tag
// moves, numbers across workspaces, imported numbers with SIP settings.

func TestOneApplyRemovesATagAndRebindsItsNumber(t *testing.T) {
	a := newTestServer(t)
	w := populate(t, a)
	dir := t.TempDir()
	pull(t, a, dir)
	// The number moves from prod to staging, and prod goes: the server
	// refuses to delete a tag a number binds, so the rebind comes first.
	if err := os.Remove(filepath.Join(dir, "agents/support@prod.yaml")); err != nil {
		t.Fatal(err)
	}
	edit(t, dir, "phone-numbers/14155550100.yaml", "agent_version: prod", "agent_version: staging")
	rep := plan(t, a, dir, Options{})
	mustContain(t, "the plan", reportText(rep), "- delete tag prod", "> rebind phone number +14155550100 (inbound_agents)")
	before := a.requestCount()
	rep = apply(t, a, dir, Options{})
	if rep.Failed() || rep.Conflicts() {
		t.Fatalf("apply:\n%s", reportText(rep))
	}
	writes := a.writesSince(before)
	rebind, del := -1, -1
	for i, w := range writes {
		switch {
		case strings.HasPrefix(w, "PATCH /update-phone-number/"):
			rebind = i
		case strings.HasPrefix(w, "DELETE /agentry/v1/agents/") && strings.HasSuffix(w, "/tags/prod"):
			del = i
		}
	}
	if rebind < 0 || del < rebind {
		t.Fatalf("the number is rebound before the tag is deleted: %v", writes)
	}
	if a.tag(w.support, "prod") != nil {
		t.Fatalf("prod is still there")
	}
	number := a.call(200, "GET", "/get-phone-number/%2B14155550100", nil)
	if got := number["inbound_agents"].([]any)[0].(object)["agent_version"]; got != "staging" {
		t.Fatalf("the number binds %v", got)
	}
	if rep := plan(t, a, dir, Options{}); rep.Changes() {
		t.Fatalf("plan after:\n%s", reportText(rep))
	}
}

func TestTagMovesSendIfMatch(t *testing.T) {
	a := newTestServer(t)
	w := populate(t, a)
	dir := t.TempDir()
	pull(t, a, dir)
	// The files move staging to the latest version's new draft; someone
	// moves it by hand while apply runs, between its read of the tag and
	// its write.
	edit(t, dir, "agents/support.yaml", "voice_speed: 1.2", "voice_speed: 1.3")
	edit(t, dir, "agents/support.yaml", "tags:\n  staging: {}", "tags:\n  staging:\n    dynamic_variables:\n      x: \"1\"")
	raced := false
	a.before = func(r *http.Request) {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/tags/staging") && !raced {
			raced = true
			a.call(200, "PUT", "/agentry/v1/agents/"+w.support+"/tags/staging", object{"version": 0, "reason": "by hand"})
		}
	}
	rep := apply(t, a, dir, Options{})
	o := objectReport(t, rep, "agents/support.yaml")
	if !raced || o.Status != StatusConflict || !strings.Contains(o.Error, "412") {
		t.Fatalf("a tag moved between apply's read and its write (raced %v):\n%s", raced, reportText(rep))
	}
	if v, _ := integer(a.tag(w.support, "staging"), "version"); v != 0 {
		t.Fatalf("the move made by hand was overwritten: staging on %d", v)
	}
	// The next plan says what changed; --force moves it back.
	rep = plan(t, a, dir, Options{})
	if o := objectReport(t, rep, "agents/support.yaml"); o.Status != StatusConflict || !strings.Contains(o.Error, "tag staging of voice agent") {
		t.Fatalf("plan after the race:\n%s", reportText(rep))
	}
	if rep := apply(t, a, dir, Options{Force: true}); rep.Failed() || rep.Conflicts() {
		t.Fatalf("apply --force:\n%s", reportText(rep))
	}
	staging := a.tag(w.support, "staging")
	if v, _ := integer(staging, "version"); v != 1 || staging["dynamic_variables"].(object)["x"] != "1" {
		t.Fatalf("staging after apply --force: %v", staging)
	}

	// A tag moved after apply read the agent's tags and before it reads the
	// tag to move it: refused as well, naming the tag.
	edit(t, dir, "agents/support.yaml", "      x: \"1\"", "      x: \"2\"")
	raced = false
	a.before = func(r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/tags/staging") && !raced {
			raced = true
			a.call(200, "PUT", "/agentry/v1/agents/"+w.support+"/tags/staging", object{"version": 0, "reason": "by hand"})
		}
	}
	rep = apply(t, a, dir, Options{})
	a.before = nil
	if o := objectReport(t, rep, "agents/support.yaml"); !raced || o.Status != StatusConflict || !strings.Contains(o.Error, "tag staging of voice agent "+w.support+" changed on the server while apply ran") {
		t.Fatalf("a tag moved while apply ran:\n%s", reportText(rep))
	}
	if v, _ := integer(a.tag(w.support, "staging"), "version"); v != 0 {
		t.Fatalf("the move made by hand was overwritten: staging on %d", v)
	}
}

func TestPublishedOnlyTagsTakePublishedVersions(t *testing.T) {
	b := newTestServer(t)
	dir := writeFiles(t, map[string]string{"agents/a.yaml": "agent:\n  agent_name: A\n  voice_id: retell-Cimo\nretell_llm:\n  general_prompt: Hi.\ntags:\n  prod:\n    published_only: true\n  qa: {}\n"})
	rep := plan(t, b, dir, Options{})
	mustContain(t, "the plan", reportText(rep), "^ publish version 0", "> create tag prod at version 0")
	if rep := apply(t, b, dir, Options{}); rep.Failed() {
		t.Fatalf("apply:\n%s", reportText(rep))
	}
	st, _ := LoadState(StatePath(dir, b.URL, b.key, ""), b.URL)
	id := st.idOf("agents/a.yaml")
	if v := b.call(200, "GET", "/get-agent/"+id+"?version=0", nil); v["is_published"] != true {
		t.Fatalf("the version a published-only tag points at is published: %v", v)
	}
	if tag := b.tag(id, "prod"); tag["published_only"] != true {
		t.Fatalf("prod: %v", tag)
	}
	// An edit of the main file, which holds prod, makes a new draft: it is
	// published for prod to move there, without --publish.
	edit(t, dir, "agents/a.yaml", "Hi.", "Hello.")
	rep = apply(t, b, dir, Options{})
	if o := objectReport(t, rep, "agents/a.yaml"); fmt.Sprint(stepDetails(o)) != "[new draft 1 from version 0 edit draft 1 publish version 1 move tag prod from version 0 to version 1 move tag qa from version 0 to version 1]" {
		t.Fatalf("an edit under a published-only tag:\n%s", reportText(rep))
	}
}

func TestPhoneNumbersAcrossWorkspaces(t *testing.T) {
	a := newTestServer(t)
	populate(t, a)
	dir := t.TempDir()
	pull(t, a, dir)
	// Another workspace of the same server: the number belongs to the
	// first one, so it cannot be had here.
	other := a.workspace("other")
	rep := apply(t, other, dir, Options{})
	o := objectReport(t, rep, "phone-numbers/14155550100.yaml")
	if o.Status != StatusFailed || !strings.Contains(o.Error, "phone_number: +14155550100 is already in use") {
		t.Fatalf("a number in use elsewhere:\n%s", reportText(rep))
	}
	// --any-number buys another in its area code, and the state says that
	// it stands for the file's number here.
	rep = apply(t, other, dir, Options{AnyNumber: true})
	o = objectReport(t, rep, "phone-numbers/14155550100.yaml")
	if rep.Failed() || o.Status != StatusApplied || !strings.HasPrefix(o.ID, "+1415") || o.ID == "+14155550100" {
		t.Fatalf("apply --any-number:\n%s", reportText(rep))
	}
	mustContain(t, "the report", reportText(rep), "the server gave "+o.ID+", which stands for the file's number on this server")
	st, _ := LoadState(StatePath(dir, other.URL, other.key, ""), other.URL)
	if e := st.Objects["phone-numbers/14155550100.yaml"]; e.ID != o.ID || e.Number != "+14155550100" {
		t.Fatalf("the state of the other workspace: %+v", e)
	}
	number := other.call(200, "GET", "/get-phone-number/"+strings.Replace(o.ID, "+", "%2B", 1), nil)
	if number["nickname"] != "Front desk" || len(number["inbound_agents"].([]any)) != 2 {
		t.Fatalf("the bought number's settings: %v", number)
	}
	if rep := plan(t, other, dir, Options{}); rep.Changes() || rep.Conflicts() {
		t.Fatalf("plan after:\n%s", reportText(rep))
	}
	// Pull from the other workspace writes the file's number back.
	want := files(t, dir)
	dir2 := t.TempDir()
	copyState(t, dir, dir2)
	pull(t, other, dir2)
	for name, text := range files(t, dir2) {
		if want[name] != text {
			t.Errorf("%s from the other workspace:\n%s\nwant\n%s", name, text, want[name])
		}
	}
	// A number the workspace has already stands for the file once its
	// state says so, before the first apply: nothing is bought.
	third := a.workspace("third")
	third.call(201, "POST", "/create-phone-number", object{"phone_number": "+14155550177"})
	tst, _ := LoadState(StatePath(dir, third.URL, third.key, ""), third.URL)
	tst.entry("phone-numbers/14155550100.yaml").ID = "+14155550177"
	tst.entry("phone-numbers/14155550100.yaml").Number = "+14155550100"
	if err := tst.Save(); err != nil {
		t.Fatal(err)
	}
	if rep := apply(t, third, dir, Options{}); rep.Failed() || rep.Summary.Steps[ActRebind] != 2 {
		t.Fatalf("apply with a number mapped by hand:\n%s", reportText(rep))
	}
	numbers := third.call(200, "GET", "/v2/list-phone-numbers", nil)["items"].([]any)
	if len(numbers) != 1 || numbers[0].(object)["nickname"] != "Front desk" {
		t.Fatalf("the third workspace's numbers: %v", numbers)
	}

	// Edits reach the number the state names.
	edit(t, dir, "phone-numbers/14155550100.yaml", "nickname: Front desk", "nickname: Desk")
	rep = apply(t, other, dir, Options{})
	if o := objectReport(t, rep, "phone-numbers/14155550100.yaml"); o.Status != StatusApplied || !strings.Contains(o.Steps[0].Detail, "edit phone number "+o.ID+" (the file's +14155550100)") {
		t.Fatalf("an edit:\n%s", reportText(rep))
	}
	if got := other.call(200, "GET", "/get-phone-number/"+strings.Replace(o.ID, "+", "%2B", 1), nil)["nickname"]; got != "Desk" {
		t.Fatalf("nickname %v", got)
	}
}

func TestImportedNumbersAndTheirSIPSettings(t *testing.T) {
	a, b := newTestServer(t), newTestServer(t)
	agent := str(a.call(201, "POST", "/create-agent", object{"agent_name": "Desk", "voice_id": "retell-Cimo",
		"response_engine": object{"type": "custom-llm", "llm_websocket_url": "wss://example.com/llm"}}), "agent_id")
	a.call(201, "POST", "/import-phone-number", object{"phone_number": "+442071838750", "termination_uri": "pbx.example.com",
		"sip_trunk_auth_username": "desk", "sip_trunk_auth_password": "secret", "transport": "TLS",
		"inbound_agents": []any{object{"agent_id": agent, "weight": 1}}, "allowed_inbound_country_list": []any{"GB"}})
	dir := t.TempDir()
	pull(t, a, dir)
	got := files(t, dir)["phone-numbers/442071838750.yaml"]
	mustContain(t, "the imported number", got, "phone_number_type: custom", "termination_uri: pbx.example.com", "transport: TLS", "auth_username: desk",
		"allowed_inbound_country_list:\n  - GB")
	if strings.Contains(got, "secret") || strings.Contains(got, "sip_outbound_trunk_config") {
		t.Fatalf("the file holds the SIP settings as update-phone-number takes them, never the password:\n%s", got)
	}
	rep := apply(t, b, dir, Options{})
	if rep.Failed() || !strings.Contains(reportText(rep), "create phone number +442071838750 (import-phone-number)") {
		t.Fatalf("apply:\n%s", reportText(rep))
	}
	n := b.call(200, "GET", "/get-phone-number/%2B442071838750", nil)
	if sip := n["sip_outbound_trunk_config"].(object); sip["termination_uri"] != "pbx.example.com" || sip["transport"] != "TLS" || sip["auth_username"] != "desk" {
		t.Fatalf("the number on the second server: %v", n)
	}
	if rep := plan(t, b, dir, Options{}); rep.Changes() {
		t.Fatalf("plan:\n%s", reportText(rep))
	}
	edit(t, dir, "phone-numbers/442071838750.yaml", "transport: TLS", "transport: UDP")
	if rep := apply(t, b, dir, Options{}); rep.Failed() || rep.Summary.Steps[ActEdit] != 1 {
		t.Fatalf("a new transport:\n%s", reportText(rep))
	}
	if sip := b.call(200, "GET", "/get-phone-number/%2B442071838750", nil)["sip_outbound_trunk_config"].(object); sip["transport"] != "UDP" {
		t.Fatalf("transport %v", sip["transport"])
	}
	edit(t, dir, "phone-numbers/442071838750.yaml", "auth_username: desk\n", "")
	if o := objectReport(t, plan(t, b, dir, Options{}), "phone-numbers/442071838750.yaml"); o.Status != StatusError || !strings.Contains(o.Error, "auth_username is set on the server") {
		t.Fatalf("dropping a field the API cannot clear: %+v", o)
	}
}
