package storetest

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// webhookTests cover webhooks and the outbox: their management, deliveries
// queued in the transaction of a change, claims with leases, and the
// deliverer against a real local receiver.
var webhookTests = []suiteTest{
	{"Manage", testManageWebhooks},
	{"BadInput", testWebhookBadInput},
	{"OutboxIsWrittenWithTheChange", testOutboxIsWrittenWithTheChange},
	{"ClaimsLease", testClaimsLease},
	{"ConcurrentClaimsAreDisjoint", testConcurrentClaimsAreDisjoint},
	{"DeliveryRetriesUntilAccepted", testDeliveryRetriesUntilAccepted},
	{"DeliveryGivesUpThenRetryByHand", testDeliveryGivesUpThenRetryByHand},
	{"PruneFinishedDeliveries", testPruneFinishedDeliveries},
}

// webhookService is the workspace's webhooks on the test clock.
func (e *env) webhookService(allowPrivate bool) *agentry.WebhookService {
	return &agentry.WebhookService{Store: e.store, Now: e.clock.Now, AllowPrivate: allowPrivate}
}

// deliveries lists every delivery of every webhook of the test workspace
// (of webhookID alone when given), newest first.
func (e *env) deliveries(tb testing.TB, hooks *agentry.WebhookService, webhookID string) []agentry.Delivery {
	tb.Helper()
	var ids []string
	if webhookID != "" {
		ids = []string{webhookID}
	} else {
		page, err := hooks.List(e.ctx, e.caller(), agentry.PageRequest{Limit: 1000})
		if err != nil {
			tb.Fatal(err)
		}
		for _, w := range page.Items {
			ids = append(ids, w.ID)
		}
	}
	var out []agentry.Delivery
	for _, id := range ids {
		page, err := hooks.Deliveries(e.ctx, e.caller(), id, "", agentry.PageRequest{Limit: 1000, Desc: true})
		if err != nil {
			tb.Fatalf("Deliveries(%s): %v", id, err)
		}
		out = append(out, page.Items...)
	}
	return out
}

func (e *env) mustWebhook(tb testing.TB, hooks *agentry.WebhookService, url string, events ...string) *agentry.Webhook {
	tb.Helper()
	w, err := hooks.Create(e.ctx, e.caller(), agentry.WebhookInput{URL: &url, Events: events})
	if err != nil {
		tb.Fatalf("create webhook %s %v: %v", url, events, err)
	}
	return w
}

var secretPattern = regexp.MustCompile(`^whsec_[0-9a-f]{64}$`)

