package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// versioningTests cover the rules of DESIGN §1 as agentry.Service
// applies them over the store, one rule a test.
var versioningTests = []suiteTest{
	{"CreateMakesDraftZero", testCreateMakesDraftZero},
	{"NumbersNeverReused", testNumbersNeverReused},
	{"CreateVersionCopiesBase", testCreateVersionCopiesBase},
	{"SeveralDrafts", testSeveralDrafts},
	{"UpdateEditsLatestDraft", testUpdateEditsLatestDraft},
	{"UpdatePublishedRefused", testUpdatePublishedRefused},
	{"UpdateWithoutDraftRefused", testUpdateWithoutDraftRefused},
	{"PatchSemantics", testPatchSemantics},
	{"PublishInPlace", testPublishInPlace},
	{"PublishTwiceRefused", testPublishTwiceRefused},
	{"NotFound", testNotFound},
	{"DeleteLastVersionRefused", testDeleteLastVersionRefused},
	{"DeleteAgentRemovesAll", testDeleteAgentRemovesAll},
	{"GetVersionRefs", testGetVersionRefs},
	{"ChannelMismatchIsNotFound", testChannelMismatchIsNotFound},
	{"IfMatch", testIfMatch},
	{"NameFollowsLatestVersion", testNameFollowsLatestVersion},
	{"ModifiedAtOnEdits", testModifiedAtOnEdits},
}

func testCreateMakesDraftZero(t *testing.T, open Opener) {
	e := newEnv(t, open)
	v := e.mustCreateAgent(t, agentry.ChatAgent,
		`{"agent_name":"Ada","language":"en-US","version_title":"first","version_description":"the start"}`)
	now := e.clock.Millis()
	if len(v.ResourceID) != len("agent_")+32 || v.ResourceID[:6] != "agent_" {
		t.Errorf("agent ID = %q, want agent_ and 32 hex", v.ResourceID)
	}
	want := &agentry.Version{WorkspaceID: e.ws, ResourceID: v.ResourceID, Kind: agentry.ChatAgent, Number: 0,
		Title: ptr("first"), Description: ptr("the start"),
		Config: []byte(`{"agent_name":"Ada","language":"en-US"}`), ModifiedAt: now}
	wantVersion(t, v, want)
	wantVersion(t, mustVersionRow(t, e.store, e.ws, v.ResourceID, 0), want)
	wantVersion(t, e.mustGet(t, v.ResourceID, refNone), want)

	a := mustAgentRow(t, e.store, e.ws, v.ResourceID)
	wantAgent := &agentry.Resource{WorkspaceID: e.ws, ID: v.ResourceID, Kind: agentry.ChatAgent, Name: "Ada",
		NextVersion: 1, CreatedAt: now, ModifiedAt: now}
	if !reflect.DeepEqual(a, wantAgent) {
		t.Errorf("agent row = %+v, want %+v", a, wantAgent)
	}
	if n := countVersions(t, e.store, e.ws, v.ResourceID); n != 1 {
		t.Errorf("CountVersions = %d, want 1", n)
	}
	// Two agents never share an ID.
	if w := e.mustCreateAgent(t, agentry.ChatAgent, `{}`); w.ResourceID == v.ResourceID {
		t.Errorf("two agents got ID %s", v.ResourceID)
	}
}

