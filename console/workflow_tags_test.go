package console_test

import (
	"fmt"
	"strings"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// tags: create prod with the keyboard, move it with a reason (If-Match with
// the tag's ETag), fail to move it from a stale page (412, reload), refuse a
// draft on a published-only tag (the API's 400), revert an entry of its
// history, and filter the versions panel and the agents list by agentry's
// list filters.
func (w *workflow) tags() {
	t, b, s := w.t, w.b, w.s
	t.Log("tags: create prod with the keyboard alone")
	w.open("#/agents/" + w.frontDesk)
	b.waitText(".tags-section", "This agent has no tags.")
	b.do("focus New tag", chromedp.Focus(chromedp.CSS(".tags-section .heading button")))
	b.do("Enter", chromedp.KeyEvent(kb.Enter))
	b.waitFor("the dialog, focus on the name", `document.activeElement && document.activeElement.closest('dialog[open]') !== null &&
		document.activeElement.getAttribute('list') === 'tag-names'`)
	b.do("name, version, reason; Enter", chromedp.KeyEvent("prod"), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent("0"),
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent("launch"), chromedp.KeyEvent(kb.Enter))
	b.waitText(".toast", "Tag prod now points at v0.")
	b.waitText(".tags-section tbody", "v0")
	b.waitFor("prod on v0 in the versions panel", `[...document.querySelectorAll('ol.versions li')].some((li) =>
		li.querySelector('strong').textContent === 'v0' && li.textContent.includes('prod'))`)
	put := s.lastSent("PUT " + w.agentPath("/tags/prod"))
	if body := decode(t, put.body); body["version"] != float64(0) || body["reason"] != "launch" || put.ifMatch != "" {
		t.Errorf("creating prod sent %s with If-Match %q", put.body, put.ifMatch)
	}
	if tag := w.tag("prod"); tag["version"] != float64(0) {
		t.Errorf("after creating it, prod is %v", tag)
	}
	if h := w.history("prod"); len(h) != 1 || h[0].(map[string]any)["reason"] != "launch" {
		t.Errorf("prod's history is %v", h)
	}
	b.checkConsole("create a tag")

	t.Log("tags: move prod to v1 with a reason; If-Match carries the tag's ETag")
	w.clickText(".tags-section tbody button", "Move…")
	b.waitFor("the move dialog", `document.querySelector('dialog[open] input[type=number]') === document.activeElement`)
	w.set("dialog input[type=number]", "1")
	w.set("dialog input[placeholder^=Why]", "faster voice")
	w.click("dialog button[type=submit]")
	b.waitText(".toast", "Tag prod now points at v1.")
	b.waitText(".tags-section tbody", "v1")
	put = s.lastSent("PUT " + w.agentPath("/tags/prod"))
	if want := fmt.Sprintf(`"%s.prod.1"`, w.frontDesk); put.ifMatch != want {
		t.Errorf("moving prod sent If-Match %q, want the ETag of the tag as shown, %s", put.ifMatch, want)
	}
	if h := w.history("prod"); len(h) != 2 || h[0].(map[string]any)["reason"] != "faster voice" || h[0].(map[string]any)["version_after"] != float64(1) {
		t.Errorf("after the move prod's history is %v", h)
	}
	b.waitText(".detail dl.facts", "prod") // the selected version (v1) lists its assigned tags
	b.checkConsole("move a tag")

	t.Log("tags: a page that did not see a change cannot move the tag (412, reload)")
	s.must(200, "PUT", w.agentPath("/tags/prod"), map[string]any{"version": 0, "reason": "rollback by script"})
	w.clickText(".tags-section tbody button", "Move…")
	b.waitFor("the move dialog", `document.querySelector('dialog[open]') !== null`)
	w.set("dialog input[type=number]", "0")
	w.set("dialog input[placeholder^=Why]", "from a stale page")
	b.expect(w.agentPath("/tags/prod"), 412)
	w.click("dialog button[type=submit]")
	b.waitText("dialog .error", "changed since this page showed it")
	b.waitText("dialog .error", "Precondition failed")
	b.checkConsole("stale tag move")
	b.shoot(w.shots, "tag-stale")
	if h := w.history("prod"); len(h) != 3 {
		t.Errorf("a stale page changed prod: its history has %d entries, want 3", len(h))
	}
	w.clickText("dialog .error button", "Reload the tags")
	b.waitFor("the dialog to close", `document.querySelector('dialog') === null`)
	b.waitFor("prod at v0 again", `document.querySelector('.tags-section tbody td[data-label=Version]').textContent === 'v0'`)
	b.checkConsole("reload the tags")

	t.Log("tags: published only refuses a draft, in the API's words")
	b.do("v1", chromedp.Navigate(s.url+"/console/#/agents/"+w.frontDesk+"/v/1"))
	b.waitText(".detail h2", "Version 1")
	w.clickText(".detail .actions button", "New draft from v1")
	b.waitText(".detail h2", "Version 2")
	w.clickText(".detail .actions button", "Point a tag here…")
	b.waitFor("the tag dialog", `document.querySelector('dialog[open]') !== null`)
	w.set("dialog input[list=tag-names]", "prod")
	w.set("dialog input[type=checkbox]", "true")
	w.set("dialog input[placeholder^=Why]", "only published")
	b.expect(w.agentPath("/tags/prod"), 400)
	w.click("dialog button[type=submit]")
	b.waitFor("an error", `document.querySelector('dialog .error') !== null`)
	put = s.lastSent("PUT " + w.agentPath("/tags/prod"))
	if status, answer := w.replay(put); status != 400 || !strings.Contains(eval[string](b, `document.querySelector('dialog .error').textContent`), answer["message"].(string)) {
		t.Errorf("the dialog says %q; the API answers %d %v", eval[string](b, `document.querySelector('dialog .error').textContent`), status, answer)
	}
	b.checkConsole("published only")
	b.do("Escape", chromedp.KeyEvent(kb.Escape))
	b.waitFor("the dialog to close", `document.querySelector('dialog') === null`)
	w.clickText(".tags-section tbody button", "Move…")
	b.waitFor("the move dialog", `document.querySelector('dialog[open]') !== null`)
	w.set("dialog input[type=number]", "1")
	w.set("dialog input[type=checkbox]", "true")
	w.set("dialog input[placeholder^=Why]", "published versions only from now on")
	w.click("dialog button[type=submit]")
	b.waitText(".tags-section tbody", "published only")
	if tag := w.tag("prod"); tag["version"] != float64(1) || tag["published_only"] != true {
		t.Errorf("prod is %v, want v1, published only", tag)
	}
	b.checkConsole("published only tag")

	t.Log("tag history: revert the script's move; the revert is a new entry")
	w.clickText(".tags-section tbody a", "History")
	b.waitText("main h1", "History of tag prod")
	b.waitFor("four entries", `document.querySelectorAll('table.history tbody tr').length === 4`)
	b.waitText("table.history", "rollback by script")
	if got := w.texts("table.history tbody tr:last-child .row-actions"); len(got) != 1 || strings.Contains(got[0], "Revert") {
		t.Errorf("the entry that created the tag offers %v; a creation cannot be reverted", got)
	}
	b.do("revert #3", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('table.history tbody tr')]
		.find((tr) => tr.querySelector('td').textContent === '3').querySelector('button').click()`))
	b.waitFor("the revert dialog", `document.querySelector('dialog[open] input') === document.activeElement`)
	b.do("reason and Enter", chromedp.KeyEvent("undo the script"), chromedp.KeyEvent(kb.Enter))
	b.waitFor("five entries", `document.querySelectorAll('table.history tbody tr').length === 5`)
	b.waitText("table.history tbody tr:first-child", "reverted #3")
	revert := s.lastSent("POST " + w.agentPath("/tags/prod/revert"))
	if body := decode(t, revert.body); body["seq"] != float64(3) || body["reason"] != "undo the script" ||
		revert.ifMatch != fmt.Sprintf(`"%s.prod.4"`, w.frontDesk) {
		t.Errorf("the revert sent %s with If-Match %q; want seq 3 and the tag's ETag as shown", revert.body, revert.ifMatch)
	}
	if h := w.history("prod"); len(h) != 5 || h[0].(map[string]any)["action"] != "revert" || h[0].(map[string]any)["revert_of"] != float64(3) {
		t.Errorf("after the revert prod's history is %v", h)
	}
	if tag := w.tag("prod"); tag["version"] != float64(1) || tag["published_only"] != false {
		t.Errorf("after reverting #3 prod is %v, want v1 and any version (its state before #3)", tag)
	}
	b.checkConsole("tag history")
	w.tabWalk("tag history")
	b.shoot(w.shots, "tag-history")

	t.Log("the versions panel: its filters are agentry's published-only and tag filters")
	w.open("#/agents/" + w.frontDesk)
	b.waitFor("three versions", `document.querySelectorAll('ol.versions li').length === 3`)
	w.set(".version-filters input[type=checkbox]", "true")
	b.waitFor("the published ones", `document.querySelectorAll('ol.versions li').length === 2`)
	w.set(".version-filters select", "prod")
	b.waitFor("the version prod holds", `document.querySelectorAll('ol.versions li').length === 1 &&
		document.querySelector('ol.versions li strong').textContent === 'v1'`)
	filtered := 0
	for _, r := range s.seen(0) {
		if strings.HasPrefix(r, "GET /list-agent-versions/"+w.frontDesk+"?") &&
			strings.Contains(r, "agentry_published_only=true") && strings.Contains(r, "agentry_tag=prod") {
			filtered++
		}
	}
	if filtered != 1 {
		t.Errorf("the versions panel's filters sent %d requests with agentry_published_only and agentry_tag, want 1", filtered)
	}
	w.set(".version-filters input[type=checkbox]", "false")
	w.set(".version-filters select", "")
	b.waitFor("every version", `document.querySelectorAll('ol.versions li').length === 3`)
	b.checkConsole("versions filters")
	w.tabWalk("agent")
	b.shoot(w.shots, "agent")

	t.Log("the agents list: published only, by tag, and each agent's tags")
	if tags, _ := w.listItem()["tags"].(map[string]any); tags == nil || tags["prod"].(map[string]any)["version"] != float64(1) {
		t.Errorf("list-agents shows the agent's tags as %v", w.listItem()["tags"])
	}
	w.open("#/agents")
	b.waitFor("a page of agents", `document.querySelectorAll('table.agents tbody tr').length === 50`)
	b.waitFor("its tags on its row", `[...document.querySelectorAll('table.agents tbody tr')].some((tr) =>
		tr.textContent.includes('Front desk (faster)') && tr.querySelector('td[data-label=Tags]').textContent === 'prod → v1')`)
	w.set(".toolbar input[type=checkbox]", "true")
	b.waitFor("the agents with a published version", `document.querySelectorAll('table.agents tbody tr').length === 1 &&
		document.querySelector('table.agents tbody').textContent.includes('Front desk (faster)')`)
	if body := decode(t, s.lastSent("POST /v2/list-agents").body); body["agentry_published_only"] != true || body["filter_criteria"] != nil {
		t.Errorf("the published filter sent %v", body)
	}
	w.set(".toolbar input[type=checkbox]", "false")
	b.waitFor("every agent", `document.querySelectorAll('table.agents tbody tr').length === 50`)
	mark := s.mark()
	b.do("a tag name that is not one", chromedp.SendKeys(chromedp.ID("tag-filter"), "Prod"))
	b.waitText("#tag-filter-problem", "starts with a lowercase letter")
	if n := count(s.seen(mark), "POST /v2/list-agents"); n != 0 {
		t.Errorf("a malformed tag name was sent %d times", n)
	}
	w.set("#tag-filter", "prod")
	b.waitFor("the agents whose prod is assigned", `document.querySelectorAll('table.agents tbody tr').length === 1`)
	if body := decode(t, s.lastSent("POST /v2/list-agents").body); body["agentry_tag"] != "prod" {
		t.Errorf("the tag filter sent %v", body)
	}
	if got := eval[string](b, `location.hash`); got != "#/agents?tag=prod" {
		t.Errorf("the address keeps the filters as %q", got)
	}
	w.set("#tag-filter", "")
	b.waitFor("every agent", `document.querySelectorAll('table.agents tbody tr').length === 50`)
	b.checkConsole("agents filters")
	b.shoot(w.shots, "agents")

	t.Log("tags: unassign a tag with a reason, then delete it")
	s.must(200, "PUT", w.agentPath("/tags/canary"), map[string]any{"version": 0, "dynamic_variables": map[string]any{"region": "eu"}})
	w.open("#/agents/" + w.frontDesk)
	b.waitText(".tags-section tbody", "region=eu")
	canaryRow := `[...document.querySelectorAll('.tags-section tbody tr')].find((tr) => tr.querySelector('th').textContent.startsWith('canary'))`
	b.do("Unassign canary", chromedp.Evaluate[chromedp.Void](`[...`+canaryRow+`.querySelectorAll('button')].find((x) => x.textContent === 'Unassign…').click()`))
	b.waitFor("the dialog, focus on the reason", `document.querySelector('dialog[open] input') === document.activeElement`)
	b.do("reason and Enter", chromedp.KeyEvent("pause the canary"), chromedp.KeyEvent(kb.Enter))
	b.waitText(".toast", "Tag canary is unassigned.")
	b.waitFor("canary unassigned", canaryRow+`.textContent.includes('unassigned (resolves to latest)')`)
	if tag := w.tag("canary"); tag["version"] != nil {
		t.Errorf("after Unassign canary is %v", tag)
	}
	if h := w.history("canary"); len(h) != 2 || h[0].(map[string]any)["reason"] != "pause the canary" || h[0].(map[string]any)["version_after"] != nil {
		t.Errorf("canary's history is %v", h)
	}
	b.do("Delete canary", chromedp.Evaluate[chromedp.Void](canaryRow+`.querySelector('button.danger').click()`))
	b.waitFor("the dialog, focus on the reason", `document.querySelector('dialog[open] input') === document.activeElement`)
	b.do("reason and Enter", chromedp.KeyEvent("the canary is over"), chromedp.KeyEvent(kb.Enter))
	b.waitText(".toast", "Tag canary deleted.")
	b.waitFor("canary gone", `!document.querySelector('.tags-section tbody').textContent.includes('canary')`)
	if del := s.lastSent("DELETE " + w.agentPath("/tags/canary")); del.ifMatch != fmt.Sprintf(`"%s.canary.2"`, w.frontDesk) {
		t.Errorf("deleting canary sent If-Match %q", del.ifMatch)
	}
	if h := w.history("canary"); len(h) != 3 || h[0].(map[string]any)["action"] != "delete" || h[0].(map[string]any)["reason"] != "the canary is over" {
		t.Errorf("after the delete canary's history is %v", h)
	}
	b.checkConsole("unassign and delete a tag")
}
