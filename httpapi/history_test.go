package httpapi_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/httpapi"
	"github.com/agentry/agentry/webhookhttp"
)

type auditPage struct {
	Items []struct {
		Seq   int64 `json:"seq"`
		Actor struct {
			Type      string `json:"type"`
			KeyPrefix string `json:"key_prefix"`
			Label     string `json:"label"`
		} `json:"actor"`
		RequestID  string         `json:"request_id"`
		Action     string         `json:"action"`
		ObjectType string         `json:"object_type"`
		ObjectID   string         `json:"object_id"`
		Version    *int64         `json:"version"`
		Paths      []string       `json:"paths"`
		Details    map[string]any `json:"details"`
		Timestamp  int64          `json:"timestamp"`
	} `json:"items"`
	HasMore       bool   `json:"has_more"`
	PaginationKey string `json:"pagination_key"`
}

func (e *env) audit(key, query string) auditPage {
	e.t.Helper()
	r := e.do("GET", "/agentry/v1/audit"+query, key, nil)
	if r.status != 200 {
		e.t.Fatalf("audit%s: %d %s", query, r.status, r.body)
	}
	var p auditPage
	if err := json.Unmarshal(r.body, &p); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func TestAuditLogThroughTheAPI(t *testing.T) {
	e := newEnv(t, nil)
	before := time.Now().UnixMilli()
	r := e.do("POST", "/create-agent", e.keyA, []byte(minimalAgent), "X-Request-Id", "trace-create")
	id := r.json(t)["agent_id"].(string)
	// Entries carry the server's own request id, the one its answer and its
	// log lines carry (a client's X-Request-Id is only logged beside it).
	updateID := e.do("PATCH", "/update-agent/"+id, e.keyA, []byte(`{"voice_speed":1.1,"agent_name":"Desk"}`), "X-Request-Id", "trace-update").header.Get("X-Request-Id")
	publishID := e.do("POST", "/publish-agent-version/"+id, e.keyA, []byte(`{"version":0}`), "X-Request-Id", "trace-publish").header.Get("X-Request-Id")
	e.do("DELETE", "/delete-agent/"+id, e.keyA, nil)

	p := e.audit(e.keyA, "")
	var got []string
	for _, it := range p.Items {
		got = append(got, it.Action)
	}
	// The env's keys were created by an operator's command: the oldest entry.
	if !slices.Equal(got, []string{"agent.deleted", "agent_version.published", "agent.updated", "agent.created", "api_key.created"}) {
		t.Fatalf("newest first: %v", got)
	}
	pub := p.Items[1]
	if pub.Actor.Type != "api_key" || pub.Actor.KeyPrefix != e.keyA[:agentry.KeyPrefixLen] || pub.RequestID != publishID || publishID == "trace-publish" ||
		pub.ObjectType != "agent" || pub.ObjectID != id || pub.Version == nil || *pub.Version != 0 ||
		pub.Timestamp < before || pub.Timestamp > time.Now().UnixMilli() {
		t.Errorf("publish entry %+v", pub)
	}
	if upd := p.Items[2]; !slices.Equal(upd.Paths, []string{"/agent_name", "/voice_speed"}) || upd.RequestID != updateID {
		t.Errorf("update entry %+v", upd)
	}
	for _, it := range p.Items {
		if strings.Contains(it.Actor.Label+it.Actor.KeyPrefix, e.keyA[agentry.KeyPrefixLen:]) {
			t.Errorf("an entry shows the key: %+v", it)
		}
	}
	// Filters.
	if n := len(e.audit(e.keyA, "?action=agent_version.published").Items); n != 1 {
		t.Errorf("action filter: %d", n)
	}
	if n := len(e.audit(e.keyA, "?action=agent.*&object_type=agent&object_id="+id).Items); n != 3 {
		t.Errorf("prefix + object filter: %d", n)
	}
	if n := len(e.audit(e.keyA, "?actor="+e.keyA[:agentry.KeyPrefixLen]).Items); n != 4 {
		t.Errorf("actor filter: %d", n)
	}
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if n := len(e.audit(e.keyA, "?since="+future).Items); n != 0 {
		t.Errorf("since the future: %d", n)
	}
	if n := len(e.audit(e.keyA, "?until="+future+"&since=1").Items); n != 5 {
		t.Errorf("until the future: %d", n)
	}
	// Paging, oldest first on request.
	first := e.audit(e.keyA, "?limit=3&sort_order=ascending")
	if len(first.Items) != 3 || !first.HasMore || first.Items[1].Action != "agent.created" || first.Items[0].Actor.Type != "operator" {
		t.Fatalf("first page %+v", first)
	}
	rest := e.audit(e.keyA, "?limit=3&sort_order=ascending&pagination_key="+first.PaginationKey)
	if len(rest.Items) != 2 || rest.HasMore || rest.Items[1].Action != "agent.deleted" {
		t.Errorf("second page %+v", rest)
	}
	// Another workspace sees none of it.
	if p := e.audit(e.keyB, "?object_type=agent"); len(p.Items) != 0 {
		t.Errorf("workspace B sees %d entries", len(p.Items))
	}
	// Bad parameters are refused, naming them.
	for q, words := range map[string]string{
		"?action=agent.frobbed":                  "action",
		"?since=yesterday":                       "since",
		"?until=2026-13-01T00:00:00Z":            "until",
		"?since=2000&until=1000":                 "until",
		"?limit=0":                               "limit",
		"?sort_order=sideways":                   "sort_order",
		"?pagination_key=notakey":                "pagination_key",
		"?pagination_key=" + first.PaginationKey: "sort_order",
	} {
		wantError(t, e.do("GET", "/agentry/v1/audit"+q, e.keyA, nil), 400, words)
	}
	// The log cannot be edited through the API.
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		wantError(t, e.do(m, "/agentry/v1/audit", e.keyA, []byte(`{}`)), 405, "not allowed")
	}
	wantError(t, e.do("DELETE", "/agentry/v1/audit/1", e.keyA, nil), 404, "no such endpoint")
	wantError(t, e.do("GET", "/agentry/v1/audit", "", nil), 401, "API key")
}