func testNumbersNeverReused(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{}`).ResourceID
	steps := []struct {
		del  []int64 // versions to delete first
		want int64   // the number the next create-agent-version takes
	}{
		{nil, 1},
		{nil, 2},
		{[]int64{2}, 3},    // the latest deleted: 2 is not handed out again
		{[]int64{3, 1}, 4}, // back to only version 0
		{[]int64{0}, 5},    // even version 0 gone
	}
	for _, s := range steps {
		for _, n := range s.del {
			e.mustDeleteVersion(t, id, n)
		}
		base := e.mustGet(t, id, refLatest).Number
		if v := e.mustCreateVersion(t, id, base); v.Number != s.want {
			t.Fatalf("after deleting %v: new version %d, want %d", s.del, v.Number, s.want)
		}
	}
	vs, err := e.svc.Versions(e.ctx, e.caller(), agentry.AnyAgent, id)
	if err != nil || !reflect.DeepEqual(numbers(vs), []int64{4, 5}) {
		t.Errorf("Versions = %v, %v; want [4 5]", numbers(vs), err)
	}
	if a := mustAgentRow(t, e.store, e.ws, id); a.NextVersion != 6 {
		t.Errorf("NextVersion = %d, want 6", a.NextVersion)
	}
}

func testCreateVersionCopiesBase(t *testing.T, open Opener) {
	const baseConfig = `{"agent_name":"Ada","voice_id":"11labs-Adrian","boosted_keywords":["a","b"],"contact_memory_config":{"enabled":true}}`
	tests := []struct {
		name    string
		publish bool
	}{{"from a draft", false}, {"from a published version", true}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, open)
			id := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"Ada","version_title":"v0 title"}`).ResourceID
			base := e.mustCreateVersion(t, id, 0)
			e.mustUpdateVersion(t, id, num(base.Number), baseConfig[:len(baseConfig)-1]+`,"version_title":"T","version_description":"D"}`)
			if tc.publish {
				e.mustPublish(t, id, base.Number)
			}
			// A later draft with another configuration: the copy must come from the base.
			later := e.mustCreateVersion(t, id, 0)
			e.mustUpdateVersion(t, id, num(later.Number), `{"agent_name":"Other"}`)
			before := e.mustGet(t, id, num(base.Number))

			now := e.clock.Advance(time.Second)
			v, err := e.svc.Branch(e.ctx, e.caller(), agentry.BranchRequest{AgentID: id, Base: base.Number})
			if err != nil {
				t.Fatal(err)
			}
			want := &agentry.Version{WorkspaceID: e.ws, ResourceID: id, Kind: agentry.VoiceAgent, Number: 3,
				BaseVersion: ptr(base.Number), Config: []byte(baseConfig), ModifiedAt: now}
			wantVersion(t, v, want)
			wantVersion(t, mustVersionRow(t, e.store, e.ws, id, 3), want)
			// The base is untouched.
			wantVersion(t, e.mustGet(t, id, num(base.Number)), before)
		})
	}
}

func testSeveralDrafts(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"zero"}`).ResourceID
	e.mustCreateVersion(t, id, 0)
	e.mustCreateVersion(t, id, 0)
	for n, name := range []string{"a", "b", "c"} {
		e.mustUpdateVersion(t, id, num(int64(n)), `{"agent_name":"`+name+`"}`)
	}
	vs, err := e.svc.Versions(e.ctx, e.caller(), agentry.AnyAgent, id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(numbers(vs), []int64{0, 1, 2}) {
		t.Fatalf("Versions = %v, want [0 1 2]", numbers(vs))
	}
	for i, v := range vs {
		if v.Published {
			t.Errorf("version %d is published", v.Number)
		}
		wantConfig(t, v.Config, `{"agent_name":"`+[]string{"a", "b", "c"}[i]+`"}`)
	}
	wantInt(t, "BaseVersion of 0", vs[0].BaseVersion, nil)
	wantInt(t, "BaseVersion of 2", vs[2].BaseVersion, ptr[int64](0))
}

// draftsAndPublished makes versions 0 (draft), 1 (published), 2 (draft) and
// 3 (published), each named after its number.
func (e *env) draftsAndPublished(t *testing.T) string {
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"n0"}`).ResourceID
	for n := int64(1); n <= 3; n++ {
		e.mustCreateVersion(t, id, 0)
		e.mustUpdateVersion(t, id, num(n), `{"agent_name":"n`+string(rune('0'+n))+`"}`)
		if n%2 == 1 {
			e.mustPublish(t, id, n)
		}
	}
	return id
}

func testUpdateEditsLatestDraft(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.draftsAndPublished(t)
	before := map[int64]*agentry.Version{}
	for n := range int64(4) {
		before[n] = e.mustGet(t, id, num(n))
	}
	v := e.mustUpdateVersion(t, id, refNone, `{"language":"de-DE"}`)
	if v.Number != 2 {
		t.Fatalf("update without version edited %d, want 2 (the highest-numbered draft)", v.Number)
	}
	wantConfig(t, e.mustGet(t, id, num(2)).Config, `{"agent_name":"n2","language":"de-DE"}`)
	for _, n := range []int64{0, 1, 3} {
		wantVersion(t, e.mustGet(t, id, num(n)), before[n])
	}
	// A draft below the latest one is edited by number.
	v = e.mustUpdateVersion(t, id, num(0), `{"language":"fr-FR"}`)
	if v.Number != 0 {
		t.Fatalf("update of version 0 edited %d", v.Number)
	}
	wantConfig(t, e.mustGet(t, id, num(0)).Config, `{"agent_name":"n0","language":"fr-FR"}`)
}

