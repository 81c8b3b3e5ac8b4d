package gitops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client speaks Retell's API (and agentry's extensions under /agentry/v1)
// to one server with one key. It is small on purpose: the requests that
// pull, plan and apply make, each returning the decoded answer.
type Client struct {
	// BaseURL is the server, such as https://api.retellai.com or
	// http://127.0.0.1:8080, without a trailing slash.
	BaseURL string
	// APIKey is sent as a bearer token.
	APIKey string
	// HTTP is the client used; nil means one with a 60 s timeout.
	HTTP *http.Client
	// Sleep waits before a retry, or before reading again a knowledge base
	// being indexed; nil means time.Sleep. Tests replace it.
	Sleep func(time.Duration)
	// IndexWait bounds how long pull, plan and apply wait for a knowledge
	// base's indexing to end (its sources are listed once it has); zero
	// means 10 minutes.
	IndexWait time.Duration

	caps *capabilities // the extensions the server has, once known
	// pageSize is the limit lists are read with; 0 means 1000, the most
	// the API gives. Tests make it small to read many pages.
	pageSize int
}

// APIError is an answer other than success: the request, the status and
// the server's message.
type APIError struct {
	Method  string
	Path    string
	Status  int
	Message string
	// retryAfter is the Retry-After the server asked for, if any.
	retryAfter time.Duration
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, msg)
}

// isStatus reports whether err is an APIError with one of the statuses.
func isStatus(err error, statuses ...int) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, s := range statuses {
		if ae.Status == s {
			return true
		}
	}
	return false
}

// isMissing reports whether err says the addressed object does not exist:
// Retell answers 404 on newer endpoints and 422 on older ones.
func isMissing(err error) bool {
	return isStatus(err, http.StatusNotFound, http.StatusUnprocessableEntity)
}

// reply is a successful answer.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// etag returns the answer's ETag header, or "".
func (r *reply) etag() string { return r.header.Get("Etag") }

// object decodes the answer as a JSON object.
func (r *reply) object() (object, error) {
	m, err := decodeObject(r.body)
	if err != nil {
		return nil, fmt.Errorf("the server's answer is not a JSON object: %v", err)
	}
	return m, nil
}

// request is one call: method, path (already escaped), query, a JSON body
// (nil for none) or a multipart form (text fields and files), and headers.
type request struct {
	method string
	path   string
	query  url.Values
	body   any
	form   map[string]string
	files  []formFile
	header map[string]string
}

// formFile is one file part of a multipart form: the field it belongs to
// (knowledge_base_files: one part per file, as the SDK sends an array of
// files), its file name and its bytes.
type formFile struct {
	field, name string
	data        []byte
}

const maxAttempts = 4

// do sends a request and returns the answer when its status is 2xx. It
// retries a 429 (any method) and a 502, 503 or 504 or a failed connection
// (reads only), waiting 0.5 s, 1 s, 2 s or what Retry-After says, up to 10 s.
func (c *Client) do(ctx context.Context, rq request) (*reply, error) {
	var payload []byte
	contentType := ""
	switch {
	case rq.form != nil || rq.files != nil:
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		for _, k := range sortedKeys(rq.form) {
			if err := w.WriteField(k, rq.form[k]); err != nil {
				return nil, err
			}
		}
		for _, f := range rq.files {
			part, err := w.CreateFormFile(f.field, f.name)
			if err != nil {
				return nil, err
			}
			if _, err := part.Write(f.data); err != nil {
				return nil, err
			}
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		payload, contentType = b.Bytes(), w.FormDataContentType()
	case rq.body != nil:
		payload, contentType = encodeJSON(rq.body), "application/json"
	}
	target := strings.TrimRight(c.BaseURL, "/") + rq.path
	if len(rq.query) > 0 {
		target += "?" + rq.query.Encode()
	}
	read := rq.method == http.MethodGet
	wait := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		r, err := c.once(ctx, rq, target, payload, contentType)
		retry := false
		var ae *APIError
		switch {
		case errors.As(err, &ae):
			retry = ae.Status == http.StatusTooManyRequests || (read && ae.Status >= 502 && ae.Status <= 504)
			if ae.retryAfter > 0 {
				wait = min(ae.retryAfter, 10*time.Second)
			}
		case err != nil:
			retry = read && ctx.Err() == nil
		}
		if !retry || attempt == maxAttempts {
			return r, err
		}
		c.sleep(wait)
		wait = min(wait*2, 10*time.Second)
	}
}

