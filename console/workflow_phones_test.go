package console_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// phones: import and create numbers; bind three versions with weights
// checked as typed against the API's rules (Save disabled until they sum to
// 1 within 1e-6); save only the changed list; set sticky routing; ask which
// version answers one caller and how 1,000 callers spread, and check both
// against the API; refuse to delete a tag the number uses.
func (w *workflow) phones() {
	t, b, s := w.t, w.b, w.s
	// The audit step filters by the second this step starts in: let the
	// changes before it fall in an earlier second.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	w.phoneStart = time.Now().Truncate(time.Second)
	number := "+14155550100"
	t.Log("phone numbers: none yet; import one")
	w.open("#/phone-numbers")
	b.waitText("main .empty", "No phone numbers yet")
	w.clickText(".heading button", "New number…")
	b.waitFor("the dialog", `document.querySelector('dialog[open]') !== null`)
	w.click("dialog input[value=import]")
	b.do("number", chromedp.SendKeys(chromedp.CSS("dialog input[placeholder='+14155550100']"), number))
	b.do("termination", chromedp.SendKeys(chromedp.CSS("dialog input[placeholder$='twilio.com']"), "pbx.example.com"))
	b.do("nickname", chromedp.SendKeys(chromedp.CSS("dialog input[maxlength='200']"), "Front desk line"))
	w.click("dialog button[type=submit]")
	b.waitText("main h1", "+1 (415) 555-0100")
	if got := eval[string](b, `location.hash`); got != "#/phone-numbers/%2B14155550100" {
		t.Errorf("after importing, the address is %s", got)
	}
	if p := s.must(200, "GET", "/get-phone-number/"+escape(number), nil); p["phone_number_type"] != "custom" || p["nickname"] != "Front desk line" {
		t.Errorf("the imported number is %v", p)
	}
	b.checkConsole("import a number")

	t.Log("phone numbers: get one (agentry invents it) in area code 650")
	w.open("#/phone-numbers")
	b.waitFor("one number", `document.querySelectorAll('table.phones tbody tr').length === 1`)
	w.clickText(".heading button", "New number…")
	b.waitFor("the dialog", `document.querySelector('dialog[open]') !== null`)
	b.do("area code", chromedp.SendKeys(chromedp.CSS("dialog input[placeholder='415']"), "650"))
	w.click("dialog button[type=submit]")
	b.waitText("main h1", "+1 (650)")
	w.open("#/phone-numbers")
	b.waitFor("two numbers", `document.querySelectorAll('table.phones tbody tr').length === 2`)
	b.checkConsole("get a number")

	t.Log("bindings: weights checked as typed; Save only while the list is right")
	w.clickText("table.phones a", "+1 (415) 555-0100")
	b.waitText(".binding-list .sum", "No agents: this list routes nothing.")
	b.waitText("section[aria-labelledby=routing-h]", "Now: random.")
	inbound := "section[aria-labelledby=inbound_agents-h]"
	row := func(i int, what string) string {
		return fmt.Sprintf("%s tbody tr:nth-child(%d) %s", inbound, i, what)
	}
	w.clickText(inbound+" .buttons button", "Add an agent")
	b.waitFor("focus in the new row", fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, row(1, "input.agent-id")))
	b.do("type a name", chromedp.SendKeys(chromedp.CSS(row(1, "input.agent-id")), "Front desk"))
	b.waitFor("the agent suggested by name", fmt.Sprintf(`[...document.querySelectorAll(%q)].some((o) => o.value === %q)`,
		row(1, "datalist option"), w.frontDesk))
	w.set(row(1, "input.agent-id"), w.frontDesk)
	b.waitText(row(1, ".who"), "Front desk (faster) · voice")
	b.do("version", chromedp.SendKeys(chromedp.CSS(row(1, "input[placeholder=latest]")), "prod"))
	b.waitText(inbound+" .sum", "The weights sum to 1.")
	for i, version := range []string{"1", "prod"} {
		w.clickText(inbound+" .buttons button", "Add an agent")
		b.do("agent", chromedp.SendKeys(chromedp.CSS(row(i+2, "input.agent-id")), w.frontDesk))
		b.do("version", chromedp.SendKeys(chromedp.CSS(row(i+2, "input[placeholder=latest]")), version))
		b.do("weight", chromedp.SendKeys(chromedp.CSS(row(i+2, "input.weight")), "0.333"))
	}
	b.waitText(row(3, ".row-problem"), "Row 1 has this agent and version already.")
	w.set(row(3, "input[placeholder=latest]"), "latest_published")
	w.set(row(1, "input.weight"), "0.333")
	b.waitText(inbound+" .sum", "The weights sum to 0.999; they must sum to 1.")
	if !eval[bool](b, `document.querySelector('form.bindings-form button[type=submit]').disabled`) {
		t.Error("Save is enabled while the weights sum to 0.999")
	}
	b.checkConsole("weights")
	b.shoot(w.shots, "phone-weights", inbound+" .sum")
	// 0.3333333 three times is 0.9999999: within the API's 1e-6.
	for i := 1; i <= 3; i++ {
		w.set(row(i, "input.weight"), "0.3333333")
	}
	b.waitText(inbound+" .sum", "The weights sum to 0.9999999.")
	if eval[bool](b, `document.querySelector('form.bindings-form button[type=submit]').disabled`) {
		t.Error("Save is disabled while the weights sum to 1 within the API's tolerance")
	}
	w.click("form.bindings-form button[type=submit]")
	b.waitText(".toast", "Bindings saved.")
	patch := s.lastSent("PATCH /update-phone-number/%2B14155550100")
	var sent map[string][]map[string]any
	if err := json.Unmarshal([]byte(patch.body), &sent); err != nil || len(sent) != 1 || len(sent["inbound_agents"]) != 3 {
		t.Errorf("saving sent %s; want the inbound list alone, with three entries", patch.body)
	}
	p := s.must(200, "GET", "/get-phone-number/"+escape(number), nil)
	got, _ := json.Marshal(p["inbound_agents"])
	wantList := fmt.Sprintf(`[{"agent_id":%q,"agent_version":"prod","weight":0.3333333},{"agent_id":%q,"agent_version":1,"weight":0.3333333},{"agent_id":%q,"agent_version":"latest_published","weight":0.3333333}]`,
		w.frontDesk, w.frontDesk, w.frontDesk)
	if string(got) != wantList {
		t.Errorf("the number's inbound list is %s, want %s", got, wantList)
	}
	b.checkConsole("save bindings")

	t.Log("routing mode: sticky")
	w.set("section[aria-labelledby=routing-h] select", "sticky")
	w.click("section[aria-labelledby=routing-h] button[type=submit]")
	b.waitText("section[aria-labelledby=routing-h]", "Now: sticky.")
	if m := s.must(200, "GET", "/agentry/v1/phone-numbers/"+escape(number)+"/routing", nil); m["mode"] != "sticky" {
		t.Errorf("the routing mode is %v", m)
	}
	b.checkConsole("routing mode")

	t.Log("which version answers: one caller, then 1,000, as the API answers them")
	caller := "+14155550199"
	b.do("caller", chromedp.SendKeys(chromedp.CSS("form.tester input[placeholder='+14155550199']"), caller))
	w.click("form.tester button[type=submit]")
	b.waitFor("the answer", `document.querySelector('form.tester .answer') !== null`)
	r := s.must(200, "POST", "/agentry/v1/resolve", map[string]any{"phone_number": number, "direction": "inbound", "from_number": caller})
	b.waitText("form.tester .answer .big", fmt.Sprintf("%s v%v", w.frontDesk, r["agent_version"]))
	b.waitText("form.tester .answer", fmt.Sprintf("entry %v of inbound (sticky mode)", r["entry"].(float64)+1))
	if sent := decode(t, s.lastSent("POST /agentry/v1/resolve").body); sent["from_number"] != caller || sent["direction"] != "inbound" {
		t.Errorf("the tester sent %v", sent)
	}
	b.checkConsole("one caller")
	w.clickText(".sampler button", "Try the callers")
	b.waitFor("the tally", `document.querySelectorAll('table.sample tbody tr').length === 3`)
	// The same 1,000 callers through the API: sticky routing gives each the
	// same entry every time, so the counts must be equal.
	tally := make([]int, 3)
	for i := range 1000 {
		r := s.must(200, "POST", "/agentry/v1/resolve", map[string]any{"phone_number": number, "direction": "inbound",
			"from_number": fmt.Sprintf("+1555%07d", i)})
		tally[int(r["entry"].(float64))]++
	}
	answered := w.texts("table.sample td.answered")
	for i, n := range tally {
		if i >= len(answered) || answered[i] != strconv.Itoa(n) {
			t.Errorf("the tester counts %v answers per entry; the API gives %v", answered, tally)
			break
		}
		if share := float64(n) / 1000; math.Abs(share-1.0/3) > 0.05 {
			t.Errorf("entry %d answered %.1f%% of 1,000 callers; its weight is 33.3%%", i+1, share*100)
		}
	}
	b.checkConsole("1,000 callers")
	w.tabWalk("phone number")
	b.shoot(w.shots, "phone", "table.sample")

	t.Log("a tag that a number uses cannot be deleted: the API's 400, as worded")
	w.open("#/agents/" + w.frontDesk)
	b.waitText(".tags-section tbody", "prod")
	b.do("delete prod", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('.tags-section tbody tr')]
		.find((tr) => tr.querySelector('th').textContent.startsWith('prod')).querySelector('button.danger').click()`))
	b.waitFor("the dialog", `document.querySelector('dialog[open] input') === document.activeElement`)
	b.do("reason", chromedp.SendKeys(chromedp.CSS("dialog input"), "clean up"))
	b.expect(w.agentPath("/tags/prod"), 400)
	w.click("dialog button[type=submit]")
	b.waitFor("the error", `document.querySelector('dialog .error') !== null`)
	del := s.lastSent("DELETE " + w.agentPath("/tags/prod"))
	if !strings.Contains(del.line, "reason=clean+up") && !strings.Contains(del.line, "reason=clean%20up") {
		t.Errorf("the delete sent %s; want the reason", del.line)
	}
	status, answer := w.replay(del)
	if status != 400 || !strings.Contains(answer["message"].(string), "+14155550100 (inbound_agents)") {
		t.Errorf("the API answers the delete %d %v", status, answer)
	}
	b.waitText("dialog .error", answer["message"].(string))
	w.tag("prod") // still there
	b.checkConsole("delete a tag in use")
	b.do("close", chromedp.Evaluate[chromedp.Void](`document.querySelector('dialog').close()`))
	b.waitFor("the dialog to close", `document.querySelector('dialog') === null`)
	w.open("#/phone-numbers")
	b.waitText("table.phones", "prod · 33.3%")
	b.checkConsole("numbers")
	w.tabWalk("phone numbers")
	b.shoot(w.shots, "phones")
}
