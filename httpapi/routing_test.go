package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/httpapi"
	"github.com/agentry/agentry/internal/reference"
	"github.com/agentry/agentry/schema"
)

// withRoutes gives the server's service a routing cache, as serve does.
func withRoutes(s *httpapi.Server) { s.Service.Routes = agentry.NewRouteCache(1000) }

// agentWith creates a voice agent with n versions, the first `published` of
// them published.
func (e *env) agentWith(n, published int) string {
	e.t.Helper()
	id := e.createAgent(e.keyA)
	for i := 1; i < n; i++ {
		if r := e.do("POST", "/create-agent-version/"+id, e.keyA, []byte(`{"base_version":0}`)); r.status != 201 {
			e.t.Fatalf("create-agent-version: %d %s", r.status, r.body)
		}
	}
	for i := range published {
		if r := e.do("POST", "/publish-agent-version/"+id, e.keyA, []byte(fmt.Sprintf(`{"version":%d}`, i))); r.status != 200 {
			e.t.Fatalf("publish: %d %s", r.status, r.body)
		}
	}
	return id
}

func (e *env) must(status int, method, path, body string, header ...string) response {
	e.t.Helper()
	r := e.do(method, path, e.keyA, []byte(body), header...)
	if r.status != status {
		e.t.Fatalf("%s %s: %d %s, want %d", method, path, r.status, r.body, status)
	}
	return r
}

func assigned(t *testing.T, r response) []string {
	t.Helper()
	var v struct {
		Tags *[]string `json:"assigned_tags"`
	}
	if err := json.Unmarshal(r.body, &v); err != nil || v.Tags == nil {
		t.Fatalf("no assigned_tags in %s", r.body)
	}
	return *v.Tags
}

// A tag moved through the extension shows at once in Retell's own answers:
// assigned_tags of the version (also when its response comes from the
// published cache), tags on list-agents, and version=<tag> references.
func TestTagsShowInRetellResponses(t *testing.T) {
	e := newEnv(t, withRoutes)
	id := e.agentWith(3, 2)
	get := func(v string) response { return e.must(200, "GET", "/get-agent/"+id+"?version="+v, "") }
	if tags := assigned(t, get("1")); len(tags) != 0 {
		t.Fatalf("before any tag: %v", tags)
	}
	first := get("1") // now cached
	put := e.must(200, "PUT", "/agentry/v1/agents/"+id+"/tags/prod", `{"version":1,"dynamic_variables":{"region":"eu"},"reason":"launch"}`)
	if etag := put.header.Get("ETag"); etag != fmt.Sprintf(`"%s.prod.1"`, id) {
		t.Errorf("ETag %q", etag)
	}
	if got := assigned(t, get("1")); !slices.Equal(got, []string{"prod"}) {
		t.Errorf("version 1 shows %v after the move, want [prod]", got)
	}
	again := get("1")
	if strings.Replace(string(again.body), `"assigned_tags":["prod"]`, `"assigned_tags":[]`, 1) != string(first.body) {
		t.Errorf("the cached response changed beyond its tags:\n%s\n%s", first.body, again.body)
	}
	reference.Validate(t, "AgentResponse", again.body)
	e.must(200, "PUT", "/agentry/v1/agents/"+id+"/tags/canary", `{"version":1}`)
	if got := assigned(t, get("1")); !slices.Equal(got, []string{"canary", "prod"}) {
		t.Errorf("version 1 shows %v, want [canary prod], most recently assigned first", got)
	}
	if got := assigned(t, get("prod")); !slices.Equal(got, []string{"canary", "prod"}) || get("prod").json(t)["version"] != float64(1) {
		t.Errorf("get-agent?version=prod: %s", get("prod").body)
	}
	wantError(t, e.do("GET", "/get-agent/"+id+"?version=staging", e.keyA, nil), 422, `no tag "staging"`)
	// get-agent-versions and update-agent carry them too.
	var all []json.RawMessage
	json.Unmarshal(e.must(200, "GET", "/get-agent-versions/"+id, "").body, &all)
	for i, v := range all {
		want := []string{}
		if i == 1 {
			want = []string{"canary", "prod"}
		}
		if got := assigned(t, response{body: v}); !slices.Equal(got, want) {
			t.Errorf("get-agent-versions item %d: %v, want %v", i, got, want)
		}
		reference.Validate(t, "AgentResponse", v)
	}
	e.must(200, "PUT", "/agentry/v1/agents/"+id+"/tags/dev", `{"version":2}`)
	if got := assigned(t, e.must(200, "PATCH", "/update-agent/"+id+"?version=dev", `{"agent_name":"via dev"}`)); !slices.Equal(got, []string{"dev"}) {
		t.Errorf("update-agent through tag dev shows %v", got)
	}
	// list-agents: the root tag state per name.
	var list struct {
		Items []struct {
			AgentID string `json:"agent_id"`
			Tags    map[string]struct {
				Version *int64            `json:"version"`
				Vars    map[string]string `json:"dynamic_variables"`
			} `json:"tags"`
		} `json:"items"`
	}
	e.must(200, "PUT", "/agentry/v1/agents/"+id+"/tags/off", `{"version":null}`)
	json.Unmarshal(e.must(200, "POST", "/v2/list-agents", "").body, &list)
	tags := list.Items[0].Tags
	if len(tags) != 4 || *tags["prod"].Version != 1 || tags["prod"].Vars["region"] != "eu" || tags["off"].Version != nil || tags["off"].Vars == nil {
		t.Errorf("list-agents tags: %+v", tags)
	}
	var raw struct{ Items []json.RawMessage }
	json.Unmarshal(e.must(200, "POST", "/v2/list-agents", "").body, &raw)
	reference.Validate(t, "AgentListItemResponse", raw.Items[0])
}

