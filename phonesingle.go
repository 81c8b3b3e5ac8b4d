package agentry

import (
	"context"
	"encoding/json"
	"maps"
	"strconv"
)

// retell-sdk 4.x binds one agent per direction of a phone number, in four
// flat fields: inbound_agent_id and inbound_agent_version, outbound_agent_id
// and outbound_agent_version. The current API replaced them with weighted
// lists (inbound_agents, outbound_agents), and its reference no longer lists
// them. A 4.x client still sends and reads them, and they say something the
// lists can say, so agentry takes them in every mode (docs/API.md, "Retell
// SDK 4.x"): a request's single-agent fields become a one-entry list of
// weight 1, and every answer shows its lists in them too. 4.x has no SMS
// fields, so the SMS lists have no single form.

// SingleDirections are the directions that have single-agent fields.
var SingleDirections = []Direction{Inbound, Outbound}

// SingleFields names d's single-agent fields: the agent id and its version.
func (d Direction) SingleFields() (id, version string) {
	return string(d) + "_agent_id", string(d) + "_agent_version"
}

// SingleAgent is one direction of a phone number as its single-agent fields
// show it.
type SingleAgent struct {
	// AgentID is the agent of the list's heaviest entry (the first of the
	// heaviest when several weigh the same); "" when the list is empty.
	AgentID string
	// Version is the version that entry names: its number, or for
	// latest_published or a tag the number that names now. nil when the
	// entry names latest (4.x's "no version") or the list is empty.
	Version *int64
}

// takeSingleFields replaces the single-agent fields of a request by the
// lists they stand for, given the number's lists before the request (empty
// on a create). f itself is not changed. It returns the directions whose
// list the single-agent fields set, so that errors about those lists can
// name the fields the client sent.
//
// An agent id makes a list of one entry, of weight 1, at the version sent
// (latest without one); a null id clears the list. A version without an id
// changes the version of the list's one entry. Sending a direction's
// single-agent fields with its list is a 400 that names both.
func takeSingleFields(f Fields, lists map[Direction][]Binding) (Fields, map[Direction]bool, error) {
	out := f
	cloned := false
	var set map[Direction]bool
	for _, d := range SingleDirections {
		idField, versionField := d.SingleFields()
		rawID, hasID := f[idField]
		rawVersion, hasVersion := f[versionField]
		if !hasID && !hasVersion {
			continue
		}
		if _, both := f[d.Field()]; both {
			sent := idField
			if !hasID {
				sent = versionField
			}
			return nil, nil, Errorf(EINVALID, "%s: sent with %s; send one or the other (%s and %s are retell-sdk 4.x's form of %s)",
				sent, d.Field(), idField, versionField, d.Field())
		}
		if !cloned {
			out, cloned = maps.Clone(f), true
		}
		delete(out, idField)
		delete(out, versionField)
		var id string
		if hasID && string(rawID) != "null" {
			if err := json.Unmarshal(rawID, &id); err != nil || id == "" {
				return nil, nil, Errorf(EINVALID, "%s: must be an agent id (a non-empty string) or null, got %s", idField, rawID)
			}
		}
		var version *int64
		if hasVersion && string(rawVersion) != "null" {
			n, err := ParseVersionNumber(string(rawVersion))
			if err != nil {
				return nil, nil, Errorf(EINVALID, "%s: must be a version number (0, 1, 2, ...) or null, got %s", versionField, rawVersion)
			}
			version = &n
		}
		var entry *Binding
		switch cur := lists[d]; {
		case id != "":
			entry = &Binding{AgentID: id, Version: VersionRef{Form: RefLatest}, Weight: 1}
		case hasID && version != nil:
			return nil, nil, Errorf(EINVALID, "%s: %d sent with %s null; a version needs an agent", versionField, *version, idField)
		case hasID:
			// A null id clears the list.
		case len(cur) == 1:
			entry = &Binding{AgentID: cur[0].AgentID, Version: VersionRef{Form: RefLatest}, Weight: 1}
		case len(cur) == 0 && version == nil:
			continue // null version of no agent: nothing to change
		case len(cur) == 0:
			return nil, nil, Errorf(EINVALID, "%s: the number binds no agent in %s; send %s with it", versionField, d.Field(), idField)
		default:
			return nil, nil, Errorf(EINVALID, "%s: the number binds %d agents in %s, and a version alone cannot say which entry it is for; send %s with it, or change %s",
				versionField, len(cur), d.Field(), idField, d.Field())
		}
		if entry != nil && version != nil {
			entry.Version = VersionRef{Form: RefNumber, Number: *version}
		}
		out[d.Field()] = encodeSingleList(entry)
		if set == nil {
			set = map[Direction]bool{}
		}
		set[d] = true
	}
	return out, set, nil
}

// encodeSingleList writes the list one entry stands for (null for none) as
// a client of the current API would send it.
func encodeSingleList(b *Binding) json.RawMessage {
	if b == nil {
		return json.RawMessage("null")
	}
	out := append([]byte(`[{"agent_id":`), strconv.Quote(b.AgentID)...)
	if b.Version.Form == RefNumber {
		out = append(out, `,"agent_version":`...)
		out = strconv.AppendInt(out, b.Version.Number, 10)
	}
	return append(out, `,"weight":1}]`...)
}

// heaviest returns the entry of list that single-agent fields show: the one
// with the largest weight, the first of those when several weigh the same.
func heaviest(list []Binding) (Binding, bool) {
	if len(list) == 0 {
		return Binding{}, false
	}
	best := 0
	for i, b := range list {
		if b.Weight > list[best].Weight {
			best = i
		}
	}
	return list[best], true
}

// FillSingleAgents sets the single-agent fields (Phone.Single) of phone
// numbers for their answers. An entry bound at latest_published or at a tag
// shows the version that names now, read from the routing snapshots
// (cached, like resolve; each agent's once per call, so a page of numbers
// bound to a few agents reads a few snapshots even without the cache).
func (s *Service) FillSingleAgents(ctx context.Context, c Caller, phones ...*Phone) error {
	snapshots := map[string]*AgentRoutes{}
	for _, p := range phones {
		if p.Lists == nil {
			if err := p.parseLists(); err != nil {
				return err
			}
		}
		p.Single = make(map[Direction]SingleAgent, len(SingleDirections))
		for _, d := range SingleDirections {
			b, ok := heaviest(p.Lists[d])
			if !ok {
				p.Single[d] = SingleAgent{}
				continue
			}
			one := SingleAgent{AgentID: b.AgentID}
			switch b.Version.Form {
			case RefNumber:
				n := b.Version.Number
				one.Version = &n
			case RefLatestPublished, RefTag:
				n, err := s.namedVersion(ctx, c, snapshots, b)
				if err != nil {
					return err
				}
				one.Version = n
			}
			p.Single[d] = one
		}
	}
	return nil
}

// namedVersion is the number an entry's latest_published or tag names now,
// from the agent's snapshot (read once per call into snapshots). nil when
// it names none any more: the answer is read after the write committed, so
// another request may have unbound and deleted the agent or tag meanwhile,
// and the write's answer must not fail for that.
func (s *Service) namedVersion(ctx context.Context, c Caller, snapshots map[string]*AgentRoutes, b Binding) (*int64, error) {
	a := snapshots[b.AgentID]
	if a == nil {
		var err error
		a, err = s.agentRoutes(ctx, c.Workspace, b.AgentID, true)
		if ErrorCode(err) == ENOTFOUND {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		snapshots[b.AgentID] = a
	}
	res, err := a.Resolve(b.Version)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &res.Version, nil
}
