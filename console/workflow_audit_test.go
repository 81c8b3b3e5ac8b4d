package console_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/chromedp/chromedp"

	"github.com/agentry/agentry"
)

// resolve: an agent and a tag, as the API resolves them.
func (w *workflow) resolve() {
	t, b, s := w.t, w.b, w.s
	t.Log("resolve: an agent at a tag")
	w.open("#/resolve")
	b.do("agent", chromedp.SendKeys(chromedp.CSS("section[aria-labelledby=by-agent] input"), w.frontDesk))
	b.do("tag", chromedp.SendKeys(chromedp.CSS("section[aria-labelledby=by-agent] input[placeholder=latest]"), "staging"))
	w.click("section[aria-labelledby=by-agent] button[type=submit]")
	b.waitFor("the answer", `document.querySelector('section[aria-labelledby=by-agent] .answer') !== null`)
	r := s.must(200, "POST", "/agentry/v1/resolve", map[string]any{"agent_id": w.frontDesk, "agent_version": "staging"})
	b.waitText("section[aria-labelledby=by-agent] .answer .big", fmt.Sprintf("%s v%v", w.frontDesk, r["agent_version"]))
	b.waitText("section[aria-labelledby=by-agent] .answer .big", "tag staging")
	b.checkConsole("resolve")
	w.tabWalk("resolve")
	b.shoot(w.shots, "resolve")
}