func testUpdatePublishedRefused(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.draftsAndPublished(t)
	before := e.mustGet(t, id, num(3))
	agentBefore := mustAgentRow(t, e.store, e.ws, id)
	e.clock.Advance(time.Second)
	for name, ref := range map[string]agentry.VersionRef{"number": num(3), "latest": refLatest, "latest_published": refLatPub} {
		t.Run(name, func(t *testing.T) {
			_, err := e.update(e.ws, agentry.VoiceAgent, id, ref, fields(t, `{"agent_name":"changed"}`), "")
			wantCode(t, err, agentry.EINVALID, "published", "create-agent-version")
		})
	}
	wantVersion(t, e.mustGet(t, id, num(3)), before)
	if a := mustAgentRow(t, e.store, e.ws, id); !reflect.DeepEqual(a, agentBefore) {
		t.Errorf("agent changed by a refused update: %+v, was %+v", a, agentBefore)
	}
}

func testUpdateWithoutDraftRefused(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{}`).ResourceID
	e.mustCreateVersion(t, id, 0)
	e.mustPublish(t, id, 0)
	e.mustPublish(t, id, 1)
	_, err := e.update(e.ws, agentry.VoiceAgent, id, refNone, fields(t, `{"agent_name":"x"}`), "")
	wantCode(t, err, agentry.EINVALID, "draft", "create-agent-version")
	// A new draft makes the update possible again.
	e.mustCreateVersion(t, id, 1)
	if v := e.mustUpdateVersion(t, id, refNone, `{"agent_name":"x"}`); v.Number != 2 {
		t.Errorf("update edited %d, want the new draft 2", v.Number)
	}
}

func testPatchSemantics(t *testing.T, open Opener) {
	const base = `{"agent_name":"Ada","voice_id":"v1","webhook_url":"https://example.com/hook",` +
		`"boosted_keywords":["a","b"],"voicemail_option":{"action":{"type":"static_text","text":"hi"}},` +
		`"contact_memory_config":{"enabled":true,"remember_name":false}}`
	tests := []struct {
		name        string
		patch       string
		want        string
		title, desc *string
		agentName   string
	}{
		{"empty patch", `{}`, base, ptr("t0"), ptr("d0"), "Ada"},
		{"absent fields unchanged", `{"voice_id":"v2"}`,
			`{"agent_name":"Ada","voice_id":"v2","webhook_url":"https://example.com/hook","boosted_keywords":["a","b"],"voicemail_option":{"action":{"type":"static_text","text":"hi"}},"contact_memory_config":{"enabled":true,"remember_name":false}}`,
			ptr("t0"), ptr("d0"), "Ada"},
		{"null clears", `{"webhook_url":null,"boosted_keywords":null}`,
			`{"agent_name":"Ada","voice_id":"v1","voicemail_option":{"action":{"type":"static_text","text":"hi"}},"contact_memory_config":{"enabled":true,"remember_name":false}}`,
			ptr("t0"), ptr("d0"), "Ada"},
		{"nested object replaced whole", `{"voicemail_option":{"action":{"type":"hangup"}}}`,
			`{"agent_name":"Ada","voice_id":"v1","webhook_url":"https://example.com/hook","boosted_keywords":["a","b"],"voicemail_option":{"action":{"type":"hangup"}},"contact_memory_config":{"enabled":true,"remember_name":false}}`,
			ptr("t0"), ptr("d0"), "Ada"},
		{"array replaced whole", `{"boosted_keywords":["c"]}`,
			`{"agent_name":"Ada","voice_id":"v1","webhook_url":"https://example.com/hook","boosted_keywords":["c"],"voicemail_option":{"action":{"type":"static_text","text":"hi"}},"contact_memory_config":{"enabled":true,"remember_name":false}}`,
			ptr("t0"), ptr("d0"), "Ada"},
		{"contact_memory_config merges", `{"contact_memory_config":{"remember_name":true,"remember_history":true}}`,
			`{"agent_name":"Ada","voice_id":"v1","webhook_url":"https://example.com/hook","boosted_keywords":["a","b"],"voicemail_option":{"action":{"type":"static_text","text":"hi"}},"contact_memory_config":{"enabled":true,"remember_name":true,"remember_history":true}}`,
			ptr("t0"), ptr("d0"), "Ada"},
		{"contact_memory_config null clears", `{"contact_memory_config":null}`,
			`{"agent_name":"Ada","voice_id":"v1","webhook_url":"https://example.com/hook","boosted_keywords":["a","b"],"voicemail_option":{"action":{"type":"static_text","text":"hi"}}}`,
			ptr("t0"), ptr("d0"), "Ada"},
		{"version_title set", `{"version_title":"new title"}`, base, ptr("new title"), ptr("d0"), "Ada"},
		{"version_description set", `{"version_description":"new description"}`, base, ptr("t0"), ptr("new description"), "Ada"},
		{"metadata cleared by null", `{"version_title":null,"version_description":null}`, base, nil, nil, "Ada"},
		{"agent_name renames the agent", `{"agent_name":"Grace"}`,
			`{"agent_name":"Grace","voice_id":"v1","webhook_url":"https://example.com/hook","boosted_keywords":["a","b"],"voicemail_option":{"action":{"type":"static_text","text":"hi"}},"contact_memory_config":{"enabled":true,"remember_name":false}}`,
			ptr("t0"), ptr("d0"), "Grace"},
		{"agent_name cleared", `{"agent_name":null}`,
			`{"voice_id":"v1","webhook_url":"https://example.com/hook","boosted_keywords":["a","b"],"voicemail_option":{"action":{"type":"static_text","text":"hi"}},"contact_memory_config":{"enabled":true,"remember_name":false}}`,
			ptr("t0"), ptr("d0"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, open)
			created := e.mustCreateAgent(t, agentry.VoiceAgent, base[:len(base)-1]+`,"version_title":"t0","version_description":"d0"}`)
			now := e.clock.Advance(time.Second)
			v := e.mustUpdateVersion(t, created.ResourceID, refNone, tc.patch)
			want := &agentry.Version{WorkspaceID: e.ws, ResourceID: created.ResourceID, Kind: agentry.VoiceAgent,
				Title: tc.title, Description: tc.desc, Config: []byte(tc.want), ModifiedAt: now, Revision: 1}
			wantVersion(t, v, want)
			wantVersion(t, e.mustGet(t, created.ResourceID, num(0)), want)
			if a := mustAgentRow(t, e.store, e.ws, created.ResourceID); a.Name != tc.agentName {
				t.Errorf("agent name = %q, want %q", a.Name, tc.agentName)
			}
		})
	}
	t.Run("contact_memory_config set when absent", func(t *testing.T) {
		e := newEnv(t, open)
		id := e.mustCreateAgent(t, agentry.VoiceAgent, `{}`).ResourceID
		v := e.mustUpdateVersion(t, id, refNone, `{"contact_memory_config":{"enabled":false}}`)
		wantConfig(t, v.Config, `{"contact_memory_config":{"enabled":false}}`)
	})
}

func testPublishInPlace(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name                 string
		title, desc          *string // passed to Publish
		wantTitle, wantDesc  *string
		draftTitle, draftDsc string
	}{
		{"with title and description", ptr("Release 1"), ptr("first release"), ptr("Release 1"), ptr("first release"), "draft t", "draft d"},
		{"keeps the draft's metadata", nil, nil, ptr("draft t"), ptr("draft d"), "draft t", "draft d"},
		{"title only", ptr("R"), nil, ptr("R"), ptr("draft d"), "draft t", "draft d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, open)
			id := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"Ada"}`).ResourceID
			e.mustCreateVersion(t, id, 0)
			e.mustUpdateVersion(t, id, num(1), `{"voice_id":"v","version_title":"`+tc.draftTitle+`","version_description":"`+tc.draftDsc+`"}`)
			before := e.mustGet(t, id, num(1))
			now := e.clock.Advance(time.Minute)
			if err := e.svc.Publish(e.ctx, e.caller(), agentry.PublishRequest{AgentID: id, Version: 1, Title: tc.title, Description: tc.desc}); err != nil {
				t.Fatal(err)
			}
			want := *before
			want.Published, want.PublishedAt, want.ModifiedAt, want.Revision = true, now, now, before.Revision+1
			want.Title, want.Description = tc.wantTitle, tc.wantDesc
			wantVersion(t, e.mustGet(t, id, num(1)), &want)
			if n := countVersions(t, e.store, e.ws, id); n != 2 {
				t.Errorf("publish changed the number of versions to %d", n)
			}
			a := mustAgentRow(t, e.store, e.ws, id)
			if a.NextVersion != 2 || a.ModifiedAt != now {
				t.Errorf("agent after publish = %+v, want NextVersion 2 and ModifiedAt %d", a, now)
			}
			if v := e.mustGet(t, id, refLatPub); v.Number != 1 {
				t.Errorf("latest_published = %d, want 1", v.Number)
			}
			if v := e.mustGet(t, id, num(0)); v.Published {
				t.Errorf("publishing 1 published 0")
			}
		})
	}
}

