package agentry

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Delivery is one event on its way to one webhook: queued in the outbox by
// record in the transaction of the change, then sent by a Deliverer until
// the webhook answers 2xx or the retry window closes.
type Delivery struct {
	WorkspaceID string
	ID          string
	WebhookID   string
	EventID     string // the same for every webhook that receives the event
	Event       string
	AuditSeq    int64
	Body        json.RawMessage // exactly the bytes sent and signed
	CreatedAt   int64
	State       string // DeliveryPending, DeliveryDelivered or DeliveryFailed
	Attempts    int
	// NextAttemptAt is when a pending delivery is due.
	NextAttemptAt int64
	// WindowStart starts the retry window: the event's time, or when the
	// delivery was last retried by hand.
	WindowStart int64
	// LeaseUntil is when the claim of the process sending it runs out; a
	// delivery is claimed by one process at a time.
	LeaseUntil int64
	LastStatus int    // the last attempt's HTTP status; 0 when it got none
	LastError  string // why the last attempt failed; "" after a success
	FinishedAt int64  // when it was delivered or given up; 0 while pending

	// URL and Secret are the webhook's, filled by ClaimDeliveries.
	URL, Secret string
	// Log lists the attempts, oldest first, filled by ListDeliveries.
	Log []Attempt
}

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed" // every attempt of the retry window failed
)

// Attempt is one try at sending a delivery.
type Attempt struct {
	DeliveryID string
	N          int   // 1 for the first attempt
	At         int64 // when it started, milliseconds since the epoch
	StatusCode int   // 0 when no answer came
	Error      string
	DurationMS int64
}

// EventBody is the JSON body of every delivery: the event's name and time,
// and its data, which is the change's audit entry. EventID is the same in
// every delivery and every retry of one event, so a receiver can drop
// duplicates by it.
type EventBody struct {
	EventID   string      `json:"event_id"`
	Event     string      `json:"event"`
	Timestamp int64       `json:"timestamp"` // milliseconds since the epoch, the time of the change
	Data      *AuditEntry `json:"data"`
}

// queueDeliveries puts the event of audit entry e in the outbox, once for
// each enabled webhook of its workspace that subscribes to it.
func queueDeliveries(tx Tx, e *AuditEntry, now int64) error {
	hooks, err := tx.ListWebhooks(e.WorkspaceID, WebhookQuery{EnabledOnly: true, Limit: MaxWebhooks})
	if err != nil {
		return err
	}
	var body []byte
	var eventID string // made for the first webhook that wants the event
	for i := range hooks {
		w := &hooks[i]
		if !w.Wants(e.Action) {
			continue
		}
		if body == nil {
			eventID = NewID("evt_")
			if body, err = json.Marshal(EventBody{EventID: eventID, Event: e.Action, Timestamp: e.At, Data: e}); err != nil {
				return err
			}
		}
		d := &Delivery{WorkspaceID: e.WorkspaceID, ID: NewID("delivery_"), WebhookID: w.ID, EventID: eventID,
			Event: e.Action, AuditSeq: e.Seq, Body: body, CreatedAt: now, State: DeliveryPending,
			NextAttemptAt: now, WindowStart: now}
		if err := tx.InsertDelivery(d); err != nil {
			return err
		}
	}
	return nil
}

// DeliveryQuery selects a page of one webhook's deliveries, ordered by the
// audit entries they carry (one per event for each webhook), which is the
// order of the changes.
type DeliveryQuery struct {
	State string // "" for every state
	After *int64 // the AuditSeq after which the page starts
	Desc  bool
	Limit int
}

// DeliveryPage is one page of a webhook's deliveries.
type DeliveryPage = Page[Delivery]

