package gitops

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/agentry/agentry"
)

// The fields of shared components, knowledge bases and phone numbers that
// files hold: what their create and update endpoints take (Retell's SDK
// 5.66.1), less what only the server sets. agentry's schema package has no
// rules for these objects yet, so the checks here are the shapes the
// references give; a flow component's nodes and tools are checked with the
// conversation flow's own rules.

// componentFields are a shared component's fields.
var componentFields = []string{"name", "nodes", "tools", "start_node_id", "flex_mode", "mcps", "notes", "begin_tag_display_position"}

// kbFields are a knowledge base's fields in files; sources stands for its
// URL, text and document sources.
var kbFields = []string{"knowledge_base_name", "enable_auto_refresh", "max_chunk_size", "min_chunk_size", "sources"}

// phoneFields are a phone number's fields in files; routing is agentry's
// routing mode.
var phoneFields = []string{"phone_number", "phone_number_type", "nickname", "inbound_agents", "outbound_agents",
	"inbound_sms_agents", "outbound_sms_agents", "inbound_webhook_url", "inbound_sms_webhook_url",
	"allowed_inbound_country_list", "allowed_outbound_country_list", "fallback_number",
	"termination_uri", "transport", "auth_username", "routing"}

// bindingLists are the phone number's lists of agents, and which folder
// their agents are in: voice agents answer calls, chat agents SMS.
var bindingLists = map[string]string{
	"inbound_agents":      folderAgents,
	"outbound_agents":     folderAgents,
	"inbound_sms_agents":  folderChatAgents,
	"outbound_sms_agents": folderChatAgents,
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// unknownFields reports fields of f not in known.
func unknownFields(f *FlatFile, known []string, noun string, fail func(*FileError)) bool {
	ok := true
	for _, k := range sortedKeys(f.Fields) {
		if !contains(known, k) {
			fail(fieldError(f.Path, f.lines, k, "unknown field: a "+noun+" file has "+joinWords(known)))
			ok = false
		}
	}
	return ok
}

func joinWords(words []string) string {
	s := ""
	for i, w := range words {
		switch {
		case i == 0:
		case i == len(words)-1:
			s += " and "
		default:
			s += ", "
		}
		s += w
	}
	return s
}

// checkComponent checks a shared component: a name, and nodes and tools by
// the rules of a conversation flow's.
func checkComponent(f *FlatFile, fail func(*FileError)) {
	if !unknownFields(f, componentFields, "shared component", fail) {
		return
	}
	if s, ok := f.Fields["name"].(string); !ok || s == "" {
		fail(fieldError(f.Path, f.lines, "name", "is required: a non-empty string"))
	}
	if _, ok := f.Fields["nodes"].([]any); !ok {
		fail(fieldError(f.Path, f.lines, "nodes", "is required: a list of nodes"))
		return
	}
	flow := object{}
	for k, v := range f.Fields {
		if k != "name" {
			flow[k] = v
		}
	}
	if err := checkConfig(agentry.ConversationFlow, flow, true); err != nil {
		fail(schemaError(f.Path, f.lines, "", err))
	}
}

// checkKB checks a knowledge base's metadata.
func checkKB(f *FlatFile, fail func(*FileError)) {
	if !unknownFields(f, kbFields, "knowledge base", fail) {
		return
	}
	name, ok := f.Fields["knowledge_base_name"].(string)
	if !ok || name == "" || len([]rune(name)) >= 40 {
		fail(fieldError(f.Path, f.lines, "knowledge_base_name", "is required: a string of 1 to 39 characters"))
	}
	if v, set := f.Fields["enable_auto_refresh"]; set {
		if _, ok := v.(bool); !ok {
			fail(fieldError(f.Path, f.lines, "enable_auto_refresh", "must be a boolean"))
		}
	}
	sizes := map[string]int64{}
	for _, k := range []string{"max_chunk_size", "min_chunk_size"} {
		if _, set := f.Fields[k]; !set {
			continue
		}
		n, ok := integer(f.Fields, k)
		if !ok || n < 1 {
			fail(fieldError(f.Path, f.lines, k, "must be a positive integer"))
			continue
		}
		sizes[k] = n
	}
	if mx, ok := sizes["max_chunk_size"]; ok {
		if mn, ok := sizes["min_chunk_size"]; ok && mn >= mx {
			fail(fieldError(f.Path, f.lines, "min_chunk_size", "must be less than max_chunk_size"))
		}
	}
	v, set := f.Fields["sources"]
	if !set {
		return
	}
	list, ok := v.([]any)
	if !ok {
		fail(fieldError(f.Path, f.lines, "sources", "must be a list of sources"))
		return
	}
	seen := map[string]bool{}
	for i, item := range list {
		p := indexPath("sources", i)
		src, ok := item.(object)
		if !ok {
			fail(fieldError(f.Path, f.lines, p, "must be a source: {type: url, url}, {type: text, title, text} or {type: document, filename}"))
			continue
		}
		key, err := sourceKey(src)
		if err != "" {
			fail(fieldError(f.Path, f.lines, p, err))
			continue
		}
		if seen[key] {
			fail(fieldError(f.Path, f.lines, p, "is listed twice"))
		}
		seen[key] = true
	}
}

// sourceKey identifies a knowledge base source: a URL by its address, a
// text by its title, a document by its file name. It returns what is wrong
// with a source instead when it is not well formed.
func sourceKey(src object) (string, string) {
	allowed := map[string][]string{"url": {"type", "url"}, "text": {"type", "title", "text"}, "document": {"type", "filename"}}
	t := str(src, "type")
	fields, ok := allowed[t]
	if !ok {
		return "", "type: must be one of url, text, document"
	}
	for _, k := range sortedKeys(src) {
		if !contains(fields, k) {
			return "", fmt.Sprintf("unknown field %q: a %s source has %s", k, t, joinWords(fields))
		}
	}
	id := map[string]string{"url": "url", "text": "title", "document": "filename"}[t]
	if s, ok := src[id].(string); !ok || s == "" {
		return "", id + ": is required: a non-empty string"
	}
	if v, set := src["text"]; set {
		if _, ok := v.(string); !ok {
			return "", "text: must be a string"
		}
	}
	return t + "\x00" + str(src, id), ""
}

// checkPhone checks a phone number: its fields' types and its bindings:
// agents named by their files (voice agents for calls, chat agents for
// SMS), weights in (0, 1] that sum to 1, versions that are numbers, latest,
// latest_published or a tag the agent's files give it.
func (d *Dir) checkPhone(f *FlatFile, fail func(*FileError)) {
	if !unknownFields(f, phoneFields, "phone number", fail) {
		return
	}
	if s, ok := f.Fields["phone_number"].(string); !ok || s == "" {
		fail(fieldError(f.Path, f.lines, "phone_number", "is required: the number, in E.164 form (+14155550100)"))
	}
	enums := map[string][]string{"phone_number_type": {"retell-twilio", "retell-telnyx", "custom"}, "routing": {"random", "sticky"}}
	for k, values := range enums {
		if v, set := f.Fields[k]; set {
			if s, ok := v.(string); !ok || !contains(values, s) {
				fail(fieldError(f.Path, f.lines, k, "must be one of "+joinWords(values)))
			}
		}
	}
	for _, k := range []string{"nickname", "inbound_webhook_url", "inbound_sms_webhook_url", "fallback_number", "termination_uri", "transport", "auth_username"} {
		if v, set := f.Fields[k]; set && v != nil {
			if _, ok := v.(string); !ok {
				fail(fieldError(f.Path, f.lines, k, "must be a string or null"))
			}
		}
	}
	for _, k := range []string{"allowed_inbound_country_list", "allowed_outbound_country_list"} {
		if v, set := f.Fields[k]; set && v != nil {
			list, ok := v.([]any)
			for _, item := range list {
				if _, isStr := item.(string); !isStr {
					ok = false
				}
			}
			if !ok {
				fail(fieldError(f.Path, f.lines, k, "must be a list of country codes (US, CA, ...) or null"))
			}
		}
	}
	for _, list := range sortedKeys(bindingLists) {
		d.checkBindings(f, list, fail)
	}
}

// checkBindings checks one list of agents of a phone number.
func (d *Dir) checkBindings(f *FlatFile, list string, fail func(*FileError)) {
	v, set := f.Fields[list]
	if !set || v == nil {
		return
	}
	items, ok := v.([]any)
	if !ok {
		fail(fieldError(f.Path, f.lines, list, "must be a list of {agent, agent_version, weight} or null"))
		return
	}
	folder := bindingLists[list]
	sum := 0.0
	seen := map[string]bool{}
	for i, item := range items {
		p := indexPath(list, i)
		b, ok := item.(object)
		if !ok {
			fail(fieldError(f.Path, f.lines, p, "must be {agent, agent_version, weight}"))
			return
		}
		for _, k := range sortedKeys(b) {
			if k != "agent" && k != "agent_version" && k != "weight" {
				fail(fieldError(f.Path, f.lines, p+"."+k, "unknown field: a binding has agent (a file name), agent_version and weight"))
				return
			}
		}
		name := str(b, "agent")
		head := folder + "/" + name + ".yaml"
		if len(d.filesOf(head)) == 0 {
			fail(fieldError(f.Path, f.lines, p+".agent", fmt.Sprintf("no file %s: name the agent by its file (%s)", head, map[string]string{folderAgents: "voice agents answer calls", folderChatAgents: "chat agents answer SMS"}[folder])))
			return
		}
		w, ok := b["weight"].(json.Number)
		weight, err := strconv.ParseFloat(string(w), 64)
		if !ok || err != nil || weight <= 0 || weight > 1 {
			fail(fieldError(f.Path, f.lines, p+".weight", "is required: a number greater than 0 and at most 1"))
			return
		}
		sum += weight
		version := "latest"
		switch x := b["agent_version"].(type) {
		case nil:
		case json.Number:
			n, err := x.Int64()
			if err != nil || n < 0 {
				fail(fieldError(f.Path, f.lines, p+".agent_version", "must be a version number (0 or more), latest, latest_published or a tag"))
				return
			}
			version = x.String()
		case string:
			ref, err := agentry.ParseVersionRef(x)
			if err != nil || ref.Form == agentry.RefNone || ref.Form == agentry.RefNumber {
				fail(fieldError(f.Path, f.lines, p+".agent_version", "must be a version number (0 or more), latest, latest_published or a tag"))
				return
			}
			if ref.Form == agentry.RefTag && !d.hasTag(head, x) {
				fail(fieldError(f.Path, f.lines, p+".agent_version", fmt.Sprintf("no file of agent %s gives it tag %q", name, x)))
				return
			}
			version = x
		default:
			fail(fieldError(f.Path, f.lines, p+".agent_version", "must be a version number (0 or more), latest, latest_published or a tag"))
			return
		}
		if seen[name+"@"+version] {
			fail(fieldError(f.Path, f.lines, p, "binds the same agent and version twice"))
			return
		}
		seen[name+"@"+version] = true
	}
	if len(items) > 0 && math.Abs(sum-1) > 1e-6 {
		fail(fieldError(f.Path, f.lines, list, fmt.Sprintf("weights must add up to 1 (they add up to %g)", sum)))
	}
}

// hasTag reports whether a file of the agent gives it tag t.
func (d *Dir) hasTag(head, t string) bool {
	for _, f := range d.filesOf(head) {
		if _, ok := f.Tags[t]; ok {
			return true
		}
		if _, ok := f.Unassigned[t]; ok {
			return true
		}
	}
	return false
}