func testPublishTwiceRefused(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{}`).ResourceID
	e.mustPublish(t, id, 0)
	before := e.mustGet(t, id, num(0))
	e.clock.Advance(time.Second)
	err := e.svc.Publish(e.ctx, e.caller(), agentry.PublishRequest{AgentID: id, Version: 0, Title: ptr("again")})
	wantCode(t, err, agentry.EINVALID, "already published", "create-agent-version")
	wantVersion(t, e.mustGet(t, id, num(0)), before)
}

func testNotFound(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{}`).ResourceID
	e.mustCreateVersion(t, id, 0)
	other := mustWorkspace(t, e.store, "other")
	patch := fields(t, `{"agent_name":"x"}`)
	type op func(ws, agentID string, n int64) error
	ops := map[string]op{
		"GetVersion": func(ws, agentID string, n int64) error {
			_, err := e.svc.Get(e.ctx, e.as(ws), agentry.Address{Kind: agentry.AnyAgent, ID: agentID, Version: num(n)})
			return err
		},
		"UpdateVersion": func(ws, agentID string, n int64) error {
			_, err := e.update(ws, agentry.VoiceAgent, agentID, num(n), patch, "")
			return err
		},
		"CreateVersion": func(ws, agentID string, n int64) error {
			_, err := e.svc.Branch(e.ctx, e.as(ws), agentry.BranchRequest{AgentID: agentID, Base: n})
			return err
		},
		"Publish": func(ws, agentID string, n int64) error {
			return e.svc.Publish(e.ctx, e.as(ws), agentry.PublishRequest{AgentID: agentID, Version: n})
		},
		"DeleteVersion": func(ws, agentID string, n int64) error {
			return e.svc.DeleteVersion(e.ctx, e.as(ws), agentry.DeleteVersionRequest{AgentID: agentID, Version: n})
		},
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			wantCode(t, op(e.ws, "agent_nope", 0), agentry.ENOTFOUND)
			wantCode(t, op(e.ws, id, 9), agentry.ENOTFOUND)
			// Another workspace's agent answers exactly like a missing one.
			wantCode(t, op(other, id, 0), agentry.ENOTFOUND)
		})
	}
	t.Run("agent-level", func(t *testing.T) {
		for _, ws := range []string{e.ws, other} {
			agentID := id
			if ws == e.ws {
				agentID = "agent_nope"
			}
			wantCode(t, e.svc.Delete(e.ctx, e.as(ws), agentry.DeleteRequest{Kind: agentry.AnyAgent, ID: agentID}), agentry.ENOTFOUND)
			_, err := e.svc.Versions(e.ctx, e.as(ws), agentry.AnyAgent, agentID)
			wantCode(t, err, agentry.ENOTFOUND)
			_, err = e.svc.Get(e.ctx, e.as(ws), agentry.Address{Kind: agentry.AnyAgent, ID: agentID, Version: refNone})
			wantCode(t, err, agentry.ENOTFOUND)
			_, err = e.update(ws, agentry.VoiceAgent, agentID, refNone, patch, "")
			wantCode(t, err, agentry.ENOTFOUND)
		}
		page, err := e.svc.ListAgents(e.ctx, e.as(other), agentry.AgentFilter{}, agentry.PageRequest{Limit: 10})
		if err != nil || len(page.Items) != 0 {
			t.Errorf("ListAgents of another workspace = %+v, %v", page, err)
		}
	})
	// Nothing above changed the agent.
	vs, err := e.svc.Versions(e.ctx, e.caller(), agentry.AnyAgent, id)
	if err != nil || !reflect.DeepEqual(numbers(vs), []int64{0, 1}) || vs[0].Revision != 0 || vs[1].Published {
		t.Errorf("versions after not-found calls: %+v, %v", vs, err)
	}
}

