package gitops

import (
	"context"
	"fmt"
)

// An agent's tags: moved, unassigned or deleted where its files say, after
// its versions are in place.

// moveTags puts the agent's tags where the files say and deletes the tags
// no file names.
func (s *agentSync) moveTags(ctx context.Context, targets map[*AgentFile]*ver) error {
	want := map[string]tagState{}
	at := map[string]*ver{}
	for _, f := range s.files {
		for t, tag := range f.Tags {
			n := targets[f].n
			want[t], at[t] = tagState{version: &n, vars: tag.Vars}, targets[f]
		}
		for t, tag := range f.Unassigned {
			want[t] = tagState{vars: tag.Vars}
		}
	}
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
		return nil
	}
	if !s.r.c.extensions(ctx).tags {
		return errNoExtension("tags", "PUT /agentry/v1/agents/{agent_id}/tags/{tag}")
	}
	for _, t := range append(append([]string{}, moves...), deletes...) {
		if err := s.tagWrite(t); err != nil {
			return err
		}
	}
	reason := "agentry apply"
	if s.r.opts.Title != "" {
		reason += ": " + s.r.opts.Title
	}
	for _, t := range moves {
		w := want[t]
		st := Step{Action: ActMoveTag, Detail: s.tagDetail(t, w, at[t])}
		err := s.r.step(s.rep, st, func() error {
			if err := s.r.c.putTag(ctx, s.id, t, w.version, w.vars, reason); err != nil {
				return err
			}
			s.tags[t] = w
			s.record()
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, t := range deletes {
		err := s.r.step(s.rep, Step{Action: ActDeleteTag, Detail: "delete tag " + t}, func() error {
			if err := s.r.c.deleteTag(ctx, s.id, t); err != nil {
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

// tagWrite checks that tag t may be written: the server still has it as
// the state recorded, unless --force.
func (s *agentSync) tagWrite(t string) error {
	if s.r.opts.Force || s.entry == nil || s.entry.Seen == "" {
		return nil
	}
	recorded, had := s.entry.Tags[t]
	cur, has := s.tags[t]
	if had != has || (has && recorded != cur.token()) {
		now := "absent"
		if has {
			now = cur.token()
		}
		then := "absent"
		if had {
			then = recorded
		}
		return conflict("tag %s of %s %s changed on the server since the state was recorded (then: %s; now: %s)", t, kindNoun(s.kind), s.id, then, now)
	}
	return nil
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
	case cur.version != nil && w.version != nil && *cur.version == *w.version && (v == nil || !v.planned):
		return fmt.Sprintf("set the dynamic variables of tag %s", t)
	case cur.version == nil:
		return fmt.Sprintf("move tag %s from unassigned to %s", t, to)
	}
	return fmt.Sprintf("move tag %s from version %d to %s", t, *cur.version, to)
}

// readServerTags reads the tags of a list-agents item.
func readServerTags(item object) map[string]tagState {
	out := map[string]tagState{}
	tm, _ := item["tags"].(object)
	for name, v := range tm {
		m, _ := v.(object)
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
		out[name] = st
	}
	return out
}
