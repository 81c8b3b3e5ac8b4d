package gitops

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/agentry/agentry/schema"
)

// Phone numbers (Retell's phone-number endpoints): files
// phone-numbers/NUMBER.yaml hold a number's settings and its bindings, with
// agents named by their files; routing is agentry's routing mode
// (GET and PUT /agentry/v1/phone-numbers/{phone_number}/routing).
//
// A file's phone_number is the number on the server it was pulled from. On
// every server, the state says which number stands for the file: the same
// number where the server has it or can give it (import-phone-number for
// custom telephony; create-phone-number asks for it), else, with
// --any-number, another in its area code, recorded in the state (Entry.ID
// the server's number, Entry.Number the file's) so that pull writes the
// file's number back.
var phoneKind = &flatKind{
	folder:    folderPhones,
	noun:      "phone number",
	idField:   "phone_number",
	nameField: "phone_number",
	getPath:   "/get-phone-number/",
	endpoint:  "/v2/list-phone-numbers",
	list: func(ctx context.Context, c *Client) ([]object, error) {
		return c.listPages(ctx, http.MethodGet, "/v2/list-phone-numbers")
	},
	fetch:  fetchRouting,
	toFile: phoneFile,
	same: func(s *flatSync, want object) bool {
		return equalValues(phoneManaged(s.file, want), without(want, phoneIdentity))
	},
	apply: applyPhone,
}

// phoneIdentity is the field that names a number: the state maps it to the
// server's number, so it is not compared.
var phoneIdentity = []string{"phone_number"}

// phoneManaged is the number as the server has it (in file form), less what
// a file does not manage: its number (see phoneIdentity), and its type and
// routing mode where the file leaves them out.
func phoneManaged(have, want object) object {
	out := without(have, phoneIdentity)
	for _, k := range []string{"phone_number_type", "routing"} {
		if _, set := want[k]; !set {
			delete(out, k)
		}
	}
	return out
}

// patched is the file form cur after a patch: the fields it sets, less
// those it clears.
func patched(cur, patch object) object {
	out := cloneObject(cur)
	for k, v := range patch {
		setOrDelete(out, k, v)
	}
	return out
}

func (r *run) phoneWork(f *FlatFile) work { return r.flatWork(phoneKind, f) }

// sipFields are the SIP trunk settings the server answers in
// sip_outbound_trunk_config and update-phone-number takes at the top (the
// password is never answered, so files do not hold it).
var sipFields = []string{"termination_uri", "transport", "auth_username"}

// phoneFileFields are the fields of a phone number file beside the body of
// update-phone-number: its number, its type (set when it is made) and
// agentry's routing mode.
var phoneFileFields = []string{"phone_number", "phone_number_type", "routing"}

// singleAgentFields are retell-sdk 4.x's form of the inbound and outbound
// lists, which a server answers beside them (derived from them): a file
// holds the lists alone.
var singleAgentFields = []string{"inbound_agent_id", "inbound_agent_version", "outbound_agent_id", "outbound_agent_version"}

// bindingLists are the phone number's lists of agents, and which folder
// their agents are in: voice agents answer calls, chat agents SMS.
var bindingLists = map[string]string{
	"inbound_agents":      folderAgents,
	"outbound_agents":     folderAgents,
	"inbound_sms_agents":  folderChatAgents,
	"outbound_sms_agents": folderChatAgents,
}

// fetchRouting adds the number's routing mode (agentry's extension) to
// the server's answer, as "routing"; a server without the extension (Retell)
// routes at random and has none to say.
func fetchRouting(ctx context.Context, r *run, cur object) (object, error) {
	if !r.c.extensions(ctx).routing {
		return cur, nil
	}
	m, _, err := r.c.getObject(ctx, "/agentry/v1/phone-numbers/"+esc(str(cur, "phone_number"))+"/routing", nil)
	if err != nil {
		return nil, err
	}
	out := cloneObject(cur)
	out["routing"] = str(m, "mode")
	return out, nil
}