func testDeleteLastVersionRefused(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{}`).ResourceID
	err := e.svc.DeleteVersion(e.ctx, e.caller(), agentry.DeleteVersionRequest{AgentID: id, Version: 0})
	wantCode(t, err, agentry.EINVALID, "delete-agent")

	e.mustCreateVersion(t, id, 0)
	e.mustPublish(t, id, 1)
	e.mustDeleteVersion(t, id, 0) // a draft
	_, err = e.svc.Get(e.ctx, e.caller(), agentry.Address{Kind: agentry.AnyAgent, ID: id, Version: num(0)})
	wantCode(t, err, agentry.ENOTFOUND)
	wantCode(t, e.svc.DeleteVersion(e.ctx, e.caller(), agentry.DeleteVersionRequest{AgentID: id, Version: 1}), agentry.EINVALID, "delete-agent")
	if v := e.mustGet(t, id, refNone); v.Number != 1 {
		t.Errorf("remaining version = %d, want 1", v.Number)
	}

	// A published version may be deleted while others remain.
	e.mustCreateVersion(t, id, 1)
	e.mustDeleteVersion(t, id, 1)
	if vs, _ := e.svc.Versions(e.ctx, e.caller(), agentry.AnyAgent, id); !reflect.DeepEqual(numbers(vs), []int64{2}) {
		t.Errorf("versions = %v, want [2]", numbers(vs))
	}
}

func testDeleteAgentRemovesAll(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.draftsAndPublished(t)
	keep := e.mustCreateAgent(t, agentry.VoiceAgent, `{}`).ResourceID
	if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.AnyAgent, ID: id}); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []agentry.VersionRef{refNone, refLatest, refLatPub, num(0), num(3)} {
		_, err := e.svc.Get(e.ctx, e.caller(), agentry.Address{Kind: agentry.AnyAgent, ID: id, Version: ref})
		wantCode(t, err, agentry.ENOTFOUND)
	}
	mustView(t, e.store, func(tx agentry.Tx) error {
		if _, err := tx.GetResource(e.ws, id); err == nil {
			t.Errorf("agent row survived delete-agent")
		}
		if n, _ := tx.CountVersions(e.ws, id); n != 0 {
			t.Errorf("%d versions survived delete-agent", n)
		}
		return nil
	})
	page, err := e.svc.ListAgents(e.ctx, e.caller(), agentry.AgentFilter{}, agentry.PageRequest{Limit: 10})
	if err != nil || !reflect.DeepEqual(ids(page.Items), []string{keep}) {
		t.Errorf("ListAgents after delete = %v, %v; want [%s]", ids(page.Items), err, keep)
	}
	wantCode(t, e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.AnyAgent, ID: id}), agentry.ENOTFOUND)
}

func testGetVersionRefs(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{}`).ResourceID
	_, err := e.svc.Get(e.ctx, e.caller(), agentry.Address{Kind: agentry.AnyAgent, ID: id, Version: refLatPub})
	wantCode(t, err, agentry.ENOTFOUND, "published")

	for range 3 {
		e.mustCreateVersion(t, id, 0)
	}
	// Publish 2 before 1: the most recently published is 1, not the largest.
	e.clock.Advance(time.Second)
	e.mustPublish(t, id, 2)
	e.clock.Advance(time.Second)
	e.mustPublish(t, id, 1)
	tests := []struct {
		name string
		ref  agentry.VersionRef
		want int64 // -1: ENOTFOUND
	}{
		{"none is the latest, a draft", refNone, 3},
		{"latest", refLatest, 3},
		{"number", num(2), 2},
		{"number zero", num(0), 0},
		{"latest_published", refLatPub, 1},
		{"unknown number", num(4), -1},
		{"tag", agentry.VersionRef{Form: agentry.RefTag, Tag: "prod"}, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := e.svc.Get(e.ctx, e.caller(), agentry.Address{Kind: agentry.VoiceAgent, ID: id, Version: tc.ref})
			if tc.want < 0 {
				wantCode(t, err, agentry.ENOTFOUND)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Number != tc.want {
				t.Errorf("GetVersion(%+v) = %d, want %d", tc.ref, v.Number, tc.want)
			}
		})
	}
	e.mustDeleteVersion(t, id, 3)
	if v := e.mustGet(t, id, refNone); v.Number != 2 {
		t.Errorf("latest after deleting 3 = %d, want 2", v.Number)
	}
	e.mustDeleteVersion(t, id, 1)
	if v := e.mustGet(t, id, refLatPub); v.Number != 2 {
		t.Errorf("latest_published after deleting 1 = %d, want 2", v.Number)
	}
}

