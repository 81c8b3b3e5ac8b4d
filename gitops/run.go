package gitops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/agentry/agentry/diff"
)

// Options are the choices of plan and apply.
type Options struct {
	// Publish publishes every version apply creates or edits, and drafts
	// that already hold what the files say, with Title and Description.
	Publish            bool
	Title, Description string
	// Force applies even where the server changed since the state was
	// recorded, overwriting those changes.
	Force bool
	// Prune deletes objects recorded in the state whose files are gone.
	Prune bool
	// AnyNumber lets apply buy another number in the same area code where
	// the server cannot give a phone number file its own (the number is in
	// use, or not for sale); the state records which number stands for the
	// file on that server.
	AnyNumber bool
	// Progress gets a line per object as it is done; nil for none.
	Progress io.Writer
}

// Report is what plan or apply found and did, object by object.
type Report struct {
	Command  string          `json:"command"`
	Server   string          `json:"server"`
	State    string          `json:"state"`
	Objects  []*ObjectReport `json:"objects"`
	Warnings []string        `json:"warnings,omitempty"`
	Summary  Summary         `json:"summary"`
}

// Statuses of an object in a report.
const (
	StatusUnchanged  = "unchanged"   // nothing to do
	StatusPlanned    = "planned"     // plan: these steps would run
	StatusApplied    = "applied"     // apply: every step ran
	StatusFailed     = "failed"      // apply: a step failed; Steps says which ran
	StatusConflict   = "conflict"    // the server changed since the state was recorded
	StatusError      = "error"       // the object cannot be planned (see Error)
	StatusNotApplied = "not-applied" // apply stopped before this object
)

// ObjectReport is one file's object: what it needs or what was done.
type ObjectReport struct {
	File   string `json:"file"`
	Kind   string `json:"kind"`
	ID     string `json:"id,omitempty"`
	Status string `json:"status"`
	Steps  []Step `json:"steps,omitempty"`
	Error  string `json:"error,omitempty"`
}

// Actions of steps.
const (
	ActCreate    = "create"       // a new object (an agent with its engine)
	ActUpdate    = "update-draft" // edit a draft (an agent's and its engine's)
	ActNewDraft  = "new-draft"    // create-agent-version, then edit that draft
	ActNewEngine = "new-engine"   // a new Retell LLM or flow for an agent draft
	ActPublish   = "publish"      // publish a draft
	ActMoveTag   = "move-tag"     // create, move or unassign a tag
	ActDeleteTag = "delete-tag"
	ActEdit      = "update" // edit an object that has no versions
	ActRebind    = "rebind" // change a phone number's agents or routing
	ActDelete    = "delete" // --prune
)

// Step is one change to the server.
type Step struct {
	Action  string        `json:"action"`
	Detail  string        `json:"detail"`
	Changes []diff.Change `json:"changes,omitempty"`
	Done    bool          `json:"done"`
}

// Summary counts objects by status and steps by action.
type Summary struct {
	Objects map[string]int `json:"objects"`
	Steps   map[string]int `json:"steps"`
}

// conflictError is a change on the server since the state was recorded.
type conflictError struct{ msg string }

func (e *conflictError) Error() string { return e.msg }

func conflict(format string, args ...any) error {
	return &conflictError{fmt.Sprintf(format, args...) + ": pull to take the server's version into the files, or apply --force to overwrite it"}
}

// run is one plan or apply.
type run struct {
	c     *Client
	dir   *Dir
	state *State
	opts  Options
	dry   bool

	agents []object // list-agents, once read
	// claimed are the ids files already stand for, so that finding an
	// object by name never gives one object to two files.
	claimed map[string]bool
	// ids are the ids files stand for in this run: found by name, created,
	// or, in a plan, "(new FILE)" for what apply would create.
	ids    map[string]string
	report *Report
	// again are agents to apply a second time, once the agents they swap
	// to exist (a cycle of agent-swap references); later are the steps
	// that wait for the phone numbers (tag deletions).
	again, later []work
	// swapPending is set when a write names an agent not created yet.
	swapPending bool
	// pulling is set while pull reads: references are named once every
	// object is read.
	pulling bool
}

