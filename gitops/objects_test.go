package gitops

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServerWithoutExtensions(t *testing.T) {
	a := newTestServer(t)
	populate(t, a)
	dir := t.TempDir()
	pull(t, a, dir)
	b := newTestServer(t)
	b.extensions, b.flat = false, false
	rep := plan(t, b, dir, Options{})
	support := objectReport(t, rep, "agents/support.yaml")
	if support.Status != StatusError || !strings.Contains(support.Error, "tags need agentry's extension PUT /agentry/v1/agents/{agent_id}/tags/{tag}, which this server does not serve") {
		t.Fatalf("tags on a server without the extension:\n%s", reportText(rep))
	}
	if o := objectReport(t, rep, "agents/custom.yaml"); o.Status != StatusPlanned {
		t.Fatalf("an agent without tags needs no extension: %+v", o)
	}
	if o := objectReport(t, rep, "phone-numbers/14155550100.yaml"); o.Status != StatusError || !strings.Contains(o.Error, "/v2/list-phone-numbers") {
		t.Fatalf("phone numbers on a server without them: %+v", o)
	}
	// Pulling from such a server says what it could not read.
	rep2 := pull(t, b, t.TempDir())
	if !strings.Contains(strings.Join(rep2.Warnings, "\n"), "no /v2/list-phone-numbers endpoint") {
		t.Fatalf("pull warnings: %v", rep2.Warnings)
	}
}

func TestKnowledgeBaseSources(t *testing.T) {
	a := newTestServer(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "knowledge-bases"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(text string) {
		if err := os.WriteFile(filepath.Join(dir, "knowledge-bases/menu.yaml"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("knowledge_base_name: Menu\nsources:\n  - type: url\n    url: https://example.com/menu\n  - type: text\n    title: Hours\n    text: Open 9 to 5.\n")
	rep := apply(t, a, dir, Options{})
	if rep.Failed() || rep.Summary.Steps[ActCreate] != 1 {
		t.Fatalf("create:\n%s", reportText(rep))
	}
	if rep := plan(t, a, dir, Options{}); rep.Changes() {
		t.Fatalf("the text's content is not read back, yet the plan is empty:\n%s", reportText(rep))
	}
	write("knowledge_base_name: Menu\nsources:\n  - type: text\n    title: Hours\n  - type: url\n    url: https://example.com/drinks\n")
	rep = apply(t, a, dir, Options{})
	var details []string
	for _, s := range objectReport(t, rep, "knowledge-bases/menu.yaml").Steps {
		details = append(details, s.Detail)
	}
	if len(details) != 2 || !strings.HasPrefix(details[0], "add 1 source ") || !strings.Contains(details[1], "delete source url https://example.com/menu") {
		t.Fatalf("sources: %q", details)
	}
	write("knowledge_base_name: Menu\nsources:\n  - type: text\n    title: Prices\n")
	rep = plan(t, a, dir, Options{})
	if o := objectReport(t, rep, "knowledge-bases/menu.yaml"); o.Status != StatusError || !strings.Contains(o.Error, `text source "Prices" has no text in the file`) {
		t.Fatalf("a text without content: %+v", o)
	}
	write("knowledge_base_name: Menus\n")
	if o := objectReport(t, plan(t, a, dir, Options{}), "knowledge-bases/menu.yaml"); !strings.Contains(o.Error, "cannot change it after creation") {
		t.Fatalf("a rename: %+v", o)
	}
}

func TestClientRetriesRateLimits(t *testing.T) {
	a := newTestServer(t)
	calls := 0
	srv := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls < 3 {
			w.Header().Set("Retry-After", "1")
			fail(w, http.StatusTooManyRequests, "slow down")
			return
		}
		a.serve(w, r)
	})
	ts := newHTTPServer(t, srv)
	var waits []string
	c := &Client{BaseURL: ts, APIKey: a.key, Sleep: func(d timeDuration) { waits = append(waits, d.String()) }}
	if _, err := c.listAgents(ctx); err != nil {
		t.Fatal(err)
	}
	if calls != 3 || fmt.Sprint(waits) != "[1s 1s]" {
		t.Fatalf("calls %d, waits %v", calls, waits)
	}
	calls = -100 // refuse every call: the client gives up after 4 attempts
	calls = 0
	srv2 := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		fail(w, http.StatusServiceUnavailable, "down")
	})
	c.BaseURL = newHTTPServer(t, srv2)
	_, _, err := c.send(ctx, http.MethodPost, "/create-agent", nil, object{}, "")
	if !isStatus(err, 503) || calls != 1 {
		t.Fatalf("a write that got a 503 is not retried (it may have been done): %v after %d calls", err, calls)
	}
	calls = 0
	_, _, err = c.getObject(ctx, "/get-agent/x", nil)
	if !isStatus(err, 503) || calls != maxAttempts {
		t.Fatalf("a read is retried %d times: %v after %d calls", maxAttempts, err, calls)
	}
}
