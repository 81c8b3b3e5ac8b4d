package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// auditTests cover the audit log: an entry for every write, written in the
// write's transaction (none for a write that rolls back), its filters and
// paging, and pruning.
var auditTests = []suiteTest{
	{"EveryWriteIsAudited", testEveryWriteIsAudited},
	{"EveryObjectWriteIsAudited", testObjectWritesAudited},
	{"RefusedObjectWritesLeaveNoEntry", testRefusedObjectWritesLeaveNoEntry},
	{"LegacyPublishAudited", testLegacyPublishAudited},
	{"RolledBackWritesLeaveNoEntry", testRolledBackWritesLeaveNoEntry},
	{"InjectedFailureAfterTheEntry", testInjectedFailureAfterTheEntry},
	{"FiltersAndPaging", testAuditFiltersAndPaging},
	{"KeyChangesAudited", testKeyChangesAudited},
	{"Prune", testAuditPrune},
}

// who is a caller of workspace ws with a request id of its own.
func (e *env) who(ws, prefix, label, requestID string) agentry.Caller {
	return agentry.Caller{Workspace: ws, KeyPrefix: prefix, KeyLabel: label, RequestID: requestID}
}

// auditLog reads a workspace's whole log, oldest first, page by page.
func (e *env) auditLog(tb testing.TB, ws string, f agentry.AuditFilter) []agentry.AuditEntry {
	tb.Helper()
	var out []agentry.AuditEntry
	p := agentry.PageRequest{Limit: 1000}
	for {
		page, err := e.svc.Audit(e.ctx, e.as(ws), f, p)
		if err != nil {
			tb.Fatalf("Audit(%+v): %v", f, err)
		}
		out = append(out, page.Items...)
		if !page.HasMore {
			return out
		}
		p.Key = page.NextKey
	}
}

func actions(es []agentry.AuditEntry) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		out = append(out, e.Action)
	}
	return out
}

// details decodes an entry's details.
func details(tb testing.TB, e agentry.AuditEntry) map[string]any {
	tb.Helper()
	m := map[string]any{}
	if len(e.Details) > 0 {
		if err := json.Unmarshal(e.Details, &m); err != nil {
			tb.Fatalf("details of %s: %v", e.Action, err)
		}
	}
	return m
}