// audit: the entries of the steps above, paged; each documented filter,
// sent under its documented name; a bad filter in the API's words.
func (w *workflow) audit() {
	t, b, s := w.t, w.b, w.s
	t.Log("audit log: the steps above, newest first, paged")
	w.open("#/audit")
	b.waitFor("a page of entries", `document.querySelectorAll('table.audit tbody tr').length === 50`)
	actions := w.texts("table.audit tbody td[data-label=Action]")
	for _, a := range []string{"phone_number.routing_changed", "phone_number.created", "tag.moved", "tag.reverted",
		"agent_version.created", "agent_version.published", "agent.updated"} {
		if !slices.Contains(actions, a) {
			t.Errorf("the newest 50 entries have no %s: %v", a, actions)
		}
	}
	b.waitText("table.audit tbody", "prod: v0 → v1 — “faster voice”")
	w.clickText(".view > button", "Show older entries")
	b.waitFor("two pages", `document.querySelectorAll('table.audit tbody tr').length === 100`)
	seqs := w.texts("table.audit tbody td[data-label='#']")
	for i := 1; i < len(seqs); i++ {
		a, _ := strconv.Atoi(seqs[i-1])
		c, _ := strconv.Atoi(seqs[i])
		if c >= a {
			t.Errorf("entries %s then %s: not newest first, or repeated", seqs[i-1], seqs[i])
			break
		}
	}
	if n := count(s.seen(0), "GET /agentry/v1/audit?limit=50&pagination_key="); n != 1 {
		t.Errorf("the second page was asked %d times with its pagination key", n)
	}
	b.checkConsole("audit log")

	t.Log("audit log: the form has exactly the documented filters, and the catalogue of actions")
	doc := s.must(200, "GET", "/openapi.json", nil)
	var documented []string
	for _, p := range doc["paths"].(map[string]any)["/agentry/v1/audit"].(map[string]any)["get"].(map[string]any)["parameters"].([]any) {
		if name := p.(map[string]any)["name"].(string); !slices.Contains([]string{"limit", "sort_order", "pagination_key"}, name) {
			documented = append(documented, name)
		}
	}
	if form := w.texts0(`[...document.querySelectorAll('form.audit-filters [name]')].map((el) => el.name)`); !slices.Equal(form, documented) {
		t.Errorf("the audit filters are %v; the API documents %v", form, documented)
	}
	var catalogue []string
	for _, e := range agentry.Events() {
		catalogue = append(catalogue, e.Name)
	}
	offered := w.texts0(`[...document.querySelectorAll('#audit-actions option')].map((o) => o.value).filter((v) => !v.endsWith('.*'))`)
	slices.Sort(catalogue)
	slices.Sort(offered)
	if !slices.Equal(offered, catalogue) {
		t.Errorf("the console suggests the actions %v; the catalogue is %v", offered, catalogue)
	}
	types := w.texts0(`[...document.querySelectorAll('form.audit-filters select[name=object_type] option')].map((o) => o.value).filter((v) => v)`)
	if !slices.Equal(types, agentry.ObjectTypes()) {
		t.Errorf("the console offers the object types %v; entries have %v", types, agentry.ObjectTypes())
	}

	t.Log("audit log: filter by action prefix, by object, by actor, by time")
	w.set("form.audit-filters input[name=action]", "tag.*")
	b.waitFor("tag entries only", `(() => { const a = [...document.querySelectorAll('table.audit td[data-label=Action]')];
		return a.length > 0 && a.every((td) => td.textContent.startsWith('tag.')); })()`)
	if got := eval[string](b, `location.hash`); got != "#/audit?action=tag.*" {
		t.Errorf("the address keeps the filter as %s", got)
	}
	if n, want := len(w.texts("table.audit tbody tr")), len(w.history("prod"))+len(w.history("staging"))+len(w.history("canary")); n != want {
		t.Errorf("the tag entries are %d; the tags' histories have %d", n, want)
	}
	w.set("form.audit-filters input[name=action]", "")
	w.set("form.audit-filters select[name=object_type]", "phone_number")
	w.set("form.audit-filters input[name=object_id]", "+14155550100")
	b.waitFor("the number's entries", `(() => { const a = [...document.querySelectorAll('table.audit td[data-label=Action]')].map((td) => td.textContent);
		return a.join() === 'phone_number.routing_changed,phone_number.routing_changed,phone_number.created'; })()`)
	w.open("#/agents/" + w.frontDesk)
	w.clickText(".heading .actions a", "Audit log")
	b.waitFor("the agent's filters", fmt.Sprintf(`document.querySelector('form.audit-filters input[name=object_id]').value === %q &&
		document.querySelector('form.audit-filters select[name=object_type]').value === 'agent'`, w.frontDesk))
	b.waitFor("the agent's entries", `(() => { const a = [...document.querySelectorAll('table.audit td[data-label=Action]')].map((td) => td.textContent);
		return a.length > 0 && a[a.length - 1] === 'agent.created'; })()`)
	b.checkConsole("an agent's entries")
	w.tabWalk("audit log")
	b.shoot(w.shots, "audit")
	w.set("form.audit-filters input[name=object_id]", "")
	w.set("form.audit-filters select[name=object_type]", "")
	prefix := s.key[:12]
	w.set("form.audit-filters input[name=actor]", prefix)
	since := w.phoneStart.Truncate(1e9)
	w.set("form.audit-filters input[name=since]", since.Format("2006-01-02T15:04:05"))
	b.waitFor("the filters in the address", `location.hash.includes('actor=') && location.hash.includes('since=') &&
		document.querySelector('main .loading') === null`)
	b.waitFor("the changes since the phone step", `(() => { const a = [...document.querySelectorAll('table.audit td[data-label=Action]')].map((td) => td.textContent);
		return a.length > 0 && a.every((x) => x.startsWith('phone_number.')); })()`)
	last := s.seen(0)
	if q := last[len(last)-1]; !strings.Contains(q, "actor="+prefix) || !strings.Contains(q, fmt.Sprintf("since=%d", since.UnixMilli())) {
		t.Errorf("the actor and since filters sent %s", q)
	}
	if got := w.texts("table.audit td[data-label=Who]"); len(got) == 0 || !strings.HasPrefix(got[0], prefix) {
		t.Errorf("the actor filter shows entries by %v", got)
	}
	w.clickText("form.audit-filters button", "Clear")
	b.waitFor("every entry again", `document.querySelectorAll('table.audit tbody tr').length === 50`)
	b.checkConsole("audit filters")

	t.Log("audit log: an action that is not one is the API's 400")
	b.expect("/agentry/v1/audit", 400)
	w.set("form.audit-filters input[name=action]", "tag.nope")
	b.waitFor("the error", `document.querySelector('main .error') !== null`)
	_, answer, _ := s.call("GET", "/agentry/v1/audit?action=tag.nope", nil)
	b.waitText("main .error", answer["message"].(string))
	b.checkConsole("bad audit filter")
}

// texts0 evaluates an expression that yields a list of strings.
func (w *workflow) texts0(expr string) []string {
	w.t.Helper()
	return eval[[]string](w.b, expr)
}
