package gitops

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServerWithoutExtensions(t *testing.T) {
	a := newTestServer(t)
	populate(t, a)
	dir := t.TempDir()
	pull(t, a, dir)
	b := newTestServer(t)
	b.retell = true // as Retell: no /openapi.json, nothing under /agentry/v1
	rep := plan(t, b, dir, Options{})
	support := objectReport(t, rep, "agents/support.yaml")
	if support.Status != StatusError || !strings.Contains(support.Error, "tags need agentry's extension PUT /agentry/v1/agents/{agent_id}/tags/{tag}, which this server does not serve") {
		t.Fatalf("tags on a server without the extension:\n%s", reportText(rep))
	}
	if o := objectReport(t, rep, "agents/custom.yaml"); o.Status != StatusPlanned {
		t.Fatalf("an agent without tags needs no extension: %+v", o)
	}
	if o := objectReport(t, rep, "knowledge-bases/faq.yaml"); o.Status != StatusPlanned {
		t.Fatalf("knowledge bases are Retell's: %+v", o)
	}
	if o := objectReport(t, rep, "phone-numbers/14155550100.yaml"); o.Status != StatusError || !strings.Contains(o.Error, "routing modes other than random need agentry's extension") {
		t.Fatalf("a sticky number on a server without routing modes: %+v", o)
	}

	// What Retell serves applies: agents without tags, a number that routes
	// at random (as Retell does), knowledge bases, components.
	for _, f := range []string{"agents/support.yaml", "agents/support@prod.yaml"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	edit(t, dir, "phone-numbers/14155550100.yaml", "routing: sticky", "routing: random")
	edit(t, dir, "phone-numbers/14155550100.yaml", "  - agent: support\n    agent_version: prod\n    weight: 0.7\n", "")
	edit(t, dir, "phone-numbers/14155550100.yaml", "weight: 0.3", "weight: 1")
	if rep := apply(t, b, dir, Options{}); rep.Failed() || rep.Conflicts() {
		t.Fatalf("apply to a server without extensions:\n%s", reportText(rep))
	}
	if rep := plan(t, b, dir, Options{}); rep.Changes() {
		t.Fatalf("plan after apply, without extensions:\n%s", reportText(rep))
	}
	// Pulling from such a server writes what it can read: no routing mode,
	// texts by title (Retell serves no text back), documents by name.
	dir2 := t.TempDir()
	rep2 := pull(t, b, dir2)
	got := files(t, dir2)
	if strings.Contains(got["phone-numbers/14155550100.yaml"], "routing") {
		t.Errorf("a server without routing modes has none to pull:\n%s", got["phone-numbers/14155550100.yaml"])
	}
	mustContain(t, "the knowledge base pulled from it", got["knowledge-bases/faq.yaml"], "- type: text\n    title: Hours\n  - type: document\n    filename: menu.txt")
	if _, ok := got["knowledge-bases/faq/menu.txt"]; ok {
		t.Errorf("a document's bytes cannot be read from such a server: %v", rep2.Warnings)
	}
	if rep := plan(t, b, dir2, Options{}); rep.Changes() || rep.Failed() {
		t.Fatalf("plan of what was pulled from a server without extensions:\n%s", reportText(rep))
	}
	// Without ETags, objects are compared by modification time or content:
	// publishing the flow that uses the component (which changes the flows
	// the component lists as linked) is no change of the component.
	if rep := apply(t, b, dir2, Options{Publish: true}); rep.Failed() || rep.Conflicts() {
		t.Fatalf("apply --publish without extensions:\n%s", reportText(rep))
	}
	edit(t, dir2, "components/collect-info.yaml", "Ask for the name.", "Ask for the full name.")
	rep = plan(t, b, dir2, Options{})
	if o := objectReport(t, rep, "components/collect-info.yaml"); o.Status != StatusPlanned {
		t.Fatalf("an edit of a component, without ETags:\n%s", reportText(rep))
	}
	if rep := apply(t, b, dir2, Options{}); rep.Failed() || rep.Conflicts() {
		t.Fatalf("apply:\n%s", reportText(rep))
	}
}

// writeKB writes knowledge-bases/menu.yaml in dir.
func writeKB(t *testing.T, dir, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "knowledge-bases"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "knowledge-bases/menu.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func stepDetails(o *ObjectReport) []string {
	var details []string
	for _, s := range o.Steps {
		details = append(details, s.Detail)
	}
	return details
}

func TestKnowledgeBaseSources(t *testing.T) {
	a := newTestServer(t)
	dir := t.TempDir()
	writeKB(t, dir, "knowledge_base_name: Menu\nsources:\n  - type: url\n    url: https://example.com/menu\n  - type: text\n    title: Hours\n    text: Open 9 to 5.\n")
	rep := apply(t, a, dir, Options{})
	if rep.Failed() || rep.Summary.Steps[ActCreate] != 1 {
		t.Fatalf("create:\n%s", reportText(rep))
	}
	if rep := plan(t, a, dir, Options{}); rep.Changes() {
		t.Fatalf("plan after create:\n%s", reportText(rep))
	}
	id := objectReport(t, rep, "knowledge-bases/menu.yaml").ID

	// A text without its text keeps the server's; a URL gone is deleted, a
	// new one added.
	writeKB(t, dir, "knowledge_base_name: Menu\nsources:\n  - type: text\n    title: Hours\n  - type: url\n    url: https://example.com/drinks\n")
	rep = apply(t, a, dir, Options{})
	details := stepDetails(objectReport(t, rep, "knowledge-bases/menu.yaml"))
	if len(details) != 2 || !strings.HasPrefix(details[0], "add 1 source to knowledge base "+id+": url https://example.com/drinks") ||
		!strings.Contains(details[1], "delete source url https://example.com/menu") {
		t.Fatalf("sources: %q", details)
	}

	// A text whose text changed is replaced: the API cannot edit a source.
	writeKB(t, dir, "knowledge_base_name: Menu\nsources:\n  - type: text\n    title: Hours\n    text: Open 8 to 6.\n  - type: url\n    url: https://example.com/drinks\n")
	rep = apply(t, a, dir, Options{})
	if details := stepDetails(objectReport(t, rep, "knowledge-bases/menu.yaml")); len(details) != 2 || !strings.Contains(details[0], "add 1 source") || !strings.Contains(details[1], "delete source text Hours") {
		t.Fatalf("a changed text: %q", details)
	}
	dir2 := t.TempDir()
	copyState(t, dir, dir2)
	pull(t, a, dir2)
	if got := files(t, dir2)["knowledge-bases/menu.yaml"]; !strings.Contains(got, "text: Open 8 to 6.") || strings.Contains(got, "9 to 5") {
		t.Fatalf("pulled after the text changed:\n%s", got)
	}

	// Documents: their bytes are in knowledge-bases/menu/; new bytes of
	// another size replace the document.
	if err := os.MkdirAll(filepath.Join(dir, "knowledge-bases/menu"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "knowledge-bases/menu/wine.txt"), []byte("Red, white.\n"), 0o644)
	writeKB(t, dir, "knowledge_base_name: Menu\nsources:\n  - type: text\n    title: Hours\n    text: Open 8 to 6.\n  - type: url\n    url: https://example.com/drinks\n  - type: document\n    filename: wine.txt\n")
	if rep := apply(t, a, dir, Options{}); rep.Failed() || rep.Summary.Steps[ActEdit] != 1 {
		t.Fatalf("add a document:\n%s", reportText(rep))
	}
	os.WriteFile(filepath.Join(dir, "knowledge-bases/menu/wine.txt"), []byte("Red, white, rosé.\n"), 0o644)
	if rep := apply(t, a, dir, Options{}); rep.Failed() || rep.Summary.Steps[ActEdit] != 2 {
		t.Fatalf("a document of another size:\n%s", reportText(rep))
	}
	pull(t, a, dir2)
	if got := files(t, dir2)["knowledge-bases/menu/wine.txt"]; got != "Red, white, rosé.\n" {
		t.Fatalf("the document pulled back: %q", got)
	}
	if rep := plan(t, a, dir, Options{}); rep.Changes() {
		t.Fatalf("plan:\n%s", reportText(rep))
	}

	if err := os.RemoveAll(filepath.Join(dir, "knowledge-bases/menu")); err != nil {
		t.Fatal(err)
	}
	writeKB(t, dir, "knowledge_base_name: Menu\nsources:\n  - type: text\n    title: Prices\n")
	rep = plan(t, a, dir, Options{})
	if o := objectReport(t, rep, "knowledge-bases/menu.yaml"); o.Status != StatusError || !strings.Contains(o.Error, `text source "Prices" has no text in the file`) {
		t.Fatalf("a text without content: %+v", o)
	}
	writeKB(t, dir, "knowledge_base_name: Menus\n")
	if o := objectReport(t, plan(t, a, dir, Options{}), "knowledge-bases/menu.yaml"); !strings.Contains(o.Error, "cannot change it after creation") {
		t.Fatalf("a rename: %+v", o)
	}
}

func TestApplyWaitsForIndexing(t *testing.T) {
	a := newTestServerIndexing(t, 300*time.Millisecond)
	dir := t.TempDir()
	writeKB(t, dir, "knowledge_base_name: Menu\nsources:\n  - type: url\n    url: https://example.com/menu\n")
	// A real wait: the client reads the knowledge base again until its
	// indexing has ended, and records it as it is then.
	c := &Client{BaseURL: a.URL, APIKey: a.key}
	d, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := LoadState(StatePath(dir, a.URL, a.key, ""), a.URL)
	rep, err := Apply(ctx, c, d, st, Options{})
	if err != nil || rep.Failed() {
		t.Fatalf("apply: %v\n%s", err, reportText(rep))
	}
	kb := a.call(200, "GET", "/get-knowledge-base/"+objectReport(t, rep, "knowledge-bases/menu.yaml").ID, nil)
	if kb["status"] != "complete" {
		t.Fatalf("apply returned before the indexing ended: %v", kb["status"])
	}
	writeKB(t, dir, "knowledge_base_name: Menu\nsources:\n  - type: url\n    url: https://example.com/menu\n  - type: url\n    url: https://example.com/wine\n")
	d, _ = ReadDir(dir)
	st, _ = LoadState(StatePath(dir, a.URL, a.key, ""), a.URL)
	if rep, err := Apply(ctx, c, d, st, Options{}); err != nil || rep.Failed() {
		t.Fatalf("add a source: %v\n%s", err, reportText(rep))
	}
	// Right after, the plan finds the source listed: nothing to do, no
	// change on the server mistaken for someone else's.
	if rep := plan(t, a, dir, Options{}); rep.Changes() || rep.Conflicts() {
		t.Fatalf("plan right after adding a source:\n%s", reportText(rep))
	}

	// Indexing that does not end within IndexWait: apply says so, and a
	// later run finishes.
	slow := newTestServerIndexing(t, time.Hour)
	sdir := t.TempDir()
	writeKB(t, sdir, "knowledge_base_name: Menu\n")
	d, _ = ReadDir(sdir)
	st, _ = LoadState(StatePath(sdir, slow.URL, slow.key, ""), slow.URL)
	rep, err = Apply(ctx, &Client{BaseURL: slow.URL, APIKey: slow.key, IndexWait: 50 * time.Millisecond}, d, st, Options{})
	if o := objectReport(t, rep, "knowledge-bases/menu.yaml"); err != nil || o.Status != StatusFailed || !strings.Contains(o.Error, "is still being indexed (status in_progress) after 50ms: run again once it is done") {
		t.Fatalf("indexing that does not end: %v %+v", err, o)
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
	c := &Client{BaseURL: ts, APIKey: a.key, Sleep: func(d time.Duration) { waits = append(waits, d.String()) }}
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

func TestPullRemovesDocumentsNoLongerOnTheServer(t *testing.T) {
	a := newTestServer(t)
	w := populate(t, a)
	dir := t.TempDir()
	pull(t, a, dir)
	kb := a.call(200, "GET", "/get-knowledge-base/"+w.kb, nil)
	for _, it := range kb["knowledge_base_sources"].([]any) {
		if src := it.(object); src["type"] == "document" {
			a.call(200, "DELETE", "/delete-knowledge-base-source/"+w.kb+"/source/"+str(src, "source_id"), nil)
		}
	}
	rep := pull(t, a, dir)
	var removed []string
	for _, f := range rep.Files {
		if f.Status == "removed" {
			removed = append(removed, f.File)
		}
	}
	if fmt.Sprint(removed) != "[knowledge-bases/faq/menu.txt]" {
		t.Fatalf("removed %v", removed)
	}
	if _, err := os.Stat(filepath.Join(dir, "knowledge-bases/faq")); !os.IsNotExist(err) {
		t.Fatalf("the empty documents folder stays: %v", err)
	}
	if rep := plan(t, a, dir, Options{}); rep.Changes() {
		t.Fatalf("plan after the pull:\n%s", reportText(rep))
	}
}