func testChannelMismatchIsNotFound(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"v"}`).ResourceID
	patch := fields(t, `{"agent_name":"changed"}`)
	_, err := e.svc.Get(e.ctx, e.caller(), agentry.Address{Kind: agentry.ChatAgent, ID: id, Version: refNone})
	wantCode(t, err, agentry.ENOTFOUND)
	_, err = e.update(e.ws, agentry.ChatAgent, id, refNone, patch, "")
	wantCode(t, err, agentry.ENOTFOUND)
	_, err = e.svc.Versions(e.ctx, e.caller(), agentry.ChatAgent, id)
	wantCode(t, err, agentry.ENOTFOUND)
	wantCode(t, e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.ChatAgent, ID: id}), agentry.ENOTFOUND)

	v, err := e.svc.Get(e.ctx, e.caller(), agentry.Address{Kind: agentry.VoiceAgent, ID: id, Version: refNone})
	if err != nil || v.Kind != agentry.VoiceAgent {
		t.Fatalf("GetVersion through the right channel: %+v, %v", v, err)
	}
	wantConfig(t, v.Config, `{"agent_name":"v"}`)
	if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.VoiceAgent, ID: id}); err != nil {
		t.Fatalf("DeleteAgent through the right channel: %v", err)
	}
}

func testIfMatch(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"a"}`).ResourceID
	e.mustCreateVersion(t, id, 0)
	v0 := e.mustGet(t, id, num(0))
	stale := agentry.ETag(v0)
	now := e.clock.Advance(time.Second)
	v, err := e.update(e.ws, agentry.VoiceAgent, id, num(0), fields(t, `{"agent_name":"b"}`), stale)
	if err != nil {
		t.Fatalf("update with the current ETag: %v", err)
	}
	if agentry.ETag(v) == stale {
		t.Fatalf("ETag did not change with an update: %s", stale)
	}

	// A stale If-Match fails and changes nothing.
	current := e.mustGet(t, id, num(0))
	agentBefore := mustAgentRow(t, e.store, e.ws, id)
	e.clock.Advance(time.Second)
	otherVersion := agentry.ETag(e.mustGet(t, id, num(1)))
	for _, tag := range []string{stale, "W/" + stale, otherVersion, `"garbage"`} {
		_, err = e.update(e.ws, agentry.VoiceAgent, id, num(0), fields(t, `{"agent_name":"c"}`), tag)
		wantCode(t, err, agentry.EPRECONDITION)
		wantCode(t, e.svc.Publish(e.ctx, e.caller(), agentry.PublishRequest{AgentID: id, Version: 0, IfMatch: tag}), agentry.EPRECONDITION)
	}
	wantVersion(t, e.mustGet(t, id, num(0)), current)
	if a := mustAgentRow(t, e.store, e.ws, id); !reflect.DeepEqual(a, agentBefore) || a.ModifiedAt != now {
		t.Errorf("agent changed by failed preconditions: %+v, was %+v", a, agentBefore)
	}

	// The current ETag, its weak form and * all match.
	for _, form := range []func(string) string{
		func(etag string) string { return etag },
		func(etag string) string { return "W/" + etag },
		func(string) string { return "*" },
	} {
		tag := form(agentry.ETag(current))
		v, err := e.update(e.ws, agentry.VoiceAgent, id, num(0), fields(t, `{"language":"en-US"}`), tag)
		if err != nil {
			t.Fatalf("If-Match %s: %v", tag, err)
		}
		current = v
	}
	if err := e.svc.Publish(e.ctx, e.caller(), agentry.PublishRequest{AgentID: id, Version: 0, IfMatch: agentry.ETag(current)}); err != nil {
		t.Fatalf("publish with the current ETag: %v", err)
	}
	if v := e.mustGet(t, id, num(0)); !v.Published || v.Revision != current.Revision+1 {
		t.Errorf("after publish: %+v", v)
	}
}

