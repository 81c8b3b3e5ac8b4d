package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// sdk4Tests cover what retell-sdk 4.x asks of the objects versions point
// at: its single-agent fields of phone numbers (taken as one-entry lists,
// answered from the lists), and its unpaged lists of phone numbers and
// shared components.
var sdk4Tests = []suiteTest{
	{"SingleAgentFieldsBecomeLists", testSingleAgentFieldsBecomeLists},
	{"SingleAgentFieldsRefused", testSingleAgentFieldsRefused},
	{"SingleAgentsShowTheLists", testSingleAgentsShowTheLists},
	{"ListAllPhones", testListAllPhones},
	{"ListAllComponents", testListAllComponents},
}

// single fills and returns a number's single-agent fields, as
// "agent@version" per direction ("-" for none, "latest" for no version).
func (e *env) single(tb testing.TB, p *agentry.Phone) string {
	tb.Helper()
	if err := e.svc.FillSingleAgents(e.ctx, e.caller(), p); err != nil {
		tb.Fatalf("FillSingleAgents(%s): %v", p.Number, err)
	}
	out := ""
	for _, d := range agentry.SingleDirections {
		one, ok := p.Single[d]
		switch {
		case !ok:
			tb.Fatalf("%s: no single-agent fields for %s", p.Number, d)
		case one.AgentID == "" && one.Version != nil:
			tb.Errorf("%s: %s has a version (%d) and no agent", p.Number, d, *one.Version)
		case one.AgentID == "":
			out += " -"
		case one.Version == nil:
			out += " " + one.AgentID + "@latest"
		default:
			out += fmt.Sprintf(" %s@%d", one.AgentID, *one.Version)
		}
	}
	return out[1:]
}

func testSingleAgentFieldsBecomeLists(t *testing.T, open Opener) {
	e := newEnv(t, open)
	voice := e.agentWithVersions(t, agentry.VoiceAgent, 3, 0)
	other := e.agentWithVersions(t, agentry.VoiceAgent, 1, 0)

	// create-phone-number: an id and a version make a one-entry list of
	// weight 1; the list is stored as a client of the current API sends it.
	p, err := e.svc.CreatePhone(e.ctx, e.caller(), fields(t, fmt.Sprintf(`{"area_code":415,"inbound_agent_id":%q,"inbound_agent_version":1,"outbound_agent_id":null}`, voice)))
	if err != nil {
		t.Fatal(err)
	}
	wantConfig(t, p.Config, fmt.Sprintf(`{"area_code":415,"inbound_agents":[{"agent_id":%q,"agent_version":1,"weight":1}]}`, voice))
	if got := e.single(t, p); got != voice+"@1 -" {
		t.Errorf("created: %s", got)
	}
	// import-phone-number: an id without a version binds latest.
	q := e.mustImport(t, "+14155550101", fmt.Sprintf(`,"outbound_agent_id":%q`, other))
	wantConfig(t, q.Config, fmt.Sprintf(`{"outbound_agents":[{"agent_id":%q,"weight":1}],"sip_outbound_trunk_config":{"termination_uri":"trunk.pstn.example.com"}}`, other))
	if got := e.single(t, q); got != "- "+other+"@latest" {
		t.Errorf("imported: %s", got)
	}
	// The rows that keep deletes safe know the binding.
	err = e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.VoiceAgent, ID: other})
	wantCode(t, err, agentry.EINVALID, q.Number)

	// update-phone-number, as 4.x sends it.
	steps := []struct {
		patch, single, stored string
	}{
		// A version alone changes the version of the list's one entry.
		{`{"inbound_agent_version":2}`, voice + "@2 -", fmt.Sprintf(`[{"agent_id":%q,"agent_version":2,"weight":1}]`, voice)},
		// A null version is latest.
		{`{"inbound_agent_version":null}`, voice + "@latest -", fmt.Sprintf(`[{"agent_id":%q,"weight":1}]`, voice)},
		// Another agent, without a version: latest, as 4.x documents.
		{fmt.Sprintf(`{"inbound_agent_id":%q,"nickname":"desk"}`, other), other + "@latest -", fmt.Sprintf(`[{"agent_id":%q,"weight":1}]`, other)},
		// A null id unbinds.
		{`{"inbound_agent_id":null,"inbound_agent_version":null}`, "- -", ``},
		// A null version of no agent changes nothing.
		{`{"inbound_agent_version":null}`, "- -", ``},
	}
	for _, s := range steps {
		e.clock.Advance(time.Second)
		u := e.mustUpdatePhone(t, p.Number, s.patch)
		if got := e.single(t, u); got != s.single {
			t.Errorf("after %s: single-agent fields %s, want %s", s.patch, got, s.single)
		}
		stored, ok := config(t, u.Config)["inbound_agents"]
		if s.stored == "" && ok || s.stored != "" && fmt.Sprint(stored) != fmt.Sprint(config(t, []byte(`{"l":`+s.stored+`}`))["l"]) {
			t.Errorf("after %s: inbound_agents stored as %v, want %s", s.patch, stored, s.stored)
		}
		if _, ok := config(t, u.Config)["inbound_agent_id"]; ok {
			t.Errorf("after %s: the single-agent field is stored: %s", s.patch, u.Config)
		}
	}
	got, err := e.svc.GetPhone(e.ctx, e.caller(), p.Number)
	if err != nil || config(t, got.Config)["nickname"] != "desk" || e.single(t, got) != "- -" {
		t.Errorf("read back: %+v, %v", got, err)
	}
}

