package storetest

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// phoneTests cover phone numbers: what create and import store, PATCH
// semantics, the rules of binding lists, workspace scoping, numbers unique
// within the server, fallback numbers, and safe deletion of what they bind.
var phoneTests = []suiteTest{
	{"CreateInventsNumbers", testCreateInventsNumbers},
	{"ImportAndUpdate", testImportAndUpdate},
	{"BindingRules", testBindingRules},
	{"UniqueWithinServer", testPhoneUniqueWithinServer},
	{"Fallback", testPhoneFallback},
	{"SafeDeletion", testSafeDeletion},
	{"Pages", testPhonePages},
	{"DeleteRacesRouting", testDeleteRacesRouting},
}

func (e *env) mustImport(tb testing.TB, number, extra string) *agentry.Phone {
	tb.Helper()
	body := fmt.Sprintf(`{"phone_number":%q,"termination_uri":"trunk.pstn.example.com"%s}`, number, extra)
	p, err := e.svc.ImportPhone(e.ctx, e.caller(), fields(tb, body))
	if err != nil {
		tb.Fatalf("ImportPhone(%s): %v", body, err)
	}
	return p
}

func (e *env) mustUpdatePhone(tb testing.TB, number, doc string) *agentry.Phone {
	tb.Helper()
	p, err := e.svc.UpdatePhone(e.ctx, e.caller(), number, fields(tb, doc))
	if err != nil {
		tb.Fatalf("UpdatePhone(%s, %s): %v", number, doc, err)
	}
	return p
}

func testCreateInventsNumbers(t *testing.T, open Opener) {
	e := newEnv(t, open)
	seen := map[string]bool{}
	for _, c := range []struct {
		body    string
		pattern string
		kind    string
	}{
		{`{}`, `^\+1[2-9][0-9]{2}[2-9][0-9]{6}$`, "retell-twilio"},
		{`{"area_code":415,"nickname":"desk"}`, `^\+1415[2-9][0-9]{6}$`, "retell-twilio"},
		{`{"area_code":604,"country_code":"CA","number_provider":"telnyx"}`, `^\+1604[2-9][0-9]{6}$`, "retell-telnyx"},
		{`{"toll_free":true}`, `^\+18(00|33|44|55|66|77|88)[2-9][0-9]{6}$`, "retell-twilio"},
		{`{"phone_number":"+14155550123"}`, `^\+14155550123$`, "retell-twilio"},
	} {
		p, err := e.svc.CreatePhone(e.ctx, e.caller(), fields(t, c.body))
		if err != nil {
			t.Fatalf("CreatePhone(%s): %v", c.body, err)
		}
		if !regexp.MustCompile(c.pattern).MatchString(p.Number) || p.Type != c.kind || seen[p.Number] {
			t.Errorf("CreatePhone(%s) = %s %s, want a new number matching %s of type %s", c.body, p.Number, p.Type, c.pattern, c.kind)
		}
		seen[p.Number] = true
		if got := config(t, p.Config)["area_code"]; got != float64(mustAtoi(p.Number[2:5])) {
			t.Errorf("%s: area_code %v", p.Number, got)
		}
		if p.Mode != agentry.ModeRandom || p.CreatedAt != e.clock.Millis() {
			t.Errorf("%s: mode %s, created %d", p.Number, p.Mode, p.CreatedAt)
		}
	}
	if got := agentry.PhoneNumberPretty("+14155550123"); got != "+1 (415) 555-0123" {
		t.Errorf("pretty = %q", got)
	}
	for body, word := range map[string]string{
		`{"area_code":12}`:                                "area_code",
		`{"area_code":800}`:                               "toll_free",
		`{"area_code":415,"toll_free":true}`:              "toll-free",
		`{"area_code":415,"country_code":"CA"}`:           "Canadian",
		`{"area_code":604}`:                               "CA",
		`{"area_code":911}`:                               "geographic",
		`{"phone_number":"+442071234567"}`:                "North American",
		`{"phone_number":"+14155550199","area_code":212}`: "area_code 212",
		`{"phone_number":"+14155550123"}`:                 "already in use",
	} {
		_, err := e.svc.CreatePhone(e.ctx, e.caller(), fields(t, body))
		wantCode(t, err, agentry.EINVALID, word)
	}
	page, _ := e.svc.ListPhones(e.ctx, e.caller(), agentry.PageRequest{Limit: 50})
	if len(page.Items) != 5 {
		t.Errorf("%d numbers after 5 creates and refused ones", len(page.Items))
	}
}

func mustAtoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func testImportAndUpdate(t *testing.T, open Opener) {
	e := newEnv(t, open)
	voice := e.agentWithVersions(t, agentry.VoiceAgent, 2, 1)
	chat := e.agentWithVersions(t, agentry.ChatAgent, 1, 0)
	p := e.mustImport(t, "+14155550100", fmt.Sprintf(`,"nickname":"front desk","sip_trunk_auth_username":"u","sip_trunk_auth_password":"secret",
		"transport":"TLS","inbound_agents":[{"agent_id":%q,"weight":1}],"allowed_inbound_country_list":["US","CA"]`, voice))
	if p.Type != "custom" || p.SIPPassword != "secret" || len(p.Lists[agentry.Inbound]) != 1 || p.Lists[agentry.Inbound][0].Version.Form != agentry.RefLatest {
		t.Errorf("imported = %+v", p)
	}
	wantConfig(t, p.Config, fmt.Sprintf(`{"nickname":"front desk","inbound_agents":[{"agent_id":%q,"weight":1}],"allowed_inbound_country_list":["US","CA"],
		"sip_outbound_trunk_config":{"termination_uri":"trunk.pstn.example.com","auth_username":"u","transport":"TLS"}}`, voice))
	if strings.Contains(string(p.Config), "secret") {
		t.Error("the SIP password is in the answered configuration")
	}
	got, err := e.svc.GetPhone(e.ctx, e.caller(), p.Number)
	if err != nil || string(got.Config) != string(p.Config) {
		t.Errorf("GetPhone = %+v, %v", got, err)
	}
	e.clock.Advance(time.Second)
	u := e.mustUpdatePhone(t, p.Number, fmt.Sprintf(`{"nickname":null,"transport":null,"inbound_sms_agents":[{"agent_id":%q,"agent_version":0,"weight":1}],
		"outbound_agents":[{"agent_id":%q,"agent_version":"latest_published","weight":0.5},{"agent_id":%q,"agent_version":1,"weight":0.5}],
		"inbound_webhook_url":"https://example.com/in","termination_uri":"new.example.com","auth_password":"other"}`, chat, voice, voice))
	wantConfig(t, u.Config, fmt.Sprintf(`{"inbound_agents":[{"agent_id":%q,"weight":1}],"allowed_inbound_country_list":["US","CA"],
		"inbound_sms_agents":[{"agent_id":%q,"agent_version":0,"weight":1}],
		"outbound_agents":[{"agent_id":%q,"agent_version":"latest_published","weight":0.5},{"agent_id":%q,"agent_version":1,"weight":0.5}],
		"inbound_webhook_url":"https://example.com/in",
		"sip_outbound_trunk_config":{"termination_uri":"new.example.com","auth_username":"u"}}`, voice, chat, voice, voice))
	if u.ModifiedAt != e.clock.Millis() || u.CreatedAt == u.ModifiedAt || u.SIPPassword != "other" {
		t.Errorf("updated = %+v", u)
	}
	// Clearing a list with null.
	u = e.mustUpdatePhone(t, p.Number, `{"inbound_sms_agents":null}`)
	if len(u.Lists[agentry.InboundSMS]) != 0 || strings.Contains(string(u.Config), "inbound_sms_agents") {
		t.Errorf("after clearing inbound_sms_agents: %s", u.Config)
	}
	for body, word := range map[string]string{
		`{"phone_number":"+1415 555"}`:                            "visible ASCII",
		`{"phone_number":"a/b"}`:                                  "visible ASCII",
		`{"phone_number":"12345","ignore_e164_validation":false}`: "E.164",
	} {
		_, err := e.svc.ImportPhone(e.ctx, e.caller(), fields(t, strings.TrimSuffix(body, "}")+`,"termination_uri":"x"}`))
		wantCode(t, err, agentry.EINVALID, word)
	}
	// A pseudo number is taken as it is by default.
	if q := e.mustImport(t, "internal-7", ""); q.Number != "internal-7" {
		t.Errorf("pseudo number imported as %s", q.Number)
	}
	if q := e.mustImport(t, "+442071234567", `,"ignore_e164_validation":false`); q.Number != "+442071234567" {
		t.Errorf("E.164 number imported as %s", q.Number)
	}
	for body, word := range map[string]string{
		`{"transport":"SCTP"}`:                      "transport",
		`{"allowed_outbound_country_list":["usa"]}`: "allowed_outbound_country_list[0]",
		`{"fallback_number":"0800 FALLBACK"}`:       "fallback_number",
		`{"termination_uri":""}`:                    "termination_uri",
	} {
		_, err := e.svc.UpdatePhone(e.ctx, e.caller(), p.Number, fields(t, body))
		wantCode(t, err, agentry.EINVALID, word)
	}
	if err := e.svc.DeletePhone(e.ctx, e.caller(), p.Number); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.GetPhone(e.ctx, e.caller(), p.Number); agentry.ErrorCode(err) != agentry.ENOTFOUND {
		t.Errorf("get after delete: %v", err)
	}
	if err := e.svc.DeletePhone(e.ctx, e.caller(), p.Number); agentry.ErrorCode(err) != agentry.ENOTFOUND {
		t.Errorf("second delete: %v", err)
	}
}

