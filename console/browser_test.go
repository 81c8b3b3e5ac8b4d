package console_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// workspace is how many agents the browser tests' workspace holds besides
// the two they work on: the size the console must stay fast at.
const workspace = 10000

// seed creates what the browser tests work on: a voice agent on a Retell
// LLM with a published version 0, a chat agent, and a workspace of 10,000
// other agents.
func seed(s *server) (frontDesk, chat string) {
	llm := s.must(201, "POST", "/create-retell-llm", map[string]any{
		"model": "gpt-5.6-terra", "start_speaker": "agent",
		"general_prompt": "You answer the front desk of a dental practice.",
		"states": []any{
			map[string]any{"name": "greeting", "state_prompt": "Greet the caller.",
				"edges": []any{map[string]any{"destination_state_name": "booking", "description": "The caller wants an appointment."}}},
			map[string]any{"name": "booking", "state_prompt": "Find a free slot."},
		},
		"starting_state": "greeting",
	})
	s.manyAgents(workspace)
	chatLLM := s.must(201, "POST", "/create-retell-llm", map[string]any{"general_prompt": "You answer questions on the website."})
	chat = s.must(201, "POST", "/create-chat-agent", map[string]any{"agent_name": "Support chat",
		"response_engine": map[string]any{"type": "retell-llm", "llm_id": chatLLM["llm_id"]}})["agent_id"].(string)
	frontDesk = s.must(201, "POST", "/create-agent", map[string]any{
		"agent_name": "Front desk", "voice_id": "retell-Cimo", "language": "en-US", "voice_speed": 1.0,
		"webhook_url": "https://example.com/hook", "end_call_after_silence_ms": 30000,
		"post_call_analysis_data": []any{map[string]any{"type": "string", "name": "topic", "description": "What the call was about"}},
		"response_engine":         map[string]any{"type": "retell-llm", "llm_id": llm["llm_id"]},
	})["agent_id"].(string)
	s.must(200, "POST", "/publish-agent-version/"+frontDesk, map[string]any{"version": 0, "version_title": "Launch",
		"version_description": "The first voice of the front desk."})
	return frontDesk, chat
}