func TestTagEndpoints(t *testing.T) {
	e := newEnv(t, withRoutes)
	id := e.agentWith(3, 1)
	base := "/agentry/v1/agents/" + id + "/tags/"
	e.must(200, "PUT", base+"prod", `{"version":0,"published_only":true}`)
	old := e.must(200, "GET", base+"prod", "").header.Get("ETag")
	moved := e.must(200, "PUT", base+"prod", `{"version":null}`, "If-Match", old)
	wantError(t, e.do("PUT", base+"prod", e.keyA, []byte(`{"version":0}`), "If-Match", old), 412, "Precondition failed")
	wantError(t, e.do("POST", base+"prod/revert", e.keyA, []byte(`{"seq":1}`), "If-Match", old), 412, "Precondition failed")
	wantError(t, e.do("DELETE", base+"prod", e.keyA, nil, "If-Match", old), 412, "Precondition failed")
	wantError(t, e.do("PUT", base+"prod", e.keyA, []byte(`{"version":1}`)), 400, "published_only")
	wantError(t, e.do("PUT", base+"prod", e.keyA, []byte(`{"version":9}`)), 422, "no version 9")
	wantError(t, e.do("PUT", base+"Prod", e.keyA, []byte(`{"version":0}`)), 400, "not a tag name")
	wantError(t, e.do("PUT", base+"prod", e.keyA, []byte(`{}`)), 400, "version: is required")
	wantError(t, e.do("PUT", base+"prod", e.keyA, []byte(`{"version":0,"dynamic_variables":{"a":1}}`)), 400, "dynamic_variables.a")
	wantError(t, e.do("GET", base+"nope", e.keyA, nil), 404, `no tag "nope"`)
	reverted := e.must(200, "POST", base+"prod/revert", `{"seq":2,"reason":"undo"}`, "If-Match", moved.header.Get("ETag"))
	if m := reverted.json(t); m["version"] != float64(0) || m["seq"] != float64(3) || m["published_only"] != true {
		t.Errorf("revert answered %s", reverted.body)
	}
	e.must(204, "DELETE", base+"prod?reason=retired", "")
	var hist struct {
		Items []map[string]any `json:"items"`
		More  bool             `json:"has_more"`
		Key   string           `json:"pagination_key"`
	}
	json.Unmarshal(e.must(200, "GET", base+"prod/history?limit=2", "").body, &hist)
	if len(hist.Items) != 2 || !hist.More || hist.Items[0]["seq"] != float64(4) || hist.Items[0]["action"] != "delete" ||
		hist.Items[0]["reason"] != "retired" || hist.Items[0]["dynamic_variables_after"] != nil || hist.Items[1]["revert_of"] != float64(2) {
		t.Errorf("history page 1: %+v", hist)
	}
	actor, _ := hist.Items[0]["actor"].(map[string]any)
	if actor["key_prefix"] != e.keyA[:agentry.KeyPrefixLen] || !strings.HasPrefix(actor["request_id"].(string), "req_") {
		t.Errorf("actor %v", actor)
	}
	json.Unmarshal(e.must(200, "GET", base+"prod/history?limit=2&pagination_key="+hist.Key, "").body, &hist)
	if len(hist.Items) != 2 || hist.More || hist.Items[1]["seq"] != float64(1) || hist.Items[1]["action"] != "create" {
		t.Errorf("history page 2: %+v", hist)
	}
	var list struct{ Tags map[string]any }
	json.Unmarshal(e.must(200, "GET", "/agentry/v1/agents/"+id+"/tags", "").body, &list)
	if len(list.Tags) != 0 {
		t.Errorf("tags after delete: %v", list.Tags)
	}
	// Another workspace sees no agent.
	wantError(t, e.do("GET", "/agentry/v1/agents/"+id+"/tags", e.keyB, nil), 404, "not found")
}

