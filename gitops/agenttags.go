package gitops

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// An agent's tags (agentry's extension, DESIGN §6): created, moved or
// unassigned where its files say, after its versions are in place; deleted
// where no file names them, after the phone numbers are rebound (a number
// that still binds a tag keeps the server from deleting it).

// tagState is a tag as the server has it, or as the files want it.
type tagState struct {
	version       *int64
	vars          map[string]string
	publishedOnly bool
	// seq is the tag's history position, which moves with every change:
	// what the state records, and what its ETag names. 0 where the server
	// gives none (Retell's list-agents).
	seq int64
}

// token says what a tag holds: its version, variables and flag.
func (t tagState) token() string {
	v := "unassigned"
	if t.version != nil {
		v = fmt.Sprintf("v%d", *t.version)
	}
	v += " " + string(encodeJSON(varsObject(t.vars)))
	if t.publishedOnly {
		v += " published_only"
	}
	return v
}

// seen is what the state records of a tag: what it holds and its history
// position, so that a change made and undone on the server still shows.
func (t tagState) seen() string {
	if t.seq == 0 {
		return t.token()
	}
	return fmt.Sprintf("%s #%d", t.token(), t.seq)
}

// sameSeen compares a tag as recorded with the tag now. A state written
// without history positions compares what the tags hold.
func sameSeen(recorded string, now tagState) bool {
	if !strings.Contains(recorded, " #") {
		return recorded == now.token()
	}
	return recorded == now.seen()
}

func (t tagState) varsOrNil() map[string]string {
	if len(t.vars) == 0 {
		return nil
	}
	return t.vars
}

// fileTag is the tag as a file writes it.
func (t tagState) fileTag() Tag { return Tag{Vars: t.varsOrNil(), PublishedOnly: t.publishedOnly} }

// tagPathOf is the path of one tag of an agent.
func tagPathOf(agentID, tag string) string {
	return "/agentry/v1/agents/" + esc(agentID) + "/tags/" + esc(tag)
}

// serverTags reads an agent's tags: from agentry's tag endpoint when the
// server has it (with published_only and history positions), else from the
// agent's list-agents item (Retell shows tags there).
func (r *run) serverTags(ctx context.Context, id string, item object) (map[string]tagState, error) {
	if !r.c.extensions(ctx).tags {
		tm, _ := item["tags"].(object)
		return parseTags(tm), nil
	}
	m, _, err := r.c.getObject(ctx, "/agentry/v1/agents/"+esc(id)+"/tags", nil)
	if err != nil {
		return nil, err
	}
	tm, _ := m["tags"].(object)
	return parseTags(tm), nil
}

// parseTags reads a map of tag name to {version?, dynamic_variables,
// published_only?, seq?}.
func parseTags(tm object) map[string]tagState {
	out := map[string]tagState{}
	for name, v := range tm {
		m, _ := v.(object)
		out[name] = parseTag(m)
	}
	return out
}

func parseTag(m object) tagState {
	st := tagState{vars: map[string]string{}}
	if n, ok := integer(m, "version"); ok {
		st.version = &n
	}
	if dv, ok := m["dynamic_variables"].(object); ok {
		for k, x := range dv {
			if s, ok := x.(string); ok {
				st.vars[k] = s
			}
		}
	}
	st.publishedOnly, _ = m["published_only"].(bool)
	st.seq, _ = integer(m, "seq")
	return st
}

// wantedTags are the tags the files give the agent, and the version each
// assigned one is to point at.
func (s *agentSync) wantedTags(targets map[*AgentFile]*ver) (map[string]tagState, map[string]*ver) {
	want := map[string]tagState{}
	at := map[string]*ver{}
	for _, f := range s.files {
		for t, tag := range f.Tags {
			n := targets[f].n
			want[t], at[t] = tagState{version: &n, vars: tag.Vars, publishedOnly: tag.PublishedOnly}, targets[f]
		}
		for t, tag := range f.Unassigned {
			want[t] = tagState{vars: tag.Vars, publishedOnly: tag.PublishedOnly}
		}
	}
	return want, at
}