// count is how many of the requests start with prefix.
func count(requests []string, prefix string) int {
	n := 0
	for _, r := range requests {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

// workflow is what the steps of TestConsoleWorkflow share: one real server
// with its 10,000-agent workspace, one browser, where screenshots go.
type workflow struct {
	t         *testing.T
	s         *server
	b         *browser
	shots     string
	frontDesk string // the voice agent the steps work on
	// phoneStart is a whole second after every change before the phone
	// step, and before every change of it: the audit test filters by it.
	phoneStart time.Time
}

// TestConsoleWorkflow drives the console in headless Chromium against a
// real agentry server through the whole versioning workflow a person does:
// sign in, find an agent, branch a draft, edit it (a validation error
// first), look at it, publish it (a stale page first, then with the
// keyboard); create, move and revert tags; compare versions; set up a phone
// number's weighted routing and test it; read the audit log; sign out. The
// browser console must stay free of errors throughout. It saves screenshots
// of each main view at 1280 and 390 pixels wide.
func TestConsoleWorkflow(t *testing.T) {
	s := newServer(t)
	frontDesk, _ := seed(s)
	b := newBrowser(t)
	shots := screenshotDir(t)
	w := &workflow{t: t, s: s, b: b, shots: shots, frontDesk: frontDesk}

	t.Log("sign in: a wrong key is refused in the API's words, the right one is kept in session storage only")
	b.do("open the console", chromedp.Navigate(s.url+"/console"))
	b.waitFor("the sign-in form", `document.querySelector('form.signin input[type=password]') !== null`)
	if got := eval[string](b, `location.pathname`); got != "/console/" {
		t.Errorf("/console led to %s, want /console/", got)
	}
	b.shoot(shots, "signin")
	b.expect("/v2/list-agents", 401)
	b.do("type a wrong key", chromedp.SendKeys(chromedp.CSS("form.signin input"), "key_00000000000000000000000000000000"+kb.Enter))
	b.waitText("form.signin .error", "API key is missing or invalid.")
	b.checkConsole("wrong key")
	b.do("type the key", chromedp.Evaluate[chromedp.Void](`document.querySelector('form.signin input').value = ''`),
		chromedp.SendKeys(chromedp.CSS("form.signin input"), s.key+kb.Enter))
	b.waitFor("the agents list", `document.querySelectorAll('table.agents tbody tr').length === 50`)
	if got := eval[string](b, `sessionStorage.getItem('agentry.apiKey')`); got != s.key {
		t.Errorf("sessionStorage holds %q, want the key", got)
	}
	if got := eval[string](b, `document.cookie + localStorage.length + location.href`); strings.Contains(got, s.key) {
		t.Errorf("the key leaked into a cookie, localStorage or the address: %s", got)
	}
	b.checkConsole("sign in")
	// Focus starts on the view's heading; Tab then walks the controls in
	// reading order.
	if got := eval[string](b, `document.activeElement.tagName + ' ' + document.activeElement.textContent`); got != "H1 Agents" {
		t.Errorf("after sign-in focus is on %q, want the Agents heading", got)
	}
	var order []string
	for range 5 {
		b.do("Tab", chromedp.KeyEvent(kb.Tab))
		order = append(order, eval[string](b, `(() => { const e = document.activeElement;
			return e.tagName + (e.type ? ':' + e.type : '') + (e.tagName === 'A' ? ':' + e.textContent : ''); })()`))
	}
	// Two agents created in one millisecond list in either order.
	firstAgent := eval[string](b, `document.querySelector('table.agents tbody a').textContent`)
	if want := []string{"INPUT:search", "SELECT:select-one", "INPUT:checkbox", "INPUT:text", "A:" + firstAgent}; strings.Join(order, ",") != strings.Join(want, ",") {
		t.Errorf("Tab from the heading visits %v, want %v", order, want)
	}
	if style := eval[string](b, `getComputedStyle(document.activeElement).outlineStyle`); style == "none" {
		t.Error("the focused agent link shows no focus outline")
	}

	t.Log("agents: 10,000 of them, paged 50 at a time and never loaded whole; search is debounced; filters by channel")
	first := eval[string](b, `document.querySelector('table.agents tbody tr').textContent`)
	b.do("next page", chromedp.Click(chromedp.CSS("nav.pager button:last-child")))
	b.waitText("nav.pager", "Page 2")
	b.do("next page", chromedp.Click(chromedp.CSS("nav.pager button:last-child")))
	b.waitText("nav.pager", "Page 3")
	if n := eval[int](b, `document.querySelectorAll('table.agents tbody tr').length`); n != 50 {
		t.Errorf("page 3 has %d agents, want 50", n)
	}
	b.do("previous page", chromedp.Click(chromedp.CSS("nav.pager button:first-child")))
	b.waitText("nav.pager", "Page 2")
	b.do("previous page", chromedp.Click(chromedp.CSS("nav.pager button:first-child")))
	b.waitText("nav.pager", "Page 1")
	if again := eval[string](b, `document.querySelector('table.agents tbody tr').textContent`); again != first {
		t.Errorf("back on page 1 the first agent is %q, was %q", again, first)
	}
	if !eval[bool](b, `document.querySelector('nav.pager button:first-child').disabled`) {
		t.Error("Previous is enabled on the first page")
	}
	for _, r := range s.seen(0) {
		if strings.HasPrefix(r, "POST /v2/list-agents") && !strings.Contains(r, "limit=") {
			t.Errorf("the console listed agents without a small page: %s", r)
		}
		if strings.HasPrefix(r, "GET /get-agent-versions") {
			t.Errorf("the console loaded every version at once: %s", r)
		}
	}
	mark := s.mark()
	b.do("search", chromedp.SendKeys(chromedp.CSS("input[type=search]"), "Front desk"))
	b.waitFor("one match", `document.querySelectorAll('table.agents tbody tr').length === 1`)
	b.waitText("table.agents", "Front desk")
	if n := count(s.seen(mark), "POST /v2/list-agents"); n > 2 {
		t.Errorf("typing 10 characters sent %d searches; the search should wait for typing to pause", n)
	}
	if got := eval[string](b, `location.hash`); got != "#/agents?q=Front+desk" {
		t.Errorf("the address keeps the search as %q", got)
	}
	b.do("clear the search and pick chat", chromedp.Evaluate[chromedp.Void](`(() => {
		const q = document.querySelector('input[type=search]'); q.value = ''; q.dispatchEvent(new Event('input'));
		const c = document.querySelector('select'); c.value = 'chat'; c.dispatchEvent(new Event('change'));
	})()`))
	b.waitFor("the chat agent alone", `document.querySelectorAll('table.agents tbody tr').length === 1 &&
		document.querySelector('table.agents tbody').textContent.includes('Support chat')`)
	b.do("open the chat agent", chromedp.Click(chromedp.CSS("table.agents tbody a")))
	b.waitText(".detail h2", "Version 0")
	b.waitText(".detail .group", "agent_name")
	b.waitText(".detail details.engine", "Retell LLM")
	if n := count(s.seen(0), "GET /get-chat-agent/"); n == 0 {
		t.Error("a chat agent's version was not read through get-chat-agent")
	}
	b.do("back to the list", chromedp.NavigateBack())
	b.waitFor("the chat agent alone again", `document.querySelectorAll('table.agents tbody tr').length === 1`)
	b.do("back to every channel", chromedp.Evaluate[chromedp.Void](`(() => {
		const c = document.querySelector('select'); c.value = ''; c.dispatchEvent(new Event('change'));
	})()`))
	b.waitFor("the first page again", `document.querySelectorAll('table.agents tbody tr').length === 50`)
	b.checkConsole("agents list")

	t.Log("an agent: its versions panel and a version, readable and as JSON")
	b.do("open Front desk", chromedp.Navigate(s.url+"/console/#/agents?q=Front"))
	b.waitFor("the match", `document.querySelectorAll('table.agents tbody tr').length === 1`)
	b.do("click it", chromedp.Click(chromedp.CSS("table.agents tbody a")))
	b.waitText(".detail h2", "Version 0")
	b.waitText("ol.versions", "Launch")
	b.waitText("ol.versions", "published")
	b.waitText(".detail dl.facts", "The first voice of the front desk.")
	b.waitText(".detail .group", "Response engine")
	b.waitText(".detail .group", "webhook_url")
	b.do("open the engine", chromedp.Click(chromedp.CSS("details.engine summary")))
	b.waitText("details.engine pre", "You answer the front desk of a dental practice.")
	b.checkConsole("agent view")

	t.Log("create a draft from version 0")
	b.do("new draft", chromedp.Click(chromedp.CSS(".detail .actions button")))
	b.waitText(".detail h2", "Version 1")
	b.waitFor("the draft's address", `location.hash.endsWith('/v/1')`)
	b.waitText("ol.versions li:first-child", "from v0")
	b.waitText("ol.versions li:first-child", "draft")
	if v := s.must(200, "GET", "/get-agent/"+frontDesk+"?version=1", nil); v["base_version"] != float64(0) || v["is_published"] != false {
		t.Errorf("the new draft is %v", v)
	}
	b.checkConsole("branch")

	t.Log("edit the draft: the API's validation error is shown as worded, then a good edit is saved")
	b.do("edit", chromedp.Click(chromedp.CSS(".detail .actions button:nth-child(2)")))
	b.waitFor("the editor", `document.activeElement && document.activeElement.id === 'json-editor'`)
	b.do("a bad speed", chromedp.Evaluate[chromedp.Void](`(() => {
		const ta = document.getElementById('json-editor'); const c = JSON.parse(ta.value);
		c.voice_speed = 5; ta.value = JSON.stringify(c, null, 2); })()`))
	b.expect("/update-agent/"+frontDesk, 400)
	b.do("save", chromedp.Click(chromedp.CSS("form.editor button[type=submit]")))
	b.waitText("form.editor .error", "voice_speed: must be between 0.5 and 2")
	b.checkConsole("bad edit")
	b.shoot(shots, "editor")
	b.do("a good edit", chromedp.Evaluate[chromedp.Void](`(() => {
		const ta = document.getElementById('json-editor'); const c = JSON.parse(ta.value);
		c.voice_speed = 1.3; c.agent_name = 'Front desk (faster)'; delete c.webhook_url;
		ta.value = JSON.stringify(c, null, 2); })()`))
	b.do("save with Ctrl+Enter", chromedp.Focus(chromedp.ID("json-editor")),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	b.waitText(".toast", "Draft v1 saved.")
	b.waitText(".detail .group", "1.3")
	v := s.must(200, "GET", "/get-agent/"+frontDesk+"?version=1", nil)
	if v["voice_speed"] != 1.3 || v["agent_name"] != "Front desk (faster)" || v["webhook_url"] != nil {
		t.Errorf("after the edit the draft is %v; want voice_speed 1.3, the new name, no webhook_url", v)
	}
	b.do("JSON tab", chromedp.Click(chromedp.CSS(".tabs button:nth-child(2)")))
	b.waitText(".detail pre.json", `"voice_speed": 1.3`)
	b.checkConsole("edit")
	b.shoot(shots, "json")

	t.Log("publish from a stale page: 412, shown with a reload action")
	s.must(200, "PATCH", "/update-agent/"+frontDesk+"?version=1", map[string]any{"voice_speed": 1.4})
	b.do("publish…", chromedp.Click(chromedp.CSS(".detail .actions button.primary")))
	b.waitFor("the publish dialog", `document.querySelector('dialog[open]') !== null`)
	b.do("title", chromedp.SendKeys(chromedp.CSS("dialog input"), "Faster voice"))
	b.expect("/publish-agent-version/"+frontDesk, 412)
	b.do("submit with Enter", chromedp.SendKeys(chromedp.CSS("dialog input"), kb.Enter))
	b.waitText("dialog .error", "changed since this page loaded it")
	b.checkConsole("stale publish")
	b.shoot(shots, "publish-stale")
	if v := s.must(200, "GET", "/get-agent/"+frontDesk+"?version=1", nil); v["is_published"] != false {
		t.Fatal("a stale page published the draft")
	}
	b.do("reload", chromedp.Click(chromedp.CSS("dialog .error button")))
	b.waitFor("the dialog to close", `document.querySelector('dialog') === null`)
	// The JSON view was chosen before; the reloaded version keeps it.
	b.waitText(".detail pre.json", `"voice_speed": 1.4`)
	b.do("readable again", chromedp.Click(chromedp.CSS(".tabs button:nth-child(1)")))
	b.waitText(".detail .group", "1.4")

	t.Log("publish with the keyboard alone: Enter opens, Escape closes and focus returns, Enter publishes")
	b.do("focus Publish", chromedp.Focus(chromedp.CSS(".detail .actions button.primary")))
	b.do("Enter", chromedp.KeyEvent(kb.Enter))
	b.waitFor("the dialog, focus on the title", `document.activeElement && document.activeElement.closest('dialog[open]') !== null &&
		document.activeElement.tagName === 'INPUT'`)
	b.do("Escape", chromedp.KeyEvent(kb.Escape))
	b.waitFor("the dialog closed, focus back on Publish", `document.querySelector('dialog') === null &&
		document.activeElement.textContent === 'Publish…'`)
	if style := eval[string](b, `getComputedStyle(document.activeElement).outlineStyle`); style == "none" {
		t.Error("the focused Publish button shows no focus outline")
	}
	b.do("Enter again", chromedp.KeyEvent(kb.Enter))
	b.waitFor("the dialog", `document.activeElement && document.activeElement.closest('dialog[open]') !== null`)
	b.do("type a title", chromedp.KeyEvent("Faster voice"))
	b.do("Tab to the description", chromedp.KeyEvent(kb.Tab))
	b.do("type a description", chromedp.KeyEvent("Speaks at 1.4"))
	b.shoot(shots, "publish")
	b.do("back to the title and Enter", chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)), chromedp.KeyEvent(kb.Enter))
	b.waitText(".toast", "Version 1 is published.")
	b.waitText(".detail h2", "published")
	v = s.must(200, "GET", "/get-agent/"+frontDesk+"?version=1", nil)
	if v["is_published"] != true || v["version_title"] != "Faster voice" || v["version_description"] != "Speaks at 1.4" || v["voice_speed"] != 1.4 {
		t.Errorf("after publishing, version 1 is %v", v)
	}
	b.waitText("ol.versions li:first-child", "Faster voice")
	b.checkConsole("publish")

	w.tags()
	w.diff()
	w.phones()
	w.resolve()
	w.audit()

	// Whatever a view needed, it asked for a page, never for everything.
	for _, r := range s.seen(0) {
		paged := strings.HasPrefix(r, "POST /v2/list-agents") || strings.HasPrefix(r, "GET /list-agent-versions/") ||
			strings.HasPrefix(r, "GET /agentry/v1/audit") || strings.HasPrefix(r, "GET /v2/list-phone-numbers") ||
			strings.Contains(r, "/history")
		if paged && !strings.Contains(r, "limit=") {
			t.Errorf("the console listed without a page size: %s", r)
		}
		if strings.HasPrefix(r, "GET /get-agent-versions") || strings.HasPrefix(r, "GET /get-chat-agent-versions") {
			t.Errorf("the console loaded every version at once: %s", r)
		}
	}

	b.do("a page that does not exist", chromedp.Navigate(s.url+"/console/#/nowhere"))
	b.waitText("main h1", "Not found")
	b.checkConsole("other views")

	t.Log("sign out forgets the key")
	b.do("sign out", chromedp.Click(chromedp.ID("sign-out")))
	b.waitFor("the sign-in form", `document.querySelector('form.signin') !== null`)
	if got := eval[bool](b, `sessionStorage.getItem('agentry.apiKey') === null`); !got {
		t.Error("sign-out left the key in sessionStorage")
	}
	b.do("reload", chromedp.Navigate(s.url+"/console/#/agents"))
	b.waitFor("still signed out", `document.querySelector('form.signin') !== null`)
	b.checkConsole("sign out")
}
