package gitops

import (
	"context"
	"fmt"

	"github.com/agentry/agentry"
)

// An agent's files say what its versions hold: the main file
// (agents/NAME.yaml) the latest version, each variant (agents/NAME@TAG.yaml)
// the version its tags point at. Applying one agent:
//
//  1. each variant, then the main file, gets a version that holds it: the
//     version it already has when that one is equal; else an equal version
//     found among the agent's versions (a variant only); else its draft
//     edited in place, when it is a draft only this file uses; else a new
//     draft (create-agent-version from the version it had, which in
//     agentry branches the engine version too) edited to hold it;
//  2. with --publish, each of those versions that is a draft is published
//     (which publishes the engine version it pins);
//  3. the tags are moved to where the files say, unassigned where they
//     say so, and deleted where no file names them.
//
// Every version is compared as its file shows it: the agent's fields and
// the pinned engine version's, with references by file name.

// ver is one version of the agent as known during a run.
type ver struct {
	n         int64
	published bool
	planned   bool   // plan: a version apply would create
	label     string // plan: how steps name a version apply would create
	agent     object
	etag      string
	engine    object // the pinned engine version; nil until read
	engineTag string
	content   Content
	loaded    bool // content is known
}

// agentSync plans or applies one agent.
type agentSync struct {
	r     *run
	rep   *ObjectReport
	head  string
	files []*AgentFile
	kind  *agentry.Kind
	entry *Entry // nil until the agent is known on the server

	id       string
	versions map[int64]*ver
	latest   int64
	all      bool // every version is in versions
	tags     map[string]tagState
	changed  string // why the server differs from the state, or ""
	adopted  bool   // found by name: no state to compare with
	second   bool   // the second pass of an agent in a cycle of agent swaps
}

func (r *run) agentWork(head string) work {
	files := r.dir.filesOf(head)
	kind := files[0].Kind
	return work{file: head, kind: kindNoun(kind), sync: func(ctx context.Context, rep *ObjectReport) error {
		s := &agentSync{r: r, rep: rep, head: head, files: files, kind: kind, versions: map[int64]*ver{}, tags: map[string]tagState{}}
		return s.sync(ctx)
	}}
}

func kindNoun(k *agentry.Kind) string {
	if k == agentry.ChatAgent {
		return "chat agent"
	}
	return "voice agent"
}

func (s *agentSync) sync(ctx context.Context) error {
	if err := s.load(ctx); err != nil {
		return err
	}
	s.r.swapPending = false
	targets := map[*AgentFile]*ver{}
	for _, f := range s.files {
		v, err := s.ensure(ctx, f, targets)
		if err != nil {
			return err
		}
		targets[f] = v
	}
	if s.r.swapPending && !s.r.dry {
		if s.second {
			return fmt.Errorf("an agent-swap reference names an agent that apply could not create")
		}
		// It swaps to an agent not created yet (a cycle of references):
		// once every agent exists it is applied again, then published and
		// tagged.
		s.r.again = append(s.r.again, work{file: s.head, kind: kindNoun(s.kind), rep: s.rep, sync: func(ctx context.Context, rep *ObjectReport) error {
			again := &agentSync{r: s.r, rep: rep, head: s.head, files: s.files, kind: s.kind, versions: map[int64]*ver{}, tags: map[string]tagState{}, second: true}
			return again.sync(ctx)
		}})
		return nil
	}
	for _, f := range s.files {
		// --publish publishes every version the files describe; a version
		// that a published-only tag is to point at is published anyway:
		// the file says the tag takes only published versions.
		if v := targets[f]; !v.published && (s.r.opts.Publish || publishedOnly(f)) {
			if err := s.publish(ctx, v); err != nil {
				return err
			}
		}
	}
	deletes, err := s.moveTags(ctx, targets)
	if err != nil || len(deletes) == 0 {
		return err
	}
	// Tags no file names are deleted after the phone numbers are rebound:
	// the server refuses to delete a tag that a number still binds, and the
	// files may rebind that number in the same apply.
	s.r.later = append(s.r.later, work{file: s.head, kind: kindNoun(s.kind), rep: s.rep,
		sync: func(ctx context.Context, _ *ObjectReport) error { return s.deleteTags(ctx, deletes) }})
	return nil
}