// moveTags puts the agent's tags where the files say, and returns the tags
// no file names, which deleteTags deletes once the phone numbers are
// rebound. Every tag it would write or delete is checked first: a tag that
// changed on the server since the state was recorded is a conflict.
func (s *agentSync) moveTags(ctx context.Context, targets map[*AgentFile]*ver) ([]string, error) {
	want, at := s.wantedTags(targets)
	var moves, deletes []string
	for _, t := range sortedKeys(want) {
		if cur, ok := s.tags[t]; !ok || cur.token() != want[t].token() || at[t] != nil && at[t].planned {
			moves = append(moves, t)
		}
	}
	for _, t := range sortedKeys(s.tags) {
		if _, ok := want[t]; !ok {
			deletes = append(deletes, t)
		}
	}
	if len(moves)+len(deletes) == 0 {
		s.record()
		return nil, nil
	}
	if !s.r.c.extensions(ctx).tags {
		return nil, errNoExtension("tags", "PUT /agentry/v1/agents/{agent_id}/tags/{tag}")
	}
	for _, t := range append(append([]string{}, moves...), deletes...) {
		if err := s.tagWrite(t); err != nil {
			return nil, err
		}
	}
	for _, t := range moves {
		w := want[t]
		st := Step{Action: ActMoveTag, Detail: s.tagDetail(t, w, at[t])}
		err := s.r.step(s.rep, st, func() error {
			ifMatch, err := s.tagETag(ctx, t)
			if err != nil {
				return err
			}
			body := object{"version": nil, "dynamic_variables": varsObject(w.vars), "published_only": w.publishedOnly, "reason": s.reason()}
			if w.version != nil {
				body["version"] = *w.version
			}
			resp, _, err := s.r.c.send(ctx, http.MethodPut, tagPathOf(s.id, t), nil, body, ifMatch)
			if err != nil {
				return err
			}
			s.tags[t] = parseTag(resp)
			s.record()
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return deletes, nil
}

// deleteTags deletes tags no file names.
func (s *agentSync) deleteTags(ctx context.Context, deletes []string) error {
	for _, t := range deletes {
		err := s.r.step(s.rep, Step{Action: ActDeleteTag, Detail: "delete tag " + t}, func() error {
			ifMatch, err := s.tagETag(ctx, t)
			if err != nil {
				return err
			}
			q := url.Values{"reason": {s.reason()}}
			if _, _, err := s.r.c.send(ctx, http.MethodDelete, tagPathOf(s.id, t), q, nil, ifMatch); err != nil && !isStatus(err, http.StatusNotFound) {
				return err
			}
			delete(s.tags, t)
			s.record()
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// reason is what the tags' history says of apply's changes.
func (s *agentSync) reason() string {
	if s.r.opts.Title != "" {
		return "agentry apply: " + s.r.opts.Title
	}
	return "agentry apply"
}

// tagETag reads a tag just before apply writes it and returns its ETag,
// for If-Match: the server then refuses the write (412) if the tag changes
// between this read and the write. A tag that changed since this run read
// it is a conflict, unless --force. A tag that does not exist has none.
func (s *agentSync) tagETag(ctx context.Context, t string) (string, error) {
	cur, has := s.tags[t]
	m, etag, err := s.r.c.getObject(ctx, tagPathOf(s.id, t), nil)
	switch {
	case isStatus(err, http.StatusNotFound):
		if has && !s.r.opts.Force {
			return "", conflict("tag %s of %s %s was deleted on the server while apply ran", t, kindNoun(s.kind), s.id)
		}
		return "", nil
	case err != nil:
		return "", err
	}
	now := parseTag(m)
	if !s.r.opts.Force && (!has || now.seen() != cur.seen()) {
		return "", conflict("tag %s of %s %s changed on the server while apply ran (now: %s)", t, kindNoun(s.kind), s.id, now.seen())
	}
	return etag, nil
}

// tagWrite checks that tag t may be written: the server still has it as
// the state recorded, unless --force.
func (s *agentSync) tagWrite(t string) error {
	if s.r.opts.Force || s.entry == nil || s.entry.Seen == "" {
		return nil
	}
	recorded, had := s.entry.Tags[t]
	cur, has := s.tags[t]
	if had && has && sameSeen(recorded, cur) || !had && !has {
		return nil
	}
	now, then := "absent", "absent"
	if has {
		now = cur.seen()
	}
	if had {
		then = recorded
	}
	return conflict("tag %s of %s %s changed on the server since the state was recorded (then: %s; now: %s)", t, kindNoun(s.kind), s.id, then, now)
}

func (s *agentSync) tagDetail(t string, w tagState, v *ver) string {
	to := "unassigned"
	if v != nil {
		to = s.name(v)
	}
	cur, ok := s.tags[t]
	switch {
	case !ok:
		return fmt.Sprintf("create tag %s at %s", t, to)
	case cur.version != nil && w.version != nil && *cur.version == *w.version && (v == nil || !v.planned),
		cur.version == nil && w.version == nil:
		return fmt.Sprintf("set the dynamic variables and flags of tag %s", t)
	case cur.version == nil:
		return fmt.Sprintf("move tag %s from unassigned to %s", t, to)
	}
	return fmt.Sprintf("move tag %s from version %d to %s", t, *cur.version, to)
}
