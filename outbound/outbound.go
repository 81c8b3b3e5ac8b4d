// Package outbound is agentry's adapter for the HTTP calls it makes to
// servers that the operator or a configuration names: the test runner
// (agentry.TestRunner) and MCP servers (agentry.MCPClient). Every call has a
// timeout, follows no redirect to another host, and reads a bounded answer.
// Errors are worded for the client that will see them: they never quote a
// URL's user information or query string, a header, or a secret.
package outbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultMaxAnswer bounds the body read from any answer.
const DefaultMaxAnswer = 4 << 20

// maxRedirects is how many redirects, each to the same scheme and host, a
// call follows.
const maxRedirects = 5

// NewHTTPClient returns the client outbound calls use: no overall timeout
// of its own (each call's context bounds it), and redirects only within the
// scheme and host of the first request.
func NewHTTPClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 0, // the call's context bounds it
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
		},
		CheckRedirect: sameHostRedirects,
	}
}

// sameHostRedirects follows a redirect only to the scheme and host of the
// first request, at most maxRedirects times.
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		return fmt.Errorf("refused a redirect to another host (%s://%s)", req.URL.Scheme, req.URL.Host)
	}
	return nil
}

// readAnswer reads at most max bytes of an answer's body; more is an error.
func readAnswer(res *http.Response, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(res.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", plain(err))
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("the answer is larger than %s", size(max))
	}
	return b, nil
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// plain is err without the URL that net/http puts in front of transport
// errors (it may carry user information), and with a deadline worded as
// such.
func plain(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("no answer in time")
	}
	return err
}

// excerpt is the start of a body, for error messages.
func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "an empty body"
	}
	return fmt.Sprintf("%q", s)
}

// CheckURL checks a URL that agentry will call: absolute, http or https.
func CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("must be an absolute http:// or https:// URL")
	}
	return u, nil
}
