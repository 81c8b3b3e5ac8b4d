package gitops

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// The checks of a phone number file: the server's own rules for the body of
// update-phone-number (package schema for shapes, agentry.CheckPhoneFields
// for weights, references, country codes, the fallback number and the
// transport), import-phone-number's for a custom number, and the rules of
// files (agents named by files of the right folder, tags that those files
// give).

// checkPhone checks a phone number file.
func (d *Dir) checkPhone(f *FlatFile, fail func(*FileError)) {
	ok := true
	for _, k := range sortedKeys(f.Fields) {
		if !contains(phoneFileFields, k) && (!schema.UpdatePhoneNumber.Has(k) || k == "auth_password") {
			msg := "unknown field: a phone number file has phone_number, phone_number_type, routing and the fields update-phone-number takes"
			if k == "auth_password" {
				msg = "a SIP password is a secret: set it on the server, not in a file"
			}
			fail(fieldError(f.Path, f.lines, k, msg))
			ok = false
		}
	}
	if !ok {
		return
	}
	fields := withoutNulls(f.Fields)
	number, isString := fields["phone_number"].(string)
	if !isString || number == "" {
		fail(fieldError(f.Path, f.lines, "phone_number", "is required: the number, in E.164 form (+14155550100)"))
		return
	}
	// The number and its type, by the rules of the server's answer.
	identity := object{"phone_number": number, "phone_number_type": "retell-twilio", "last_modification_timestamp": num(0)}
	if t, set := fields["phone_number_type"]; set {
		identity["phone_number_type"] = t
	}
	if err := checkObject(schema.PhoneNumberResponse, identity, schema.Create); err != nil {
		fail(schemaError(f.Path, f.lines, "", err))
		return
	}
	if mode, set := fields["routing"]; set {
		if err := checkObject(schema.RoutingModeRequest, object{"mode": mode}, schema.Create); err != nil {
			fail(fieldError(f.Path, f.lines, "routing", strings.TrimPrefix(errMessage(err), "mode: ")))
			return
		}
	}
	// The rest is update-phone-number's body, agents named by a stand-in id.
	body := object{}
	for k, v := range fields {
		if !contains(phoneFileFields, k) {
			body[k] = v
		}
	}
	for list := range bindingLists {
		if items, ok := body[list].([]any); ok {
			bound := make([]any, len(items))
			for i, item := range items {
				b, isObject := item.(object)
				if !isObject {
					bound[i] = item
					continue
				}
				b = cloneObject(b)
				if a, has := b["agent"]; has {
					b["agent_id"] = a
					delete(b, "agent")
				}
				bound[i] = b
			}
			body[list] = bound
		}
	}
	err := checkObject(schema.UpdatePhoneNumber, body, schema.Update)
	if err == nil {
		var raw agentry.Fields
		if raw, err = schema.DecodeObject(encodeJSON(body)); err == nil {
			err = agentry.CheckPhoneFields(raw)
		}
	}
	if err != nil {
		fail(bindingError(f, err))
		return
	}
	if fields["phone_number_type"] == "custom" {
		// A custom number is made with import-phone-number, which needs its
		// termination URI.
		imp := object{"phone_number": number}
		for _, k := range []string{"termination_uri", "transport"} {
			if v, set := fields[k]; set {
				imp[k] = v
			}
		}
		if err := checkObject(schema.ImportPhoneNumber, imp, schema.Create); err != nil {
			fail(schemaError(f.Path, f.lines, "", fmt.Errorf("%s (a custom number is imported with it)", errMessage(err))))
			return
		}
	}
	for _, list := range sortedKeys(bindingLists) {
		d.checkBindings(f, list, fail)
	}
}

// agentIDField is a binding's agent_id in a message of the server's rules.
var agentIDField = regexp.MustCompile(`(\[\d+\])\.agent_id\b`)

// bindingError places an error of the server's rules in a phone number
// file, where bindings name their agent as agent.
func bindingError(f *FlatFile, err error) *FileError {
	msg := agentIDField.ReplaceAllString(errMessage(err), "$1.agent")
	return schemaError(f.Path, f.lines, "", fmt.Errorf("%s", msg))
}

// errMessage is the message of an error of the server's rules.
func errMessage(err error) string {
	if ae, ok := err.(*agentry.Error); ok {
		return ae.Message
	}
	return err.Error()
}

// checkBindings checks one list of agents of a phone number against the
// files: each agent is a file of the folder the list takes (voice agents
// answer calls, chat agents SMS), and a tag it binds is one those files
// give the agent.
func (d *Dir) checkBindings(f *FlatFile, list string, fail func(*FileError)) {
	items, _ := f.Fields[list].([]any)
	folder := bindingLists[list]
	for i, item := range items {
		p := indexPath(list, i)
		b, _ := item.(object)
		name, _ := b["agent"].(string)
		head := folder + "/" + name + ".yaml"
		if len(d.filesOf(head)) == 0 {
			fail(fieldError(f.Path, f.lines, p+".agent", fmt.Sprintf("no file %s: name the agent by its file (%s)", head, map[string]string{folderAgents: "voice agents answer calls", folderChatAgents: "chat agents answer SMS"}[folder])))
			continue
		}
		if x, ok := b["agent_version"].(string); ok {
			if ref, err := agentry.ParseVersionRef(x); err == nil && ref.Form == agentry.RefTag && !d.hasTag(head, x) {
				fail(fieldError(f.Path, f.lines, p+".agent_version", fmt.Sprintf("no file of agent %s gives it tag %q", name, x)))
			}
		}
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
