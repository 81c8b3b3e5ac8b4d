package gitops

import (
	"context"
	"sort"
)

// Which of an agent's versions holds a file: the version a tag points at,
// another equal version, or one that no other file or tag uses.

// isTarget reports whether v is the version of one of the files done.
func isTarget(v *ver, targets map[*AgentFile]*ver) bool {
	for _, t := range targets {
		if t == v {
			return true
		}
	}
	return false
}

// tagged returns the version every tag of variant f points at now, or nil
// when they point at none or at different ones.
func (s *agentSync) tagged(ctx context.Context, f *AgentFile) *ver {
	var n *int64
	for t := range f.Tags {
		st, ok := s.tags[t]
		if !ok || st.version == nil || (n != nil && *n != *st.version) {
			return nil
		}
		n = st.version
	}
	if n == nil {
		return nil
	}
	if v := s.versions[*n]; v != nil {
		return v
	}
	return s.fetch(ctx, *n)
}

// fetch reads version n, or returns nil when it is gone.
func (s *agentSync) fetch(ctx context.Context, n int64) *ver {
	agent, etag, err := s.r.c.getAgent(ctx, s.kind, s.id, &n)
	if err != nil {
		return nil
	}
	v, err := s.remember(ctx, agent, etag)
	if err != nil {
		return nil
	}
	return v
}

// usedByOthers reports whether a tag that stays elsewhere than file f, or
// another file's version, uses v: then v is not f's to edit.
func (s *agentSync) usedByOthers(v *ver, f *AgentFile, targets map[*AgentFile]*ver) bool {
	for other, t := range targets {
		if other != f && t == v {
			return true
		}
	}
	for t, st := range s.tags {
		if st.version == nil || *st.version != v.n {
			continue
		}
		if _, mine := f.Tags[t]; mine {
			continue
		}
		if s.fileOfTag(t) != nil {
			return true // another file's tag, not moved yet
		}
	}
	return false
}

// fileOfTag returns the file that gives the agent tag t, or nil.
func (s *agentSync) fileOfTag(t string) *AgentFile {
	for _, f := range s.files {
		if _, ok := f.Tags[t]; ok {
			return f
		}
	}
	return nil
}

// find looks for a version equal to variant f among all the agent's
// versions but the latest and those of other files: the highest published
// one, else the highest draft.
func (s *agentSync) find(ctx context.Context, f *AgentFile, targets map[*AgentFile]*ver) (*ver, error) {
	if !s.all {
		all, err := s.r.c.agentVersions(ctx, s.kind, s.id)
		if err != nil {
			return nil, err
		}
		for _, a := range all {
			n, ok := integer(a, "version")
			if !ok {
				continue
			}
			if _, known := s.versions[n]; !known {
				s.versions[n] = &ver{n: n, agent: a, published: a["is_published"] == true}
			}
		}
		s.all = true
	}
	numbers := make([]int64, 0, len(s.versions))
	for n := range s.versions {
		numbers = append(numbers, n)
	}
	sort.Slice(numbers, func(i, j int) bool {
		a, b := s.versions[numbers[i]], s.versions[numbers[j]]
		if a.published != b.published {
			return a.published
		}
		return a.n > b.n
	})
	for _, n := range numbers {
		v := s.versions[n]
		if v.planned || v.n == s.latest || isTarget(v, targets) {
			continue
		}
		if !v.loaded {
			quick, _ := configOnly(s.kind, v.agent, agentMeta, "")
			if f.EngineKind != nil {
				delete(quick, "response_engine")
			}
			if !equalValues(quick, meant(s.kind, quick, f.Agent)) {
				continue
			}
			if err := s.loadEngine(ctx, v); err != nil {
				return nil, err
			}
		}
		if sameConfig(s.kind, v.content, f.Content) {
			return v, nil
		}
	}
	return nil, nil
}
