package webhookhttp_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/webhookhttp"
)

func send(t *testing.T, s *webhookhttp.Sender, url string) agentry.WebhookResult {
	t.Helper()
	return s.Send(context.Background(), agentry.WebhookRequest{URL: url, Body: []byte(`{"event":"x"}`),
		Header: map[string]string{"Content-Type": "application/json", "Agentry-Signature": "t=1,v1=ab"}})
}

func TestSendsTheBodyAndHeaders(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, body = r, must(io.ReadAll(r.Body))
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	res := send(t, webhookhttp.New(webhookhttp.Options{AllowPrivate: true}), srv.URL+"/in?x=1")
	if res.Err != nil || res.StatusCode != 202 {
		t.Fatalf("result %+v", res)
	}
	if got.Method != "POST" || got.URL.Path != "/in" || got.URL.RawQuery != "x=1" || string(body) != `{"event":"x"}` ||
		got.Header.Get("Agentry-Signature") != "t=1,v1=ab" || got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request %s %s %v %s", got.Method, got.URL, got.Header, body)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	var followed atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Add(1) }))
	defer target.Close()
	for _, code := range []int{301, 302, 307, 308} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/elsewhere", code)
		}))
		res := send(t, webhookhttp.New(webhookhttp.Options{AllowPrivate: true}), srv.URL)
		srv.Close()
		if res.StatusCode != code || res.Err == nil || !strings.Contains(res.Err.Error(), "redirects are not followed") ||
			!strings.Contains(res.Err.Error(), "/elsewhere") {
			t.Errorf("%d: %+v", code, res)
		}
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests", n)
	}
}

func TestPrivateAddressesAreRefusedUnlessAllowed(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	// By IP, and by a host name that resolves to loopback: the check is on
	// the address dialled, after resolution.
	for _, u := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
		res := send(t, webhookhttp.New(webhookhttp.Options{}), u)
		if res.Err == nil || !strings.Contains(res.Err.Error(), "loopback or private") || res.StatusCode != 0 {
			t.Errorf("%s: %+v", u, res)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("a refused delivery reached the receiver")
	}
	if res := send(t, webhookhttp.New(webhookhttp.Options{AllowPrivate: true}), srv.URL); res.Err != nil || res.StatusCode != 200 {
		t.Errorf("allowed: %+v", res)
	}
}

func TestTimeoutAndBoundedAnswer(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) // then the server notices the client hang up
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer slow.Close()
	start := time.Now()
	res := send(t, webhookhttp.New(webhookhttp.Options{Timeout: 200 * time.Millisecond, AllowPrivate: true}), slow.URL)
	if res.Err == nil || !strings.Contains(res.Err.Error(), "timeout") || time.Since(start) > 5*time.Second {
		t.Errorf("slow receiver: %+v after %s", res, time.Since(start))
	}

	// An endless error answer: the attempt ends, with the answer's start in
	// the error, having read no more than the bound.
	var written atomic.Int64
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		chunk := []byte(strings.Repeat("x", 4096) + "\n\x1b[31m")
		for range 100_000 {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer huge.Close()
	res = send(t, webhookhttp.New(webhookhttp.Options{Timeout: 5 * time.Second, AllowPrivate: true}), huge.URL)
	if res.StatusCode != 500 || res.Err == nil || !strings.Contains(res.Err.Error(), "answered 500") || strings.Contains(res.Err.Error(), "\x1b") ||
		len(res.Err.Error()) > 400 {
		t.Errorf("huge answer: %d %q", res.StatusCode, res.Err)
	}
	if w := written.Load(); w > 64<<20 {
		t.Errorf("the receiver wrote %d bytes: the answer was read far past the bound", w)
	}
}

func TestBadURL(t *testing.T) {
	if res := send(t, webhookhttp.New(webhookhttp.Options{}), "::not a url"); res.Err == nil {
		t.Errorf("a bad URL was sent: %+v", res)
	}
}
