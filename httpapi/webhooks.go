package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// Webhooks and their deliveries.

// webhookAnswer is a webhook in an answer; Secret only when just issued.
type webhookAnswer struct {
	WebhookID   string   `json:"webhook_id"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Enabled     bool     `json:"enabled"`
	Description string   `json:"description"`
	CreatedAt   int64    `json:"created_at"`
	ModifiedAt  int64    `json:"modified_at"`
	Secret      string   `json:"secret,omitempty"`
}

func webhookOf(w *agentry.Webhook, withSecret bool) webhookAnswer {
	a := webhookAnswer{WebhookID: w.ID, URL: w.URL, Events: w.Events, Enabled: w.Enabled, Description: w.Description,
		CreatedAt: w.CreatedAt, ModifiedAt: w.ModifiedAt}
	if withSecret {
		a.Secret = w.Secret
	}
	return a
}

type attemptAnswer struct {
	Attempt    int    `json:"attempt"`
	Timestamp  int64  `json:"timestamp"`
	StatusCode int    `json:"status_code"`
	Error      string `json:"error"`
	DurationMS int64  `json:"duration_ms"`
}

type deliveryAnswer struct {
	DeliveryID     string          `json:"delivery_id"`
	WebhookID      string          `json:"webhook_id"`
	EventID        string          `json:"event_id"`
	Event          string          `json:"event"`
	State          string          `json:"state"`
	CreatedAt      int64           `json:"created_at"`
	AttemptCount   int             `json:"attempt_count"`
	NextAttemptAt  *int64          `json:"next_attempt_at,omitempty"`
	FinishedAt     *int64          `json:"finished_at,omitempty"`
	LastStatusCode *int            `json:"last_status_code,omitempty"`
	LastError      *string         `json:"last_error,omitempty"`
	Attempts       []attemptAnswer `json:"attempts"`
	Payload        json.RawMessage `json:"payload"`
}

func deliveryOf(d *agentry.Delivery) deliveryAnswer {
	a := deliveryAnswer{DeliveryID: d.ID, WebhookID: d.WebhookID, EventID: d.EventID, Event: d.Event, State: d.State,
		CreatedAt: d.CreatedAt, AttemptCount: d.Attempts, Attempts: make([]attemptAnswer, 0, len(d.Log)), Payload: d.Body}
	if d.State == agentry.DeliveryPending {
		a.NextAttemptAt = &d.NextAttemptAt
	} else {
		a.FinishedAt = &d.FinishedAt
	}
	if d.Attempts > 0 {
		a.LastStatusCode, a.LastError = &d.LastStatus, &d.LastError
	}
	for _, x := range d.Log {
		a.Attempts = append(a.Attempts, attemptAnswer{Attempt: x.N, Timestamp: x.At, StatusCode: x.StatusCode, Error: x.Error, DurationMS: x.DurationMS})
	}
	return a
}

// webhookInput reads the fields of a create or update body that its schema
// has checked.
func webhookInput(fields agentry.Fields) (agentry.WebhookInput, error) {
	var in agentry.WebhookInput
	for name, dst := range map[string]any{"url": &in.URL, "events": &in.Events, "description": &in.Description,
		"enabled": &in.Enabled, "rotate_secret": &in.RotateSecret} {
		if raw, ok := fields[name]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				return in, agentry.Errorf(agentry.EINVALID, "%s: %v", name, err)
			}
		}
	}
	return in, nil
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeRequest(r, schema.CreateWebhook)
	if err != nil {
		return err
	}
	in, err := webhookInput(fields)
	if err != nil {
		return err
	}
	hook, err := s.Webhooks.Create(r.Context(), caller(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, webhookOf(hook, true))
	return nil
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, err := agentry.ParsePageRequest(q.Get("limit"), q.Get("sort_order"), q.Get("pagination_key"), true)
	if err != nil {
		return err
	}
	res, err := s.Webhooks.List(r.Context(), caller(r), page)
	if err != nil {
		return err
	}
	out := listResponse[webhookAnswer]{Items: make([]webhookAnswer, 0, len(res.Items)), HasMore: res.HasMore, PaginationKey: res.NextKey}
	for i := range res.Items {
		out.Items = append(out.Items, webhookOf(&res.Items[i], false))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request) error {
	hook, err := s.Webhooks.Get(r.Context(), caller(r), r.PathValue("webhook_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, webhookOf(hook, false))
	return nil
}

func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeRequest(r, schema.UpdateWebhook)
	if err != nil {
		return err
	}
	in, err := webhookInput(fields)
	if err != nil {
		return err
	}
	hook, err := s.Webhooks.Update(r.Context(), caller(r), r.PathValue("webhook_id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, webhookOf(hook, in.RotateSecret))
	return nil
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	if err := s.Webhooks.Delete(r.Context(), caller(r), r.PathValue("webhook_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listWebhookDeliveries(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, err := agentry.ParsePageRequest(q.Get("limit"), q.Get("sort_order"), q.Get("pagination_key"), true)
	if err != nil {
		return err
	}
	res, err := s.Webhooks.Deliveries(r.Context(), caller(r), r.PathValue("webhook_id"), q.Get("state"), page)
	if err != nil {
		return err
	}
	out := listResponse[deliveryAnswer]{Items: make([]deliveryAnswer, 0, len(res.Items)), HasMore: res.HasMore, PaginationKey: res.NextKey}
	for i := range res.Items {
		out.Items = append(out.Items, deliveryOf(&res.Items[i]))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) retryWebhookDelivery(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Webhooks.RetryDelivery(r.Context(), caller(r), r.PathValue("webhook_id"), r.PathValue("delivery_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, deliveryOf(d))
	return nil
}