// Plan reads the server and says, object by object, what Apply would do.
// It writes nothing, not even the state.
func Plan(ctx context.Context, c *Client, d *Dir, s *State, opts Options) (*Report, error) {
	r := newRun(c, d, s, opts, true, "plan")
	return r.report, r.all(ctx)
}

// Apply makes the server hold what the files say. It plans first and
// refuses, changing nothing, when any object has a conflict or cannot be
// planned; then it applies object by object in the order of their
// dependencies, recording the state after every step, and stops at the
// first failure, so that running it again finishes the job.
func Apply(ctx context.Context, c *Client, d *Dir, s *State, opts Options) (*Report, error) {
	quiet := opts
	quiet.Progress = nil
	plan := newRun(c, d, s, quiet, true, "plan")
	if err := plan.all(ctx); err != nil {
		return plan.report, err
	}
	if plan.report.Summary.Objects[StatusConflict] > 0 || plan.report.Summary.Objects[StatusError] > 0 {
		plan.report.Command = "apply"
		for _, o := range plan.report.Objects {
			if o.Status == StatusPlanned {
				o.Status = StatusNotApplied
			}
		}
		plan.dry = false // count only steps done: none
		plan.summarize()
		return plan.report, nil
	}
	r := newRun(c, d, s, opts, false, "apply")
	return r.report, r.all(ctx)
}

func newRun(c *Client, d *Dir, s *State, opts Options, dry bool, command string) *run {
	return &run{c: c, dir: d, state: s, opts: opts, dry: dry, claimed: map[string]bool{}, ids: map[string]string{},
		report: &Report{Command: command, Server: c.BaseURL, State: s.path}}
}

// work is the work on one file's object.
type work struct {
	file string
	kind string
	// rep, when set, is the report of the object whose work this goes on
	// with (an agent's tag deletions, after the phone numbers).
	rep  *ObjectReport
	sync func(ctx context.Context, rep *ObjectReport) error
}

// all plans or applies every object, in stages: what others refer to
// first. Knowledge bases and shared components (which engines name), agents
// (with their versions, publishes and tag moves), phone numbers (which
// bind agents and tags), then the tags no file names (a number may have
// bound them until it was rebound), then what --prune deletes.
func (r *run) all(ctx context.Context) error {
	for _, e := range r.state.Objects {
		if e.ID != "" {
			r.claimed[e.ID] = true
		}
	}
	stages := []func() []work{
		func() []work { return mapWorks(r.dir.KBs, r.kbWork) },
		func() []work { return mapWorks(r.dir.componentOrder(), r.componentWork) },
		r.agentWorks,
		func() []work { ws := r.again; r.again = nil; return ws },
		func() []work { return mapWorks(r.dir.Phones, r.phoneWork) },
		func() []work { ws := r.later; r.later = nil; return ws },
		r.pruneWorks,
	}
	stopped := false
	for _, stage := range stages {
		for _, w := range stage() {
			rep := w.rep
			if rep == nil {
				rep = &ObjectReport{File: w.file, Kind: w.kind}
				r.report.Objects = append(r.report.Objects, rep)
			} else if rep.Status != StatusUnchanged && rep.Status != StatusPlanned && rep.Status != StatusApplied {
				continue
			}
			if stopped {
				rep.Status = StatusNotApplied
				continue
			}
			err := w.sync(ctx, rep)
			if isStatus(err, http.StatusPreconditionFailed) {
				err = conflict("%v: the server refused the write, because the object changed since apply read it", err)
			}
			var ce *conflictError
			switch {
			case errors.As(err, &ce):
				rep.Status, rep.Error = StatusConflict, err.Error()
			case err != nil && r.dry:
				rep.Status, rep.Error = StatusError, err.Error()
			case err != nil:
				rep.Status, rep.Error = StatusFailed, err.Error()
			case len(rep.Steps) == 0:
				rep.Status = StatusUnchanged
			case r.dry:
				rep.Status = StatusPlanned
			default:
				rep.Status = StatusApplied
			}
			if !r.dry {
				if err := r.state.Save(); err != nil {
					return fmt.Errorf("recording the state: %w", err)
				}
				if rep.Status == StatusFailed || rep.Status == StatusConflict {
					stopped = true
				}
			}
			if w.rep == nil || len(rep.Steps) > 0 {
				r.progress(rep)
			}
			if ctx.Err() != nil {
				stopped = true
			}
		}
	}
	r.summarize()
	return nil
}