func TestARolledBackWriteLeavesNoEntry(t *testing.T) {
	e := newEnv(t, nil)
	llm := e.createEngine(engineKinds[0], e.keyA, minimalLLM)
	id := e.createAgentOn("/create-agent", e.keyA, engineKinds[0].engineRef(llm))["agent_id"].(string)
	e.do("DELETE", "/delete-retell-llm/"+llm+"?force_delete=true", e.keyA, nil)
	n := len(e.audit(e.keyA, "?limit=1000").Items)
	// The publish writes its entry, then finds the engine gone: 422, and the
	// entry is rolled back with the rest.
	wantError(t, e.do("POST", "/publish-agent-version/"+id, e.keyA, []byte(`{"version":0}`)), 422, llm)
	if got := e.audit(e.keyA, "?limit=1000").Items; len(got) != n || got[0].Action != "retell_llm.deleted" {
		t.Errorf("after a failed publish: %d entries (was %d), newest %s", len(got), n, got[0].Action)
	}
}

type webhookAnswer struct {
	WebhookID   string   `json:"webhook_id"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Enabled     bool     `json:"enabled"`
	Description string   `json:"description"`
	Secret      *string  `json:"secret"`
}

func (e *env) webhook(method, path, key, body string, status int) (webhookAnswer, response) {
	e.t.Helper()
	r := e.do(method, path, key, []byte(body))
	if r.status != status {
		e.t.Fatalf("%s %s: %d %s, want %d", method, path, r.status, r.body, status)
	}
	var w webhookAnswer
	if len(r.body) > 0 {
		if err := json.Unmarshal(r.body, &w); err != nil {
			e.t.Fatal(err)
		}
	}
	return w, r
}

var secretPattern = regexp.MustCompile(`^whsec_[0-9a-f]{64}$`)

func TestWebhookEndpoints(t *testing.T) {
	e := newEnv(t, nil)
	w, _ := e.webhook("POST", "/agentry/v1/webhooks", e.keyA, `{"url":"https://hooks.example.com/a","events":["agent_version.published","tag.moved"],"description":"deploys"}`, 201)
	if w.Secret == nil || !secretPattern.MatchString(*w.Secret) || !w.Enabled || w.Description != "deploys" || !strings.HasPrefix(w.WebhookID, "webhook_") {
		t.Fatalf("created %+v", w)
	}
	base := "/agentry/v1/webhooks/" + w.WebhookID
	got, r := e.webhook("GET", base, e.keyA, "", 200)
	if got.Secret != nil || strings.Contains(string(r.body), *w.Secret) || got.URL != w.URL || !slices.Equal(got.Events, w.Events) {
		t.Errorf("get shows %s", r.body)
	}
	_, r = e.webhook("GET", "/agentry/v1/webhooks", e.keyA, "", 200)
	if strings.Contains(string(r.body), "whsec_") || !strings.Contains(string(r.body), w.WebhookID) {
		t.Errorf("list shows %s", r.body)
	}
	u, r := e.webhook("PATCH", base, e.keyA, `{"enabled":false,"events":["*"]}`, 200)
	if u.Enabled || !slices.Equal(u.Events, []string{"*"}) || u.Secret != nil || u.URL != w.URL {
		t.Errorf("update answered %s", r.body)
	}
	rot, _ := e.webhook("PATCH", base, e.keyA, `{"rotate_secret":true}`, 200)
	if rot.Secret == nil || *rot.Secret == *w.Secret || !secretPattern.MatchString(*rot.Secret) {
		t.Errorf("rotated secret %v", rot.Secret)
	}
	if again, _ := e.webhook("GET", base, e.keyA, "", 200); again.Secret != nil {
		t.Error("the rotated secret is shown again")
	}

	for name, c := range map[string]struct{ method, path, body, words string }{
		"no url":            {"POST", "/agentry/v1/webhooks", `{"events":["*"]}`, "url: is required"},
		"no events":         {"POST", "/agentry/v1/webhooks", `{"url":"https://x.example.com"}`, "events: is required"},
		"empty events":      {"POST", "/agentry/v1/webhooks", `{"url":"https://x.example.com","events":[]}`, "events"},
		"unknown event":     {"POST", "/agentry/v1/webhooks", `{"url":"https://x.example.com","events":["agent.published"]}`, "events[0]"},
		"repeated event":    {"POST", "/agentry/v1/webhooks", `{"url":"https://x.example.com","events":["tag.moved","tag.moved"]}`, "events"},
		"audit-only event":  {"POST", "/agentry/v1/webhooks", `{"url":"https://x.example.com","events":["webhook.deleted"]}`, "events[0]"},
		"bad scheme":        {"POST", "/agentry/v1/webhooks", `{"url":"ftp://x.example.com","events":["*"]}`, "url: must start with http"},
		"loopback":          {"POST", "/agentry/v1/webhooks", `{"url":"http://127.0.0.1:9000/h","events":["*"]}`, "--webhook-allow-private"},
		"metadata address":  {"POST", "/agentry/v1/webhooks", `{"url":"http://169.254.169.254/","events":["*"]}`, "url"},
		"credentials":       {"POST", "/agentry/v1/webhooks", `{"url":"https://a:b@x.example.com","events":["*"]}`, "url"},
		"wrong type":        {"POST", "/agentry/v1/webhooks", `{"url":"https://x.example.com","events":["*"],"enabled":"yes"}`, "enabled"},
		"update bad url":    {"PATCH", base, `{"url":"nope"}`, "url"},
		"deliveries state":  {"GET", base + "/deliveries?state=lost", ``, "state"},
		"deliveries limit":  {"GET", base + "/deliveries?limit=5000", ``, "limit"},
		"list bad page key": {"GET", "/agentry/v1/webhooks?pagination_key=zz", ``, "pagination_key"},
	} {
		t.Run(name, func(t *testing.T) { wantError(t, e.do(c.method, c.path, e.keyA, []byte(c.body)), 400, c.words) })
	}
	if _, r := e.webhook("GET", "/agentry/v1/webhooks", e.keyA, "", 200); strings.Count(string(r.body), "webhook_id") != 1 {
		t.Errorf("refused creates left webhooks: %s", r.body)
	}

	// Another workspace's webhook answers like a missing one.
	for _, c := range []struct{ method, path, body string }{
		{"GET", base, ""}, {"PATCH", base, `{"enabled":true}`}, {"DELETE", base, ""},
		{"GET", base + "/deliveries", ""}, {"POST", base + "/deliveries/delivery_x/retry", ""},
	} {
		wantError(t, e.do(c.method, c.path, e.keyB, []byte(c.body)), 404, "not found")
	}
	wantError(t, e.do("POST", base+"/deliveries/delivery_x/retry", e.keyA, nil), 404, "no delivery delivery_x")
	if _, r := e.webhook("DELETE", base, e.keyA, "", 204); len(r.body) != 0 {
		t.Errorf("delete answered a body: %s", r.body)
	}
	wantError(t, e.do("GET", base, e.keyA, nil), 404, "not found")
}

// TestWebhookDeliveryThroughTheAPI sends a publish to a local receiver that
// fails once, through the real sender and the worker's steps, and reads the
// deliveries through the API.
func TestWebhookDeliveryThroughTheAPI(t *testing.T) {
	var mu sync.Mutex
	var secret string
	var bodies [][]byte
	var sigOK []bool
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		bodies = append(bodies, body)
		sigOK = append(sigOK, checkSignature(secret, r.Header.Get("Agentry-Signature"), body))
		if len(bodies) == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer recv.Close()
	var store agentry.Store
	e := newEnv(t, func(s *httpapi.Server) {
		store = s.Service.Store
		s.Webhooks = &agentry.WebhookService{Store: store, AllowPrivate: true}
	})
	w, _ := e.webhook("POST", "/agentry/v1/webhooks", e.keyA, `{"url":"`+recv.URL+`/in","events":["agent_version.published","agent.deleted"]}`, 201)
	mu.Lock()
	secret = *w.Secret
	mu.Unlock()
	id := e.createAgent(e.keyA)
	pubID := e.do("POST", "/publish-agent-version/"+id, e.keyA, []byte(`{"version":0}`), "X-Request-Id", "trace-pub").header.Get("X-Request-Id")

	now := time.Now()
	d := &agentry.Deliverer{Store: store, Sender: webhookhttp.New(webhookhttp.Options{Timeout: time.Second, AllowPrivate: true}),
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }, RetryBase: time.Second}
	if n, err := d.DeliverDue(t.Context()); n != 1 || err != nil {
		t.Fatalf("first pass: %d, %v", n, err)
	}
	base := "/agentry/v1/webhooks/" + w.WebhookID + "/deliveries"
	var page struct {
		Items []struct {
			DeliveryID     string           `json:"delivery_id"`
			EventID        string           `json:"event_id"`
			Event          string           `json:"event"`
			State          string           `json:"state"`
			AttemptCount   int              `json:"attempt_count"`
			LastStatusCode *int             `json:"last_status_code"`
			LastError      *string          `json:"last_error"`
			NextAttemptAt  *int64           `json:"next_attempt_at"`
			Attempts       []map[string]any `json:"attempts"`
			Payload        json.RawMessage  `json:"payload"`
		} `json:"items"`
	}
	read := func() {
		t.Helper()
		r := e.do("GET", base, e.keyA, nil)
		if r.status != 200 {
			t.Fatal(r.status, string(r.body))
		}
		if err := json.Unmarshal(r.body, &page); err != nil || len(page.Items) != 1 {
			t.Fatalf("deliveries: %v %s", err, r.body)
		}
	}
	read()
	it := page.Items[0]
	if it.State != "pending" || it.AttemptCount != 1 || *it.LastStatusCode != 502 || !strings.Contains(*it.LastError, "502") ||
		it.NextAttemptAt == nil || len(it.Attempts) != 1 || it.Attempts[0]["status_code"] != float64(502) {
		t.Fatalf("after a 502: %+v", it)
	}
	now = now.Add(2 * time.Second)
	if n, _ := d.DeliverDue(t.Context()); n != 1 {
		t.Fatal("the retry was not due")
	}
	read()
	it = page.Items[0]
	if it.State != "delivered" || it.AttemptCount != 2 || *it.LastStatusCode != 200 || len(it.Attempts) != 2 {
		t.Fatalf("after a 200: %+v", it)
	}
	var ev struct {
		EventID   string `json:"event_id"`
		Event     string `json:"event"`
		Timestamp int64  `json:"timestamp"`
		Data      struct {
			Action    string `json:"action"`
			ObjectID  string `json:"object_id"`
			RequestID string `json:"request_id"`
			Version   int64  `json:"version"`
		} `json:"data"`
	}
	mu.Lock()
	body := bodies[1]
	mu.Unlock()
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Event != "agent_version.published" || ev.EventID != it.EventID || ev.Data.ObjectID != id || ev.Data.RequestID != pubID || ev.Data.Version != 0 {
		t.Errorf("event %s", body)
	}
	var payload, sent any
	json.Unmarshal(it.Payload, &payload)
	json.Unmarshal(body, &sent)
	if !jsonEqual(payload, sent) {
		t.Errorf("payload %s, sent %s", it.Payload, body)
	}

	// Retried by hand: sent again, the same event.
	r := e.do("POST", base+"/"+it.DeliveryID+"/retry", e.keyA, nil)
	if r.status != 200 || r.json(t)["state"] != "pending" {
		t.Fatalf("retry: %d %s", r.status, r.body)
	}
	if n, _ := d.DeliverDue(t.Context()); n != 1 {
		t.Fatal("the retried delivery was not sent")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 3 || string(bodies[2]) != string(bodies[1]) {
		t.Errorf("the receiver got %d requests; the retry must resend the same body", len(bodies))
	}
	for i, ok := range sigOK {
		if !ok {
			t.Errorf("request %d: bad signature", i+1)
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// checkSignature verifies Agentry-Signature as docs/API.md tells receivers
// to: HMAC-SHA256 of "<t>.<body>" under the secret, t within five minutes.
func checkSignature(secret, header string, body []byte) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(unix, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	return hmac.Equal([]byte(sig), []byte(hex.EncodeToString(mac.Sum(nil))))
}

// A tag move, its revert and a phone number's rebinding reach a webhook
// subscribed to them, signed, through the API.
func TestRoutingChangesReachWebhooks(t *testing.T) {
	var mu sync.Mutex
	var secret string
	type received struct {
		event  string
		tag    any
		sigOK  bool
		object string
	}
	var got []received
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev struct {
			Event string `json:"event"`
			Data  struct {
				ObjectID string         `json:"object_id"`
				Details  map[string]any `json:"details"`
			} `json:"data"`
		}
		json.Unmarshal(body, &ev)
		mu.Lock()
		defer mu.Unlock()
		got = append(got, received{ev.Event, ev.Data.Details["tag"], checkSignature(secret, r.Header.Get("Agentry-Signature"), body), ev.Data.ObjectID})
	}))
	defer recv.Close()
	var store agentry.Store
	e := newEnv(t, func(s *httpapi.Server) {
		store = s.Service.Store
		s.Webhooks = &agentry.WebhookService{Store: store, AllowPrivate: true}
	})
	w, _ := e.webhook("POST", "/agentry/v1/webhooks", e.keyA, `{"url":"`+recv.URL+`/in","events":["tag.moved","tag.reverted","phone_number.routing_changed"]}`, 201)
	mu.Lock()
	secret = *w.Secret
	mu.Unlock()
	id := e.createAgent(e.keyA)
	e.do("POST", "/publish-agent-version/"+id, e.keyA, []byte(`{"version":0}`))
	if r := e.do("PUT", "/agentry/v1/agents/"+id+"/tags/prod", e.keyA, []byte(`{"version":0,"reason":"launch"}`)); r.status != 200 {
		t.Fatalf("move prod: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", "/agentry/v1/agents/"+id+"/tags/prod", e.keyA, []byte(`{"version":null}`)); r.status != 200 {
		t.Fatalf("unassign prod: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/agentry/v1/agents/"+id+"/tags/prod/revert", e.keyA, []byte(`{"seq":2}`)); r.status != 200 {
		t.Fatalf("revert the unassignment: %d %s", r.status, r.body)
	}
	phone := e.do("POST", "/create-phone-number", e.keyA, []byte(`{"area_code":415}`)).json(t)["phone_number"].(string)
	if r := e.do("PATCH", "/update-phone-number/"+phone, e.keyA, []byte(`{"inbound_agents":[{"agent_id":"`+id+`","agent_version":"prod","weight":1}]}`)); r.status != 200 {
		t.Fatalf("bind: %d %s", r.status, r.body)
	}
	d := &agentry.Deliverer{Store: store, Sender: webhookhttp.New(webhookhttp.Options{Timeout: time.Second, AllowPrivate: true}),
		Logger: slog.New(slog.DiscardHandler)}
	if _, err := d.DeliverDue(t.Context()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	var events []string
	for _, r := range got {
		events = append(events, r.event)
		if !r.sigOK {
			t.Errorf("%s arrived with a bad signature", r.event)
		}
	}
	slices.Sort(events)
	want := []string{"phone_number.routing_changed", "tag.moved", "tag.moved", "tag.reverted"}
	if !slices.Equal(events, want) {
		t.Fatalf("delivered %v, want %v", events, want)
	}
	for _, r := range got {
		if strings.HasPrefix(r.event, "tag.") && (r.tag != "prod" || r.object != id) {
			t.Errorf("%s names tag %v of %s", r.event, r.tag, r.object)
		}
		if r.event == "phone_number.routing_changed" && r.object != phone {
			t.Errorf("the routing change names %s, want %s", r.object, phone)
		}
	}
}
