package storetest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/webhookhttp"
)

// receiver is a local webhook endpoint that checks every request's
// signature the way docs/API.md tells receivers to, independently of
// agentry's own signing code, and answers as told.
type receiver struct {
	*httptest.Server
	t      *testing.T
	clock  *clock
	mu     sync.Mutex
	secret string
	got    []received
	answer func(n int, w http.ResponseWriter, r *http.Request) // n counts from 1
}

type received struct {
	header http.Header
	body   []byte
	sigErr error
}

func newReceiver(t *testing.T, c *clock, answer func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	rc := &receiver{t: t, clock: c, answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		got := received{header: r.Header.Clone(), body: body, sigErr: verify(rc.secret, r.Header.Get("Agentry-Signature"), body, rc.clock.Now())}
		rc.got = append(rc.got, got)
		n := len(rc.got)
		rc.mu.Unlock()
		rc.answer(n, w, r)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// verify checks "t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">" with a
// five-minute tolerance, written out here rather than calling agentry.
func verify(secret, header string, body []byte, now time.Time) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("no t in %q", header)
	}
	if d := now.Unix() - t; d > 300 || d < -300 {
		return fmt.Errorf("t=%d is %ds from now", t, d)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	want := hex.EncodeToString(mac.Sum(nil))
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return fmt.Errorf("no v1 in %q matches %s", header, want)
}

func (e *env) deliverer(timeout, retryBase, retryFor time.Duration) *agentry.Deliverer {
	return &agentry.Deliverer{Store: e.store, Now: e.clock.Now, Logger: slog.New(slog.DiscardHandler),
		Sender:  webhookhttp.New(webhookhttp.Options{Timeout: timeout, AllowPrivate: true}),
		Timeout: timeout, RetryBase: retryBase, RetryMax: 10 * retryBase, RetryFor: retryFor}
}

func mustDeliver(t *testing.T, d *agentry.Deliverer, want int) {
	t.Helper()
	n, err := d.DeliverDue(t.Context())
	if err != nil || n != want {
		t.Fatalf("DeliverDue = %d, %v; want %d", n, err, want)
	}
}

// within fails unless got is in [lo, hi].
func within(t *testing.T, what string, got, lo, hi int64) {
	t.Helper()
	if got < lo || got > hi {
		t.Errorf("%s = %d, want within [%d, %d]", what, got, lo, hi)
	}
}

func testDeliveryRetriesUntilAccepted(t *testing.T, open Opener) {
	e := newEnv(t, open)
	rc := newReceiver(t, e.clock, func(n int, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 1:
			http.Error(w, "boom", http.StatusInternalServerError)
		case 2: // no answer within the timeout
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	hooks := e.webhookService(true)
	w := e.mustWebhook(t, hooks, rc.URL+"/hook", "agent_version.published")
	rc.mu.Lock()
	rc.secret = w.Secret
	rc.mu.Unlock()
	a := e.mustCreateAgent(t, agentry.VoiceAgent, minimalDoc).ResourceID
	e.mustPublish(t, a, 0)
	d := e.deliverer(300*time.Millisecond, time.Second, time.Hour)

	t1 := e.clock.Millis()
	mustDeliver(t, d, 1)
	got := e.deliveries(t, hooks, w.ID)[0]
	if got.State != agentry.DeliveryPending || got.Attempts != 1 || got.LastStatus != 500 || !strings.Contains(got.LastError, "answered 500") || !strings.Contains(got.LastError, "boom") {
		t.Fatalf("after a 500: %+v", got)
	}
	within(t, "first backoff", got.NextAttemptAt-t1, 800, 1200)
	mustDeliver(t, d, 0) // not due yet

	t2 := e.clock.Advance(1200 * time.Millisecond)
	mustDeliver(t, d, 1)
	got = e.deliveries(t, hooks, w.ID)[0]
	if got.State != agentry.DeliveryPending || got.Attempts != 2 || got.LastStatus != 0 || !strings.Contains(got.LastError, "timeout") {
		t.Fatalf("after no answer: %+v", got)
	}
	within(t, "second backoff", got.NextAttemptAt-t2, 1600, 2400)

	t3 := e.clock.Advance(2400 * time.Millisecond)
	mustDeliver(t, d, 1)
	got = e.deliveries(t, hooks, w.ID)[0]
	if got.State != agentry.DeliveryDelivered || got.Attempts != 3 || got.LastStatus != 204 || got.LastError != "" || got.FinishedAt != t3 {
		t.Fatalf("after a 204: %+v", got)
	}
	if len(got.Log) != 3 {
		t.Fatalf("attempts = %+v", got.Log)
	}
	for i, want := range []struct {
		at     int64
		status int
	}{{t1, 500}, {t2, 0}, {t3, 204}} {
		if a := got.Log[i]; a.N != i+1 || a.At != want.at || a.StatusCode != want.status {
			t.Errorf("attempt %d = %+v, want at %d status %d", i+1, a, want.at, want.status)
		}
	}
	mustDeliver(t, d, 0)

	reqs := rc.requests()
	if len(reqs) != 3 {
		t.Fatalf("the receiver got %d requests, want 3", len(reqs))
	}
	for i, r := range reqs {
		if r.sigErr != nil {
			t.Errorf("request %d: signature: %v", i+1, r.sigErr)
		}
		if string(r.body) != string(got.Body) || r.header.Get("Content-Type") != "application/json" ||
			r.header.Get("Agentry-Event") != "agent_version.published" || r.header.Get("Agentry-Event-Id") != got.EventID ||
			r.header.Get("Agentry-Delivery") != got.ID {
			t.Errorf("request %d: headers %v body %s", i+1, r.header, r.body)
		}
	}
	// A wrong secret or a changed body fails the check the receiver makes.
	if verify("whsec_other", reqs[2].header.Get("Agentry-Signature"), reqs[2].body, e.clock.Now()) == nil {
		t.Error("the signature verifies under another secret")
	}
	if verify(w.Secret, reqs[2].header.Get("Agentry-Signature"), append(reqs[2].body, ' '), e.clock.Now()) == nil {
		t.Error("the signature verifies a changed body")
	}
	if verify(w.Secret, reqs[2].header.Get("Agentry-Signature"), reqs[2].body, e.clock.Now().Add(6*time.Minute)) == nil {
		t.Error("a replay six minutes later verifies")
	}
	if err := agentry.VerifyWebhook(w.Secret, reqs[2].header.Get("Agentry-Signature"), reqs[2].body, e.clock.Now(), agentry.DefaultSignatureTolerance); err != nil {
		t.Errorf("agentry.VerifyWebhook refuses what the receiver accepts: %v", err)
	}
}

func testDeliveryGivesUpThenRetryByHand(t *testing.T, open Opener) {
	e := newEnv(t, open)
	var mu sync.Mutex
	status := http.StatusServiceUnavailable
	rc := newReceiver(t, e.clock, func(_ int, w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.WriteHeader(status)
	})
	hooks := e.webhookService(true)
	w := e.mustWebhook(t, hooks, rc.URL, "agent.deleted")
	rc.mu.Lock()
	rc.secret = w.Secret
	rc.mu.Unlock()
	a := e.mustCreateAgent(t, agentry.VoiceAgent, minimalDoc).ResourceID
	if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.VoiceAgent, ID: a}); err != nil {
		t.Fatal(err)
	}
	d := e.deliverer(time.Second, time.Second, 2*time.Second)
	mustDeliver(t, d, 1)
	e.clock.Advance(1200 * time.Millisecond)
	mustDeliver(t, d, 1) // the next wait would end past the 2 s window: failed for good
	got := e.deliveries(t, hooks, w.ID)[0]
	if got.State != agentry.DeliveryFailed || got.Attempts != 2 || got.LastStatus != 503 || got.FinishedAt != e.clock.Millis() {
		t.Fatalf("after the window: %+v", got)
	}
	e.clock.Advance(time.Hour)
	mustDeliver(t, d, 0)
	if page, err := hooks.Deliveries(e.ctx, e.caller(), w.ID, agentry.DeliveryFailed, agentry.PageRequest{}); err != nil || len(page.Items) != 1 {
		t.Errorf("failed deliveries: %+v, %v", page, err)
	}
	if page, err := hooks.Deliveries(e.ctx, e.caller(), w.ID, agentry.DeliveryPending, agentry.PageRequest{}); err != nil || len(page.Items) != 0 {
		t.Errorf("pending deliveries: %+v, %v", page, err)
	}
	_, err := hooks.Deliveries(e.ctx, e.caller(), w.ID, "lost", agentry.PageRequest{})
	wantCode(t, err, agentry.EINVALID, "state")

	other := mustWorkspace(t, e.store, "ws-b")
	_, err = hooks.RetryDelivery(e.ctx, e.as(other), w.ID, got.ID)
	wantCode(t, err, agentry.ENOTFOUND)
	_, err = hooks.RetryDelivery(e.ctx, e.caller(), w.ID, "delivery_missing")
	wantCode(t, err, agentry.ENOTFOUND, "delivery_missing")

	mu.Lock()
	status = http.StatusOK
	mu.Unlock()
	retried, err := hooks.RetryDelivery(e.ctx, e.caller(), w.ID, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if retried.State != agentry.DeliveryPending || retried.NextAttemptAt != e.clock.Millis() || retried.FinishedAt != 0 {
		t.Errorf("retried %+v", retried)
	}
	// While a process has it claimed, a retry by hand is refused.
	var claimed []agentry.Delivery
	mustUpdate(t, e.store, func(tx agentry.Tx) (err error) {
		claimed, err = tx.ClaimDeliveries(e.clock.Millis(), 1, "busy", e.clock.Millis()+5000)
		return err
	})
	_, err = hooks.RetryDelivery(e.ctx, e.caller(), w.ID, got.ID)
	wantCode(t, err, agentry.EINVALID, "being sent")
	e.clock.Advance(5 * time.Second) // the claimer died; its lease runs out
	mustDeliver(t, d, 1)
	got = e.deliveries(t, hooks, w.ID)[0]
	if len(claimed) != 1 || got.State != agentry.DeliveryDelivered || got.Attempts != 3 || len(got.Log) != 3 {
		t.Errorf("after the retry by hand: %+v", got)
	}
	log := e.auditLog(t, e.ws, agentry.AuditFilter{Action: "webhook_delivery.retried"})
	if len(log) != 1 || log[0].ObjectID != got.ID {
		t.Errorf("retry audit = %+v", log)
	}
	for i, r := range rc.requests() {
		if r.sigErr != nil {
			t.Errorf("request %d: %v", i+1, r.sigErr)
		}
	}
}