func testManageWebhooks(t *testing.T, open Opener) {
	e := newEnv(t, open)
	hooks := e.webhookService(false)
	other := mustWorkspace(t, e.store, "ws-b")
	created := e.clock.Millis()
	w := e.mustWebhook(t, hooks, "https://hooks.example.com/agentry", "agent_version.published", "tag.moved")
	if !strings.HasPrefix(w.ID, "webhook_") || !secretPattern.MatchString(w.Secret) || !w.Enabled || w.CreatedAt != created {
		t.Fatalf("created %+v", w)
	}
	got, err := hooks.Get(e.ctx, e.caller(), w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.URL != w.URL || !slices.Equal(got.Events, w.Events) || got.Secret != w.Secret {
		t.Errorf("Get = %+v, want %+v", got, w)
	}
	_, err = hooks.Get(e.ctx, e.as(other), w.ID)
	wantCode(t, err, agentry.ENOTFOUND, w.ID)

	e.clock.Advance(time.Second)
	url, off := "https://hooks.example.com/v2", false
	u, err := hooks.Update(e.ctx, e.caller(), w.ID, agentry.WebhookInput{URL: &url, Enabled: &off, Events: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	if u.URL != url || u.Enabled || !slices.Equal(u.Events, []string{"*"}) || u.Secret != w.Secret || u.ModifiedAt != created+1000 || u.CreatedAt != created {
		t.Errorf("updated %+v", u)
	}
	rotated, err := hooks.Update(e.ctx, e.caller(), w.ID, agentry.WebhookInput{RotateSecret: true})
	if err != nil || rotated.Secret == w.Secret || !secretPattern.MatchString(rotated.Secret) || rotated.URL != url {
		t.Errorf("rotate secret: %+v, %v", rotated, err)
	}
	_, err = hooks.Update(e.ctx, e.as(other), w.ID, agentry.WebhookInput{Enabled: &off})
	wantCode(t, err, agentry.ENOTFOUND)

	// Paging by creation, newest first by default.
	var ids []string
	for range 4 {
		e.clock.Advance(time.Millisecond)
		ids = append(ids, e.mustWebhook(t, hooks, "https://example.org/h", "agent.deleted").ID)
	}
	ids = append([]string{w.ID}, ids...)
	slices.Reverse(ids)
	var walked []string
	p := agentry.PageRequest{Limit: 2, Desc: true}
	for {
		page, err := hooks.List(e.ctx, e.caller(), p)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range page.Items {
			walked = append(walked, h.ID)
		}
		if !page.HasMore {
			break
		}
		p.Key = page.NextKey
	}
	if !slices.Equal(walked, ids) {
		t.Errorf("paged %v, want %v", walked, ids)
	}
	if page, err := hooks.List(e.ctx, e.as(other), agentry.PageRequest{}); err != nil || len(page.Items) != 0 {
		t.Errorf("workspace B lists %+v, %v", page, err)
	}

	wantCode(t, hooks.Delete(e.ctx, e.as(other), w.ID), agentry.ENOTFOUND)
	if err := hooks.Delete(e.ctx, e.caller(), w.ID); err != nil {
		t.Fatal(err)
	}
	_, err = hooks.Get(e.ctx, e.caller(), w.ID)
	wantCode(t, err, agentry.ENOTFOUND)
	wantCode(t, hooks.Delete(e.ctx, e.caller(), w.ID), agentry.ENOTFOUND)

	got2 := actions(e.auditLog(t, e.ws, agentry.AuditFilter{ObjectType: "webhook", ObjectID: w.ID}))
	if !slices.Equal(got2, []string{"webhook.created", "webhook.updated", "webhook.updated", "webhook.deleted"}) {
		t.Errorf("webhook audit = %v", got2)
	}
}

func testWebhookBadInput(t *testing.T, open Opener) {
	e := newEnv(t, open)
	hooks := e.webhookService(false)
	for _, c := range []struct {
		url    string
		events []string
		words  []string
	}{
		{"ftp://example.com/x", []string{"agent.deleted"}, []string{"url", "http"}},
		{"example.com/x", []string{"agent.deleted"}, []string{"url", "http"}},
		{"https://", []string{"agent.deleted"}, []string{"url", "host"}},
		{"https://user:pw@example.com/", []string{"agent.deleted"}, []string{"url", "password"}},
		{"https://example.com/#frag", []string{"agent.deleted"}, []string{"url", "fragment"}},
		{"https://example.com:99999/", []string{"agent.deleted"}, []string{"url", "port"}},
		{"http://127.0.0.1:8080/hook", []string{"agent.deleted"}, []string{"url", "127.0.0.1", "--webhook-allow-private"}},
		{"http://localhost/hook", []string{"agent.deleted"}, []string{"url", "localhost"}},
		{"http://[::1]/hook", []string{"agent.deleted"}, []string{"url", "::1"}},
		{"http://10.1.2.3/hook", []string{"agent.deleted"}, []string{"url", "10.1.2.3"}},
		{"http://169.254.169.254/latest", []string{"agent.deleted"}, []string{"url", "169.254.169.254"}},
		{"https://" + strings.Repeat("a", 2050) + ".com/", []string{"agent.deleted"}, []string{"url", "2048"}},
		{"https://example.com/", []string{}, []string{"events", "at least one"}},
		{"https://example.com/", []string{"agent.published"}, []string{"events[0]", "agent.published", "agent_version.published"}},
		{"https://example.com/", []string{"agent.deleted", "webhook.created"}, []string{"events[1]", "webhook.created"}},
	} {
		_, err := hooks.Create(e.ctx, e.caller(), agentry.WebhookInput{URL: &c.url, Events: c.events})
		wantCode(t, err, agentry.EINVALID, c.words...)
	}
	_, err := hooks.Create(e.ctx, e.caller(), agentry.WebhookInput{Events: []string{"*"}})
	wantCode(t, err, agentry.EINVALID, "url", "required")
	_, err = hooks.Create(e.ctx, e.caller(), agentry.WebhookInput{URL: ptr("https://example.com/")})
	wantCode(t, err, agentry.EINVALID, "events", "required")
	if page, _ := hooks.List(e.ctx, e.caller(), agentry.PageRequest{}); len(page.Items) != 0 {
		t.Errorf("refused creates left webhooks: %+v", page.Items)
	}
	// With private addresses allowed, loopback is fine (tests, local dev).
	if _, err := e.webhookService(true).Create(e.ctx, e.caller(), agentry.WebhookInput{URL: ptr("http://127.0.0.1:8080/hook"), Events: []string{"*"}}); err != nil {
		t.Errorf("loopback with AllowPrivate: %v", err)
	}
	w := e.mustWebhook(t, hooks, "https://example.com/", "agent.deleted")
	bad := "gopher://x"
	_, err = hooks.Update(e.ctx, e.caller(), w.ID, agentry.WebhookInput{URL: &bad})
	wantCode(t, err, agentry.EINVALID, "url")
	if got, _ := hooks.Get(e.ctx, e.caller(), w.ID); got.URL != "https://example.com/" || got.ModifiedAt != w.ModifiedAt {
		t.Errorf("a refused update changed the webhook: %+v", got)
	}
}

// eventOf decodes a delivery's body.
func eventOf(tb testing.TB, d agentry.Delivery) agentry.EventBody {
	tb.Helper()
	var ev agentry.EventBody
	if err := json.Unmarshal(d.Body, &ev); err != nil {
		tb.Fatalf("delivery body %s: %v", d.Body, err)
	}
	return ev
}

func testOutboxIsWrittenWithTheChange(t *testing.T, open Opener) {
	e := newEnv(t, open)
	hooks := e.webhookService(true)
	pub := e.mustWebhook(t, hooks, "http://127.0.0.1:9/a", "agent_version.published")
	all := e.mustWebhook(t, hooks, "http://127.0.0.1:9/b", "*")
	off := e.mustWebhook(t, hooks, "http://127.0.0.1:9/c", "*")
	disabled := false
	if _, err := hooks.Update(e.ctx, e.caller(), off.ID, agentry.WebhookInput{Enabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	other := mustWorkspace(t, e.store, "ws-b")

	a := e.mustCreateAgent(t, agentry.VoiceAgent, minimalDoc).ResourceID
	e.mustUpdateVersion(t, a, num(0), `{"agent_name":"x"}`)
	at := e.clock.Advance(time.Second)
	c := e.who(e.ws, "key_1234abcd", "release", "req_pub")
	if err := e.svc.Publish(e.ctx, c, agentry.PublishRequest{AgentID: a, Version: 0}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.create(other, agentry.VoiceAgent, fields(t, minimalDoc)); err != nil {
		t.Fatal(err)
	}

	ofPub := e.deliveries(t, hooks, pub.ID)
	ofAll := e.deliveries(t, hooks, all.ID)
	if len(ofPub) != 1 || len(ofAll) != 3 || len(e.deliveries(t, hooks, off.ID)) != 0 {
		t.Fatalf("deliveries: %d to the publish webhook, %d to *, %d to the disabled one; want 1, 3, 0",
			len(ofPub), len(ofAll), len(e.deliveries(t, hooks, off.ID)))
	}
	d := ofPub[0]
	if d.State != agentry.DeliveryPending || d.Attempts != 0 || d.NextAttemptAt != at || d.CreatedAt != at || d.Event != "agent_version.published" {
		t.Errorf("queued delivery %+v", d)
	}
	if ofAll[0].EventID != d.EventID || ofAll[0].Event != d.Event || string(ofAll[0].Body) != string(d.Body) {
		t.Errorf("the two webhooks got different events: %+v / %+v", ofAll[0], d)
	}
	if got := []string{ofAll[2].Event, ofAll[1].Event}; !slices.Equal(got, []string{"agent.created", "agent.updated"}) {
		t.Errorf("events to * = %v", got)
	}
	ev := eventOf(t, d)
	entry := e.auditLog(t, e.ws, agentry.AuditFilter{Action: "agent_version.published"})[0]
	if ev.Event != "agent_version.published" || ev.EventID != d.EventID || ev.Timestamp != at || ev.Data == nil ||
		ev.Data.Seq != entry.Seq || ev.Data.ObjectID != a || *ev.Data.Version != 0 || ev.Data.RequestID != "req_pub" ||
		ev.Data.Actor.KeyPrefix != "key_1234abcd" || d.AuditSeq != entry.Seq {
		t.Errorf("event body %s, audit entry %+v", d.Body, entry)
	}
	// Webhook changes are audited, never sent.
	for _, x := range ofAll {
		if strings.HasPrefix(x.Event, "webhook.") {
			t.Errorf("a webhook change was queued: %s", x.Event)
		}
	}
}

func testClaimsLease(t *testing.T, open Opener) {
	e := newEnv(t, open)
	hooks := e.webhookService(true)
	w := e.mustWebhook(t, hooks, "http://127.0.0.1:9/a", "agent.created")
	paused := e.mustWebhook(t, hooks, "http://127.0.0.1:9/p", "agent.created")
	e.mustCreateAgent(t, agentry.VoiceAgent, minimalDoc)
	off := false
	if _, err := hooks.Update(e.ctx, e.caller(), paused.ID, agentry.WebhookInput{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	now := e.clock.Millis()
	claim := func(at int64, token string) []agentry.Delivery {
		t.Helper()
		var ds []agentry.Delivery
		mustUpdate(t, e.store, func(tx agentry.Tx) (err error) {
			ds, err = tx.ClaimDeliveries(at, 10, token, at+30_000)
			return err
		})
		return ds
	}
	if ds := claim(now-1, "early"); len(ds) != 0 {
		t.Errorf("claimed deliveries not yet due: %+v", ds)
	}
	ds := claim(now, "t1")
	if len(ds) != 1 || ds[0].WebhookID != w.ID || ds[0].URL != w.URL || ds[0].Secret != w.Secret || ds[0].LeaseUntil != now+30_000 {
		t.Fatalf("claim = %+v; want the enabled webhook's one delivery with its URL and secret", ds)
	}
	if again := claim(now+29_999, "t2"); len(again) != 0 {
		t.Errorf("a leased delivery was claimed again: %+v", again)
	}
	// A stale token cannot record an outcome.
	d := ds[0]
	d.State = agentry.DeliveryDelivered
	err := e.store.Update(e.ctx, func(tx agentry.Tx) error { return tx.UpdateDelivery(&d, "t2") })
	wantIs(t, err, agentry.ErrNotFound)
	// Once the lease runs out (the claimer died), another claim takes it.
	taken := claim(now+30_000, "t3")
	if len(taken) != 1 || taken[0].ID != d.ID {
		t.Fatalf("after the lease: %+v", taken)
	}
	err = e.store.Update(e.ctx, func(tx agentry.Tx) error { return tx.UpdateDelivery(&d, "t1") })
	wantIs(t, err, agentry.ErrNotFound)
	mustUpdate(t, e.store, func(tx agentry.Tx) error { return tx.UpdateDelivery(&d, "t3") })
	if got := e.deliveries(t, hooks, w.ID)[0]; got.State != agentry.DeliveryDelivered || got.LeaseUntil != 0 {
		t.Errorf("after the outcome: %+v", got)
	}
	if left := claim(now+100_000, "t4"); len(left) != 0 {
		t.Errorf("a delivered or paused delivery was claimed: %+v", left)
	}
	// Re-enabling the webhook sends what waited.
	on := true
	if _, err := hooks.Update(e.ctx, e.caller(), paused.ID, agentry.WebhookInput{Enabled: &on}); err != nil {
		t.Fatal(err)
	}
	if got := claim(now+100_000, "t5"); len(got) != 1 || got[0].WebhookID != paused.ID {
		t.Errorf("after re-enabling: %+v", got)
	}
}

func testConcurrentClaimsAreDisjoint(t *testing.T, open Opener) {
	const n, workers = 60, 6
	e := newEnv(t, open)
	hooks := e.webhookService(true)
	e.mustWebhook(t, hooks, "http://127.0.0.1:9/a", "agent.created")
	for range n {
		e.mustCreateAgent(t, agentry.VoiceAgent, minimalDoc)
	}
	now := e.clock.Millis()
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := 0; ; i++ {
				var ds []agentry.Delivery
				err := e.store.Update(e.ctx, func(tx agentry.Tx) (err error) {
					ds, err = tx.ClaimDeliveries(now, 4, "w"+string(rune('a'+w))+string(rune('0'+i%10)), now+60_000)
					return err
				})
				if err != nil {
					errs <- err
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("claim: %v", err)
	}
	if len(seen) != n {
		t.Errorf("claimed %d distinct deliveries, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("delivery %s claimed %d times", id, c)
		}
	}
}

func testPruneFinishedDeliveries(t *testing.T, open Opener) {
	e := newEnv(t, open)
	hooks := e.webhookService(true)
	w := e.mustWebhook(t, hooks, "http://127.0.0.1:9/a", "agent.created")
	for range 3 {
		e.mustCreateAgent(t, agentry.VoiceAgent, minimalDoc)
	}
	ds := e.deliveries(t, hooks, w.ID)
	now := e.clock.Millis()
	for i, d := range ds[:2] {
		d.State, d.FinishedAt = agentry.DeliveryDelivered, now-int64(i)
		if i == 1 {
			d.State = agentry.DeliveryFailed
		}
		mustUpdate(t, e.store, func(tx agentry.Tx) error { return tx.UpdateDelivery(&d, "") })
	}
	var n int
	mustUpdate(t, e.store, func(tx agentry.Tx) (err error) { n, err = tx.PruneDeliveries(now, 10); return err })
	if n != 1 {
		t.Fatalf("pruned %d, want the 1 finished before now", n)
	}
	mustUpdate(t, e.store, func(tx agentry.Tx) (err error) { n, err = tx.PruneDeliveries(now+1, 10); return err })
	if n != 1 {
		t.Fatalf("pruned %d, want 1 more", n)
	}
	if left := e.deliveries(t, hooks, w.ID); len(left) != 1 || left[0].State != agentry.DeliveryPending {
		t.Errorf("left %+v; a pending delivery is never pruned", left)
	}
}