func testEveryWriteIsAudited(t *testing.T, open Opener) {
	e := newEnv(t, open)
	c := e.who(e.ws, "key_1234abcd", "deploy bot", "req_1")
	svc := e.svc
	at := func() int64 { return e.clock.Advance(time.Second) }

	t0 := at()
	llm, err := e.create(e.ws, agentry.RetellLLM, fields(t, engineKinds[0].config))
	if err != nil {
		t.Fatal(err)
	}
	t1 := at()
	cfg, _ := svc.CheckCreate(agentry.ChatAgent, fields(t, `{"agent_name":"desk","response_engine":`+engineKinds[0].ref(llm.ResourceID)+`}`))
	agent, err := svc.Create(e.ctx, c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	id := agent.ResourceID
	t2 := at()
	patch, _ := svc.CheckPatch(agentry.ChatAgent, fields(t, `{"agent_name":"front desk","version_title":"t","language":"en-US"}`))
	c.RequestID = "req_2"
	if _, err := svc.Update(e.ctx, c, agentry.UpdateRequest{Address: agentry.Address{Kind: agentry.AnyAgent, ID: id}, Patch: patch}); err != nil {
		t.Fatal(err)
	}
	at()
	lp, _ := svc.CheckPatch(agentry.RetellLLM, fields(t, `{"general_prompt":"Be brief."}`))
	if _, err := svc.Update(e.ctx, c, agentry.UpdateRequest{Address: agentry.Address{Kind: agentry.RetellLLM, ID: llm.ResourceID}, Patch: lp}); err != nil {
		t.Fatal(err)
	}
	at()
	draft, err := svc.Branch(e.ctx, c, agentry.BranchRequest{AgentID: id, Base: 0})
	if err != nil {
		t.Fatal(err)
	}
	tp := at()
	if err := svc.Publish(e.ctx, c, agentry.PublishRequest{AgentID: id, Version: 1, Title: ptr("launch")}); err != nil {
		t.Fatal(err)
	}
	at()
	if err := svc.DeleteVersion(e.ctx, c, agentry.DeleteVersionRequest{AgentID: id, Version: 0}); err != nil {
		t.Fatal(err)
	}
	at()
	if err := svc.Delete(e.ctx, c, agentry.DeleteRequest{Kind: agentry.ChatAgent, ID: id}); err != nil {
		t.Fatal(err)
	}
	at()
	if err := svc.Delete(e.ctx, c, agentry.DeleteRequest{Kind: agentry.RetellLLM, ID: llm.ResourceID}); err != nil {
		t.Fatal(err)
	}

	log := e.auditLog(t, e.ws, agentry.AuditFilter{})
	want := []string{"retell_llm.created", "agent.created", "agent.updated", "retell_llm.updated",
		"agent_version.created", "agent_version.published", "agent_version.deleted", "agent.deleted", "retell_llm.deleted"}
	if got := actions(log); !slices.Equal(got, want) {
		t.Fatalf("actions = %v, want %v", got, want)
	}
	for i := 1; i < len(log); i++ {
		if log[i].Seq <= log[i-1].Seq || log[i].At < log[i-1].At {
			t.Errorf("entries out of order: %+v then %+v", log[i-1], log[i])
		}
	}
	wantEntry := func(i int, object, objID string, version *int64, at int64) agentry.AuditEntry {
		t.Helper()
		got := log[i]
		if got.ObjectType != object || got.ObjectID != objID || got.At != at {
			t.Errorf("%s: object %s %s at %d, want %s %s at %d", got.Action, got.ObjectType, got.ObjectID, got.At, object, objID, at)
		}
		wantInt(t, got.Action+" version", got.Version, version)
		return got
	}
	first := wantEntry(0, "retell_llm", llm.ResourceID, ptr[int64](0), t0)
	if first.Actor.KeyPrefix != "key_0000test" || first.Actor.Label != "storetest" {
		t.Errorf("actor of a create by another key = %+v", first.Actor)
	}
	created := wantEntry(1, "agent", id, ptr[int64](0), t1)
	if created.Actor != (agentry.Actor{KeyPrefix: "key_1234abcd", Label: "deploy bot"}) || created.RequestID != "req_1" {
		t.Errorf("actor %+v, request %q", created.Actor, created.RequestID)
	}
	if d := details(t, created); d["kind"] != "chat" || fmt.Sprint(d["engine"]) != fmt.Sprintf("map[id:%s version:0]", llm.ResourceID) {
		t.Errorf("agent.created details = %v", d)
	}
	updated := wantEntry(2, "agent", id, ptr[int64](0), t2)
	if !slices.Equal(updated.Paths, []string{"/agent_name", "/language", "/version_title"}) || updated.RequestID != "req_2" {
		t.Errorf("agent.updated paths %v, request %q", updated.Paths, updated.RequestID)
	}
	if log[3].ObjectID != llm.ResourceID || !slices.Equal(log[3].Paths, []string{"/general_prompt"}) {
		t.Errorf("retell_llm.updated = %+v", log[3])
	}
	branched := wantEntry(4, "agent", id, &draft.Number, tp-1000)
	if d := details(t, branched); d["base_version"] != float64(0) || fmt.Sprint(d["engine"]) != fmt.Sprintf("map[id:%s version:%d]", llm.ResourceID, *draft.EngineVersion) {
		t.Errorf("agent_version.created details = %v", d)
	}
	published := wantEntry(5, "agent", id, ptr[int64](1), tp)
	if d := details(t, published); d["version_title"] != "launch" || d["version_description"] != nil || d["engine"] == nil {
		t.Errorf("agent_version.published details = %v", d)
	}
	wantEntry(6, "agent", id, ptr[int64](0), tp+1000)
	wantEntry(7, "agent", id, nil, tp+2000)
	if d := details(t, log[8]); d["force"] != false || log[8].Version != nil {
		t.Errorf("retell_llm.deleted = %+v, details %v", log[8], d)
	}
}

func testRolledBackWritesLeaveNoEntry(t *testing.T, open Opener) {
	for _, k := range engineKinds {
		t.Run(k.kind.Name, func(t *testing.T) {
			e := newEnv(t, open)
			hooks := e.webhookService(true)
			if _, err := hooks.Create(e.ctx, e.caller(), agentry.WebhookInput{URL: ptr("http://127.0.0.1:9/hook"), Events: []string{"*"}}); err != nil {
				t.Fatal(err)
			}
			engine := e.mustCreateEngine(t, k.kind, k.config).ResourceID
			a := e.mustAgentOn(t, agentry.VoiceAgent, k.ref(engine)).ResourceID
			if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: k.kind, ID: engine, Force: true}); err != nil {
				t.Fatal(err)
			}
			before := e.auditLog(t, e.ws, agentry.AuditFilter{})
			outbox := e.deliveries(t, hooks, "")

			// The publish writes its entry, then fails on the engine that is
			// gone: the entry goes with the rollback.
			err := e.svc.Publish(e.ctx, e.caller(), agentry.PublishRequest{AgentID: a, Version: 0})
			wantCode(t, err, agentry.EUNPROCESSABLE, engine)
			// Refused before any row is written, for completeness.
			_, err = e.update(e.ws, agentry.AnyAgent, a, num(0), agentry.Fields{"agent_name": json.RawMessage(`"x"`)}, `"stale"`)
			wantCode(t, err, agentry.EPRECONDITION)
			err = e.svc.DeleteVersion(e.ctx, e.caller(), agentry.DeleteVersionRequest{AgentID: a, Version: 0})
			wantCode(t, err, agentry.EINVALID)

			after := e.auditLog(t, e.ws, agentry.AuditFilter{})
			if !slices.Equal(actions(after), actions(before)) {
				t.Errorf("entries after failed writes = %v, want %v", actions(after), actions(before))
			}
			if got := e.deliveries(t, hooks, ""); len(got) != len(outbox) {
				t.Errorf("failed writes queued %d deliveries", len(got)-len(outbox))
			}
			if e.mustGet(t, a, num(0)).Published {
				t.Error("the version was published")
			}
		})
	}
}