func testSingleAgentFieldsRefused(t *testing.T, open Opener) {
	e := newEnv(t, open)
	voice := e.agentWithVersions(t, agentry.VoiceAgent, 2, 0)
	other := e.agentWithVersions(t, agentry.VoiceAgent, 1, 0)
	chat := e.agentWithVersions(t, agentry.ChatAgent, 1, 0)
	p := e.mustImport(t, "+14155550100", "")
	two := e.mustImport(t, "+14155550102", fmt.Sprintf(`,"inbound_agents":[{"agent_id":%q,"weight":0.5},{"agent_id":%q,"weight":0.5}]`, voice, other))
	for _, c := range []struct {
		name, number, body, code string
		words                    []string
	}{
		{"id with its list", p.Number, fmt.Sprintf(`{"inbound_agent_id":%q,"inbound_agents":null}`, voice), agentry.EINVALID, []string{"inbound_agent_id", "inbound_agents", "one or the other"}},
		{"version with its list", p.Number, fmt.Sprintf(`{"outbound_agent_version":0,"outbound_agents":[{"agent_id":%q,"weight":1}]}`, voice), agentry.EINVALID, []string{"outbound_agent_version", "outbound_agents"}},
		{"version of no agent", p.Number, `{"inbound_agent_version":1}`, agentry.EINVALID, []string{"inbound_agent_version", "binds no agent", "inbound_agent_id"}},
		{"version with a null id", p.Number, `{"inbound_agent_id":null,"inbound_agent_version":1}`, agentry.EINVALID, []string{"inbound_agent_version", "needs an agent"}},
		{"version of several entries", two.Number, `{"inbound_agent_version":0}`, agentry.EINVALID, []string{"inbound_agent_version", "binds 2 agents", "inbound_agents"}},
		{"not an id", p.Number, `{"inbound_agent_id":7}`, agentry.EINVALID, []string{"inbound_agent_id", "agent id"}},
		{"not a version", p.Number, fmt.Sprintf(`{"inbound_agent_id":%q,"inbound_agent_version":"prod"}`, voice), agentry.EINVALID, []string{"inbound_agent_version", "version number"}},
		{"missing agent", p.Number, `{"inbound_agent_id":"agent_nope"}`, agentry.EUNPROCESSABLE, []string{"inbound_agent_id: agent agent_nope does not exist"}},
		{"missing version", p.Number, fmt.Sprintf(`{"outbound_agent_id":%q,"outbound_agent_version":9}`, voice), agentry.EUNPROCESSABLE, []string{"outbound_agent_version: agent", "no version 9"}},
		{"chat agent", p.Number, fmt.Sprintf(`{"inbound_agent_id":%q}`, chat), agentry.EINVALID, []string{"inbound_agent_id", "chat agent"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, err := e.svc.GetPhone(e.ctx, e.caller(), c.number)
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.svc.UpdatePhone(e.ctx, e.caller(), c.number, fields(t, c.body))
			wantCode(t, err, c.code, c.words...)
			after, _ := e.svc.GetPhone(e.ctx, e.caller(), c.number)
			if string(after.Config) != string(before.Config) || after.ModifiedAt != before.ModifiedAt {
				t.Errorf("a refused update changed the number: %s", after.Config)
			}
		})
	}
	// The same rules on a create.
	_, err := e.svc.CreatePhone(e.ctx, e.caller(), fields(t, `{"inbound_agent_version":0}`))
	wantCode(t, err, agentry.EINVALID, "inbound_agent_version", "binds no agent")
	_, err = e.svc.ImportPhone(e.ctx, e.caller(), fields(t, fmt.Sprintf(`{"phone_number":"+14155550103","termination_uri":"t","inbound_agent_id":%q,"inbound_agents":[]}`, voice)))
	wantCode(t, err, agentry.EINVALID, "inbound_agent_id", "inbound_agents")
	// Another workspace's agent is a missing one.
	ws := mustWorkspace(t, e.store, "ws-b")
	theirs, err := e.create(ws, agentry.VoiceAgent, agentry.Fields{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.UpdatePhone(e.ctx, e.caller(), p.Number, fields(t, fmt.Sprintf(`{"inbound_agent_id":%q}`, theirs.ResourceID)))
	wantCode(t, err, agentry.EUNPROCESSABLE, "inbound_agent_id", "does not exist")
}

func testSingleAgentsShowTheLists(t *testing.T, open Opener) {
	e := newEnv(t, open)
	a := e.agentWithVersions(t, agentry.VoiceAgent, 4, 2)
	b := e.agentWithVersions(t, agentry.VoiceAgent, 2, 0)
	chat := e.agentWithVersions(t, agentry.ChatAgent, 1, 0)
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: a, Name: "prod", Version: n64(2)})
	p := e.mustImport(t, "+14155550100", "")
	entry := func(agent, version string, w float64) string {
		if version == "" {
			return fmt.Sprintf(`{"agent_id":%q,"weight":%v}`, agent, w)
		}
		return fmt.Sprintf(`{"agent_id":%q,"agent_version":%s,"weight":%v}`, agent, version, w)
	}
	for _, c := range []struct {
		name, lists, want string
	}{
		{"the heaviest entry", fmt.Sprintf(`"inbound_agents":[%s,%s]`, entry(b, "1", 0.3), entry(a, "0", 0.7)), a + "@0 -"},
		{"the first of equals", fmt.Sprintf(`"inbound_agents":[%s,%s]`, entry(b, "0", 0.5), entry(a, "0", 0.5)), b + "@0 -"},
		{"a tag: the version it holds", fmt.Sprintf(`"outbound_agents":[%s]`, entry(a, `"prod"`, 1)), "- " + a + "@2"},
		{"latest_published: the version it names", fmt.Sprintf(`"outbound_agents":[%s]`, entry(a, `"latest_published"`, 1)), "- " + a + "@1"},
		{"latest: no version", fmt.Sprintf(`"outbound_agents":[%s]`, entry(b, `"latest"`, 1)), "- " + b + "@latest"},
		{"SMS lists have no single form", fmt.Sprintf(`"inbound_sms_agents":[%s]`, entry(chat, "", 1)), "- -"},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := e.mustUpdatePhone(t, p.Number, `{"inbound_agents":null,"outbound_agents":null,"inbound_sms_agents":null,`+c.lists+`}`)
			if got := e.single(t, u); got != c.want {
				t.Errorf("%s: %s, want %s", c.lists, got, c.want)
			}
		})
	}
	// A tag that moves shows its new version on the next read.
	u := e.mustUpdatePhone(t, p.Number, fmt.Sprintf(`{"outbound_agents":[%s]}`, entry(a, `"prod"`, 1)))
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: a, Name: "prod", Version: n64(3)})
	got, err := e.svc.GetPhone(e.ctx, e.caller(), u.Number)
	if err != nil {
		t.Fatal(err)
	}
	if s := e.single(t, got); s != "- "+a+"@3" {
		t.Errorf("after the tag moved: %s", s)
	}
	// The numbers of a page, whose lists were not read yet, are filled too.
	page, err := e.svc.ListPhones(e.ctx, e.caller(), agentry.PageRequest{Limit: 10})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("ListPhones: %+v, %v", page, err)
	}
	if s := e.single(t, &page.Items[0]); s != "- "+a+"@3" {
		t.Errorf("listed: %s", s)
	}
	// An answer is read after its write committed: when another request
	// has meanwhile unbound the number and deleted the tag, the answer
	// shows the agent without a version rather than failing.
	stale := page.Items[0]
	stale.Lists, stale.Single = nil, nil
	e.mustUpdatePhone(t, p.Number, `{"outbound_agents":null}`)
	if _, err := e.svc.DeleteTag(e.ctx, e.caller(), agentry.DeleteTagRequest{AgentID: a, Name: "prod"}); err != nil {
		t.Fatal(err)
	}
	if s := e.single(t, &stale); s != "- "+a+"@latest" {
		t.Errorf("after the tag was deleted: %s", s)
	}
}