func testBindingRules(t *testing.T, open Opener) {
	e := newEnv(t, open)
	voice := e.agentWithVersions(t, agentry.VoiceAgent, 2, 0) // no published version
	other := e.agentWithVersions(t, agentry.VoiceAgent, 1, 1)
	chat := e.agentWithVersions(t, agentry.ChatAgent, 1, 0)
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: voice, Name: "prod", Version: n64(1)})
	p := e.mustImport(t, "+14155550100", "")
	entry := func(agent, version string, w float64) string {
		if version == "" {
			return fmt.Sprintf(`{"agent_id":%q,"weight":%v}`, agent, w)
		}
		return fmt.Sprintf(`{"agent_id":%q,"agent_version":%s,"weight":%v}`, agent, version, w)
	}
	lists := func(field string, entries ...string) string {
		return fmt.Sprintf(`{%q:[%s]}`, field, strings.Join(entries, ","))
	}
	cases := []struct {
		name, body, code, word string
	}{
		{"weights short of 1", lists("inbound_agents", entry(voice, "", 0.5), entry(other, "", 0.4)), agentry.EINVALID, "add up to 1"},
		{"duplicate entry", lists("inbound_agents", entry(voice, `"latest"`, 0.5), entry(voice, "", 0.5)), agentry.EINVALID, "duplicates entry 0"},
		{"missing agent", lists("inbound_agents", entry("agent_nope", "", 1)), agentry.EUNPROCESSABLE, "inbound_agents[0].agent_id"},
		{"engine id", lists("inbound_agents", entry("llm_nope", "", 1)), agentry.EUNPROCESSABLE, "does not exist"},
		{"chat agent for calls", lists("outbound_agents", entry(chat, "", 1)), agentry.EINVALID, "voice agents"},
		{"voice agent for SMS", lists("inbound_sms_agents", entry(voice, "", 1)), agentry.EINVALID, "chat agents"},
		{"missing version", lists("inbound_agents", entry(voice, "7", 1)), agentry.EUNPROCESSABLE, "no version 7"},
		{"missing tag", lists("inbound_agents", entry(voice, `"staging"`, 1)), agentry.EUNPROCESSABLE, `no tag "staging"`},
		{"no published version", lists("inbound_agents", entry(voice, `"latest_published"`, 1)), agentry.EUNPROCESSABLE, "no published version"},
		{"string of digits", lists("inbound_agents", entry(voice, `"1"`, 1)), agentry.EINVALID, "agent_version"},
		{"reserved word", lists("inbound_agents", entry(voice, `"v1"`, 1)), agentry.EINVALID, "agent_version"},
		{"second list bad", fmt.Sprintf(`{"inbound_agents":[%s],"outbound_agents":[%s]}`, entry(voice, "", 1), entry("agent_nope", "", 1)), agentry.EUNPROCESSABLE, "outbound_agents[0]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.UpdatePhone(e.ctx, e.caller(), p.Number, fields(t, c.body))
			wantCode(t, err, c.code, c.word)
		})
	}
	if got, _ := e.svc.GetPhone(e.ctx, e.caller(), p.Number); string(got.Config) != string(p.Config) {
		t.Errorf("refused updates changed the number: %s", got.Config)
	}
	// Another workspace's agent is a missing one.
	ws := mustWorkspace(t, e.store, "ws-b")
	theirs, err := e.create(ws, agentry.VoiceAgent, agentry.Fields{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.UpdatePhone(e.ctx, e.caller(), p.Number, fields(t, lists("inbound_agents", entry(theirs.ResourceID, "", 1))))
	wantCode(t, err, agentry.EUNPROCESSABLE, "does not exist")
	// What passes: a tag, a number, latest_published, weights in floating point.
	ok := fmt.Sprintf(`{"inbound_agents":[%s,%s,%s],"inbound_sms_agents":[%s]}`, entry(voice, `"prod"`, 0.1), entry(voice, "0", 0.2),
		entry(other, `"latest_published"`, 0.7), entry(chat, "", 1))
	u := e.mustUpdatePhone(t, p.Number, ok)
	want := []agentry.Binding{
		{AgentID: voice, Version: agentry.VersionRef{Form: agentry.RefTag, Tag: "prod"}, Weight: 0.1},
		{AgentID: voice, Version: agentry.VersionRef{Form: agentry.RefNumber, Number: 0}, Weight: 0.2},
		{AgentID: other, Version: agentry.VersionRef{Form: agentry.RefLatestPublished}, Weight: 0.7},
	}
	if !slices.Equal(u.Lists[agentry.Inbound], want) {
		t.Errorf("inbound list = %+v, want %+v", u.Lists[agentry.Inbound], want)
	}
	uses := map[string][]agentry.PhoneUse{}
	mustView(t, e.store, func(tx agentry.Tx) error {
		for _, id := range []string{voice, other, chat} {
			us, err := tx.PhoneUses(e.ws, id)
			if err != nil {
				return err
			}
			uses[id] = us
		}
		return nil
	})
	if fmt.Sprint(uses[voice]) != fmt.Sprintf("[{%s inbound prod} {%s inbound 0}]", p.Number, p.Number) ||
		fmt.Sprint(uses[chat]) != fmt.Sprintf("[{%s inbound_sms latest}]", p.Number) {
		t.Errorf("binding rows: %v", uses)
	}
}

func testPhoneUniqueWithinServer(t *testing.T, open Opener) {
	e := newEnv(t, open)
	p := e.mustImport(t, "+14155550100", "")
	other := mustWorkspace(t, e.store, "ws-b")
	_, err := e.svc.ImportPhone(e.ctx, e.as(other), fields(t, `{"phone_number":"+14155550100","termination_uri":"x"}`))
	wantCode(t, err, agentry.EINVALID, "already in use")
	if !errors.Is(err, agentry.ErrDuplicate) {
		t.Errorf("the refusal does not carry ErrDuplicate: %v", err)
	}
	_, err = e.svc.CreatePhone(e.ctx, e.as(other), fields(t, `{"phone_number":"+14155550100"}`))
	wantCode(t, err, agentry.EINVALID, "already in use")
	// The other workspace sees nothing of it.
	if _, err := e.svc.GetPhone(e.ctx, e.as(other), p.Number); agentry.ErrorCode(err) != agentry.ENOTFOUND {
		t.Errorf("get from another workspace: %v", err)
	}
	if _, err := e.svc.UpdatePhone(e.ctx, e.as(other), p.Number, fields(t, `{"nickname":"mine"}`)); agentry.ErrorCode(err) != agentry.ENOTFOUND {
		t.Errorf("update from another workspace: %v", err)
	}
	if err := e.svc.DeletePhone(e.ctx, e.as(other), p.Number); agentry.ErrorCode(err) != agentry.ENOTFOUND {
		t.Errorf("delete from another workspace: %v", err)
	}
	if _, err := e.svc.SetRoutingMode(e.ctx, e.as(other), p.Number, agentry.ModeSticky); agentry.ErrorCode(err) != agentry.ENOTFOUND {
		t.Errorf("routing mode from another workspace: %v", err)
	}
	if page, _ := e.svc.ListPhones(e.ctx, e.as(other), agentry.PageRequest{}); len(page.Items) != 0 {
		t.Errorf("another workspace lists %d numbers", len(page.Items))
	}
	if _, err := e.svc.GetPhone(e.ctx, e.caller(), p.Number); err != nil {
		t.Errorf("the owner lost it: %v", err)
	}
}

func testPhoneFallback(t *testing.T, open Opener) {
	e := newEnv(t, open)
	a := e.mustImport(t, "+14155550100", "")
	b := e.mustImport(t, "+14155550101", "")
	c := e.mustImport(t, "+14155550102", "")
	_, err := e.svc.UpdatePhone(e.ctx, e.caller(), a.Number, fields(t, `{"fallback_number":"+14155550100"}`))
	wantCode(t, err, agentry.EINVALID, "the number itself")
	e.mustUpdatePhone(t, a.Number, `{"fallback_number":"+14155550101"}`)
	// b has no fallback of its own; c cannot fall back to a, which has one.
	_, err = e.svc.UpdatePhone(e.ctx, e.caller(), c.Number, fields(t, `{"fallback_number":"+14155550100"}`))
	wantCode(t, err, agentry.EINVALID, "has a fallback number of its own")
	// b is a's fallback, so it cannot take one.
	_, err = e.svc.UpdatePhone(e.ctx, e.caller(), b.Number, fields(t, `{"fallback_number":"+14155550102"}`))
	wantCode(t, err, agentry.EINVALID, "is the fallback number of +14155550100")
	// An outside number is fine, and null removes it.
	e.mustUpdatePhone(t, c.Number, `{"fallback_number":"+442071234567"}`)
	if u := e.mustUpdatePhone(t, a.Number, `{"fallback_number":null}`); u.Fallback != "" || strings.Contains(string(u.Config), "fallback") {
		t.Errorf("fallback not removed: %+v", u)
	}
	// b may fall back to c once a no longer falls back to b and c has no
	// fallback of its own.
	_, err = e.svc.UpdatePhone(e.ctx, e.caller(), b.Number, fields(t, `{"fallback_number":"+14155550102"}`))
	wantCode(t, err, agentry.EINVALID, "has a fallback number of its own")
	e.mustUpdatePhone(t, c.Number, `{"fallback_number":null}`)
	e.mustUpdatePhone(t, b.Number, `{"fallback_number":"+14155550102"}`)
}

func testSafeDeletion(t *testing.T, open Opener) {
	e := newEnv(t, open)
	voice := e.agentWithVersions(t, agentry.VoiceAgent, 4, 1) // 0 published
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: voice, Name: "prod", Version: n64(3)})
	p := e.mustImport(t, "+14155550100", fmt.Sprintf(`,"inbound_agents":[{"agent_id":%q,"agent_version":2,"weight":0.5},{"agent_id":%q,"agent_version":"prod","weight":0.5}],
		"outbound_agents":[{"agent_id":%q,"agent_version":"latest_published","weight":1}]`, voice, voice, voice))
	q := e.mustImport(t, "+14155550101", fmt.Sprintf(`,"outbound_agents":[{"agent_id":%q,"agent_version":2,"weight":1}]`, voice))

	err := e.svc.DeleteVersion(e.ctx, e.caller(), agentry.DeleteVersionRequest{AgentID: voice, Version: 2})
	wantCode(t, err, agentry.EINVALID, "+14155550100 (inbound_agents)", "+14155550101 (outbound_agents)")
	err = e.svc.DeleteVersion(e.ctx, e.caller(), agentry.DeleteVersionRequest{AgentID: voice, Version: 3})
	wantCode(t, err, agentry.EINVALID, `tag "prod"`)
	// Version 0 is the only published one, and a number binds latest_published.
	err = e.svc.DeleteVersion(e.ctx, e.caller(), agentry.DeleteVersionRequest{AgentID: voice, Version: 0})
	wantCode(t, err, agentry.EINVALID, "+14155550100 (outbound_agents)")
	_, err = e.svc.DeleteTag(e.ctx, e.caller(), agentry.DeleteTagRequest{AgentID: voice, Name: "prod"})
	wantCode(t, err, agentry.EINVALID, "+14155550100 (inbound_agents)")
	err = e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.VoiceAgent, ID: voice})
	wantCode(t, err, agentry.EINVALID, "+14155550100 (inbound_agents, outbound_agents)", "+14155550101 (outbound_agents)")
	if countVersions(t, e.store, e.ws, voice) != 4 {
		t.Fatal("a refused delete deleted a version")
	}
	if _, err := e.svc.GetTag(e.ctx, e.caller(), voice, "prod"); err != nil {
		t.Fatal("a refused delete deleted the tag")
	}
	// Version 1 is named by nobody: it goes. Unassigning prod is allowed
	// (the binding then names the latest version).
	e.mustDeleteVersion(t, voice, 1)
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: voice, Name: "prod"})
	e.mustDeleteVersion(t, voice, 3)
	// A second published version frees version 0.
	e.mustPublish(t, voice, 2)
	e.mustDeleteVersion(t, voice, 0)
	// Once the numbers let go, everything can go.
	if err := e.svc.DeletePhone(e.ctx, e.caller(), q.Number); err != nil {
		t.Fatal(err)
	}
	e.mustUpdatePhone(t, p.Number, `{"inbound_agents":null,"outbound_agents":[]}`)
	if _, err := e.svc.DeleteTag(e.ctx, e.caller(), agentry.DeleteTagRequest{AgentID: voice, Name: "prod"}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.VoiceAgent, ID: voice}); err != nil {
		t.Fatal(err)
	}
}

