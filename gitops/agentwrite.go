package gitops

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// The writes of one agent: create, edit a draft, branch a draft, publish,
// move tags. In a plan each only records its step and changes the agent as
// known, so that the steps after it are planned on what apply would leave.

// create makes the agent (with its engine) holding file f, as version 0.
func (s *agentSync) create(ctx context.Context, f *AgentFile) (*ver, error) {
	detail := fmt.Sprintf("create %s %q", kindNoun(s.kind), str(f.Agent, "agent_name"))
	if f.EngineKind != nil {
		detail += " with a new " + f.EngineKind.Noun
	}
	if s.r.dry {
		s.id = "(new " + s.head + ")"
		s.r.bind(s.head, s.id)
		s.all = true
		v := &ver{n: 0, planned: true, loaded: true, content: created(s.kind, f.Content), label: "version 0"}
		s.versions[0], s.latest = v, 0
		return v, s.r.step(s.rep, Step{Action: ActCreate, Detail: detail}, nil)
	}
	var v *ver
	err := s.r.step(s.rep, Step{Action: ActCreate, Detail: detail}, func() error {
		e := s.r.state.entry(s.head)
		body := cloneObject(f.Agent)
		if f.EngineKind != nil {
			id, err := s.engineForCreate(ctx, e, f)
			if err != nil {
				return err
			}
			body["response_engine"] = object{"type": f.EngineKind.Name, f.EngineKind.IDField: id}
		}
		resp, etag, err := s.r.c.send(ctx, http.MethodPost, agentAPIs[s.kind].create, nil, body, "")
		if err != nil {
			return err
		}
		s.id = str(resp, "agent_id")
		if s.id == "" {
			return fmt.Errorf("the server created the agent but answered without agent_id")
		}
		e.ID, s.rep.ID = s.id, s.id
		s.r.bind(s.head, s.id)
		if err := s.r.state.Save(); err != nil {
			return err
		}
		if v, err = s.remember(ctx, resp, etag); err != nil {
			return err
		}
		s.latest, s.all = v.n, true
		s.record()
		return nil
	})
	return v, err
}

// engineForCreate returns the engine a new agent is created with: the one
// an interrupted apply created already (recorded in the state, and brought
// in line with the file, which may have changed since), or a new one,
// recorded before the agent is created.
func (s *agentSync) engineForCreate(ctx context.Context, e *Entry, f *AgentFile) (string, error) {
	if e.Engine != "" {
		cur, etag, err := s.r.c.getEngine(ctx, f.EngineKind, e.Engine, nil)
		if err == nil && str(cur, f.EngineKind.IDField) == e.Engine && cur["is_published"] != true {
			have, _ := configOnly(f.EngineKind, cur, engineMeta, s.head)
			have = mapRefs(have, "", func(k refKind, id, _ string) (string, bool) { return s.r.nameOf(k, id) }).(object)
			patch, err := topPatch(f.EngineKind, have, f.Engine)
			if err != nil || len(patch) == 0 {
				return e.Engine, err
			}
			body, err := s.r.toServer(patch)
			if err != nil {
				return "", err
			}
			n, _ := integer(cur, "version")
			_, _, err = s.r.c.send(ctx, http.MethodPatch, engineAPIs[f.EngineKind].update+esc(e.Engine), versionQuery(n), body, etag)
			return e.Engine, err
		}
		if err != nil && !isMissing(err) {
			return "", err
		}
	}
	id, err := s.r.createEngine(ctx, f.EngineKind, f.Engine)
	if err != nil {
		return "", err
	}
	e.Engine = id
	return id, s.r.state.Save()
}

// createEngine makes a Retell LLM or conversation flow and returns its id.
func (r *run) createEngine(ctx context.Context, k *agentry.Kind, cfg object) (string, error) {
	body, err := r.toServer(cfg)
	if err != nil {
		return "", err
	}
	resp, _, err := r.c.send(ctx, http.MethodPost, engineAPIs[k].create, nil, body, "")
	if err != nil {
		return "", err
	}
	id := str(resp, k.IDField)
	if id == "" {
		return "", fmt.Errorf("the server created the %s but answered without %s", k.Noun, k.IDField)
	}
	return id, nil
}

