package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/agentry/agentry"
)

// testObjectWritesAudited: every write of the objects that are not
// versioned resources (knowledge bases, shared components, voices, assets,
// apps, test case definitions, batch tests) records one entry per object it
// changes, with the caller as actor, the request id, the object and what
// changed, and queues its event; the background runs of a batch record
// nothing.
func testObjectWritesAudited(t *testing.T, open Opener) {
	e := newEnv(t, open)
	e.svc.KnowledgeBaseIndexing = indexing
	hooks := e.webhookService(false)
	hook := e.mustWebhook(t, hooks, "https://hooks.example.com/all", "*")
	svc := e.svc
	c := e.who(e.ws, "key_1234abcd", "ops bot", "")
	n := 0
	// as is the caller of the next write, with a request id of its own.
	as := func() agentry.Caller {
		n++
		c.RequestID = fmt.Sprintf("req_%d", n)
		return c
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	const secret = "s3cret-9f8e7d6c"
	const fileBytes = "soup\x00salad-bytes"

	kb, err := svc.CreateKnowledgeBase(e.ctx, as(), agentry.CreateKnowledgeBaseRequest{Name: "FAQ", Sources: agentry.NewSources{
		Texts: []agentry.TextSource{{Title: "Hours", Text: "Open nine to five."}},
		Files: []agentry.FileSource{{Name: "menu.txt", ContentType: "text/plain", Data: []byte(fileBytes)}},
		URLs:  []string{"https://bot:" + secret + "@example.com/faq"}}})
	must("CreateKnowledgeBase", err)
	added, err := svc.AddKnowledgeBaseSources(e.ctx, as(), kb.ID, agentry.NewSources{URLs: []string{"https://example.com/more"}})
	must("AddKnowledgeBaseSources", err)
	_, err = svc.DeleteKnowledgeBaseSource(e.ctx, as(), kb.ID, kb.Sources[1].ID)
	must("DeleteKnowledgeBaseSource", err)
	must("DeleteKnowledgeBase", svc.DeleteKnowledgeBase(e.ctx, as(), kb.ID))

	comp, err := svc.CreateComponent(e.ctx, as(), fields(t, component("greeter", "Say hello.")))
	must("CreateComponent", err)
	cfg, _ := svc.CheckCreate(agentry.ConversationFlow, fields(t, sharedFlow(comp.ID)))
	flow, err := svc.Create(e.ctx, as(), cfg)
	must("create flow", err)
	_, err = svc.UpdateComponent(e.ctx, as(), agentry.UpdateComponentRequest{ID: comp.ID, Patch: fields(t, `{"name":"welcomer"}`)})
	must("UpdateComponent", err)
	must("DeleteComponent", svc.DeleteComponent(e.ctx, as(), comp.ID))

	cloned, err := svc.CloneVoice(e.ctx, as(), agentry.CloneVoiceRequest{Name: "Founder", Provider: "elevenlabs",
		Samples: []agentry.FileSource{{Name: "a.wav", Data: wav}, {Name: "b.wav", Data: wav}}})
	must("CloneVoice", err)
	community, err := svc.AddCommunityVoice(e.ctx, as(), agentry.AddCommunityVoiceRequest{ProviderVoiceID: "pv_1", Name: "Narrator", PublicUserID: "u_1"})
	must("AddCommunityVoice", err)
	asset, err := svc.CreateAsset(e.ctx, as(), agentry.FileSource{Name: "hold.wav", Data: wav})
	must("CreateAsset", err)

	app, err := svc.CreateApp(e.ctx, as(), fields(t, `{"type":"crm","provider":"hubspot","name":"Sales","tenant_url":"https://eu.example.com"}`))
	must("CreateApp", err)
	_, err = svc.UpdateApp(e.ctx, as(), app.ID, fields(t, `{"name":"Sales EU","auth_config":{"type":"oauth2","client_id":"cid","client_secret":"`+secret+`"}}`))
	must("UpdateApp", err)
	if ok, err := svc.TestAppAuth(e.ctx, as(), app.ID); err != nil || !ok {
		t.Fatalf("TestAppAuth = %v, %v", ok, err)
	}
	unchanged := len(e.auditLog(t, e.ws, agentry.AuditFilter{}))
	if _, err := svc.TestAppAuth(e.ctx, as(), app.ID); err != nil { // connected again: no change
		t.Fatal(err)
	}
	if got := len(e.auditLog(t, e.ws, agentry.AuditFilter{})); got != unchanged {
		t.Errorf("a test-app-auth that changed nothing recorded %d entries", got-unchanged)
	}
	_, err = svc.UpdateApp(e.ctx, as(), app.ID, fields(t, `{"tenant_url":"https://us.example.com"}`))
	must("UpdateApp (tenant)", err)
	must("DeleteApp", svc.DeleteApp(e.ctx, as(), app.ID, false))

	k := engineKinds[0]
	llm := e.mustCreateEngine(t, k.kind, k.config).ResourceID
	tc, err := svc.CreateTestCase(e.ctx, as(), fields(t, definition(k.ref(llm), "booking")))
	must("CreateTestCase", err)
	_, err = svc.UpdateTestCase(e.ctx, as(), tc.ID, fields(t, `{"user_prompt":"You want to cancel.","metrics":["cancels"]}`))
	must("UpdateTestCase", err)
	batch, err := svc.CreateBatchTest(e.ctx, as(), agentry.BatchTestRequest{ResponseEngine: []byte(k.ref(llm)), DefinitionIDs: []string{tc.ID}})
	must("CreateBatchTest", err)
	must("DeleteTestCase", svc.DeleteTestCase(e.ctx, as(), tc.ID))
	// The worker's runs are the system's, not a change through the API.
	before := len(e.auditLog(t, e.ws, agentry.AuditFilter{}))
	drain(t, e.ctx, e.worker(nil))
	if b := e.batch(t, batch.ID); b.Status != agentry.BatchComplete {
		t.Fatalf("batch %+v", b)
	}
	if got := len(e.auditLog(t, e.ws, agentry.AuditFilter{})); got != before {
		t.Errorf("the background runs recorded %d entries", got-before)
	}

	log := e.auditLog(t, e.ws, agentry.AuditFilter{})
	if log[0].Action != "webhook.created" {
		t.Fatalf("first entry %+v", log[0])
	}
	log = log[1:]
	want := []struct {
		action, object, id string
		version            *int64
		paths              []string
		request            int // the number of the write's request id; 0: the suite's own key
	}{
		{"knowledge_base.created", "knowledge_base", kb.ID, nil, nil, 1},
		{"knowledge_base.sources_added", "knowledge_base", kb.ID, nil, nil, 2},
		{"knowledge_base.source_deleted", "knowledge_base", kb.ID, nil, nil, 3},
		{"knowledge_base.deleted", "knowledge_base", kb.ID, nil, nil, 4},
		{"conversation_flow_component.created", "conversation_flow_component", comp.ID, nil, nil, 5},
		{"conversation_flow.created", "conversation_flow", flow.ResourceID, ptr[int64](0), nil, 6},
		{"conversation_flow_component.updated", "conversation_flow_component", comp.ID, nil, []string{"/name"}, 7},
		// Deleting the component copies it into the flow's draft: an edit of
		// the draft, then the deletion, in one request.
		{"conversation_flow.updated", "conversation_flow", flow.ResourceID, ptr[int64](0), []string{"/components", "/nodes"}, 8},
		{"conversation_flow_component.deleted", "conversation_flow_component", comp.ID, nil, nil, 8},
		{"voice.created", "voice", cloned.ID, nil, nil, 9},
		{"voice.created", "voice", community.ID, nil, nil, 10},
		{"asset.created", "asset", asset.ID, nil, nil, 11},
		{"app.created", "app", app.ID, nil, nil, 12},
		{"app.updated", "app", app.ID, nil, []string{"/auth_config", "/name"}, 13},
		{"app.updated", "app", app.ID, nil, []string{"/connection_status"}, 14},
		// (request 15 tested the app again and changed nothing)
		{"app.updated", "app", app.ID, nil, []string{"/connection_status", "/tenant_url"}, 16},
		{"app.deleted", "app", app.ID, nil, nil, 17},
		{"retell_llm.created", "retell_llm", llm, ptr[int64](0), nil, 0},
		{"test_case_definition.created", "test_case_definition", tc.ID, nil, nil, 18},
		{"test_case_definition.updated", "test_case_definition", tc.ID, nil, []string{"/metrics", "/user_prompt"}, 19},
		{"batch_test.created", "batch_test", batch.ID, nil, nil, 20},
		{"test_case_definition.deleted", "test_case_definition", tc.ID, nil, nil, 21},
	}
	var wantActions []string
	for _, w := range want {
		wantActions = append(wantActions, w.action)
	}
	if got := actions(log); !slices.Equal(got, wantActions) {
		t.Fatalf("actions =\n%v\nwant\n%v", got, wantActions)
	}
	for i, w := range want {
		got := log[i]
		if got.ObjectType != w.object || got.ObjectID != w.id || !slices.Equal(got.Paths, w.paths) {
			t.Errorf("%s: object %s %s, paths %v; want %s %s, paths %v", got.Action, got.ObjectType, got.ObjectID, got.Paths, w.object, w.id, w.paths)
		}
		wantInt(t, got.Action+" version", got.Version, w.version)
		actor, request := agentry.Actor{KeyPrefix: "key_1234abcd", Label: "ops bot"}, fmt.Sprintf("req_%d", w.request)
		if w.request == 0 {
			actor, request = agentry.Actor{KeyPrefix: "key_0000test", Label: "storetest"}, ""
		}
		if got.Actor != actor || got.RequestID != request {
			t.Errorf("%s: actor %+v, request %q; want %+v, %q", got.Action, got.Actor, got.RequestID, actor, request)
		}
	}

	// What changed, and never a secret or a file's bytes.
	d := func(i int) string { raw, _ := json.Marshal(details(t, log[i])); return string(raw) }
	wantDetails := map[int]string{
		0: fmt.Sprintf(`{"name":"FAQ","sources":[{"size":18,"source_id":%q,"title":"Hours","type":"text"},`+
			`{"filename":"menu.txt","size":%d,"source_id":%q,"type":"document"},{"source_id":%q,"type":"url","url":"https://bot:xxxxx@example.com/faq"}]}`,
			kb.Sources[0].ID, len(fileBytes), kb.Sources[1].ID, kb.Sources[2].ID),
		1:  fmt.Sprintf(`{"sources":[{"source_id":%q,"type":"url","url":"https://example.com/more"}]}`, added.Sources[3].ID),
		2:  fmt.Sprintf(`{"filename":"menu.txt","size":%d,"source_id":%q,"type":"document"}`, len(fileBytes), kb.Sources[1].ID),
		3:  `{"name":"FAQ"}`,
		4:  `{"name":"greeter"}`,
		6:  fmt.Sprintf(`{"linked_flow_ids":[%q],"name":"welcomer"}`, flow.ResourceID),
		7:  fmt.Sprintf(`{"by":"delete-conversation-flow-component","component_id":%q}`, comp.ID),
		8:  fmt.Sprintf(`{"localized_into":[{"conversation_flow_id":%q,"version":0}],"name":"welcomer"}`, flow.ResourceID),
		9:  fmt.Sprintf(`{"origin":"clone","provider":"elevenlabs","sample_bytes":%d,"sample_count":2,"voice_name":"Founder"}`, 2*len(wav)),
		10: `{"origin":"community","provider":"elevenlabs","provider_voice_id":"pv_1","voice_name":"Narrator"}`,
		11: fmt.Sprintf(`{"content_type":"audio/wav","file_name":"hold.wav","file_size":%d}`, len(wav)),
		12: `{"name":"Sales","provider":"hubspot","type":"crm"}`,
		13: `{"connection_status":"not_connected","name":"Sales EU","provider":"hubspot","type":"crm"}`,
		14: `{"by":"test-app-auth","connection_status":"connected","connection_status_before":"not_connected","name":"Sales EU","provider":"hubspot","type":"crm"}`,
		15: `{"connection_status":"not_connected","connection_status_before":"connected","name":"Sales EU","provider":"hubspot","type":"crm"}`,
		16: `{"force":false,"name":"Sales EU","provider":"hubspot","type":"crm"}`,
		18: fmt.Sprintf(`{"name":"booking","response_engine":%s}`, compactJSON(t, k.ref(llm))),
		20: fmt.Sprintf(`{"response_engine":{"llm_id":%q,"type":"retell-llm","version":0},"test_case_count":1}`, llm),
	}
	for i, w := range wantDetails {
		if got := d(i); got != w {
			t.Errorf("%s details =\n%s\nwant\n%s", log[i].Action, got, w)
		}
	}
	for _, entry := range log {
		raw, _ := json.Marshal(entry)
		for _, leak := range []string{secret, "soup", "Open nine", "RIFF"} {
			if strings.Contains(string(raw), leak) {
				t.Errorf("%s shows %q: %s", entry.Action, leak, raw)
			}
		}
	}

	// Every one of them is an event: each queued its delivery.
	ds := e.deliveries(t, hooks, hook.ID)
	if len(ds) != len(log) {
		t.Fatalf("%d deliveries for %d entries", len(ds), len(log))
	}
	for i, dl := range ds {
		if j := len(log) - 1 - i; dl.Event != log[j].Action || dl.AuditSeq != log[j].Seq {
			t.Errorf("delivery %d: %s of entry %d, want %s of entry %d", i, dl.Event, dl.AuditSeq, log[j].Action, log[j].Seq)
		}
	}
}

// testRefusedObjectWritesLeaveNoEntry: a write of these objects that a rule
// refuses records nothing.
func testRefusedObjectWritesLeaveNoEntry(t *testing.T, open Opener) {
	e := newEnv(t, open)
	svc := e.svc
	kb := e.mustCreateKnowledgeBase(t, "FAQ", agentry.NewSources{URLs: []string{"https://example.com"}})
	comp := e.mustCreateComponent(t, component("greeter", "hi"))
	llm := e.mustCreateEngine(t, agentry.RetellLLM, fmt.Sprintf(`{"knowledge_base_ids":[%q]}`, kb.ID)).ResourceID
	e.mustCreateComponent(t, `{"name":"outer","nodes":[{"id":"n","type":"component","component_type":"shared","component_id":"`+comp.ID+`"}]}`)
	app := e.mustCreateApp(t, e.ws, `{"type":"crm","provider":"hubspot"}`)
	before := actions(e.auditLog(t, e.ws, agentry.AuditFilter{}))

	refused := map[string]error{
		"delete a used knowledge base":  svc.DeleteKnowledgeBase(e.ctx, e.caller(), kb.ID),
		"delete a used component":       svc.DeleteComponent(e.ctx, e.caller(), comp.ID),
		"delete a missing source":       second(svc.DeleteKnowledgeBaseSource(e.ctx, e.caller(), kb.ID, "source_nope")),
		"add no sources":                second(svc.AddKnowledgeBaseSources(e.ctx, e.caller(), kb.ID, agentry.NewSources{})),
		"clone without samples":         second(svc.CloneVoice(e.ctx, e.caller(), agentry.CloneVoiceRequest{Name: "x", Provider: "elevenlabs"})),
		"upload an empty asset":         second(svc.CreateAsset(e.ctx, e.caller(), agentry.FileSource{Name: "x.wav"})),
		"update a missing app":          second(svc.UpdateApp(e.ctx, e.caller(), "app_nope", fields(t, `{"name":"x"}`))),
		"test a missing app":            second(svc.TestAppAuth(e.ctx, e.caller(), "app_nope")),
		"test case on a missing engine": second(svc.CreateTestCase(e.ctx, e.caller(), fields(t, definition(engineKinds[0].ref("llm_nope"), "x")))),
		"batch of a missing definition": second(svc.CreateBatchTest(e.ctx, e.caller(), agentry.BatchTestRequest{ResponseEngine: []byte(engineKinds[0].ref(llm)), DefinitionIDs: []string{"test_case_definition_nope"}})),
		"delete a missing test case":    svc.DeleteTestCase(e.ctx, e.caller(), "test_case_definition_nope"),
	}
	for name, err := range refused {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if got := actions(e.auditLog(t, e.ws, agentry.AuditFilter{})); !slices.Equal(got, before) {
		t.Errorf("refused writes recorded %v", got[len(before):])
	}
	// An app without credentials fails test-app-auth: its status goes from
	// not_connected to error, a change, once.
	if ok, err := svc.TestAppAuth(e.ctx, e.caller(), app.ID); ok || err != nil {
		t.Fatalf("TestAppAuth = %v, %v", ok, err)
	}
	if ok, err := svc.TestAppAuth(e.ctx, e.caller(), app.ID); ok || err != nil {
		t.Fatalf("TestAppAuth again = %v, %v", ok, err)
	}
	log := e.auditLog(t, e.ws, agentry.AuditFilter{Action: "app.updated"})
	if len(log) != 1 || details(t, log[0])["connection_status"] != "error" {
		t.Errorf("failed probes recorded %+v", log)
	}
}

func second[T any](_ T, err error) error { return err }

// compactJSON is doc without insignificant space, keys in order.
func compactJSON(tb testing.TB, doc string) string {
	tb.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		tb.Fatal(err)
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}

// objectWritesThatFail are the writes of the objects that are not versioned
// resources, for testInjectedFailureAfterTheEntry: each is to fail after
// its first entry, since svc's store fails the delivery its event queues
// (a webhook subscribed to every event is assumed). check, called after
// they all failed, asserts that none of them changed anything.
func objectWritesThatFail(t *testing.T, e *env, svc *agentry.Service, c agentry.Caller, bad *failAfterAudit) (writes map[string]func() error, check func()) {
	t.Helper()
	e.svc.KnowledgeBaseIndexing = indexing
	kb := e.mustCreateKnowledgeBase(t, "FAQ", agentry.NewSources{URLs: []string{"https://example.com/a", "https://example.com/b"}})
	comp := e.mustCreateComponent(t, component("greeter", "hi"))
	flow := e.mustCreateEngine(t, agentry.ConversationFlow, sharedFlow(comp.ID)).ResourceID
	flowBefore := mustVersionRow(t, e.store, e.ws, flow, 0)
	app := e.mustCreateApp(t, e.ws, `{"type":"crm","provider":"hubspot","name":"Sales","auth_config":{"type":"oauth2","client_id":"cid"}}`)
	k := engineKinds[0]
	llm := e.mustCreateEngine(t, k.kind, k.config).ResourceID
	tc := e.mustCreateTestCase(t, e.ws, definition(k.ref(llm), "booking"))
	writes = map[string]func() error{
		"create knowledge base": func() error {
			return second(svc.CreateKnowledgeBase(e.ctx, c, agentry.CreateKnowledgeBaseRequest{Name: "never", Sources: agentry.NewSources{URLs: []string{"https://example.com/x"}}}))
		},
		"add sources": func() error {
			return second(svc.AddKnowledgeBaseSources(e.ctx, c, kb.ID, agentry.NewSources{Texts: []agentry.TextSource{{Title: "t", Text: "never"}}}))
		},
		"delete source":         func() error { return second(svc.DeleteKnowledgeBaseSource(e.ctx, c, kb.ID, kb.Sources[0].ID)) },
		"delete knowledge base": func() error { return svc.DeleteKnowledgeBase(e.ctx, c, kb.ID) },
		"create component":      func() error { return second(svc.CreateComponent(e.ctx, c, fields(t, component("never", "x")))) },
		"update component": func() error {
			return second(svc.UpdateComponent(e.ctx, c, agentry.UpdateComponentRequest{ID: comp.ID, Patch: fields(t, `{"name":"never"}`)}))
		},
		// Its first entry is the edit of the flow's draft.
		"delete component": func() error { return svc.DeleteComponent(e.ctx, c, comp.ID) },
		"clone voice": func() error {
			return second(svc.CloneVoice(e.ctx, c, agentry.CloneVoiceRequest{Name: "never", Provider: "elevenlabs", Samples: []agentry.FileSource{{Name: "a.wav", Data: wav}}}))
		},
		"add community voice": func() error {
			return second(svc.AddCommunityVoice(e.ctx, c, agentry.AddCommunityVoiceRequest{ProviderVoiceID: "pv", Name: "never", PublicUserID: "u"}))
		},
		"create asset": func() error {
			return second(svc.CreateAsset(e.ctx, c, agentry.FileSource{Name: "never.wav", Data: wav}))
		},
		"create app": func() error {
			return second(svc.CreateApp(e.ctx, c, fields(t, `{"type":"crm","provider":"hubspot","name":"never"}`)))
		},
		"update app":       func() error { return second(svc.UpdateApp(e.ctx, c, app.ID, fields(t, `{"name":"never"}`))) },
		"test app auth":    func() error { return second(svc.TestAppAuth(e.ctx, c, app.ID)) }, // not_connected → connected
		"delete app":       func() error { return svc.DeleteApp(e.ctx, c, app.ID, false) },
		"create test case": func() error { return second(svc.CreateTestCase(e.ctx, c, fields(t, definition(k.ref(llm), "never")))) },
		"update test case": func() error { return second(svc.UpdateTestCase(e.ctx, c, tc.ID, fields(t, `{"name":"never"}`))) },
		"delete test case": func() error { return svc.DeleteTestCase(e.ctx, c, tc.ID) },
		"create batch test": func() error {
			return second(svc.CreateBatchTest(e.ctx, c, agentry.BatchTestRequest{ResponseEngine: []byte(k.ref(llm)), DefinitionIDs: []string{tc.ID}}))
		},
	}
	check = func() {
		t.Helper()
		mustView(t, e.store, func(tx agentry.Tx) error {
			// What the failed creates made, by the ids their entries named.
			for _, o := range bad.objects {
				var err error
				switch o.ObjectType {
				case agentry.ObjectKnowledgeBase:
					_, err = tx.GetKnowledgeBase(e.ws, o.ObjectID)
				case agentry.ObjectComponent:
					_, err = tx.GetComponent(e.ws, o.ObjectID)
				case agentry.ObjectVoice:
					_, err = tx.GetVoice(e.ws, o.ObjectID)
				case agentry.ObjectAsset:
					_, err = tx.GetAsset(e.ws, o.ObjectID, false)
				case agentry.ObjectApp:
					_, err = tx.GetApp(e.ws, o.ObjectID)
				case agentry.ObjectTestCase:
					_, err = tx.GetTestCase(e.ws, o.ObjectID)
				case agentry.ObjectBatchTest:
					_, err = tx.GetTestBatch(e.ws, o.ObjectID)
				default:
					continue
				}
				if o.Action == o.ObjectType+".created" && err == nil {
					t.Errorf("%s %s exists after its create failed", o.ObjectType, o.ObjectID)
				} else if o.Action != o.ObjectType+".created" && err != nil {
					t.Errorf("%s %s is gone after a %s failed: %v", o.ObjectType, o.ObjectID, o.Action, err)
				}
			}
			return nil
		})
		if got := e.mustGetKnowledgeBase(t, kb.ID); len(got.Sources) != 2 || got.Name != "FAQ" {
			t.Errorf("knowledge base after failed writes: %+v", got)
		}
		if got := e.mustGetComponent(t, comp.ID); got.Revision != comp.Revision || !strings.Contains(string(got.Config), `"greeter"`) {
			t.Errorf("component after failed writes: %+v", got)
		}
		if got := mustVersionRow(t, e.store, e.ws, flow, 0); string(got.Config) != string(flowBefore.Config) || got.Revision != flowBefore.Revision {
			t.Errorf("the flow's draft after a failed component deletion: %s", got.Config)
		}
		if got, err := svc.GetApp(e.ctx, e.caller(), app.ID); err != nil || *got.Name != "Sales" || got.ConnectionStatus != agentry.AppNotConnected {
			t.Errorf("app after failed writes: %+v, %v", got, err)
		}
		if got, err := svc.GetTestCase(e.ctx, e.caller(), tc.ID); err != nil || string(got.Fields) != string(tc.Fields) {
			t.Errorf("test case after failed writes: %+v, %v", got, err)
		}
		if vs, err := svc.ListVoices(e.ctx, e.caller()); err != nil || len(vs) != len(agentry.CatalogVoices()) {
			t.Errorf("voices after failed creates: %d, %v", len(vs), err)
		}
	}
	return writes, check
}

// testLegacyPublishAudited: retell-sdk 4.x's publish (publish the latest
// version, then branch a new draft from it) goes through the same writes as
// 5.x's publish and create-agent-version, and records both, in one request.
func testLegacyPublishAudited(t *testing.T, open Opener) {
	e := newEnv(t, open)
	a := e.mustCreateAgent(t, agentry.VoiceAgent, minimalDoc).ResourceID
	c := e.who(e.ws, "key_1234abcd", "sdk4", "req_publish")
	draft, err := e.svc.PublishLatest(e.ctx, c, agentry.VoiceAgent, a)
	if err != nil {
		t.Fatal(err)
	}
	log := e.auditLog(t, e.ws, agentry.AuditFilter{ObjectID: a, Action: "agent_version.*"})
	if got := actions(log); !slices.Equal(got, []string{"agent_version.published", "agent_version.created"}) {
		t.Fatalf("actions %v", got)
	}
	wantInt(t, "published version", log[0].Version, ptr[int64](0))
	wantInt(t, "new draft", log[1].Version, &draft.Number)
	if d := details(t, log[1]); d["base_version"] != float64(0) {
		t.Errorf("new draft's details %v", d)
	}
	for _, entry := range log {
		if entry.RequestID != "req_publish" || entry.Actor.Label != "sdk4" {
			t.Errorf("%s: request %q, actor %+v", entry.Action, entry.RequestID, entry.Actor)
		}
	}
}