// publishedOnly reports whether a tag of file f takes only published
// versions.
func publishedOnly(f *AgentFile) bool {
	for _, t := range f.Tags {
		if t.PublishedOnly {
			return true
		}
	}
	return false
}

// load finds the agent on the server, reads its latest version and its
// tags, and compares what it sees with the state.
func (s *agentSync) load(ctx context.Context) error {
	s.entry = s.r.state.Objects[s.head]
	main := s.files[len(s.files)-1]
	if s.entry != nil && s.entry.ID != "" {
		s.id = s.entry.ID
	} else {
		// No agent recorded: find it by name, which also finds the agent an
		// interrupted apply created without learning its id.
		id, err := s.r.findAgent(ctx, s.kind, str(main.Agent, "agent_name"))
		if err != nil {
			return fmt.Errorf("%s: %w", s.head, err)
		}
		if id != "" {
			s.id, s.adopted = id, true
			s.r.warn("%s: no state for it here; it stands for %s %s, found by its name", s.head, kindNoun(s.kind), id)
		}
	}
	s.rep.ID = s.id
	if s.id == "" {
		return nil
	}
	s.r.bind(s.head, s.id)
	agent, etag, err := s.r.c.getAgent(ctx, s.kind, s.id, nil)
	if isMissing(err) {
		if s.entry != nil && s.entry.Seen != "" && !s.r.opts.Force {
			return conflict("%s %s was deleted on the server since the state was recorded", kindNoun(s.kind), s.id)
		}
		if s.entry != nil && !s.r.dry {
			s.entry.ID, s.entry.Engine, s.entry.Seen = "", "", "" // made anew
		}
		s.id, s.rep.ID = "", ""
		return nil
	}
	if err != nil {
		return err
	}
	v, err := s.remember(ctx, agent, etag)
	if err != nil {
		return err
	}
	s.latest = v.n
	var item object
	for _, a := range s.r.agentList(ctx) {
		if str(a, "agent_id") == s.id {
			item = a
		}
	}
	if s.tags, err = s.r.serverTags(ctx, s.id, item); err != nil {
		return err
	}
	if s.entry != nil && s.entry.Seen != "" {
		if now := s.seen(); now != s.entry.Seen && (s.entry.Pending == "" || s.entry.Pending != digest(v.content.document())) {
			// (A latest version that holds what apply's last write asked
			// for is that write, done on the server with its answer lost.)
			s.changed = fmt.Sprintf("%s %s changed on the server since the state was recorded (then: %s; now: %s)", kindNoun(s.kind), s.id, s.entry.Seen, now)
		}
	}
	return nil
}

// remember records a version the server answered with, and reads the
// engine version it pins.
func (s *agentSync) remember(ctx context.Context, agent object, etag string) (*ver, error) {
	n, ok := integer(agent, "version")
	if !ok {
		return nil, fmt.Errorf("the server's answer for %s has no version number", s.id)
	}
	v := &ver{n: n, agent: agent, etag: etag}
	v.published, _ = agent["is_published"].(bool)
	if err := s.loadEngine(ctx, v); err != nil {
		return nil, err
	}
	s.versions[n] = v
	return v, nil
}