func TestPhoneNumberEndpoints(t *testing.T) {
	e := newEnv(t, withRoutes)
	id := e.agentWith(2, 1)
	r := e.must(201, "POST", "/create-phone-number", fmt.Sprintf(`{"area_code":415,"nickname":"desk","inbound_agents":[{"agent_id":%q,"agent_version":0,"weight":1}]}`, id))
	reference.Validate(t, "PhoneNumberResponse", r.body)
	p := r.json(t)
	number := p["phone_number"].(string)
	if !strings.HasPrefix(number, "+1415") || p["phone_number_type"] != "retell-twilio" || p["area_code"] != float64(415) ||
		p["phone_number_pretty"] != "+1 (415) "+number[5:8]+"-"+number[8:] {
		t.Errorf("create-phone-number answered %s", r.body)
	}
	imp := e.must(201, "POST", "/import-phone-number", `{"phone_number":"+14155550100","termination_uri":"t.pstn.twilio.com","sip_trunk_auth_password":"pw","transport":"UDP"}`)
	reference.Validate(t, "PhoneNumberResponse", imp.body)
	if strings.Contains(string(imp.body), "pw") || imp.json(t)["phone_number_type"] != "custom" {
		t.Errorf("import answered %s", imp.body)
	}
	up := e.must(200, "PATCH", "/update-phone-number/%2B14155550100", `{"nickname":"sip","transport":null}`)
	if m := up.json(t); m["nickname"] != "sip" || m["sip_outbound_trunk_config"].(map[string]any)["transport"] != nil {
		t.Errorf("update answered %s", up.body)
	}
	wantError(t, e.do("PATCH", "/update-phone-number/+14155550100", e.keyA, []byte(`{"termination_uri":null}`)), 400, "termination_uri")
	wantError(t, e.do("PATCH", "/update-phone-number/+14155550100", e.keyA, []byte(`{"inbound_agents":[{"agent_id":"agent_x","weight":2}]}`)), 400, "weight")
	wantError(t, e.do("PATCH", "/update-phone-number/+14155550100", e.keyA, []byte(`{"inbound_agents":[{"agent_id":"agent_x","weight":1}]}`)), 422, "agent_x")
	wantError(t, e.do("POST", "/import-phone-number", e.keyA, []byte(`{"phone_number":"+14155550100","termination_uri":"x"}`)), 400, "already in use")
	wantError(t, e.do("GET", "/get-phone-number/+14155550100", e.keyB, nil), 422, "Cannot find requested asset")
	var listed []string
	for key := ""; ; {
		var page struct {
			Items []struct {
				Number string `json:"phone_number"`
			} `json:"items"`
			More bool   `json:"has_more"`
			Key  string `json:"pagination_key"`
		}
		json.Unmarshal(e.must(200, "GET", "/v2/list-phone-numbers?limit=1&sort_order=ascending&pagination_key="+key, "").body, &page)
		for _, it := range page.Items {
			listed = append(listed, it.Number)
		}
		if !page.More {
			break
		}
		key = page.Key
	}
	want := []string{"+14155550100", number}
	slices.Sort(want)
	if slices.Sort(listed); !slices.Equal(listed, want) {
		t.Errorf("list pages gave %v", listed)
	}
	// The number's agent cannot go while bound; the routing mode is agentry's.
	wantError(t, e.do("DELETE", "/delete-agent/"+id, e.keyA, nil), 400, number+" (inbound_agents)")
	wantError(t, e.do("DELETE", "/delete-agent-version/"+id+"?version=0", e.keyA, nil), 400, number)
	if m := e.must(200, "GET", "/agentry/v1/phone-numbers/"+number+"/routing", "").json(t); m["mode"] != "random" {
		t.Errorf("default routing mode %v", m)
	}
	e.must(200, "PUT", "/agentry/v1/phone-numbers/"+number+"/routing", `{"mode":"sticky"}`)
	wantError(t, e.do("PUT", "/agentry/v1/phone-numbers/"+number+"/routing", e.keyA, []byte(`{"mode":"roundrobin"}`)), 400, "mode")
	e.must(204, "DELETE", "/delete-phone-number/"+number, "")
	wantError(t, e.do("GET", "/get-phone-number/"+number, e.keyA, nil), 422, "not found")
	e.must(204, "DELETE", "/delete-agent/"+id, "")
}

