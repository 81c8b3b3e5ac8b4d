package storetest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/agentry/agentry"
)

// routingAuditTests cover the audit log and webhook events of what routes
// traffic: every tag move, revert and deletion and every phone number write
// records its entry, and queues its event, in its own transaction.
var routingAuditTests = []suiteTest{
	{"TagChangesAudited", testTagChangesAudited},
	{"PhoneChangesAudited", testPhoneChangesAudited},
	{"RefusedRoutingWritesLeaveNoEntry", testRefusedRoutingWritesLeaveNoEntry},
}

func testTagChangesAudited(t *testing.T, open Opener) {
	e := newEnv(t, open)
	hooks := e.webhookService(false)
	hook, err := hooks.Create(e.ctx, e.caller(), agentry.WebhookInput{URL: ptr("https://hooks.example.com/a"), Events: []string{"tag.moved", "tag.reverted", "tag.deleted"}})
	if err != nil {
		t.Fatal(err)
	}
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"desk"}`).ResourceID
	e.mustCreateVersion(t, id, 0)
	c := e.who(e.ws, "key_1234abcd", "deploy bot", "req_tag")
	put := func(version *int64, reason string) {
		t.Helper()
		if _, _, err := e.svc.PutTag(e.ctx, c, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: version, Reason: ptr(reason)}); err != nil {
			t.Fatalf("PutTag: %v", err)
		}
	}
	put(n64(0), "launch")
	put(n64(1), "roll forward")
	put(nil, "pause")
	if _, _, err := e.svc.RevertTag(e.ctx, c, agentry.RevertTagRequest{AgentID: id, Name: "prod", Seq: 3, Reason: ptr("undo pause")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.DeleteTag(e.ctx, c, agentry.DeleteTagRequest{AgentID: id, Name: "prod", Reason: ptr("retired")}); err != nil {
		t.Fatal(err)
	}
	log := e.auditLog(t, e.ws, agentry.AuditFilter{ObjectType: agentry.ObjectAgent, ObjectID: id, Action: "tag.*"})
	// Oldest first.
	want := []string{"tag.moved", "tag.moved", "tag.moved", "tag.reverted", "tag.deleted"}
	if got := actions(log); !slices.Equal(got, want) {
		t.Fatalf("tag entries = %v, want %v", got, want)
	}
	for _, entry := range log {
		if entry.Actor != (agentry.Actor{KeyPrefix: "key_1234abcd", Label: "deploy bot"}) || entry.RequestID != "req_tag" {
			t.Errorf("%s: actor %+v, request %q", entry.Action, entry.Actor, entry.RequestID)
		}
	}
	moved := details(t, log[1]) // the second move: 0 → 1
	if moved["tag"] != "prod" || moved["version_before"] != float64(0) || moved["version_after"] != float64(1) || moved["reason"] != "roll forward" {
		t.Errorf("move details = %v", moved)
	}
	if log[1].Version == nil || *log[1].Version != 1 {
		t.Errorf("move entry version = %v, want 1", log[1].Version)
	}
	reverted := details(t, log[3])
	if reverted["revert_of"] != float64(3) || reverted["version_after"] != float64(1) || reverted["reason"] != "undo pause" {
		t.Errorf("revert details = %v", reverted)
	}
	// Each entry queued one delivery to the webhook subscribed to it
	// (deliveries are listed newest first).
	ds := e.deliveries(t, hooks, hook.ID)
	if len(ds) != len(want) {
		t.Fatalf("%d deliveries queued, want %d", len(ds), len(want))
	}
	for i, d := range ds {
		j := len(log) - 1 - i
		if d.Event != want[j] || d.AuditSeq != log[j].Seq {
			t.Errorf("delivery %d: %s of entry %d, want %s of entry %d", i, d.Event, d.AuditSeq, want[j], log[j].Seq)
		}
	}
}

func testPhoneChangesAudited(t *testing.T, open Opener) {
	e := newEnv(t, open)
	a := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"a"}`).ResourceID
	b := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"b"}`).ResourceID
	p, err := e.svc.CreatePhone(e.ctx, e.caller(), fields(t, `{"area_code":415,"inbound_agents":[{"agent_id":"`+a+`","weight":1}]}`))
	if err != nil {
		t.Fatal(err)
	}
	e.mustUpdatePhone(t, p.Number, `{"nickname":"front desk"}`)
	e.mustUpdatePhone(t, p.Number, `{"inbound_agents":[{"agent_id":"`+a+`","weight":0.5},{"agent_id":"`+b+`","weight":0.5}]}`)
	if _, err := e.svc.SetRoutingMode(e.ctx, e.caller(), p.Number, "sticky"); err != nil {
		t.Fatal(err)
	}
	// retell-sdk 4.x's single-agent field is the list it stands for.
	e.mustUpdatePhone(t, p.Number, `{"inbound_agent_id":"`+b+`","nickname":"front desk"}`)
	if err := e.svc.DeletePhone(e.ctx, e.caller(), p.Number); err != nil {
		t.Fatal(err)
	}
	log := e.auditLog(t, e.ws, agentry.AuditFilter{ObjectType: agentry.ObjectPhoneNumber, ObjectID: p.Number})
	want := []string{"phone_number.created", "phone_number.updated", "phone_number.routing_changed", "phone_number.routing_changed",
		"phone_number.routing_changed", "phone_number.deleted"}
	if got := actions(log); !slices.Equal(got, want) {
		t.Fatalf("phone entries = %v, want %v", got, want)
	}
	// Updates name the fields that changed (a nickname sent again did not).
	for i, paths := range map[int][]string{1: {"/nickname"}, 2: {"/inbound_agents"}, 3: nil, 4: {"/inbound_agents"}} {
		if !slices.Equal(log[i].Paths, paths) {
			t.Errorf("%s #%d: paths %v, want %v", log[i].Action, i, log[i].Paths, paths)
		}
	}
	for _, i := range []int{0, 5} {
		if log[i].Paths != nil {
			t.Errorf("%s: paths %v", log[i].Action, log[i].Paths)
		}
	}

	// A new SIP password is a change of the trunk's settings, never shown.
	sip := e.mustImport(t, "+14155550199", `,"sip_trunk_auth_username":"u","sip_trunk_auth_password":"first-s3cret"`)
	e.mustUpdatePhone(t, sip.Number, `{"sip_trunk_auth_password":"second-s3cret"}`)
	sipLog := e.auditLog(t, e.ws, agentry.AuditFilter{ObjectID: sip.Number})
	if len(sipLog) != 2 || sipLog[1].Action != "phone_number.updated" || !slices.Equal(sipLog[1].Paths, []string{"/sip_outbound_trunk_config"}) {
		t.Fatalf("SIP entries %+v", sipLog)
	}
	for _, entry := range sipLog {
		if raw, _ := json.Marshal(entry); strings.Contains(string(raw), "s3cret") {
			t.Errorf("%s shows the SIP password: %s", entry.Action, raw)
		}
	}
	if d := details(t, log[3]); d["routing_mode"] != "sticky" {
		t.Errorf("routing mode change details = %v", d)
	}
	lists, _ := details(t, log[2])["lists"].(map[string]any)
	if inbound, _ := lists["inbound"].([]any); len(inbound) != 2 {
		t.Errorf("rebinding details = %v, want the two inbound entries", lists)
	}
}

// A tag move or a phone binding that a rule refuses writes no entry.
func testRefusedRoutingWritesLeaveNoEntry(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"desk"}`).ResourceID
	before := len(e.auditLog(t, e.ws, agentry.AuditFilter{}))
	if _, _, err := e.svc.PutTag(e.ctx, e.caller(), agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(9)}); err == nil {
		t.Fatal("a tag moved to a version that does not exist")
	}
	if _, err := e.svc.CreatePhone(e.ctx, e.caller(), fields(t, `{"inbound_agents":[{"agent_id":"`+id+`","weight":0.5}]}`)); err == nil {
		t.Fatal("a phone number bound with weights that do not sum to 1")
	}
	if after := e.auditLog(t, e.ws, agentry.AuditFilter{}); len(after) != before {
		t.Errorf("refused writes left entries: %v", actions(after[:len(after)-before]))
	}
}