// Deliveries returns one page of a webhook's deliveries with their
// attempts, newest first unless the page asks otherwise; state, when not
// "", keeps only deliveries in that state.
func (s *WebhookService) Deliveries(ctx context.Context, c Caller, webhookID, state string, p PageRequest) (*DeliveryPage, error) {
	switch state {
	case "", DeliveryPending, DeliveryDelivered, DeliveryFailed:
	default:
		return nil, Errorf(EINVALID, "state: must be pending, delivered or failed, got %q", state)
	}
	p = p.normalized()
	after, err := seqAfter("dl", p)
	if err != nil {
		return nil, err
	}
	q := DeliveryQuery{State: state, After: after, Desc: p.Desc, Limit: p.Limit + 1}
	var items []Delivery
	err = s.Store.View(ctx, func(tx Tx) error {
		if _, err := getWebhook(tx, c.Workspace, webhookID); err != nil {
			return err
		}
		var err error
		items, err = tx.ListDeliveries(c.Workspace, webhookID, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	return seqPage(items, p, "dl", func(d *Delivery) int64 { return d.AuditSeq }), nil
}

// RetryDelivery queues a delivery again, due now, with a new retry window,
// whatever its state: a failed one is tried again, a delivered one is sent
// once more, a pending one is tried now instead of after its backoff. A
// delivery being sent at this moment is refused (400): its attempt decides.
func (s *WebhookService) RetryDelivery(ctx context.Context, c Caller, webhookID, deliveryID string) (*Delivery, error) {
	var d *Delivery
	err := s.Store.Update(ctx, func(tx Tx) error {
		if _, err := getWebhook(tx, c.Workspace, webhookID); err != nil {
			return err
		}
		var err error
		d, err = tx.GetDelivery(c.Workspace, webhookID, deliveryID)
		if errors.Is(err, ErrNotFound) {
			return Errorf(ENOTFOUND, "webhook %s has no delivery %s", webhookID, deliveryID)
		} else if err != nil {
			return err
		}
		now := s.now()
		if d.State == DeliveryPending && d.LeaseUntil > now {
			return Errorf(EINVALID, "delivery %s is being sent right now; look at its attempts in a moment and retry then if it failed", d.ID)
		}
		before := d.State
		d.State, d.NextAttemptAt, d.WindowStart, d.FinishedAt = DeliveryPending, now, now, 0
		if err := tx.UpdateDelivery(d, ""); err != nil {
			return err
		}
		return s.record(tx, c, Change{Action: "webhook_delivery.retried", Object: ObjectWebhookDelivery, ID: d.ID,
			Details: map[string]any{"webhook_id": webhookID, "event": d.Event, "event_id": d.EventID, "state_before": before}})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// SignatureHeader is the header that carries a delivery's signature.
const SignatureHeader = "Agentry-Signature"

// SignWebhook returns the Agentry-Signature value of body sent at t (unix
// seconds): "t=<t>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the
// secret>". The key is the secret as shown, whsec_ included.
func SignWebhook(secret string, t int64, body []byte) string {
	return "t=" + strconv.FormatInt(t, 10) + ",v1=" + hex.EncodeToString(webhookMAC(secret, t, body))
}

func webhookMAC(secret string, t int64, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(strconv.AppendInt(nil, t, 10))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return mac.Sum(nil)
}

// DefaultSignatureTolerance is how far from now a receiver should accept a
// signature's time: wider than any clock skew, narrow enough that a
// captured request cannot be replayed later.
const DefaultSignatureTolerance = 5 * time.Minute

// VerifyWebhook checks an Agentry-Signature header against the raw body as
// received: one of its v1 values must be the HMAC of "<t>.<body>", and t
// must be within tolerance of now, so that a request captured once cannot
// be replayed later. Receivers written in Go can call it; docs/API.md says
// how in any language.
func VerifyWebhook(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var t int64 = -1
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("%s: t is not a number", SignatureHeader)
			}
			t = n
		case "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	if t < 0 || len(sigs) == 0 {
		return fmt.Errorf("%s: want t=<unix seconds>,v1=<hex>", SignatureHeader)
	}
	if d := now.Sub(time.Unix(t, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%s: signed at %d, more than %s from now: a replay, or a clock far off", SignatureHeader, t, tolerance)
	}
	want := webhookMAC(secret, t, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return fmt.Errorf("%s: no v1 signature matches the body", SignatureHeader)
}
