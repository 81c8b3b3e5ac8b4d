package storetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// appTests cover apps as agentry.Service keeps them: what is stored of a
// body (never a secret), the connection status, the per-provider limit
// under concurrent creates, scoping and paging, and the usages found in
// agent and engine versions.
var appTests = []suiteTest{
	{"AppLifecycle", testAppLifecycle},
	{"AppsAreWorkspaceScoped", testAppsAreWorkspaceScoped},
	{"AppsPerProviderLimit", testAppsPerProviderLimit},
	{"AppListPaging", testAppListPaging},
	{"AppUsages", testAppUsages},
	{"AppToolSchemaReplaysConfiguration", testAppToolSchemaReplaysConfiguration},
}

func (e *env) mustCreateApp(tb testing.TB, ws, doc string) *agentry.App {
	tb.Helper()
	a, err := e.svc.CreateApp(e.ctx, e.as(ws), fields(tb, doc))
	if err != nil {
		tb.Fatalf("CreateApp(%s): %v", doc, err)
	}
	return a
}

func testAppLifecycle(t *testing.T, open Opener) {
	e := newEnv(t, open)
	a := e.mustCreateApp(t, e.ws, `{"type":"crm","provider":"hubspot","name":"Sales","tenant_url":"https://eu.example.com",
		"auth_config":{"type":"oauth2","client_id":"cid","client_secret":"s3cret"},
		"crm_config":{"inbound_sync_mappings":[{"field_name":"phone_number","external_field_name":"phone"}],"sync_new_contacts":true}}`)
	if !strings.HasPrefix(a.ID, "app_") || a.Type != "crm" || a.Provider != "hubspot" || *a.Name != "Sales" || *a.TenantURL != "https://eu.example.com" ||
		a.TenantID != nil || a.ConnectionStatus != agentry.AppNotConnected || a.CreatedAt != start.UnixMilli() {
		t.Fatalf("created %+v", a)
	}
	if *a.Auth != (agentry.AppAuth{Type: "oauth2", ClientID: "cid"}) {
		t.Errorf("auth kept %+v, want the type and client_id only", *a.Auth)
	}
	got, err := e.svc.GetApp(e.ctx, e.caller(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v %+v", *got.Auth, got) != fmt.Sprintf("%+v %+v", *a.Auth, a) && !sameApp(got, a) {
		t.Errorf("read back %+v, want %+v", got, a)
	}
	wantConfig(t, got.CRMConfig, `{"inbound_sync_mappings":[{"field_name":"phone_number","external_field_name":"phone"}],"sync_new_contacts":true}`)

	// test-app-auth: credentials were given, so the probe succeeds.
	if ok, err := e.svc.TestAppAuth(e.ctx, e.caller(), a.ID); !ok || err != nil {
		t.Fatalf("TestAppAuth = %v, %v", ok, err)
	}
	if got, _ := e.svc.GetApp(e.ctx, e.caller(), a.ID); got.ConnectionStatus != agentry.AppConnected || got.ModifiedAt != a.ModifiedAt {
		t.Errorf("after a successful probe: %s (modified %d)", got.ConnectionStatus, got.ModifiedAt)
	}
	// Renaming keeps the connection; new tenant metadata or credentials do not.
	at := e.clock.Advance(time.Second)
	up, err := e.svc.UpdateApp(e.ctx, e.caller(), a.ID, fields(t, `{"name":"Sales EU"}`))
	if err != nil || *up.Name != "Sales EU" || up.ConnectionStatus != agentry.AppConnected || up.ModifiedAt != at || *up.TenantURL != "https://eu.example.com" {
		t.Fatalf("rename: %+v, %v", up, err)
	}
	up, err = e.svc.UpdateApp(e.ctx, e.caller(), a.ID, fields(t, `{"tenant_id":"t-1"}`))
	if err != nil || up.ConnectionStatus != agentry.AppNotConnected || *up.TenantID != "t-1" {
		t.Fatalf("new tenant: %+v, %v", up, err)
	}
	e.svc.TestAppAuth(e.ctx, e.caller(), a.ID)
	up, err = e.svc.UpdateApp(e.ctx, e.caller(), a.ID, fields(t, `{"auth_config":{"type":"basic","username":"ada","password":"pw"}}`))
	if err != nil || up.ConnectionStatus != agentry.AppNotConnected || *up.Auth != (agentry.AppAuth{Type: "basic", Username: "ada"}) {
		t.Fatalf("new credentials: %+v, %v", up, err)
	}
	// The prose rule of crm_config: inbound mappings include phone_number.
	_, err = e.svc.UpdateApp(e.ctx, e.caller(), a.ID, fields(t, `{"crm_config":{"inbound_sync_mappings":[{"field_name":"email","external_field_name":"mail"}]}}`))
	wantCode(t, err, agentry.EINVALID, "crm_config.inbound_sync_mappings", "phone_number")

	// Without credentials the probe fails, and says so in the status.
	bare := e.mustCreateApp(t, e.ws, `{"type":"calendar","provider":"cal_com"}`)
	if bare.Auth != nil || bare.Name != nil {
		t.Errorf("bare app %+v", bare)
	}
	if ok, err := e.svc.TestAppAuth(e.ctx, e.caller(), bare.ID); ok || err != nil {
		t.Fatalf("TestAppAuth without credentials = %v, %v", ok, err)
	}
	if got, _ := e.svc.GetApp(e.ctx, e.caller(), bare.ID); got.ConnectionStatus != agentry.AppError {
		t.Errorf("after a failed probe: %s", got.ConnectionStatus)
	}

	if err := e.svc.DeleteApp(e.ctx, e.caller(), a.ID, false); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.GetApp(e.ctx, e.caller(), a.ID)
	wantCode(t, err, agentry.ENOTFOUND, a.ID)
	wantCode(t, e.svc.DeleteApp(e.ctx, e.caller(), a.ID, true), agentry.ENOTFOUND, a.ID)
	_, err = e.svc.TestAppAuth(e.ctx, e.caller(), a.ID)
	wantCode(t, err, agentry.ENOTFOUND, a.ID)
}

func sameApp(a, b *agentry.App) bool {
	eq := func(x, y *string) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.ID == b.ID && a.WorkspaceID == b.WorkspaceID && a.Type == b.Type && a.Provider == b.Provider &&
		eq(a.Name, b.Name) && eq(a.TenantURL, b.TenantURL) && eq(a.TenantID, b.TenantID) &&
		(a.Auth == nil) == (b.Auth == nil) && (a.Auth == nil || *a.Auth == *b.Auth) &&
		a.ConnectionStatus == b.ConnectionStatus && a.CreatedAt == b.CreatedAt && a.ModifiedAt == b.ModifiedAt
}

func testAppsAreWorkspaceScoped(t *testing.T, open Opener) {
	e := newEnv(t, open)
	a := e.mustCreateApp(t, e.ws, `{"type":"support","provider":"zendesk","auth_config":{"type":"api_key","api_key":"k"}}`)
	other := e.as(mustWorkspace(t, e.store, "ws-b"))
	_, err := e.svc.GetApp(e.ctx, other, a.ID)
	wantCode(t, err, agentry.ENOTFOUND, a.ID)
	_, err = e.svc.UpdateApp(e.ctx, other, a.ID, fields(t, `{"name":"x"}`))
	wantCode(t, err, agentry.ENOTFOUND, a.ID)
	_, err = e.svc.TestAppAuth(e.ctx, other, a.ID)
	wantCode(t, err, agentry.ENOTFOUND, a.ID)
	_, err = e.svc.ListAppUsages(e.ctx, other, a.ID, agentry.PageRequest{})
	wantCode(t, err, agentry.ENOTFOUND, a.ID)
	_, err = e.svc.AppToolSchema(e.ctx, other, a.ID, "x", 0)
	wantCode(t, err, agentry.ENOTFOUND, a.ID)
	wantCode(t, e.svc.DeleteApp(e.ctx, other, a.ID, true), agentry.ENOTFOUND, a.ID)
	if page, err := e.svc.ListApps(e.ctx, other, agentry.PageRequest{}); err != nil || len(page.Items) != 0 {
		t.Errorf("B lists %+v, %v", page, err)
	}
	if got, _ := e.svc.GetApp(e.ctx, e.caller(), a.ID); !sameApp(got, a) {
		t.Errorf("B's calls changed A's app: %+v", got)
	}
	// The per-provider limit counts the workspace's own apps only.
	for range agentry.MaxAppsPerProvider {
		e.mustCreateApp(t, other.Workspace, `{"type":"support","provider":"zendesk"}`)
	}
	e.mustCreateApp(t, e.ws, `{"type":"support","provider":"zendesk"}`)
}

func testAppsPerProviderLimit(t *testing.T, open Opener) {
	e := newEnv(t, open)
	const tries = agentry.MaxAppsPerProvider + 6
	errs := make([]error, tries)
	var wg sync.WaitGroup
	for i := range tries {
		wg.Go(func() {
			_, errs[i] = e.svc.CreateApp(e.ctx, e.caller(), fields(t, `{"type":"crm","provider":"salesforce"}`))
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		default:
			wantCode(t, err, agentry.EINVALID, "provider", "salesforce", "20")
		}
	}
	if ok != agentry.MaxAppsPerProvider {
		t.Errorf("%d concurrent creates succeeded, want exactly %d", ok, agentry.MaxAppsPerProvider)
	}
	page, _ := e.svc.ListApps(e.ctx, e.caller(), agentry.PageRequest{Limit: 100})
	if len(page.Items) != agentry.MaxAppsPerProvider {
		t.Errorf("%d apps stored", len(page.Items))
	}
	// Another provider has room of its own.
	e.mustCreateApp(t, e.ws, `{"type":"crm","provider":"pipedrive"}`)
}

func testAppListPaging(t *testing.T, open Opener) {
	e := newEnv(t, open)
	var made []*agentry.App
	for i := range 5 {
		if i%2 == 0 {
			e.clock.Advance(time.Millisecond)
		}
		made = append(made, e.mustCreateApp(t, e.ws, fmt.Sprintf(`{"type":"crm","provider":"p%d"}`, i)))
	}
	slices.SortFunc(made, func(a, b *agentry.App) int {
		if a.CreatedAt != b.CreatedAt {
			return int(a.CreatedAt - b.CreatedAt)
		}
		return strings.Compare(a.ID, b.ID)
	})
	for _, desc := range []bool{false, true} {
		var got, want []string
		for _, a := range made {
			want = append(want, a.ID)
		}
		if desc {
			slices.Reverse(want)
		}
		key := ""
		for {
			page, err := e.svc.ListApps(e.ctx, e.caller(), agentry.PageRequest{Limit: 2, Desc: desc, Key: key})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range page.Items {
				got = append(got, a.ID)
			}
			if !page.HasMore {
				break
			}
			key = page.NextKey
		}
		if !slices.Equal(got, want) {
			t.Errorf("desc=%v: %v, want %v", desc, got, want)
		}
	}
}

// appTool is an app tool of app id, template tmpl, with parameters params
// (a JSON array).
func appTool(id, tmpl, params string) string {
	return fmt.Sprintf(`{"type":"integration_app","name":"t_%s","app_id":%q,"provider":"hubspot","app_tool_template_name":%q,"parameters":%s}`,
		tmpl, id, tmpl, params)
}

func testAppUsages(t *testing.T, open Opener) {
	e := newEnv(t, open)
	app := e.mustCreateApp(t, e.ws, `{"type":"crm","provider":"hubspot"}`)
	unused := e.mustCreateApp(t, e.ws, `{"type":"crm","provider":"hubspot"}`)
	// An agent uses it directly in versions 0 and 1 (not 2).
	direct := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"Direct","pre_session_tools":[`+appTool(app.ID, "find", `[]`)+`]}`)
	e.mustCreateVersion(t, direct.ResourceID, 0)
	e.clock.Advance(time.Second)
	e.mustCreateVersion(t, direct.ResourceID, 0)
	e.clock.Advance(time.Second)
	e.mustUpdateVersion(t, direct.ResourceID, num(2), `{"pre_session_tools":[]}`)
	// Another agent uses it through the LLM version it pins.
	k := engineKinds[0]
	llm := e.mustCreateEngine(t, k.kind, `{"general_tools":[`+appTool(app.ID, "find", `[]`)+`]}`)
	e.clock.Advance(time.Second)
	via := e.mustCreateAgent(t, agentry.ChatAgent, `{"agent_name":"Via LLM","response_engine":`+k.ref(llm.ResourceID)+`}`)
	// A mention of the id outside an app tool is not a use.
	e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"`+app.ID+`","pre_session_tools":[`+appTool(unused.ID, "x", `[]`)+`]}`)

	page, err := e.svc.ListAppUsages(e.ctx, e.caller(), app.ID, agentry.PageRequest{Desc: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 {
		t.Fatalf("usages %+v, want 2 agents", page.Items)
	}
	first, second := page.Items[0], page.Items[1]
	if first.AgentID != via.ResourceID || first.AgentName != "Via LLM" || !slices.Equal(first.Versions, []int64{0}) || first.ConfiguredAt != via.ModifiedAt {
		t.Errorf("first usage %+v, want agent %s version 0 configured at %d", first, via.ResourceID, via.ModifiedAt)
	}
	if second.AgentID != direct.ResourceID || second.AgentName != "Direct" || !slices.Equal(second.Versions, []int64{1, 0}) || second.ConfiguredAt != start.UnixMilli() {
		t.Errorf("second usage %+v, want agent %s versions [1 0] configured at %d", second, direct.ResourceID, start.UnixMilli())
	}
	asc, _ := e.svc.ListAppUsages(e.ctx, e.caller(), app.ID, agentry.PageRequest{Limit: 1})
	if len(asc.Items) != 1 || asc.Items[0].AgentID != direct.ResourceID || !asc.HasMore {
		t.Fatalf("ascending first page %+v", asc)
	}
	next, err := e.svc.ListAppUsages(e.ctx, e.caller(), app.ID, agentry.PageRequest{Limit: 1, Key: asc.NextKey})
	if err != nil || len(next.Items) != 1 || next.Items[0].AgentID != via.ResourceID || next.HasMore {
		t.Fatalf("ascending second page %+v, %v", next, err)
	}
	if page, _ := e.svc.ListAppUsages(e.ctx, e.caller(), unused.ID, agentry.PageRequest{}); len(page.Items) != 1 {
		t.Errorf("the other app's usages: %+v", page.Items)
	}

	// Deleting a used app is refused, naming a user; force deletes it.
	wantCode(t, e.svc.DeleteApp(e.ctx, e.caller(), app.ID, false), agentry.EINVALID, app.ID, "force_delete")
	// Without agents, an engine that holds the tool still counts.
	if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.ChatAgent, ID: via.ResourceID}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.VoiceAgent, ID: direct.ResourceID}); err != nil {
		t.Fatal(err)
	}
	if page, _ := e.svc.ListAppUsages(e.ctx, e.caller(), app.ID, agentry.PageRequest{}); len(page.Items) != 0 {
		t.Errorf("usages after the agents went: %+v", page.Items)
	}
	wantCode(t, e.svc.DeleteApp(e.ctx, e.caller(), app.ID, false), agentry.EINVALID, llm.ResourceID)
	if err := e.svc.DeleteApp(e.ctx, e.caller(), app.ID, true); err != nil {
		t.Fatalf("force delete: %v", err)
	}
	if _, err := e.svc.GetApp(e.ctx, e.caller(), app.ID); agentry.ErrorCode(err) != agentry.ENOTFOUND {
		t.Errorf("force-deleted app still there: %v", err)
	}
}