func testPhonePages(t *testing.T, open Opener) {
	e := newEnv(t, open)
	var want []string
	for i := range 7 {
		want = append(want, e.mustImport(t, fmt.Sprintf("+1415555%04d", i), "").Number)
		e.clock.Advance(1)
	}
	for _, desc := range []bool{false, true} {
		var got []string
		p := agentry.PageRequest{Limit: 3, Desc: desc}
		for {
			page, err := e.svc.ListPhones(e.ctx, e.caller(), p)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				got = append(got, it.Number)
			}
			if !page.HasMore {
				break
			}
			p.Key = page.NextKey
		}
		w := want
		if desc {
			w = reversed(want)
		}
		if !slices.Equal(got, w) {
			t.Errorf("desc %v: %v, want %v", desc, got, w)
		}
	}
}

// A delete racing a move or a binding onto what it deletes: never both.
// Whatever wins, nothing is left pointing at a version that is gone.
func testDeleteRacesRouting(t *testing.T, open Opener) {
	e := newEnv(t, open)
	p := e.mustImport(t, "+14155550100", "")
	deleted := 0
	for round := range 20 {
		id := e.agentWithVersions(t, agentry.VoiceAgent, 2, 0)
		var bindErr, tagErr, delErr error
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Go(func() {
			<-start
			_, bindErr = e.svc.UpdatePhone(e.ctx, e.caller(), p.Number,
				fields(t, fmt.Sprintf(`{"inbound_agents":[{"agent_id":%q,"agent_version":1,"weight":1}]}`, id)))
		})
		wg.Go(func() {
			<-start
			_, _, tagErr = e.svc.PutTag(e.ctx, e.caller(), agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(1)})
		})
		wg.Go(func() {
			<-start
			// Every other round the delete comes a little later, so that
			// both orders happen.
			time.Sleep(time.Duration(round%2) * 5 * time.Millisecond)
			delErr = e.svc.DeleteVersion(e.ctx, e.caller(), agentry.DeleteVersionRequest{AgentID: id, Version: 1})
		})
		close(start)
		wg.Wait()
		if delErr == nil {
			deleted++
		}
		if delErr == nil && (bindErr == nil || tagErr == nil) {
			t.Fatalf("round %d: version 1 was deleted and also bound (%v) or tagged (%v)", round, bindErr, tagErr)
		}
		for _, err := range []error{bindErr, tagErr} {
			if err != nil && agentry.ErrorCode(err) != agentry.EUNPROCESSABLE {
				t.Fatalf("round %d: a refused binding or move: %v, want EUNPROCESSABLE (the version is gone)", round, err)
			}
		}
		if delErr != nil && agentry.ErrorCode(delErr) != agentry.EINVALID {
			t.Fatalf("round %d: refused delete: %v, want EINVALID", round, delErr)
		}
		var uses []agentry.PhoneUse
		mustView(t, e.store, func(tx agentry.Tx) (err error) { uses, err = tx.PhoneUses(e.ws, id); return err })
		tag, _ := e.svc.GetTag(e.ctx, e.caller(), id, "prod")
		if gone := countVersions(t, e.store, e.ws, id) == 1; gone && (len(uses) > 0 || tag != nil && tag.Version != nil) {
			t.Fatalf("round %d: version 1 is gone but routing points at it: %v, %+v", round, uses, tag)
		}
		// Let the number go for the next round's agent.
		e.mustUpdatePhone(t, p.Number, `{"inbound_agents":null}`)
	}
	t.Logf("the delete won %d of 20 rounds", deleted)
}