func TestResolveEndpoint(t *testing.T) {
	e := newEnv(t, withRoutes)
	id := e.agentWith(2, 1)
	e.must(200, "PUT", "/agentry/v1/agents/"+id+"/tags/prod", `{"version":0,"dynamic_variables":{"region":"eu"}}`)
	e.must(201, "POST", "/import-phone-number", fmt.Sprintf(`{"phone_number":"+14155550100","termination_uri":"x",
		"inbound_agents":[{"agent_id":%q,"agent_version":"prod","weight":1}]}`, id))
	r := e.must(200, "POST", "/agentry/v1/resolve", `{"phone_number":"+14155550100","direction":"inbound","from_number":"+12125550100"}`)
	want := map[string]any{"agent_id": id, "agent_version": float64(0), "agent_tag": "prod", "dynamic_variables": map[string]any{"region": "eu"},
		"is_published": true, "channel": "voice", "phone_number": "+14155550100", "direction": "inbound", "routing_mode": "random", "entry": float64(0)}
	if got := r.json(t); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("resolve answered %v, want %v", got, want)
	}
	r = e.must(200, "POST", "/agentry/v1/resolve", fmt.Sprintf(`{"agent_id":%q}`, id))
	if m := r.json(t); m["agent_version"] != float64(1) || m["agent_tag"] != nil || m["is_published"] != false || m["phone_number"] != nil {
		t.Errorf("resolve of the agent at latest: %s", r.body)
	}
	for body, want := range map[string]string{
		`{}`:                              "give phone_number",
		`{"phone_number":"+14155550100"}`: "direction",
		`{"phone_number":"+14155550100","direction":"sideways"}`:                     "direction",
		fmt.Sprintf(`{"phone_number":"+1","direction":"inbound","agent_id":%q}`, id): "not both",
		fmt.Sprintf(`{"agent_id":%q,"agent_version":"v1"}`, id):                      "agent_version",
		fmt.Sprintf(`{"agent_id":%q,"from_number":"+1"}`, id):                        "phone_number",
		`{"phone_number":"+14155550100","direction":"outbound"}`:                     "outbound_agents",
	} {
		wantError(t, e.do("POST", "/agentry/v1/resolve", e.keyA, []byte(body)), 400, want)
	}
	wantError(t, e.do("POST", "/agentry/v1/resolve", e.keyA, []byte(`{"phone_number":"+19995550100","direction":"inbound"}`)), 404, "not found")
	wantError(t, e.do("POST", "/agentry/v1/resolve", e.keyA, []byte(fmt.Sprintf(`{"agent_id":%q,"agent_version":"staging"}`, id))), 404, "staging")
	wantError(t, e.do("POST", "/agentry/v1/resolve", e.keyB, []byte(fmt.Sprintf(`{"agent_id":%q}`, id))), 404, "not found")
}