func testListAllPhones(t *testing.T, open Opener) {
	e := newEnv(t, open)
	all := func(ws string) []string {
		t.Helper()
		ps, err := e.svc.ListAllPhones(e.ctx, e.as(ws))
		if err != nil {
			t.Fatal(err)
		}
		if ps == nil {
			t.Fatal("ListAllPhones returned nil, want an empty list")
		}
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.Number
		}
		return out
	}
	if got := all(e.ws); len(got) != 0 {
		t.Fatalf("no numbers yet: %v", got)
	}
	// More numbers than one read takes, some created in the same
	// millisecond (ordered by number then), and another workspace's.
	var want []string
	for i := range 201 {
		n := fmt.Sprintf("+1415555%04d", 9000-i)
		e.mustImport(t, n, "")
		want = append(want, n)
		if i%3 == 0 {
			e.clock.Advance(time.Millisecond)
		}
	}
	other := mustWorkspace(t, e.store, "ws-b")
	if _, err := e.svc.ImportPhone(e.ctx, e.as(other), fields(t, `{"phone_number":"+14155550000","termination_uri":"t"}`)); err != nil {
		t.Fatal(err)
	}
	// The same order as the pages of list-phone-numbers by default: newest
	// first.
	var paged []string
	req := agentry.PageRequest{Limit: 1000, Desc: true}
	page, err := e.svc.ListPhones(e.ctx, e.caller(), req)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range page.Items {
		paged = append(paged, p.Number)
	}
	got := all(e.ws)
	sorted := slices.Sorted(slices.Values(got))
	slices.Sort(want)
	if fmt.Sprint(got) != fmt.Sprint(paged) || fmt.Sprint(sorted) != fmt.Sprint(want) {
		t.Errorf("ListAllPhones gave %d numbers, list-phone-numbers %d, want %d:\n%v\n%v", len(got), len(paged), len(want), got, paged)
	}
	for _, n := range got {
		if n == "+14155550000" {
			t.Error("another workspace's number is listed")
		}
	}
	if got := all(other); fmt.Sprint(got) != "[+14155550000]" {
		t.Errorf("the other workspace lists %v", got)
	}
}