// branchFor makes a new draft from base and edits it to hold file f.
func (s *agentSync) branchFor(ctx context.Context, base *ver, f *AgentFile) (*ver, error) {
	if err := s.write(); err != nil {
		return nil, err
	}
	st := Step{Action: ActNewDraft, Detail: fmt.Sprintf("new draft from %s", s.name(base))}
	var d *ver
	if s.r.dry {
		top := s.latest
		for n := range s.versions {
			top = max(top, n)
		}
		d = &ver{n: top + 1, planned: true, loaded: true, agent: base.agent, content: base.content, label: "the new draft for " + f.Path}
		s.versions[d.n], s.latest = d, d.n
		if err := s.r.step(s.rep, st, nil); err != nil {
			return nil, err
		}
	} else {
		err := s.r.step(s.rep, st, func() error {
			if err := s.pending(base.content); err != nil {
				return err
			}
			resp, etag, err := s.r.c.branch(ctx, s.id, base.n)
			if err != nil {
				return err
			}
			if d, err = s.remember(ctx, resp, etag); err != nil {
				return err
			}
			s.latest = max(s.latest, d.n)
			s.record()
			return nil
		})
		if err != nil {
			return nil, err
		}
		s.rep.Steps[len(s.rep.Steps)-1].Detail = fmt.Sprintf("new draft %d from %s", d.n, s.name(base))
	}
	if sameConfig(s.kind, d.content, f.Content) {
		return d, nil
	}
	return d, s.update(ctx, d, f)
}

// name says which version v is, for steps.
func (s *agentSync) name(v *ver) string {
	if v.label != "" {
		return v.label
	}
	return fmt.Sprintf("version %d", v.n)
}

// update edits draft v (and the engine version it pins) to hold file f.
func (s *agentSync) update(ctx context.Context, v *ver, f *AgentFile) error {
	if err := s.write(); err != nil {
		return err
	}
	cur := v.content
	// want is the file as the version will hold it: a default of creation
	// the file leaves out, or a value in another form, is no change.
	want := stored(s.kind, cur, f.Content)
	ref := pinnedEngine(v.agent)
	newEngine := false
	var enginePatch object
	if f.EngineKind != nil {
		enginePublished := v.engine != nil && v.engine["is_published"] == true
		if cur.EngineKind != f.EngineKind || (v.engine == nil && !v.planned) || enginePublished {
			newEngine = true
		} else {
			var err error
			if enginePatch, err = topPatch(f.EngineKind, cur.Engine, want.Engine); err != nil {
				return fmt.Errorf("%s: %s: %w", f.Path, engineSections[f.EngineKind], err)
			}
		}
	}
	curAgent, wantAgent := cloneObject(cur.Agent), cloneObject(want.Agent)
	curRE, wantRE := curAgent["response_engine"], wantAgent["response_engine"]
	delete(curAgent, "response_engine")
	delete(wantAgent, "response_engine")
	agentPatch, err := topPatch(s.kind, curAgent, wantAgent)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", f.Path, sectionAgent, err)
	}
	if f.EngineKind == nil && !equalValues(curRE, wantRE) {
		agentPatch["response_engine"] = wantRE
	}
	detail := "edit " + strings.Replace(s.name(v), "version", "draft", 1)
	if !v.planned {
		detail = fmt.Sprintf("edit draft %d", v.n)
	}
	if newEngine {
		detail += fmt.Sprintf(" (with a new %s)", f.EngineKind.Noun)
	}
	st := Step{Action: ActUpdate, Detail: detail, Changes: docDiff(cur.document(), want.document())}
	if s.r.dry {
		v.content = want
		return s.r.step(s.rep, st, nil)
	}
	return s.r.step(s.rep, st, func() error {
		if newEngine {
			id, err := s.r.createEngine(ctx, f.EngineKind, f.Engine)
			if err != nil {
				return err
			}
			agentPatch["response_engine"] = object{"type": f.EngineKind.Name, f.EngineKind.IDField: id}
		}
		if len(enginePatch) > 0 && ref.version != nil {
			body, err := s.r.toServer(enginePatch)
			if err != nil {
				return err
			}
			if err := s.pending(Content{Agent: cur.Agent, EngineKind: f.EngineKind, Engine: want.Engine}); err != nil {
				return err
			}
			resp, etag, err := s.r.c.send(ctx, http.MethodPatch, engineAPIs[ref.kind].update+esc(ref.id), versionQuery(*ref.version), body, v.engineTag)
			if err != nil {
				return err
			}
			v.engine, v.engineTag = resp, etag
			s.record() // the engine's edit is done, whatever happens next
		}
		if len(agentPatch) > 0 {
			if err := s.pending(want); err != nil {
				return err
			}
			resp, etag, err := s.r.c.send(ctx, http.MethodPatch, agentAPIs[s.kind].update+esc(s.id), versionQuery(v.n), agentPatch, v.etag)
			if err != nil {
				return err
			}
			v.agent, v.etag = resp, etag
		}
		if err := s.loadEngine(ctx, v); err != nil {
			return err
		}
		s.record()
		return nil
	})
}