func (c *Client) sleep(d time.Duration) {
	if c.Sleep != nil {
		c.Sleep(d)
		return
	}
	time.Sleep(d)
}

func (c *Client) once(ctx context.Context, rq request, target string, payload []byte, contentType string) (*reply, error) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, target, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.APIKey)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "agentry-gitops")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range rq.header {
		req.Header.Set(k, v)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", rq.method, rq.path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", rq.method, rq.path, err)
	}
	if res.StatusCode/100 == 2 {
		return &reply{status: res.StatusCode, header: res.Header, body: b}, nil
	}
	ae := &APIError{Method: rq.method, Path: rq.path, Status: res.StatusCode, Message: errorMessage(b)}
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && s > 0 {
		ae.retryAfter = time.Duration(s) * time.Second
	}
	return nil, ae
}

// errorMessage takes the message of an error envelope, or the body's start.
func errorMessage(b []byte) string {
	var e struct {
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(b, &e) == nil {
		if e.Message != "" {
			return e.Message
		}
		if e.Error != "" {
			return e.Error
		}
	}
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// getObject GETs a path and decodes the object answered, with its ETag.
func (c *Client) getObject(ctx context.Context, path string, query url.Values) (object, string, error) {
	r, err := c.do(ctx, request{method: http.MethodGet, path: path, query: query})
	if err != nil {
		return nil, "", err
	}
	m, err := r.object()
	return m, r.etag(), err
}

// send makes a write with a JSON body and decodes the object answered, if
// any, with its ETag. ifMatch, when not empty, is sent as If-Match.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, body any, ifMatch string) (object, string, error) {
	rq := request{method: method, path: path, query: query, body: body}
	if ifMatch != "" {
		rq.header = map[string]string{"If-Match": ifMatch}
	}
	r, err := c.do(ctx, rq)
	if err != nil {
		return nil, "", err
	}
	if len(bytes.TrimSpace(r.body)) == 0 {
		return nil, r.etag(), nil
	}
	m, err := r.object()
	return m, r.etag(), err
}

// listPages reads every page of a paged list (items, has_more,
// pagination_key), oldest first.
func (c *Client) listPages(ctx context.Context, method, path string) ([]object, error) {
	var all []object
	key := ""
	for {
		limit := c.pageSize
		if limit == 0 {
			limit = 1000
		}
		q := url.Values{"limit": {strconv.Itoa(limit)}, "sort_order": {"ascending"}}
		if key != "" {
			q.Set("pagination_key", key)
		}
		rq := request{method: method, path: path, query: q}
		if method == http.MethodPost {
			rq.body = object{}
		}
		r, err := c.do(ctx, rq)
		if err != nil {
			return nil, err
		}
		var page struct {
			Items         []json.RawMessage `json:"items"`
			HasMore       bool              `json:"has_more"`
			PaginationKey string            `json:"pagination_key"`
		}
		if err := json.Unmarshal(r.body, &page); err != nil {
			return nil, fmt.Errorf("%s %s: the answer is not a page of items: %v", method, path, err)
		}
		for _, raw := range page.Items {
			m, err := decodeObject(raw)
			if err != nil {
				return nil, fmt.Errorf("%s %s: an item is not a JSON object", method, path)
			}
			all = append(all, m)
		}
		if !page.HasMore || page.PaginationKey == "" || page.PaginationKey == key {
			return all, nil
		}
		key = page.PaginationKey
	}
}

// versionQuery is ?version=n.
func versionQuery(n int64) url.Values { return url.Values{"version": {strconv.FormatInt(n, 10)}} }

// esc escapes one path segment.
func esc(s string) string { return url.PathEscape(s) }
