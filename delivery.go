package agentry

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// WebhookSender makes the outbound request of one delivery attempt. The
// adapter (package webhookhttp) decides how: only to the given URL, with a
// timeout, no redirects followed, the answer read to a bound.
type WebhookSender interface {
	Send(ctx context.Context, r WebhookRequest) WebhookResult
}

// WebhookRequest is one POST of a delivery.
type WebhookRequest struct {
	URL    string
	Header map[string]string
	Body   []byte
}

// WebhookResult is what came back: the status, or why there was none (Err,
// also set for an answer refused, such as a redirect).
type WebhookResult struct {
	StatusCode int
	Err        error
}

// Defaults of a Deliverer's zero fields.
const (
	DefaultWebhookTimeout     = 10 * time.Second
	DefaultWebhookRetryFor    = 24 * time.Hour
	DefaultWebhookRetryBase   = 5 * time.Second
	DefaultWebhookRetryMax    = time.Hour
	DefaultWebhookConcurrency = 4
	DefaultWebhookPoll        = 500 * time.Millisecond
	DefaultWebhookKeep        = 30 * 24 * time.Hour
)

// Deliverer sends the deliveries of the outbox. Every replica runs one; a
// delivery is claimed by one of them at a time with a lease (a row lock
// skipped by the others while it is taken, then a lease time in the row),
// so each event is sent once under normal operation. A process that dies
// mid-delivery leaves its lease to run out, after which any replica sends
// the delivery again: deliveries are at least once.
type Deliverer struct {
	Store  Store
	Sender WebhookSender
	Logger *slog.Logger
	Now    func() time.Time
	// Timeout bounds each attempt. The lease of a claim is 2×Timeout + 1s:
	// the attempt, then recording its outcome, both fit in it.
	Timeout time.Duration
	// RetryFor is how long after the event (or a retry by hand) failed
	// attempts are retried; then the delivery is failed for good.
	RetryFor time.Duration
	// RetryBase and RetryMax shape the backoff: the wait after the nth failed
	// attempt is RetryBase×2^(n-1), at most RetryMax, ±20% jitter so that
	// failures of one receiver do not retry in step.
	RetryBase, RetryMax time.Duration
	// Concurrency is how many deliveries this process sends at once.
	Concurrency int
	// Poll is how often the outbox is read for due deliveries.
	Poll time.Duration
	// Keep is how long delivered and failed deliveries are kept, with their
	// attempts, before they are pruned.
	Keep time.Duration

	once      sync.Once
	processID string
	claims    atomic.Int64
}

func (d *Deliverer) init() {
	d.once.Do(func() {
		d.processID = randomHex(6)
		if d.Timeout <= 0 {
			d.Timeout = DefaultWebhookTimeout
		}
		if d.RetryFor <= 0 {
			d.RetryFor = DefaultWebhookRetryFor
		}
		if d.RetryBase <= 0 {
			d.RetryBase = DefaultWebhookRetryBase
		}
		if d.RetryMax <= 0 {
			d.RetryMax = DefaultWebhookRetryMax
		}
		if d.Concurrency <= 0 {
			d.Concurrency = DefaultWebhookConcurrency
		}
		if d.Poll <= 0 {
			d.Poll = DefaultWebhookPoll
		}
		if d.Keep <= 0 {
			d.Keep = DefaultWebhookKeep
		}
		if d.Logger == nil {
			d.Logger = slog.Default()
		}
	})
}

func (d *Deliverer) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// Lease is how long a claim holds a delivery.
func (d *Deliverer) Lease() time.Duration {
	d.init()
	return 2*d.Timeout + time.Second
}