func testListAllComponents(t *testing.T, open Opener) {
	e := newEnv(t, open)
	list := func(ws string) []agentry.Component {
		t.Helper()
		cs, err := e.svc.ListAllComponents(e.ctx, e.as(ws))
		if err != nil {
			t.Fatal(err)
		}
		if cs == nil {
			t.Fatal("ListAllComponents returned nil, want an empty list")
		}
		return cs
	}
	if cs := list(e.ws); len(cs) != 0 {
		t.Fatalf("no components yet: %+v", cs)
	}
	var ids []string
	for i := range 3 {
		ids = append(ids, e.mustCreateComponent(t, component(fmt.Sprintf("c%d", i), "hello")).ID)
		e.clock.Advance(time.Millisecond)
	}
	flow := e.mustCreateEngine(t, agentry.ConversationFlow, sharedFlow(ids[1]))
	other := mustWorkspace(t, e.store, "ws-b")
	if _, err := e.svc.CreateComponent(e.ctx, e.as(other), fields(t, component("theirs", "x"))); err != nil {
		t.Fatal(err)
	}
	cs := list(e.ws)
	var got []string
	for _, c := range cs {
		got = append(got, c.ID)
		want := []string{}
		if c.ID == ids[1] {
			want = []string{flow.ResourceID}
		}
		if fmt.Sprint(c.LinkedFlowIDs) != fmt.Sprint(want) || c.LinkedFlowIDs == nil || len(c.Config) == 0 {
			t.Errorf("component %s: linked flows %v (want %v), config %s", c.ID, c.LinkedFlowIDs, want, c.Config)
		}
	}
	slices.Reverse(ids)
	if fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Errorf("ListAllComponents = %v, want %v (newest first)", got, ids)
	}
	if cs := list(other); len(cs) != 1 {
		t.Errorf("the other workspace lists %d components", len(cs))
	}
}