// loadEngine reads the engine version v pins and computes v's content.
func (s *agentSync) loadEngine(ctx context.Context, v *ver) error {
	ref := pinnedEngine(v.agent)
	v.engine, v.engineTag = nil, ""
	if ref.kind != nil {
		e, etag, err := s.r.c.getEngine(ctx, ref.kind, ref.id, ref.version)
		if err != nil && !isMissing(err) {
			return err
		}
		v.engine, v.engineTag = e, etag
	}
	if s.r.pulling {
		// Pull names references once every object is read (pull.go).
		v.content, _ = versionContent(s.kind, v.agent, v.engine, blankNames, "")
		v.loaded = true
		return nil
	}
	var warnings []string
	v.content, warnings = versionContent(s.kind, v.agent, v.engine, s.r.nameOf, fmt.Sprintf("%s version %d", s.head, v.n))
	for _, w := range warnings {
		s.r.warn("%s", w)
	}
	v.loaded = true
	return nil
}

// seen is the token of what the server shows now: the latest version and
// its ETag (or modification time), and the same of the engine version it
// pins.
func (s *agentSync) seen() string {
	v := s.versions[s.latest]
	if v == nil {
		return ""
	}
	t := fmt.Sprintf("v%d %s", v.n, stamp(v.etag, v.agent))
	if ref := pinnedEngine(v.agent); ref.kind != nil {
		t += fmt.Sprintf("; %s", ref.id)
		if ref.version != nil {
			t += fmt.Sprintf(" v%d", *ref.version)
		}
		t += " " + stamp(v.engineTag, v.engine)
	}
	return t
}

// stamp is an ETag, or the modification time where the server sends none
// (Retell).
func stamp(etag string, m object) string {
	if etag != "" {
		return etag
	}
	if t, ok := integer(m, "last_modification_timestamp"); ok {
		return fmt.Sprintf("t%d", t)
	}
	return "-"
}

// record writes what the server now shows into the state.
func (s *agentSync) record() {
	if s.r.dry || s.id == "" {
		return
	}
	e := s.r.state.entry(s.head)
	e.ID = s.id
	e.Seen, e.Pending = s.seen(), ""
	e.Tags = map[string]string{}
	for t, st := range s.tags {
		e.Tags[t] = st.seen()
	}
	s.entry = e
}

// pending records, before a write, what the agent's latest version will
// hold once it is done (see Entry.Pending).
func (s *agentSync) pending(after Content) error {
	if s.r.dry {
		return nil
	}
	e := s.r.state.entry(s.head)
	e.Pending = digest(after.document())
	return s.r.state.Save()
}

// write checks that the agent may be written: it has not changed on the
// server since the state was recorded, unless --force.
func (s *agentSync) write() error {
	if s.changed != "" && !s.r.opts.Force {
		return conflict("%s", s.changed)
	}
	return nil
}

// ensure gives file f a version that holds it, and returns that version.
func (s *agentSync) ensure(ctx context.Context, f *AgentFile, targets map[*AgentFile]*ver) (*ver, error) {
	if s.id == "" {
		return s.create(ctx, f)
	}
	// A version is one file's: the latest is the main file's, and the other
	// files take other versions even when two hold the same configuration,
	// so that pull writes back the files apply was given.
	if f.Variant == "" {
		l := s.versions[s.latest]
		if sameConfig(s.kind, l.content, f.Content) && !isTarget(l, targets) {
			return l, nil
		}
		if !l.published && !s.adopted && !s.usedByOthers(l, f, targets) {
			return l, s.update(ctx, l, f)
		}
		return s.branchFor(ctx, l, f)
	}
	cur := s.tagged(ctx, f)
	if cur != nil && cur.n != s.latest && !isTarget(cur, targets) && sameConfig(s.kind, cur.content, f.Content) {
		return cur, nil
	}
	found, err := s.find(ctx, f, targets)
	if err != nil || found != nil {
		return found, err
	}
	if cur != nil && !cur.published && !s.adopted && cur.n != s.latest && !s.usedByOthers(cur, f, targets) {
		return cur, s.update(ctx, cur, f)
	}
	base := cur
	if base == nil {
		base = s.versions[s.latest]
	}
	return s.branchFor(ctx, base, f)
}