func testNameFollowsLatestVersion(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name":"A"}`).ResourceID
	steps := []struct {
		name string
		do   func()
		want string
	}{
		{"create", func() {}, "A"},
		{"new version copies the name", func() { e.mustCreateVersion(t, id, 0) }, "A"},
		{"rename the latest", func() { e.mustUpdateVersion(t, id, num(1), `{"agent_name":"B"}`) }, "B"},
		{"rename an older version", func() { e.mustUpdateVersion(t, id, num(0), `{"agent_name":"C"}`) }, "B"},
		{"new version from the older one", func() { e.mustCreateVersion(t, id, 0) }, "C"},
		{"delete the latest", func() { e.mustDeleteVersion(t, id, 2) }, "B"},
		{"delete the latest again", func() { e.mustDeleteVersion(t, id, 1) }, "C"},
		{"clear the name", func() { e.mustUpdateVersion(t, id, refNone, `{"agent_name":null}`) }, ""},
	}
	for _, s := range steps {
		s.do()
		if a := mustAgentRow(t, e.store, e.ws, id); a.Name != s.want {
			t.Fatalf("%s: agent name = %q, want %q", s.name, a.Name, s.want)
		}
		page, err := e.svc.ListAgents(e.ctx, e.caller(), agentry.AgentFilter{}, agentry.PageRequest{Limit: 10})
		if err != nil || len(page.Items) != 1 || page.Items[0].Name != s.want {
			t.Fatalf("%s: ListAgents = %+v, %v; want name %q", s.name, page, err, s.want)
		}
	}
}

