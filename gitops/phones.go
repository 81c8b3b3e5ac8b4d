package gitops

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// Phone numbers (Retell's phone-number endpoints): files
// phone-numbers/NUMBER.yaml hold a number's settings and its bindings, with
// agents named by their files; routing is agentry's routing mode
// (PUT /agentry/v1/phone-numbers/{phone_number}/routing).
var phoneKind = &flatKind{
	folder:     folderPhones,
	noun:       "phone number",
	idField:    "phone_number",
	nameField:  "phone_number",
	stampField: "last_modification_timestamp",
	getPath:    "/get-phone-number/",
	endpoint:   "/v2/list-phone-numbers",
	list: func(ctx context.Context, c *Client) ([]object, error) {
		return c.listPages(ctx, http.MethodGet, "/v2/list-phone-numbers")
	},
	toFile: phoneFile,
	apply:  applyPhone,
}

func (r *run) phoneWork(f *FlatFile) work { return r.flatWork(phoneKind, f) }

// sipFields are the SIP trunk settings the server answers in
// sip_outbound_trunk_config and update-phone-number takes at the top.
var sipFields = []string{"termination_uri", "transport", "auth_username"}

// phoneFile turns a phone number as the server has it into its file.
func phoneFile(ctx context.Context, r *run, resp object) (object, error) {
	out := object{}
	for _, k := range phoneFields {
		if v, ok := resp[k]; ok && v != nil && !contains(sipFields, k) && k != "routing" {
			out[k] = clone(v)
		}
	}
	if sip, ok := resp["sip_outbound_trunk_config"].(object); ok {
		for _, k := range sipFields {
			if v, ok := sip[k]; ok && v != nil {
				out[k] = clone(v)
			}
		}
	}
	number := str(resp, "phone_number")
	for list, folder := range bindingLists {
		items, ok := out[list].([]any)
		if !ok {
			continue
		}
		bound := make([]any, 0, len(items))
		for _, item := range items {
			b, _ := item.(object)
			m := object{}
			for k, v := range b {
				if k != "agent_id" {
					m[k] = clone(v)
				}
			}
			id := str(b, "agent_id")
			if file := r.fileOf(folder, id); file != "" {
				m["agent"] = strings.TrimSuffix(strings.TrimPrefix(file, folder+"/"), ".yaml")
			} else {
				m["agent"] = id
				r.warn("phone number %s: %s names agent %s, which is not among the %s: kept as the id", number, list, id, folder)
			}
			if v, ok := m["agent_version"]; ok && v == nil {
				delete(m, "agent_version")
			}
			if _, isRef := m["agent_version"].(string); !isRef && m["agent_version"] != nil {
				r.warn("phone number %s: %s binds %s at version %v, a number that only this server knows: bind it to a tag to apply the file elsewhere", number, list, m["agent"], m["agent_version"])
			}
			bound = append(bound, m)
		}
		out[list] = bound
	}
	mode, err := r.routingMode(ctx, number, resp)
	if err != nil {
		return nil, err
	}
	if mode != "" {
		out["routing"] = mode
	}
	return out, nil
}

// routingMode reads a number's routing mode: agentry's extension, or a
// routing_mode field of the number; "" when the server has neither.
func (r *run) routingMode(ctx context.Context, number string, resp object) (string, error) {
	if m := str(resp, "routing_mode"); m != "" {
		return m, nil
	}
	if !r.c.extensions(ctx).routing {
		return "", nil
	}
	m, _, err := r.c.getObject(ctx, "/agentry/v1/phone-numbers/"+esc(number)+"/routing", nil)
	if isStatus(err, http.StatusNotFound, http.StatusMethodNotAllowed) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return str(m, "mode"), nil
}