func TestListFilters(t *testing.T) {
	e := newEnv(t, withRoutes)
	draft := e.agentWith(2, 0)
	pub := e.agentWith(3, 2)
	e.must(200, "PUT", "/agentry/v1/agents/"+pub+"/tags/prod", `{"version":1}`)
	ids := func(body string) []string {
		var page struct {
			Items []struct {
				AgentID string `json:"agent_id"`
			}
		}
		json.Unmarshal(e.must(200, "POST", "/v2/list-agents", body).body, &page)
		var out []string
		for _, it := range page.Items {
			out = append(out, it.AgentID)
		}
		return out
	}
	if got := ids(`{"agentry_published_only":true}`); !slices.Equal(got, []string{pub}) {
		t.Errorf("published only: %v", got)
	}
	if got := ids(`{"agentry_tag":"prod"}`); !slices.Equal(got, []string{pub}) {
		t.Errorf("tag prod: %v", got)
	}
	if got := ids(`{"agentry_published_only":false}`); len(got) != 2 {
		t.Errorf("published only false: %v", got)
	}
	wantError(t, e.do("POST", "/v2/list-agents", e.keyA, []byte(`{"agentry_tag":"latest"}`)), 400, "agentry_tag")
	versions := func(q string) []float64 {
		var page struct{ Items []struct{ Version float64 } }
		json.Unmarshal(e.must(200, "GET", "/list-agent-versions/"+pub+q, "").body, &page)
		var out []float64
		for _, it := range page.Items {
			out = append(out, it.Version)
		}
		return out
	}
	if got := versions("?agentry_published_only=true"); !slices.Equal(got, []float64{1, 0}) {
		t.Errorf("published versions: %v", got)
	}
	if got := versions("?agentry_tag=prod"); !slices.Equal(got, []float64{1}) {
		t.Errorf("versions holding prod: %v", got)
	}
	wantError(t, e.do("GET", "/list-agent-versions/"+pub+"?agentry_published_only=yes", e.keyA, nil), 400, "agentry_published_only")
	_ = draft
}

// Two servers on one database, as two replicas: a tag moved through A is
// resolved by B, and shows in B's answers, once B has read the route change
// log, with no expiry at all.
func TestTagMoveReachesTheOtherReplica(t *testing.T) {
	a := newEnv(t, withRoutes)
	b := &httpapi.Server{Service: &agentry.Service{Store: a.store, Rules: schema.Rules{}, Routes: agentry.NewRouteCache(1000)},
		Keys: a.keys, Store: a.store, CacheBytes: 1 << 20, AnswerCacheBytes: 8 << 20, Logger: slog.New(slog.DiscardHandler)}
	tsB := httptest.NewServer(b.Handler())
	t.Cleanup(tsB.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go b.WatchDeletions(ctx, 20*time.Millisecond)
	onB := &env{t: t, url: tsB.URL, keyA: a.keyA, keyB: a.keyB, keys: a.keys, store: a.store}

	id := a.agentWith(3, 3)
	a.must(200, "PUT", "/agentry/v1/agents/"+id+"/tags/prod", `{"version":0}`)
	a.must(201, "POST", "/import-phone-number", fmt.Sprintf(`{"phone_number":"+14155550100","termination_uri":"x",
		"inbound_agents":[{"agent_id":%q,"agent_version":"prod","weight":1}]}`, id))
	resolve := `{"phone_number":"+14155550100","direction":"inbound"}`
	if v := onB.must(200, "POST", "/agentry/v1/resolve", resolve).json(t)["agent_version"]; v != float64(0) {
		t.Fatalf("B resolves %v", v)
	}
	onB.must(200, "GET", "/get-agent/"+id+"?version=2", "") // cached on B
	for _, v := range []int{2, 1} {
		a.must(200, "PUT", "/agentry/v1/agents/"+id+"/tags/prod", fmt.Sprintf(`{"version":%d}`, v))
		deadline := time.Now().Add(10 * time.Second)
		for {
			got := onB.must(200, "POST", "/agentry/v1/resolve", resolve).json(t)["agent_version"]
			tags := assigned(t, onB.must(200, "GET", fmt.Sprintf("/get-agent/%s?version=%d", id, v), ""))
			if got == float64(v) && slices.Equal(tags, []string{"prod"}) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("B still resolves %v (tags on %d: %v) after prod moved to %d", got, v, tags, v)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}