// Run sends due deliveries until ctx ends, then waits for the attempts in
// flight to be recorded (each within 2×Timeout) and returns.
func (d *Deliverer) Run(ctx context.Context) {
	d.init()
	slots := make(chan struct{}, d.Concurrency)
	finished := make(chan struct{}, d.Concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(d.Poll)
	defer tick.Stop()
	failing := false
	var pruned time.Time
	for {
		if free := cap(slots) - len(slots); free > 0 {
			claimed, token, err := d.claim(ctx, free)
			switch {
			case err != nil && ctx.Err() == nil:
				if !failing {
					d.Logger.Warn("cannot read the webhook outbox; deliveries wait until it can be read", "err", err)
				}
				failing = true
			case err == nil && failing:
				d.Logger.Info("reading the webhook outbox again")
				failing = false
			}
			for _, dl := range claimed {
				slots <- struct{}{}
				wg.Go(func() {
					d.attempt(dl, token)
					<-slots
					select {
					case finished <- struct{}{}:
					default:
					}
				})
			}
		}
		if now := d.now(); now.Sub(pruned) >= time.Hour && !failing {
			pruned = now
			d.prune(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-finished:
		}
	}
}

// DeliverDue claims the deliveries due now (up to Concurrency), sends them
// one after another and records each outcome. It returns how many it sent.
// Run does the same continuously; tests call this for one step.
func (d *Deliverer) DeliverDue(ctx context.Context) (int, error) {
	d.init()
	claimed, token, err := d.claim(ctx, d.Concurrency)
	for _, dl := range claimed {
		d.attempt(dl, token)
	}
	return len(claimed), err
}

// claim takes up to n due deliveries under a fresh lease token.
func (d *Deliverer) claim(ctx context.Context, n int) ([]Delivery, string, error) {
	token := d.processID + "-" + strconv.FormatInt(d.claims.Add(1), 10)
	now := d.now()
	var out []Delivery
	err := d.Store.Update(ctx, func(tx Tx) (err error) {
		out, err = tx.ClaimDeliveries(now.UnixMilli(), n, token, now.Add(d.Lease()).UnixMilli())
		return err
	})
	return out, token, err
}

// attempt sends one claimed delivery and records the outcome: delivered on
// a 2xx, otherwise due again after the backoff, or failed for good once the
// retry window is over.
func (d *Deliverer) attempt(dl Delivery, token string) {
	start := d.now()
	ctx, cancel := context.WithTimeout(context.Background(), d.Timeout)
	res := d.Sender.Send(ctx, WebhookRequest{URL: dl.URL, Body: dl.Body, Header: map[string]string{
		"Content-Type":     "application/json",
		"User-Agent":       "agentry-webhooks/1",
		SignatureHeader:    SignWebhook(dl.Secret, start.Unix(), dl.Body),
		"Agentry-Event":    dl.Event,
		"Agentry-Event-Id": dl.EventID,
		"Agentry-Delivery": dl.ID,
	}})
	cancel()
	end := d.now()
	a := Attempt{DeliveryID: dl.ID, N: dl.Attempts + 1, At: start.UnixMilli(), StatusCode: res.StatusCode,
		DurationMS: end.Sub(start).Milliseconds()}
	ok := res.Err == nil && res.StatusCode >= 200 && res.StatusCode <= 299
	switch {
	case res.Err != nil:
		a.Error = res.Err.Error()
	case !ok:
		a.Error = "answered " + strconv.Itoa(res.StatusCode) + "; only 2xx counts as delivered"
	}
	dl.Attempts, dl.LastStatus, dl.LastError = a.N, a.StatusCode, a.Error
	nowMS := end.UnixMilli()
	log := d.Logger.With("delivery_id", dl.ID, "webhook_id", dl.WebhookID, "event", dl.Event, "attempt", a.N)
	if ok {
		dl.State, dl.FinishedAt = DeliveryDelivered, nowMS
	} else {
		next := end.Add(d.backoff(a.N))
		if next.UnixMilli() > dl.WindowStart+d.RetryFor.Milliseconds() {
			dl.State, dl.FinishedAt = DeliveryFailed, nowMS
			log.Warn("webhook delivery failed for good: the retry window is over", "err", a.Error, "status", a.StatusCode)
		} else {
			dl.NextAttemptAt = next.UnixMilli()
			log.Info("webhook delivery attempt failed; retrying later", "err", a.Error, "status", a.StatusCode, "retry_in", next.Sub(end).Round(time.Millisecond).String())
		}
	}
	rctx, rcancel := context.WithTimeout(context.Background(), d.Timeout)
	defer rcancel()
	err := d.Store.Update(rctx, func(tx Tx) error {
		// The update first: it holds only while the lease is still ours.
		if err := tx.UpdateDelivery(&dl, token); err != nil {
			return err
		}
		return tx.InsertAttempt(&a)
	})
	if errors.Is(err, ErrNotFound) {
		// The lease ran out and another process took the delivery over, or
		// the webhook was deleted meanwhile; its outcome is theirs.
		log.Warn("webhook delivery outcome not recorded: the delivery is no longer ours")
	} else if err != nil {
		// The lease runs out and the delivery is sent again.
		log.Error("cannot record a webhook delivery attempt; it will be sent again", "err", err)
	}
}

// backoff is the wait after the nth failed attempt.
func (d *Deliverer) backoff(n int) time.Duration {
	wait := d.RetryMax
	if n-1 < 40 {
		wait = min(d.RetryBase<<(n-1), d.RetryMax)
		if wait <= 0 { // overflow
			wait = d.RetryMax
		}
	}
	return time.Duration(float64(wait) * (0.8 + 0.4*rand.Float64()))
}

// prune deletes finished deliveries older than Keep, a bounded batch at a
// time.
func (d *Deliverer) prune(ctx context.Context) {
	before := d.now().Add(-d.Keep).UnixMilli()
	for range 100 {
		var n int
		err := d.Store.Update(ctx, func(tx Tx) (err error) {
			n, err = tx.PruneDeliveries(before, 1000)
			return err
		})
		if err != nil {
			if ctx.Err() == nil {
				d.Logger.Warn("cannot prune old webhook deliveries", "err", err)
			}
			return
		}
		if n < 1000 {
			return
		}
	}
}
