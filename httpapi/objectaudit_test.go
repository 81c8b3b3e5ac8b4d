package httpapi_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/agentry/agentry"
)

// A knowledge base upload (multipart) and an app create are audited with
// the server's request id and the calling key, with what they made and
// neither the file's bytes nor the app's secret.
func TestObjectWritesAuditedThroughTheAPI(t *testing.T) {
	e := newEnv(t, nil)
	const fileBytes, secret = "soup\x00salad, the whole menu", "s3cret-value-9f8e7d"
	ct, body := multipartBody(t,
		part{name: "knowledge_base_name", body: "Clinic FAQ"},
		part{name: "knowledge_base_texts", body: `[{"title":"Hours","text":"Open nine to five."}]`},
		part{name: "knowledge_base_files", filename: "menu.txt", ctype: "text/plain", body: fileBytes})
	kb := e.do("POST", "/create-knowledge-base", e.keyA, body, "Content-Type", ct, "X-Request-Id", "trace-kb")
	if kb.status != 201 {
		t.Fatalf("create-knowledge-base: %d %s", kb.status, kb.body)
	}
	kbID := kb.json(t)["knowledge_base_id"].(string)
	app := e.do("POST", "/create-app", e.keyA, []byte(`{"type":"crm","provider":"hubspot","name":"Sales",
		"auth_config":{"type":"oauth2","client_id":"cid","client_secret":"`+secret+`"}}`), "X-Request-Id", "trace-app")
	if app.status != 201 {
		t.Fatalf("create-app: %d %s", app.status, app.body)
	}
	appID := app.json(t)["app_id"].(string)

	raw := e.do("GET", "/agentry/v1/audit?sort_order=ascending&action=knowledge_base.*", e.keyA, nil)
	for _, leak := range []string{fileBytes, "soup", "Open nine"} {
		if bytes.Contains(raw.body, []byte(leak)) {
			t.Errorf("the audit log shows %q: %s", leak, raw.body)
		}
	}
	for _, tc := range []struct {
		query, action, objectType, id string
		answer                        response
		client                        string
	}{
		{"?object_type=knowledge_base&object_id=" + kbID, "knowledge_base.created", "knowledge_base", kbID, kb, "trace-kb"},
		{"?object_type=app&object_id=" + appID, "app.created", "app", appID, app, "trace-app"},
	} {
		p := e.audit(e.keyA, tc.query)
		if len(p.Items) != 1 {
			t.Fatalf("%s: %d entries, want 1", tc.query, len(p.Items))
		}
		got := p.Items[0]
		// The server's own id, the one its answer carried; the client's
		// X-Request-Id is only logged beside it.
		rid := tc.answer.header.Get("X-Request-Id")
		if got.Action != tc.action || got.ObjectType != tc.objectType || got.ObjectID != tc.id || got.Version != nil ||
			rid == "" || rid == tc.client || got.RequestID != rid ||
			got.Actor.Type != agentry.ActorAPIKey || got.Actor.KeyPrefix != e.keyA[:agentry.KeyPrefixLen] {
			t.Errorf("%s entry %+v; the answer's request id %q", tc.action, got, rid)
		}
		if other := e.audit(e.keyB, tc.query); len(other.Items) != 0 {
			t.Errorf("workspace B sees %s", tc.action)
		}
	}
	entry := e.audit(e.keyA, "?action=knowledge_base.created").Items[0]
	sources, _ := entry.Details["sources"].([]any)
	if entry.Details["name"] != "Clinic FAQ" || len(sources) != 2 {
		t.Fatalf("knowledge base details %v", entry.Details)
	}
	if file := sources[1].(map[string]any); file["type"] != "document" || file["filename"] != "menu.txt" || file["size"] != float64(len(fileBytes)) {
		t.Errorf("the file's details %v", file)
	}
	apps := e.do("GET", "/agentry/v1/audit?object_id="+appID, e.keyA, nil)
	if bytes.Contains(apps.body, []byte(secret)) {
		t.Errorf("the audit log shows the app's secret: %s", apps.body)
	}
	if d := e.audit(e.keyA, "?object_id="+appID).Items[0].Details; fmt.Sprint(d) != "map[name:Sales provider:hubspot type:crm]" {
		t.Errorf("app details %v", d)
	}

	// Every action filter of the catalogue is accepted, the new ones too.
	for _, a := range []string{"knowledge_base.*", "conversation_flow_component.deleted", "voice.created", "asset.created",
		"app.*", "test_case_definition.*", "batch_test.created"} {
		if r := e.do("GET", "/agentry/v1/audit?action="+a, e.keyA, nil); r.status != 200 {
			t.Errorf("action=%s: %d %s", a, r.status, r.body)
		}
	}
	if got := e.audit(e.keyA, "?action=app.*").Items; len(got) != 1 || got[0].Action != "app.created" {
		t.Errorf("app.* = %+v", got)
	}
}
