package agentry

import (
	"context"
	"errors"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Webhook is a URL that receives the events it subscribes to, signed with
// its secret. It belongs to a workspace and sees only that workspace's
// changes.
type Webhook struct {
	WorkspaceID string
	ID          string
	URL         string
	// Events are catalogue names, or "*" for every subscribable event.
	Events      []string
	Secret      string // shown once, when the webhook is created
	Enabled     bool
	Description string
	CreatedAt   int64
	ModifiedAt  int64
}

// AllEvents subscribes a webhook to every subscribable event, present and
// future.
const AllEvents = "*"

// MaxWebhooks is how many webhooks one workspace may have: each change is
// queued for each of them in the change's transaction.
const MaxWebhooks = 100

// Wants reports whether the webhook subscribes to the event named name.
func (w *Webhook) Wants(name string) bool {
	return slices.Contains(w.Events, name) || slices.Contains(w.Events, AllEvents)
}

// WebhookService manages a workspace's webhooks and their deliveries.
type WebhookService struct {
	Store Store
	Now   func() time.Time
	// AllowPrivate accepts URLs whose host is a loopback, private,
	// link-local or unspecified address, or localhost (serve
	// --webhook-allow-private). Off by default: a key holder must not be
	// able to make the server call into its own network.
	AllowPrivate bool
}

func (s *WebhookService) now() int64 {
	if s.Now != nil {
		return s.Now().UnixMilli()
	}
	return time.Now().UnixMilli()
}

func (s *WebhookService) record(tx Tx, c Caller, ch Change) error { return record(tx, c, s.now(), ch) }

// WebhookInput is a new webhook, or (as a patch) the fields to change: nil
// leaves a field as it is.
type WebhookInput struct {
	URL          *string
	Events       []string // nil: unchanged
	Description  *string
	Enabled      *bool
	RotateSecret bool // patch only: issue a new secret, shown in the answer once
}

// WebhookQuery selects a page of one workspace's webhooks, ordered by
// (CreatedAt, ID).
type WebhookQuery struct {
	EnabledOnly bool
	After       *ResourceCursor
	Desc        bool
	Limit       int
}

// WebhookPage is one page of webhooks.
type WebhookPage = Page[Webhook]

// Create makes a webhook, enabled unless the input says otherwise, with a
// fresh secret.
func (s *WebhookService) Create(ctx context.Context, c Caller, in WebhookInput) (*Webhook, error) {
	if in.URL == nil {
		return nil, Errorf(EINVALID, "url: is required")
	}
	if in.Events == nil {
		return nil, Errorf(EINVALID, "events: is required")
	}
	now := s.now()
	w := &Webhook{WorkspaceID: c.Workspace, ID: NewID("webhook_"), Secret: newWebhookSecret(), Enabled: true,
		CreatedAt: now, ModifiedAt: now}
	if err := s.apply(w, in); err != nil {
		return nil, err
	}
	err := s.Store.Update(ctx, func(tx Tx) error {
		existing, err := tx.ListWebhooks(c.Workspace, WebhookQuery{Limit: MaxWebhooks})
		if err != nil {
			return err
		}
		if len(existing) >= MaxWebhooks {
			return Errorf(EINVALID, "a workspace may have at most %d webhooks; delete one first", MaxWebhooks)
		}
		if err := tx.InsertWebhook(w); err != nil {
			return err
		}
		return s.record(tx, c, Change{Action: "webhook.created", Object: ObjectWebhook, ID: w.ID, Details: webhookDetails(w)})
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// Get returns a webhook of the caller's workspace.
func (s *WebhookService) Get(ctx context.Context, c Caller, id string) (*Webhook, error) {
	var w *Webhook
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		w, err = getWebhook(tx, c.Workspace, id)
		return err
	})
	return w, err
}

// Update changes the fields the input sets.
func (s *WebhookService) Update(ctx context.Context, c Caller, id string, in WebhookInput) (*Webhook, error) {
	var w *Webhook
	err := s.Store.Update(ctx, func(tx Tx) (err error) {
		if w, err = getWebhook(tx, c.Workspace, id); err != nil {
			return err
		}
		if err := s.apply(w, in); err != nil {
			return err
		}
		if in.RotateSecret {
			w.Secret = newWebhookSecret()
		}
		w.ModifiedAt = max(s.now(), w.ModifiedAt)
		if err := tx.UpdateWebhook(w); err != nil {
			return err
		}
		d := webhookDetails(w)
		d["secret_rotated"] = in.RotateSecret
		return s.record(tx, c, Change{Action: "webhook.updated", Object: ObjectWebhook, ID: w.ID, Paths: in.paths(), Details: d})
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// Delete deletes a webhook and its deliveries, pending ones included.
func (s *WebhookService) Delete(ctx context.Context, c Caller, id string) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		w, err := getWebhook(tx, c.Workspace, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteWebhook(c.Workspace, w.ID); err != nil {
			return err
		}
		return s.record(tx, c, Change{Action: "webhook.deleted", Object: ObjectWebhook, ID: w.ID, Details: webhookDetails(w)})
	})
}

// List returns one page of the workspace's webhooks, ordered by creation.
func (s *WebhookService) List(ctx context.Context, c Caller, p PageRequest) (*WebhookPage, error) {
	p = p.normalized()
	after, err := cursorAfter("w", p)
	if err != nil {
		return nil, err
	}
	q := WebhookQuery{After: after, Desc: p.Desc, Limit: p.Limit + 1}
	var items []Webhook
	err = s.Store.View(ctx, func(tx Tx) (err error) {
		items, err = tx.ListWebhooks(c.Workspace, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	return keysetPage(items, p, "w", func(w *Webhook) (int64, string) { return w.CreatedAt, w.ID }), nil
}

func getWebhook(tx Tx, workspaceID, id string) (*Webhook, error) {
	w, err := tx.GetWebhook(workspaceID, id)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(ENOTFOUND, "webhook %s not found", id)
	}
	return w, err
}

// apply checks the input's fields and sets them on w.
func (s *WebhookService) apply(w *Webhook, in WebhookInput) error {
	if in.URL != nil {
		if err := CheckWebhookURL(*in.URL, s.AllowPrivate); err != nil {
			return err
		}
		w.URL = *in.URL
	}
	if in.Events != nil {
		if err := checkEvents(in.Events); err != nil {
			return err
		}
		w.Events = slices.Clone(in.Events)
	}
	if in.Description != nil {
		w.Description = *in.Description
	}
	if in.Enabled != nil {
		w.Enabled = *in.Enabled
	}
	return nil
}

// paths lists the fields a patch sets, as JSON Pointers.
func (in WebhookInput) paths() []string {
	var p []string
	if in.Description != nil {
		p = append(p, "/description")
	}
	if in.Enabled != nil {
		p = append(p, "/enabled")
	}
	if in.Events != nil {
		p = append(p, "/events")
	}
	if in.RotateSecret {
		p = append(p, "/secret")
	}
	if in.URL != nil {
		p = append(p, "/url")
	}
	return p
}

func webhookDetails(w *Webhook) map[string]any {
	return map[string]any{"url": w.URL, "events": w.Events, "enabled": w.Enabled}
}

func checkEvents(names []string) error {
	if len(names) == 0 {
		return Errorf(EINVALID, "events: must name at least one event (or \"*\" for all)")
	}
	for i, n := range names {
		if n == AllEvents {
			continue
		}
		if e := EventNamed(n); e == nil || !e.Subscribable {
			return Errorf(EINVALID, "events[%d]: %q is not an event a webhook can subscribe to; the events are %s, or \"*\" for all",
				i, n, strings.Join(SubscribableEvents(), ", "))
		}
	}
	return nil
}

// SubscribableEvents lists the names of the events webhooks can subscribe to.
func SubscribableEvents() []string {
	var out []string
	for _, e := range Events() {
		if e.Subscribable {
			out = append(out, e.Name)
		}
	}
	return out
}

// MaxWebhookURLLength bounds a webhook URL.
const MaxWebhookURLLength = 2048

// CheckWebhookURL checks a webhook URL: absolute http or https, a host, no
// user name or password (they would show in every listing), no fragment.
// Unless allowPrivate, a host that is localhost or a loopback, private,
// link-local, unspecified or multicast address is refused; a host name that
// resolves to one is refused when a delivery connects.
func CheckWebhookURL(raw string, allowPrivate bool) error {
	if len(raw) > MaxWebhookURLLength {
		return Errorf(EINVALID, "url: must be at most %d characters", MaxWebhookURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Errorf(EINVALID, "url: is not a URL: %v", unwrapURLError(err))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return Errorf(EINVALID, "url: must start with http:// or https://, got %q", raw)
	case u.Host == "" || u.Hostname() == "":
		return Errorf(EINVALID, "url: must name a host")
	case u.User != nil:
		return Errorf(EINVALID, "url: must not carry a user name or password; authenticate the request by its Agentry-Signature header instead")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return Errorf(EINVALID, "url: must not have a #fragment")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return Errorf(EINVALID, "url: port %q is not a port number", p)
		}
	}
	if allowPrivate {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return privateURL(host)
	}
	if ip, err := netip.ParseAddr(host); err == nil && IsPrivateAddress(ip) {
		return privateURL(host)
	}
	return nil
}

func privateURL(host string) error {
	return Errorf(EINVALID, "url: %s is a loopback or private address; agentry sends webhooks to such addresses only when serve runs with --webhook-allow-private", host)
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// IsPrivateAddress reports whether ip is one a webhook must not reach unless
// private addresses are allowed: loopback, private (RFC 1918, fc00::/7),
// link-local, unspecified, multicast, or the shared address space of
// carrier-grade NAT (100.64.0.0/10).
func IsPrivateAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || cgnat.Contains(ip) ||
		!ip.IsValid()
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// newWebhookSecret returns "whsec_" and 64 hex characters from crypto/rand.
func newWebhookSecret() string { return "whsec_" + randomHex(32) }