// topPatch is the PATCH body that turns cur into want (a file's fields):
// the top-level fields that differ, and null for fields to clear. want is
// compared as cur would hold it (meant): a default of creation the file
// leaves out, or a value the server stores in another form, is no change,
// and a field that differs is sent as a create of the file stores it. A
// field the API cannot clear (not nullable) or change (set only at
// creation) is an error.
func topPatch(kind *agentry.Kind, cur, want object) (object, error) {
	want = meant(kind, cur, want)
	rules := schema.Config(kind)
	patch := object{}
	for _, k := range sortedKeys(want) {
		if w, had := cur[k]; had && equalValues(w, want[k]) {
			continue
		}
		if rules.OnlyOnCreate(k) {
			return nil, fmt.Errorf("%s can only be set when the %s is created; the server keeps %s", k, kind.Noun, string(encodeJSON(cur[k])))
		}
		patch[k] = want[k]
	}
	for _, k := range sortedKeys(cur) {
		if _, kept := want[k]; kept || rules.OnlyOnCreate(k) {
			continue
		}
		if !rules.Nullable(k) {
			return nil, fmt.Errorf("%s is set on the server (%s) and the API cannot clear it (it is not nullable): write the value you want in the file", k, string(encodeJSON(cur[k])))
		}
		patch[k] = nil
	}
	return patch, nil
}

// publish publishes draft v with the run's title and description.
func (s *agentSync) publish(ctx context.Context, v *ver) error {
	if err := s.write(); err != nil {
		return err
	}
	st := Step{Action: ActPublish, Detail: "publish " + s.name(v)}
	if s.r.opts.Title != "" {
		st.Detail += fmt.Sprintf(" as %q", s.r.opts.Title)
	}
	if s.r.dry {
		v.published = true
		return s.r.step(s.rep, st, nil)
	}
	return s.r.step(s.rep, st, func() error {
		if err := s.pending(v.content); err != nil {
			return err
		}
		if err := s.r.c.publish(ctx, s.id, v.n, s.r.opts.Title, s.r.opts.Description, v.etag); err != nil {
			return err
		}
		agent, etag, err := s.r.c.getAgent(ctx, s.kind, s.id, &v.n)
		if err != nil {
			return err
		}
		v.agent, v.etag = agent, etag
		v.published, _ = agent["is_published"].(bool)
		if err := s.loadEngine(ctx, v); err != nil {
			return err
		}
		s.record()
		return nil
	})
}