func testAuditFiltersAndPaging(t *testing.T, open Opener) {
	e := newEnv(t, open)
	other := mustWorkspace(t, e.store, "ws-b")
	ci := e.who(e.ws, "key_aaaa1111", "ci", "req_ci")
	alice := e.who(e.ws, "key_bbbb2222", "alice", "req_alice")
	start := e.clock.Millis()
	var agents []string
	for i := range 6 {
		c := ci
		if i%2 == 1 {
			c = alice
		}
		e.clock.Advance(time.Second)
		cfg, _ := e.svc.CheckCreate(agentry.VoiceAgent, fields(t, minimalDoc))
		v, err := e.svc.Create(e.ctx, c, cfg)
		if err != nil {
			t.Fatal(err)
		}
		agents = append(agents, v.ResourceID)
		e.clock.Advance(time.Second)
		if err := e.svc.Publish(e.ctx, c, agentry.PublishRequest{AgentID: v.ResourceID, Version: 0}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.create(other, agentry.VoiceAgent, fields(t, minimalDoc)); err != nil {
		t.Fatal(err)
	}

	count := func(f agentry.AuditFilter) int { return len(e.auditLog(t, e.ws, f)) }
	for name, tc := range map[string]struct {
		f    agentry.AuditFilter
		want int
	}{
		"everything":            {agentry.AuditFilter{}, 12},
		"one object":            {agentry.AuditFilter{ObjectType: "agent", ObjectID: agents[2]}, 2},
		"object id alone":       {agentry.AuditFilter{ObjectID: agents[3]}, 2},
		"object type":           {agentry.AuditFilter{ObjectType: "agent"}, 12},
		"other object type":     {agentry.AuditFilter{ObjectType: "retell_llm"}, 0},
		"actor by prefix":       {agentry.AuditFilter{Actor: "key_aaaa1111"}, 6},
		"actor by label":        {agentry.AuditFilter{Actor: "alice"}, 6},
		"unknown actor":         {agentry.AuditFilter{Actor: "bob"}, 0},
		"action":                {agentry.AuditFilter{Action: "agent_version.published"}, 6},
		"action prefix":         {agentry.AuditFilter{Action: "agent_version.*"}, 6},
		"prefix with _ literal": {agentry.AuditFilter{Action: "agent.*"}, 6},
		"since":                 {agentry.AuditFilter{Since: start + 7000}, 6},
		"until":                 {agentry.AuditFilter{Until: start + 3000}, 2},
		"window":                {agentry.AuditFilter{Since: start + 2000, Until: start + 4000}, 2},
		"all together":          {agentry.AuditFilter{Actor: "alice", Action: "agent.created", Since: start + 4000}, 2},
	} {
		if got := count(tc.f); got != tc.want {
			t.Errorf("%s: %d entries, want %d", name, got, tc.want)
		}
	}
	if got := e.auditLog(t, other, agentry.AuditFilter{}); len(got) != 1 {
		t.Errorf("workspace B sees %d entries, want its own 1", len(got))
	}
	if got := e.auditLog(t, other, agentry.AuditFilter{ObjectID: agents[0]}); len(got) != 0 {
		t.Errorf("workspace B sees A's agent's entries: %+v", got)
	}

	// Newest first by default; pages are stable while entries are added.
	p := agentry.PageRequest{Limit: 5, Desc: true}
	page, err := e.svc.Audit(e.ctx, e.caller(), agentry.AuditFilter{}, p)
	if err != nil {
		t.Fatal(err)
	}
	if !page.HasMore || len(page.Items) != 5 || page.Items[0].Action != "agent_version.published" || page.Items[0].ObjectID != agents[5] {
		t.Fatalf("first page = %+v", page)
	}
	seen := page.Items
	e.mustCreateAgent(t, agentry.VoiceAgent, minimalDoc) // newer than the first page: not in the next ones
	for page.HasMore {
		p.Key = page.NextKey
		if page, err = e.svc.Audit(e.ctx, e.caller(), agentry.AuditFilter{}, p); err != nil {
			t.Fatal(err)
		}
		seen = append(seen, page.Items...)
	}
	if len(seen) != 12 {
		t.Fatalf("paged through %d entries, want 12", len(seen))
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Seq >= seen[i-1].Seq {
			t.Fatalf("not newest first at %d: %d then %d", i, seen[i-1].Seq, seen[i].Seq)
		}
	}
	first, err := e.svc.Audit(e.ctx, e.caller(), agentry.AuditFilter{}, agentry.PageRequest{Limit: 5, Desc: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Audit(e.ctx, e.caller(), agentry.AuditFilter{}, agentry.PageRequest{Limit: 5, Key: first.NextKey})
	wantCode(t, err, agentry.EINVALID, "sort_order")
	if err := agentry.CheckAuditAction("agent.frobbed"); agentry.ErrorCode(err) != agentry.EINVALID {
		t.Errorf("CheckAuditAction(agent.frobbed) = %v", err)
	}
	for _, ok := range []string{"", "tag.moved", "agent_version.*", "retell_llm.*"} {
		if err := agentry.CheckAuditAction(ok); err != nil {
			t.Errorf("CheckAuditAction(%q) = %v", ok, err)
		}
	}
}

func testKeyChangesAudited(t *testing.T, open Opener) {
	e := newEnv(t, open)
	e.keys.Operator = "agentry keys create (tester@ci)"
	key := e.mustCreateKey(t, "prod", "deploy")
	prod := workspaceID(t, e.store, "prod")
	log := e.auditLog(t, prod, agentry.AuditFilter{})
	if len(log) != 1 || log[0].Action != "api_key.created" || log[0].ObjectType != "api_key" {
		t.Fatalf("log after keys create = %+v", log)
	}
	if log[0].Actor.Type() != agentry.ActorOperator || log[0].Actor.Label != "agentry keys create (tester@ci)" || log[0].RequestID == "" {
		t.Errorf("actor of keys create = %+v (%s), request %q", log[0].Actor, log[0].Actor.Type(), log[0].RequestID)
	}
	if d := details(t, log[0]); d["key_prefix"] != key[:agentry.KeyPrefixLen] || d["label"] != "deploy" {
		t.Errorf("details = %v", d)
	}
	raw, _ := json.Marshal(log[0])
	if strings.Contains(string(raw), key) {
		t.Errorf("the entry shows the key: %s", raw)
	}

	e.keys.Operator = "agentry keys revoke (tester@ci)"
	if err := e.keys.RevokeKey(e.ctx, key[:agentry.KeyPrefixLen]); err != nil {
		t.Fatal(err)
	}
	const ensured = "key_0123456789abcdef0123456789abcdef"
	e.keys.Operator = "agentry serve"
	if added, err := e.keys.EnsureKey(e.ctx, "prod", ensured, "AGENTRY_API_KEY"); err != nil || !added {
		t.Fatal(added, err)
	}
	if added, err := e.keys.EnsureKey(e.ctx, "prod", ensured, "AGENTRY_API_KEY"); err != nil || added {
		t.Fatal(added, err)
	}
	log = e.auditLog(t, prod, agentry.AuditFilter{})
	if got := actions(log); !slices.Equal(got, []string{"api_key.created", "api_key.revoked", "api_key.created"}) {
		t.Fatalf("actions = %v; an existing key ensured again must not be audited", got)
	}
	if log[1].ObjectID != log[0].ObjectID || log[1].Actor.Label != "agentry keys revoke (tester@ci)" || log[2].Actor.Label != "agentry serve" {
		t.Errorf("revoke %+v, ensure %+v", log[1], log[2])
	}
	if err := e.keys.RevokeKey(e.ctx, "key_nope"); agentry.ErrorCode(err) != agentry.ENOTFOUND {
		t.Errorf("revoking an unknown key: %v", err)
	}
	if n := len(e.auditLog(t, prod, agentry.AuditFilter{})); n != 3 {
		t.Errorf("a refused revoke was audited: %d entries", n)
	}
}

func testAuditPrune(t *testing.T, open Opener) {
	e := newEnv(t, open)
	other := mustWorkspace(t, e.store, "ws-b")
	e.mustCreateAgent(t, agentry.VoiceAgent, minimalDoc)
	if _, err := e.create(other, agentry.VoiceAgent, fields(t, minimalDoc)); err != nil {
		t.Fatal(err)
	}
	cut := e.clock.Advance(time.Hour)
	kept := e.mustCreateAgent(t, agentry.VoiceAgent, minimalDoc)
	op := agentry.Caller{KeyLabel: "agentry audit prune (ops@host)", RequestID: "op_1"}
	n, err := agentry.PruneAudit(e.ctx, e.store, op, cut, cut+5)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("pruned %d entries, want 2", n)
	}
	log := e.auditLog(t, e.ws, agentry.AuditFilter{})
	if got := actions(log); !slices.Equal(got, []string{"agent.created", "audit_log.pruned"}) || log[0].ObjectID != kept.ResourceID {
		t.Fatalf("log after pruning = %+v", log)
	}
	if d := details(t, log[1]); d["deleted"] != float64(1) || d["before"] != float64(cut) || log[1].Actor.Label != op.KeyLabel || log[1].At != cut+5 {
		t.Errorf("prune entry = %+v, details %v", log[1], d)
	}
	if got := actions(e.auditLog(t, other, agentry.AuditFilter{})); !slices.Equal(got, []string{"audit_log.pruned"}) {
		t.Errorf("workspace B after pruning = %v", got)
	}
	// Nothing older left: pruning again deletes nothing and records nothing.
	if n, err := agentry.PruneAudit(e.ctx, e.store, op, cut, cut+6); err != nil || n != 0 {
		t.Errorf("second prune = %d, %v", n, err)
	}
	if got := len(e.auditLog(t, e.ws, agentry.AuditFilter{})); got != 2 {
		t.Errorf("an empty prune was recorded: %d entries", got)
	}
}

// failAfterAudit is a store whose transactions fail every row write that
// comes after an audit entry was inserted: it proves that an entry written
// by a change that then fails is rolled back with it.
type failAfterAudit struct {
	agentry.Store
	audited int                  // entries inserted, committed or not
	objects []agentry.AuditEntry // those entries
}

var errInjected = errors.New("injected failure after the audit entry")

func (s *failAfterAudit) Update(ctx context.Context, fn func(agentry.Tx) error) error {
	return s.Store.Update(ctx, func(tx agentry.Tx) error { return fn(&failingTx{Tx: tx, s: s}) })
}

type failingTx struct {
	agentry.Tx
	s       *failAfterAudit
	audited bool
}

func (t *failingTx) InsertAuditEntry(e *agentry.AuditEntry) error {
	err := t.Tx.InsertAuditEntry(e)
	t.audited = err == nil
	t.s.audited++
	t.s.objects = append(t.s.objects, *e)
	return err
}

// InsertDelivery fails too: the writes that record their change last fail
// on the event's delivery, which a webhook subscribed to everything makes.
func (t *failingTx) InsertDelivery(d *agentry.Delivery) error {
	if err := t.fail(); err != nil {
		return err
	}
	return t.Tx.InsertDelivery(d)
}

func (t *failingTx) fail() error {
	if t.audited {
		return errInjected
	}
	return nil
}

func (t *failingTx) UpdateResource(r *agentry.Resource) error {
	if err := t.fail(); err != nil {
		return err
	}
	return t.Tx.UpdateResource(r)
}

func (t *failingTx) InsertVersion(v *agentry.Version) error {
	if err := t.fail(); err != nil {
		return err
	}
	return t.Tx.InsertVersion(v)
}

func (t *failingTx) RecordDeletion(d agentry.Deletion, pruneBefore int64) error {
	if err := t.fail(); err != nil {
		return err
	}
	return t.Tx.RecordDeletion(d, pruneBefore)
}

func testInjectedFailureAfterTheEntry(t *testing.T, open Opener) {
	e := newEnv(t, open)
	hooks := e.webhookService(true)
	e.mustWebhook(t, hooks, "http://127.0.0.1:9/all", "*")
	llm := e.mustCreateEngine(t, agentry.RetellLLM, engineKinds[0].config).ResourceID
	a := e.mustAgentOn(t, agentry.VoiceAgent, engineKinds[0].ref(llm)).ResourceID
	e.mustCreateVersion(t, a, 0)
	before := e.auditLog(t, e.ws, agentry.AuditFilter{})
	queued := len(e.deliveries(t, hooks, ""))
	versions := countVersions(t, e.store, e.ws, a)

	bad := &failAfterAudit{Store: e.store}
	svc := &agentry.Service{Store: bad, Rules: anyConfig{}, Now: e.clock.Now}
	c := e.caller()
	cfg, _ := svc.CheckCreate(agentry.VoiceAgent, fields(t, minimalDoc))
	patch, _ := svc.CheckPatch(agentry.VoiceAgent, fields(t, `{"agent_name":"never"}`))
	writes := map[string]func() error{
		"create": func() error { _, err := svc.Create(e.ctx, c, cfg); return err },
		"update": func() error {
			_, err := svc.Update(e.ctx, c, agentry.UpdateRequest{Address: agentry.Address{Kind: agentry.VoiceAgent, ID: a, Version: num(1)}, Patch: patch})
			return err
		},
		"branch":         func() error { _, err := svc.Branch(e.ctx, c, agentry.BranchRequest{AgentID: a, Base: 0}); return err },
		"publish":        func() error { return svc.Publish(e.ctx, c, agentry.PublishRequest{AgentID: a, Version: 1}) },
		"delete version": func() error { return svc.DeleteVersion(e.ctx, c, agentry.DeleteVersionRequest{AgentID: a, Version: 0}) },
		"delete agent":   func() error { return svc.Delete(e.ctx, c, agentry.DeleteRequest{Kind: agentry.VoiceAgent, ID: a}) },
		"delete engine": func() error {
			return svc.Delete(e.ctx, c, agentry.DeleteRequest{Kind: agentry.RetellLLM, ID: llm, Force: true})
		},
	}
	objectWrites, checkObjects := objectWritesThatFail(t, e, svc, c, bad)
	maps.Copy(writes, objectWrites)
	before = e.auditLog(t, e.ws, agentry.AuditFilter{})
	queued = len(e.deliveries(t, hooks, ""))
	for name, write := range writes {
		n := bad.audited
		if err := write(); !errors.Is(err, errInjected) {
			t.Errorf("%s: error %v, want the injected failure", name, err)
		}
		if bad.audited != n+1 {
			t.Errorf("%s: wrote %d audit entries before failing, want 1", name, bad.audited-n)
		}
	}
	if after := e.auditLog(t, e.ws, agentry.AuditFilter{}); !slices.Equal(actions(after), actions(before)) {
		t.Errorf("entries of rolled-back writes remain: %v, want %v", actions(after), actions(before))
	}
	if got := len(e.deliveries(t, hooks, "")); got != queued {
		t.Errorf("rolled-back writes left %d deliveries", got-queued)
	}
	if got := countVersions(t, e.store, e.ws, a); got != versions || e.mustGet(t, a, num(1)).Published {
		t.Errorf("a rolled-back write changed the agent: %d versions", got)
	}
	checkObjects()
	if len(bad.objects) != len(writes) {
		t.Errorf("%d entries written for %d writes", len(bad.objects), len(writes))
	}
}