// phoneFile turns a phone number as the server has it into its file.
func phoneFile(cur object, names namer) (object, []string) {
	out := object{}
	for k, v := range cur {
		if v != nil && (contains(phoneFileFields, k) || schema.UpdatePhoneNumber.Has(k) && !contains(sipFields, k) && !contains(singleAgentFields, k)) {
			out[k] = clone(v)
		}
	}
	if sip, ok := cur["sip_outbound_trunk_config"].(object); ok {
		for _, k := range sipFields {
			if v, ok := sip[k]; ok && v != nil {
				out[k] = clone(v)
			}
		}
	}
	var warnings []string
	for _, list := range sortedKeys(bindingLists) {
		items, ok := out[list].([]any)
		if !ok {
			continue
		}
		bound := make([]any, 0, len(items))
		for _, item := range items {
			b, _ := item.(object)
			m := object{}
			for k, v := range b {
				if k != "agent_id" && v != nil {
					m[k] = clone(v)
				}
			}
			id := str(b, "agent_id")
			if name, ok := names(refAgent, id); ok && strings.HasPrefix(name, bindingLists[list]+"/") {
				m["agent"] = strings.TrimPrefix(name, bindingLists[list]+"/")
			} else {
				m["agent"] = id
				warnings = append(warnings, fmt.Sprintf("%s names agent %s, which is not among the %s: kept as the id", list, id, bindingLists[list]))
			}
			if _, isRef := m["agent_version"].(string); !isRef && m["agent_version"] != nil {
				warnings = append(warnings, fmt.Sprintf("%s binds %s at version %v, a number that only this server knows: bind it to a tag to apply the file elsewhere", list, m["agent"], m["agent_version"]))
			}
			bound = append(bound, m)
		}
		out[list] = bound
	}
	return out, warnings
}