func testAppToolSchemaReplaysConfiguration(t *testing.T, open Opener) {
	e := newEnv(t, open)
	app := e.mustCreateApp(t, e.ws, `{"type":"crm","provider":"hubspot"}`)
	step := func(tmpl string, k int) *agentry.AppToolSchemaStep {
		t.Helper()
		s, err := e.svc.AppToolSchema(e.ctx, e.caller(), app.ID, tmpl, k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := step("create_contact", 0); !s.Complete || s.InputSchema != nil {
		t.Errorf("a template nothing uses: %+v, want complete with no input", s)
	}
	p0 := `{"type":"object","properties":{"email":{"type":"string"}},"required":["email"]}`
	p1 := `{"type":"object","properties":{"owner":{"type":"string","const":"ada"}}}`
	e.mustCreateAgent(t, agentry.VoiceAgent, `{"post_session_tools":[`+appTool(app.ID, "create_contact", `[`+p0+`,`+p1+`]`)+`]}`)
	e.clock.Advance(time.Second)
	// An older configuration of the same template loses to the newer one;
	// a newer one of another template does not matter.
	e.mustCreateAgent(t, agentry.VoiceAgent, `{"post_session_tools":[`+appTool(app.ID, "search", `[`+p1+`]`)+`]}`)
	if s := step("create_contact", 0); s.Complete || s.InputSchema == nil {
		t.Fatalf("round 0: %+v", s)
	} else {
		wantConfig(t, s.InputSchema, p0)
	}
	if s := step("create_contact", 1); !s.Complete {
		t.Errorf("round 1 is the last: %+v", s)
	} else {
		wantConfig(t, s.InputSchema, p1)
	}
	if s := step("create_contact", 2); !s.Complete || s.InputSchema != nil {
		t.Errorf("past the last round: %+v", s)
	}
}