// mapWorks makes the work of each file.
func mapWorks[F any](files []F, fn func(F) work) []work {
	ws := make([]work, 0, len(files))
	for _, f := range files {
		ws = append(ws, fn(f))
	}
	return ws
}

// agentWorks are the agents' works, in the order of their agent-swap
// references: an agent that another swaps to is applied first.
func (r *run) agentWorks() []work {
	var ws []work
	for _, h := range r.dir.agentOrder() {
		ws = append(ws, r.agentWork(h.Path))
	}
	return ws
}

// step records a step; in apply it runs fn first and records the state.
func (r *run) step(rep *ObjectReport, st Step, fn func() error) error {
	if !r.dry {
		if err := fn(); err != nil {
			return err
		}
		st.Done = true
	}
	rep.Steps = append(rep.Steps, st)
	if !r.dry {
		return r.state.Save()
	}
	return nil
}

func (r *run) warn(format string, args ...any) {
	r.report.Warnings = append(r.report.Warnings, fmt.Sprintf(format, args...))
}

// progress writes the line of one object.
func (r *run) progress(rep *ObjectReport) {
	if r.opts.Progress == nil {
		return
	}
	var acts []string
	for _, s := range rep.Steps {
		acts = append(acts, s.Detail)
	}
	line := rep.File + ": " + rep.Status
	if len(acts) > 0 {
		line += ": " + strings.Join(acts, "; ")
	}
	if rep.Error != "" {
		line += ": " + rep.Error
	}
	fmt.Fprintln(r.opts.Progress, line)
}

func (r *run) summarize() {
	s := Summary{Objects: map[string]int{}, Steps: map[string]int{}}
	for _, o := range r.report.Objects {
		s.Objects[o.Status]++
		for _, st := range o.Steps {
			if st.Done || r.dry {
				s.Steps[st.Action]++
			}
		}
	}
	r.report.Summary = s
}

// Changes reports whether the plan has steps to run.
func (rep *Report) Changes() bool {
	for _, o := range rep.Objects {
		if len(o.Steps) > 0 && o.Status != StatusApplied {
			return true
		}
	}
	return false
}

// Conflicts reports whether an object changed on the server since the
// state was recorded.
func (rep *Report) Conflicts() bool { return rep.Summary.Objects[StatusConflict] > 0 }

// Failed reports whether an object could not be planned or applied.
func (rep *Report) Failed() bool {
	return rep.Summary.Objects[StatusFailed] > 0 || rep.Summary.Objects[StatusError] > 0
}

// docDiff is the changes from one document to another, for a step.
func docDiff(from, to any) []diff.Change {
	ch, err := diff.Diff(encodeJSON(from), encodeJSON(to))
	if err != nil {
		return nil
	}
	return ch
}

// bind records that file stands for the object id in this run.
func (r *run) bind(file, id string) {
	r.ids[file] = id
	r.claimed[id] = true
}

// idOf returns the id a file stands for: from this run, else the state.
func (r *run) idOf(file string) string {
	if id, ok := r.ids[file]; ok {
		return id
	}
	return r.state.idOf(file)
}

// fileOf returns the file an object id of a folder stands for, or "".
func (r *run) fileOf(folder, id string) string {
	for file, x := range r.ids {
		if x == id && strings.HasPrefix(file, folder+"/") {
			return file
		}
	}
	return r.state.fileOf(folder, id)
}
