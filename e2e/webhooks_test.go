package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// hookReceiver is a webhook endpoint in the test process. It checks each
// request's Agentry-Signature as docs/API.md tells receivers to, counts
// events by event_id, and can hold the first request open to stand for a
// delivery in flight.
type hookReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	secret   string
	events   map[string]int    // event_id → deliveries that answered 200
	names    map[string]string // event_id → event name
	requests int
	bad      []string // why a request was refused
	holdOne  bool     // hold the first request until release is closed
	inFlight chan struct{}
	release  chan struct{}
}

func newHookReceiver(t *testing.T, holdFirst bool) *hookReceiver {
	h := &hookReceiver{events: map[string]int{}, names: map[string]string{}, holdOne: holdFirst,
		inFlight: make(chan struct{}), release: make(chan struct{})}
	h.Server = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(func() {
		h.mu.Lock()
		if h.holdOne {
			h.holdOne = false
			close(h.release)
		}
		h.mu.Unlock()
		h.Close()
	})
	return h
}

func (h *hookReceiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.requests++
	hold := h.holdOne && h.requests == 1
	secret := h.secret
	h.mu.Unlock()
	if hold {
		close(h.inFlight)
		select {
		case <-h.release:
		case <-r.Context().Done():
		}
		http.Error(w, "too late", http.StatusServiceUnavailable)
		return
	}
	var ev struct {
		EventID string `json:"event_id"`
		Event   string `json:"event"`
	}
	err := checkSignature(secret, r.Header.Get("Agentry-Signature"), body)
	if err == nil {
		err = json.Unmarshal(body, &ev)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil || ev.EventID == "" {
		h.bad = append(h.bad, fmt.Sprintf("%v: %s", err, body))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	h.events[ev.EventID]++
	h.names[ev.EventID] = ev.Event
	w.WriteHeader(http.StatusOK)
}

// checkSignature verifies "t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">"
// within five minutes of now.
func checkSignature(secret, header string, body []byte) error {
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
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("no timestamp in %q", header)
	}
	if d := time.Since(time.Unix(t, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("timestamp %d is %s away: a replay", t, d)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	if !hmac.Equal([]byte(sig), []byte(hex.EncodeToString(mac.Sum(nil)))) {
		return fmt.Errorf("signature %q does not match", header)
	}
	return nil
}

// delivered counts the events of name that arrived, and how many
// deliveries each took.
func (h *hookReceiver) delivered(name string) (events, deliveries int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, n := range h.events {
		if h.names[id] == name {
			events++
			deliveries += n
		}
	}
	return events, deliveries
}

// waitFor polls cond every 50 ms until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within %s", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// createWebhook subscribes the receiver to events and returns its secret.
func createWebhook(t *testing.T, s *server, h *hookReceiver, events ...string) string {
	t.Helper()
	r := s.must(t, http.StatusCreated, "POST", "/agentry/v1/webhooks", map[string]any{"url": h.URL + "/agentry", "events": events})
	o := r.object(t)
	h.mu.Lock()
	h.secret = o["secret"].(string)
	h.mu.Unlock()
	return o["webhook_id"].(string)
}

// TestWebhookArrivesAcrossASIGKILL kills the server with SIGKILL twice:
// once while it is sending a publish's delivery (the receiver holds the
// request open), once right after a deletion was acknowledged. A restarted
// server sends both events, signed, and the audit log has both changes.
func TestWebhookArrivesAcrossASIGKILL(t *testing.T) {
	eachBackend(t, func(t *testing.T, db *database) {
		args := []string{"--webhook-allow-private", "--webhook-timeout", "1s"}
		h := newHookReceiver(t, true)
		srv := startServer(t, "server", db.dsn, args...)
		hook := createWebhook(t, srv, h, "agent_version.published", "agent.deleted")
		id := createAgent(t, srv, nil)
		srv.must(t, http.StatusOK, "POST", "/publish-agent-version/"+id, map[string]any{"version": 0})
		select {
		case <-h.inFlight:
		case <-time.After(15 * time.Second):
			t.Fatal("the publish's delivery was not sent")
		}
		srv.kill() // mid-delivery: its outcome is never recorded
		h.mu.Lock()
		h.holdOne = false
		close(h.release)
		h.mu.Unlock()

		// A restarted process takes the delivery over once the dead one's
		// lease (2×1s+1s) has run out.
		srv = startServer(t, "restarted server", db.dsn, args...)
		waitFor(t, 30*time.Second, "the publish's delivery after the crash", func() bool {
			n, _ := h.delivered("agent_version.published")
			return n == 1
		})

		srv.must(t, http.StatusNoContent, "DELETE", "/delete-agent/"+id, nil)
		srv.kill() // right after the acknowledgement: the event is in the outbox, maybe not yet sent
		srv = startServer(t, "server restarted again", db.dsn, args...)
		waitFor(t, 30*time.Second, "the deletion's delivery after the crash", func() bool {
			n, _ := h.delivered("agent.deleted")
			return n == 1
		})

		h.mu.Lock()
		if len(h.bad) > 0 {
			t.Errorf("refused requests: %v", h.bad)
		}
		h.mu.Unlock()
		var page struct {
			Items []struct {
				Action   string `json:"action"`
				ObjectID string `json:"object_id"`
			} `json:"items"`
		}
		json.Unmarshal(srv.must(t, http.StatusOK, "GET", "/agentry/v1/audit?object_type=agent&object_id="+id, nil).body, &page)
		var actions []string
		for _, it := range page.Items {
			actions = append(actions, it.Action)
		}
		if strings.Join(actions, ",") != "agent.deleted,agent_version.published,agent.created" {
			t.Errorf("audit of the agent: %v", actions)
		}
		// The receiver answered before the server recorded the outcome: wait
		// for the record.
		var deliveries struct {
			Items []struct {
				Event string `json:"event"`
				State string `json:"state"`
			} `json:"items"`
		}
		waitFor(t, 10*time.Second, "both deliveries recorded as delivered", func() bool {
			json.Unmarshal(srv.must(t, http.StatusOK, "GET", "/agentry/v1/webhooks/"+hook+"/deliveries", nil).body, &deliveries)
			return len(deliveries.Items) == 2 && deliveries.Items[0].State == "delivered" && deliveries.Items[1].State == "delivered"
		})
	})
}

// TestTwoReplicasDeliverEachEventOnce writes through two replicas on one
// database; both run the delivery worker. Every event arrives, and under
// normal operation (no crash, no slow receiver) exactly once.
func TestTwoReplicasDeliverEachEventOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, db *database) {
		const agents = 20
		h := newHookReceiver(t, false)
		srvs := startServers(t, db, 2, "--webhook-allow-private", "--webhook-timeout", "2s")
		hook := createWebhook(t, srvs[0], h, "*")
		var wg sync.WaitGroup
		for i := range agents {
			wg.Go(func() {
				id := createAgent(t, srvs[i%2], nil)
				srvs[(i+1)%2].must(t, http.StatusOK, "POST", "/publish-agent-version/"+id, map[string]any{"version": 0})
			})
		}
		wg.Wait()
		waitFor(t, 30*time.Second, "every event's delivery", func() bool {
			created, _ := h.delivered("agent.created")
			published, _ := h.delivered("agent_version.published")
			return created == agents && published == agents
		})
		time.Sleep(2 * time.Second) // a few more polls of both workers: nothing more may come
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.requests != 2*agents || len(h.events) != 2*agents || len(h.bad) > 0 {
			t.Errorf("%d requests for %d events (want one each); refused: %v", h.requests, len(h.events), h.bad)
		}
		for id, n := range h.events {
			if n != 1 {
				t.Errorf("event %s (%s) arrived %d times", id, h.names[id], n)
			}
		}
		var page struct {
			Items []struct {
				State        string `json:"state"`
				AttemptCount int    `json:"attempt_count"`
			} `json:"items"`
		}
		json.Unmarshal(srvs[1].must(t, http.StatusOK, "GET", "/agentry/v1/webhooks/"+hook+"/deliveries?limit=1000", nil).body, &page)
		if len(page.Items) != 2*agents {
			t.Fatalf("%d deliveries listed, want %d", len(page.Items), 2*agents)
		}
		for _, d := range page.Items {
			if d.State != "delivered" || d.AttemptCount != 1 {
				t.Errorf("delivery %+v, want delivered at the first attempt", d)
			}
		}
	})
}
