// Package webhookhttp sends webhook deliveries over HTTP: the
// agentry.WebhookSender that serve wires in. A request goes to the
// webhook's URL and nowhere else: redirects are not followed (a 3xx is a
// failed attempt), no proxy from the environment is used, and unless
// private addresses are allowed, a connection to a loopback, private or
// link-local address is refused after name resolution, so a host name that
// resolves into the server's own network is refused too. Each attempt has a
// timeout, and at most MaxAnswerBytes of the answer are read.
package webhookhttp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/agentry/agentry"
)

// MaxAnswerBytes is how much of a receiver's answer is read; the rest is
// dropped with the connection.
const MaxAnswerBytes = 64 << 10

// snippetLen is how much of a failed answer is kept with the attempt.
const snippetLen = 200

// Options configure a Sender.
type Options struct {
	// Timeout bounds a whole attempt: connecting, sending, and reading the
	// answer (agentry.DefaultWebhookTimeout when 0).
	Timeout time.Duration
	// AllowPrivate lets deliveries connect to loopback, private and
	// link-local addresses (serve --webhook-allow-private).
	AllowPrivate bool
}

// Sender is an agentry.WebhookSender over net/http.
type Sender struct {
	client *http.Client
}

var _ agentry.WebhookSender = (*Sender)(nil)

// New returns a Sender with its own connection pool.
func New(o Options) *Sender {
	if o.Timeout <= 0 {
		o.Timeout = agentry.DefaultWebhookTimeout
	}
	dialer := &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second}
	if !o.AllowPrivate {
		dialer.Control = refusePrivate
	}
	tr := &http.Transport{
		Proxy:                 nil, // only the configured URL, never a proxy named by the environment
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   o.Timeout,
		ResponseHeaderTimeout: o.Timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &Sender{client: &http.Client{
		Transport: tr,
		Timeout:   o.Timeout,
		// A redirect is not followed anywhere, not even to the same host:
		// the answer that redirects is the answer, and it is not a 2xx.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// refusePrivate runs after the host name is resolved, on the address about
// to be dialled.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("refused to connect to %s: not an IP address and port", address)
	}
	if agentry.IsPrivateAddress(ap.Addr()) {
		return fmt.Errorf("refused to connect to %s: a loopback or private address (serve --webhook-allow-private allows it)", ap.Addr())
	}
	return nil
}

// Send POSTs the request and reports the answer's status, or why none came.
func (s *Sender) Send(ctx context.Context, r agentry.WebhookRequest) agentry.WebhookResult {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return agentry.WebhookResult{Err: fmt.Errorf("bad webhook URL: %w", unwrap(err))}
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return agentry.WebhookResult{Err: unwrap(err)}
	}
	defer resp.Body.Close()
	answer, readErr := io.ReadAll(io.LimitReader(resp.Body, MaxAnswerBytes))
	res := agentry.WebhookResult{StatusCode: resp.StatusCode}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode <= 399:
		res.Err = fmt.Errorf("answered %d with a redirect to %q; redirects are not followed: configure the final URL", resp.StatusCode, resp.Header.Get("Location"))
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		res.Err = fmt.Errorf("answered %d; only 2xx counts as delivered%s", resp.StatusCode, snippet(answer))
	case readErr != nil:
		// A 2xx whose body broke off still counts: the receiver said yes.
	}
	return res
}

// snippet is the start of a failed answer, cleaned for a log or a listing.
func snippet(b []byte) string {
	s := strings.TrimSpace(strings.ToValidUTF8(string(b), "?"))
	if s == "" {
		return ""
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > snippetLen {
		s = string(r[:snippetLen]) + "…"
	}
	return ": " + s
}

// unwrap drops the method and URL that net/http puts in front of every
// error: the listing shows the URL already.
func unwrap(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if errors.Is(ue.Err, context.DeadlineExceeded) || ue.Timeout() {
			return fmt.Errorf("no answer within the timeout: %w", ue.Err)
		}
		return ue.Err
	}
	return err
}