// phoneBody turns a file's fields into update-phone-number's body: agents
// by id, routing left out (it has its own endpoint).
func (r *run) phoneBody(fields object) (object, error) {
	out := object{}
	var missing []string
	for k, v := range fields {
		if k == "routing" {
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

// applyPhone creates (import-phone-number for custom telephony, else
// create-phone-number) or edits a phone number, then sets its routing.
func applyPhone(ctx context.Context, r *run, s *flatSync, want object) error {
	number := str(want, "phone_number")
	cur := s.file
	if s.cur == nil {
		body := object{"phone_number": number}
		path := "/create-phone-number"
		if str(want, "phone_number_type") == "custom" {
			path = "/import-phone-number"
			body["termination_uri"] = want["termination_uri"]
		} else if str(want, "phone_number_type") == "retell-telnyx" {
			body["number_provider"] = "telnyx"
		}
		err := r.step(s.rep, Step{Action: ActCreate, Detail: "create phone number " + number + " (" + strings.TrimPrefix(path, "/") + ")"}, func() error {
			resp, etag, err := r.c.send(ctx, http.MethodPost, path, nil, body, "")
			if err != nil {
				return err
			}
			got := str(resp, "phone_number")
			if got == "" {
				got = number
			}
			s.id, s.rep.ID = got, got
			r.bind(s.f.Path, got)
			if err := s.took(ctx, resp, etag); err != nil {
				return err
			}
			s.record()
			if got != number {
				return fmt.Errorf("the server made number %s, not %s (%s picks the number it buys): it is recorded for this file; to bring a number of your own, import it with phone_number_type: custom and its termination_uri", got, number, strings.TrimPrefix(path, "/"))
			}
			return nil
		})
		if err != nil {
			return err
		}
		cur = s.file
		if r.dry {
			cur = object{"phone_number": number}
			for k, v := range body {
				if k != "number_provider" {
					cur[k] = v
				}
			}
		}
	}
	keep := []string{"phone_number", "phone_number_type", "routing"} // set at creation, or by its own endpoint
	patch := flatPatch(cur, want, keep)
	if len(patch) > 0 {
		action, what := ActEdit, "edit"
		for list := range bindingLists {
			if _, ok := patch[list]; ok {
				action, what = ActRebind, "rebind"
			}
		}
		body, err := r.phoneBody(patch)
		if err != nil {
			return err
		}
		st := Step{Action: action, Detail: fmt.Sprintf("%s phone number %s (%s)", what, number, strings.Join(sortedKeys(patch), ", ")), Changes: docDiff(without(cur, keep), without(want, keep))}
		err = r.step(s.rep, st, func() error {
			resp, etag, err := r.c.send(ctx, http.MethodPatch, "/update-phone-number/"+esc(number), nil, body, s.etag)
			if err != nil {
				return err
			}
			if err := s.took(ctx, resp, etag); err != nil {
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
	if mode == "" || mode == str(cur, "routing") {
		return nil
	}
	if !r.c.extensions(ctx).routing {
		return errNoExtension("routing modes", "PUT /agentry/v1/phone-numbers/{phone_number}/routing")
	}
	return r.step(s.rep, Step{Action: ActRebind, Detail: fmt.Sprintf("set the routing of %s to %s", number, mode)}, func() error {
		if _, _, err := r.c.send(ctx, http.MethodPut, "/agentry/v1/phone-numbers/"+esc(number)+"/routing", nil, object{"mode": mode}, ""); err != nil {
			return err
		}
		cur, etag, err := r.c.getObject(ctx, s.k.getPath+esc(number), nil)
		if err != nil {
			return err
		}
		if err := s.took(ctx, cur, etag); err != nil {
			return err
		}
		s.record()
		return nil
	})
}

// without returns a copy of m less the fields named.
func without(m object, fields []string) object {
	out := cloneObject(m)
	for _, f := range fields {
		delete(out, f)
	}
	return out
}

// pullPhones reads every phone number.
func (r *run) pullPhones(ctx context.Context) ([]pulled, error) {
	return r.pullFlat(ctx, phoneKind, "phone_number")
}