func testModifiedAtOnEdits(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{}`).ResourceID
	created := e.clock.Millis()
	steps := []struct {
		name    string
		do      func() error
		changes bool
	}{
		{"update", func() error {
			_, err := e.update(e.ws, agentry.VoiceAgent, id, refNone, fields(t, `{"language":"en-US"}`), "")
			return err
		}, true},
		{"create-version", func() error {
			_, err := e.svc.Branch(e.ctx, e.caller(), agentry.BranchRequest{AgentID: id, Base: 0})
			return err
		}, true},
		{"publish", func() error { return e.svc.Publish(e.ctx, e.caller(), agentry.PublishRequest{AgentID: id, Version: 0}) }, true},
		{"read", func() error {
			_, err := e.svc.Get(e.ctx, e.caller(), agentry.Address{Kind: agentry.AnyAgent, ID: id, Version: refNone})
			return err
		}, false},
		{"refused update", func() error {
			_, err := e.update(e.ws, agentry.VoiceAgent, id, num(0), fields(t, `{"language":"de-DE"}`), "")
			if agentry.ErrorCode(err) == agentry.EINVALID {
				return nil
			}
			return err
		}, false},
		{"delete-version", func() error {
			return e.svc.DeleteVersion(e.ctx, e.caller(), agentry.DeleteVersionRequest{AgentID: id, Version: 1})
		}, true},
	}
	want := created
	for _, s := range steps {
		now := e.clock.Advance(time.Second)
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if s.changes {
			want = now
		}
		a := mustAgentRow(t, e.store, e.ws, id)
		if a.ModifiedAt != want || a.CreatedAt != created {
			t.Errorf("%s: ModifiedAt %d CreatedAt %d, want %d and %d", s.name, a.ModifiedAt, a.CreatedAt, want, created)
		}
	}
}
