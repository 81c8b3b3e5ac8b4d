package console_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Helpers of the workflow steps.

// set gives a form control a value as typing or picking would, firing input
// and change.
func (w *workflow) set(selector, value string) {
	w.t.Helper()
	w.b.waitFor(selector, fmt.Sprintf(`document.querySelector(%q) !== null`, selector))
	w.b.do("set "+selector, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		if (!el) throw new Error('no element ' + %q);
		if (el.type === 'checkbox') el.checked = %q === 'true'; else el.value = %q;
		el.dispatchEvent(new Event('input', {bubbles: true}));
		el.dispatchEvent(new Event('change', {bubbles: true}));
	})()`, selector, selector, value, value)))
}

// click clicks the element selector finds.
func (w *workflow) click(selector string) {
	w.t.Helper()
	w.b.do("click "+selector, chromedp.Click(chromedp.CSS(selector)))
}

// clickText clicks the first element of selector whose text is text.
func (w *workflow) clickText(selector, text string) {
	w.t.Helper()
	w.b.waitFor(fmt.Sprintf("%q in %s", text, selector), fmt.Sprintf(
		`[...document.querySelectorAll(%q)].some((el) => el.textContent.trim() === %q)`, selector, text))
	w.b.do("click "+text, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`[...document.querySelectorAll(%q)].find((el) => el.textContent.trim() === %q).click()`, selector, text)))
}

// open navigates to a console address (a hash route).
func (w *workflow) open(hash string) {
	w.t.Helper()
	w.b.do("open "+hash, chromedp.Navigate(w.s.url+"/console/"+hash))
}

// texts is the text of every element selector finds.
func (w *workflow) texts(selector string) []string {
	w.t.Helper()
	return eval[[]string](w.b, fmt.Sprintf(`[...document.querySelectorAll(%q)].map((el) => el.textContent.trim())`, selector))
}

// agentPath is an agent's path under agentry's own endpoints.
func (w *workflow) agentPath(rest string) string {
	return "/agentry/v1/agents/" + w.frontDesk + rest
}

// replay sends a write the console made again, through the API, with the
// same body and If-Match: the API's answer to it is what the console had to
// show.
func (w *workflow) replay(wr write) (int, map[string]any) {
	w.t.Helper()
	method, uri, _ := strings.Cut(wr.line, " ")
	var body any
	if wr.body != "" {
		body = json.RawMessage(wr.body)
	}
	var header []string
	if wr.ifMatch != "" {
		header = []string{"If-Match", wr.ifMatch}
	}
	status, out, _ := w.s.call(method, uri, body, header...)
	return status, out
}

// tag reads one tag of the agent through the API.
func (w *workflow) tag(name string) map[string]any {
	w.t.Helper()
	return w.s.must(200, "GET", w.agentPath("/tags/"+name), nil)
}

// history reads a tag's history, newest first, through the API.
func (w *workflow) history(name string) []any {
	w.t.Helper()
	items, _ := w.s.must(200, "GET", w.agentPath("/tags/"+name+"/history"), nil)["items"].([]any)
	return items
}

// listItem is the agent's item of v2/list-agents, through the API.
func (w *workflow) listItem() map[string]any {
	w.t.Helper()
	out := w.s.must(200, "POST", "/v2/list-agents?limit=20", map[string]any{"filter_criteria": map[string]any{"query": w.frontDesk}})
	items, _ := out["items"].([]any)
	if len(items) != 1 {
		w.t.Fatalf("list-agents found %d items for %s", len(items), w.frontDesk)
	}
	return items[0].(map[string]any)
}

var escape = url.PathEscape

// tabWalk checks that the keyboard reaches every control of the view, in
// reading order: from the view's heading (where focus starts), Tab visits
// each visible, enabled link, button, field and disclosure after it, one
// after the other, and then leaves main. (A date field takes several Tabs,
// one per part; they count as one stop.)
func (w *workflow) tabWalk(view string) {
	w.t.Helper()
	want := eval[[]string](w.b, `(() => {
		const h1 = document.querySelector('main h1');
		const stops = [...document.querySelectorAll('main a[href], main button, main input, main select, main textarea, main summary, main [tabindex="0"]')]
			.filter((e) => (h1.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING) && !e.disabled &&
				e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden' &&
				!(e.type === 'radio' && !e.checked) && !(e.closest('details:not([open])') && e.tagName !== 'SUMMARY'));
		stops.forEach((e, i) => { e.dataset.walk = String(i); });
		return stops.map((e) => e.tagName + (e.type ? ':' + e.type : '') + ' ' +
			(e.getAttribute('aria-label') || e.name || e.textContent.trim().slice(0, 30) || e.placeholder || '')); })()`)
	w.b.do("focus the heading", chromedp.Evaluate[chromedp.Void](`document.querySelector('main h1').focus()`))
	var got []string
	for range len(want) + 40 {
		w.b.do("Tab", chromedp.KeyEvent(kb.Tab))
		here := eval[string](w.b, `(() => { const e = document.activeElement;
			return !e || !e.closest('main') ? 'out' : (e.dataset.walk ?? ('unexpected ' + e.tagName + ' ' + e.textContent.trim().slice(0, 30))); })()`)
		if here == "out" {
			break
		}
		if len(got) == 0 || got[len(got)-1] != here {
			got = append(got, here)
		}
	}
	var order []string
	for i := range want {
		order = append(order, strconv.Itoa(i))
	}
	if strings.Join(got, ",") != strings.Join(order, ",") {
		w.t.Errorf("%s: Tab from the heading visits the stops %v; want each once, in reading order:\n  %s",
			view, got, strings.Join(want, "\n  "))
	}
	w.b.do("clean up", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('[data-walk]').forEach((e) => delete e.dataset.walk)`))
}