// phoneBody turns a file's fields into update-phone-number's body: agents
// by id, the fields update-phone-number does not take left out.
func (r *run) phoneBody(fields object) (object, error) {
	out := object{}
	var missing []string
	for k, v := range fields {
		if contains(phoneFileFields, k) {
			continue
		}
		folder, isList := bindingLists[k]
		items, ok := v.([]any)
		if !isList || !ok {
			out[k] = v
			continue
		}
		bound := make([]any, 0, len(items))
		for _, item := range items {
			b := cloneObject(item.(object))
			file := folder + "/" + str(b, "agent") + ".yaml"
			id := r.idOf(file)
			if id == "" {
				missing = append(missing, file)
			}
			delete(b, "agent")
			b["agent_id"] = id
			bound = append(bound, b)
		}
		out[k] = bound
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no id recorded for %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// phonePatch is the body that turns the number as the server has it (cur,
// in file form) into what the file wants: a field the file drops is
// cleared, where the API can clear it.
func phonePatch(cur, want object) (object, error) {
	patch := flatPatch(cur, want, phoneFileFields)
	for _, k := range sortedKeys(patch) {
		if patch[k] == nil && !schema.UpdatePhoneNumber.Nullable(k) {
			return nil, fmt.Errorf("%s is set on the server (%s) and the API cannot clear it (it is not nullable): write the value you want in the file", k, encodeJSON(cur[k]))
		}
	}
	return patch, nil
}

// applyPhone creates (import-phone-number for custom telephony, else
// create-phone-number) or edits a phone number, then sets its routing.
func applyPhone(ctx context.Context, r *run, s *flatSync, want object) error {
	number := str(want, "phone_number")
	if s.cur != nil && str(want, "phone_number_type") != "" && str(want, "phone_number_type") != str(s.file, "phone_number_type") {
		return fmt.Errorf("phone_number_type is %s on the server and is set only when a number is made: write the server's type, or delete the number on the server to make it anew", str(s.file, "phone_number_type"))
	}
	if s.cur == nil {
		if err := createPhone(ctx, r, s, want); err != nil {
			return err
		}
	}
	cur := s.file
	if r.dry && s.cur == nil {
		cur = object{"phone_number": number}
		if t := str(want, "phone_number_type"); t != "" {
			cur["phone_number_type"] = t
		}
		if t := str(want, "termination_uri"); t != "" {
			cur["termination_uri"] = t
		}
	}
	patch, err := phonePatch(cur, want)
	if err != nil {
		return err
	}
	if len(patch) > 0 {
		action, what := ActEdit, "edit"
		for list := range bindingLists {
			if _, ok := patch[list]; ok {
				action, what = ActRebind, "rebind"
			}
		}
		st := Step{Action: action, Detail: fmt.Sprintf("%s phone number %s (%s)", what, s.number(), strings.Join(sortedKeys(patch), ", ")),
			Changes: docDiff(without(cur, phoneFileFields), without(want, phoneFileFields))}
		body, err := r.phoneBody(patch)
		if err != nil {
			return err
		}
		err = r.step(s.rep, st, func() error {
			if err := s.pending(patched(cur, patch)); err != nil {
				return err
			}
			resp, _, err := r.c.send(ctx, http.MethodPatch, "/update-phone-number/"+esc(s.id), nil, body, "")
			if err != nil {
				return err
			}
			if err := s.took(ctx, resp, ""); err != nil {
				return err
			}
			s.record()
			return nil
		})
		if err != nil {
			return err
		}
	}
	mode := str(want, "routing")
	have := str(cur, "routing")
	if mode == "" || mode == have || (have == "" && mode == "random" && !r.c.extensions(ctx).routing) {
		// No mode in the file leaves it as it is; a server without modes
		// (Retell) routes at random.
		return nil
	}
	if !r.c.extensions(ctx).routing {
		return errNoExtension("routing modes other than random", "PUT /agentry/v1/phone-numbers/{phone_number}/routing")
	}
	return r.step(s.rep, Step{Action: ActRebind, Detail: fmt.Sprintf("set the routing of %s to %s", s.number(), mode)}, func() error {
		if err := s.pending(patched(s.file, object{"routing": mode})); err != nil {
			return err
		}
		if _, _, err := r.c.send(ctx, http.MethodPut, "/agentry/v1/phone-numbers/"+esc(s.id)+"/routing", nil, object{"mode": mode}, ""); err != nil {
			return err
		}
		return s.reread(ctx)
	})
}

// number names the number in steps: the server's, and the file's when
// they differ.
func (s *flatSync) number() string {
	n := str(s.f.Fields, "phone_number")
	if s.id != "" && s.id != n && !strings.HasPrefix(s.id, "(new ") {
		return s.id + " (the file's " + n + ")"
	}
	return n
}

// createPhone makes the number of a file: import-phone-number for custom
// telephony (the number is the caller's own), else create-phone-number,
// asking for the file's number. A server that gives another number (one
// that picks the number it sells), or, with --any-number, one bought
// instead of a number the server cannot give, is recorded for the file.
func createPhone(ctx context.Context, r *run, s *flatSync, want object) error {
	number := str(want, "phone_number")
	body := object{"phone_number": number}
	path := "/create-phone-number"
	switch str(want, "phone_number_type") {
	case "custom":
		path = "/import-phone-number"
		body["termination_uri"] = want["termination_uri"]
	case "retell-telnyx":
		body["number_provider"] = "telnyx"
	}
	detail := "create phone number " + number + " (" + strings.TrimPrefix(path, "/") + ")"
	got := ""
	err := r.step(s.rep, Step{Action: ActCreate, Detail: detail}, func() error {
		resp, etag, err := r.c.send(ctx, http.MethodPost, path, nil, body, "")
		if err != nil && path == "/create-phone-number" && isStatus(err, http.StatusBadRequest) && r.opts.AnyNumber {
			// Another number like the file's: in its area code, toll-free
			// if it is. Only North American numbers have area codes.
			code, tollFree, ok := areaCode(number)
			if !ok {
				return fmt.Errorf("%w (--any-number buys another number in the file's area code, and %s is not a North American number)", err, number)
			}
			other := cloneObject(body)
			delete(other, "phone_number")
			other["area_code"], other["toll_free"] = num(code), tollFree
			var err2 error
			if resp, etag, err2 = r.c.send(ctx, http.MethodPost, path, nil, other, ""); err2 != nil {
				return fmt.Errorf("%v; then, asking for any number like it: %w", err, err2)
			}
			err = nil
		}
		if err != nil {
			return err
		}
		got = str(resp, "phone_number")
		if got == "" {
			return fmt.Errorf("the server made a phone number but answered without it")
		}
		s.id, s.rep.ID = got, got
		r.bind(s.f.Path, got)
		e := r.state.entry(s.f.Path)
		e.Number = ""
		if got != number {
			e.Number = number
			r.warn("%s: the file's number is %s on this server (the state records it)", s.f.Path, got)
		}
		if err := s.took(ctx, resp, etag); err != nil {
			return err
		}
		s.record()
		return nil
	})
	if err == nil && got != "" && got != number {
		s.rep.Steps[len(s.rep.Steps)-1].Detail = fmt.Sprintf("%s: the server gave %s, which stands for the file's number on this server (recorded in the state)", detail, got)
	}
	return err
}

// areaCode reads the area code of a North American number, and whether it
// is a toll-free one.
func areaCode(number string) (int64, bool, bool) {
	if len(number) != 12 || !strings.HasPrefix(number, "+1") {
		return 0, false, false
	}
	var code int64
	for _, c := range number[2:5] {
		if c < '0' || c > '9' {
			return 0, false, false
		}
		code = code*10 + int64(c-'0')
	}
	return code, contains([]string{"800", "833", "844", "855", "866", "877", "888"}, number[2:5]), true
}

// without returns a copy of m less the fields named.
func without(m object, fields []string) object {
	out := cloneObject(m)
	for _, f := range fields {
		delete(out, f)
	}
	return out
}

// setOrDelete sets m[k] to v, or deletes it when v is nil.
func setOrDelete(m object, k string, v any) {
	if v == nil {
		delete(m, k)
	} else {
		m[k] = v
	}
}

// pullPhones reads every phone number.
func (r *run) pullPhones(ctx context.Context) ([]pulled, error) {
	return r.pullFlat(ctx, phoneKind, "phone_number")
}
