package gitops

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
)

// Shared components, knowledge bases and phone numbers have no versions:
// each file is one object, created when missing and edited in place.

// flatKind describes one kind of object without versions.
type flatKind struct {
	folder  string
	noun    string
	idField string
	// nameField names the object, for finding it by name without a state.
	nameField string
	list      func(ctx context.Context, c *Client) ([]object, error)
	getPath   string
	// fetch completes the server's answer with what other endpoints say of
	// the object (a number's routing mode, a knowledge base's texts), after
	// waiting for what the server is still making (a knowledge base's
	// indexing). nil: the answer is complete.
	fetch func(ctx context.Context, r *run, cur object) (object, error)
	// toFile turns the completed answer into the fields of its file,
	// references named by names; it says what it could not name.
	toFile func(cur object, names namer) (object, []string)
	// same reports whether the server's object (s.file) holds what a file
	// wants; nil compares the fields.
	same func(s *flatSync, want object) bool
	// apply creates the object (s.cur is nil) or edits it so that it holds
	// the file's fields, recording its steps.
	apply func(ctx context.Context, r *run, s *flatSync, want object) error
	// endpoint is the list endpoint, named when the server lacks it.
	endpoint string
	// volatile are fields of the server's answer that change without the
	// object changing (what uses it): left out of its digest.
	volatile []string
}

// flatSync plans or applies one flat object.
type flatSync struct {
	r     *run
	k     *flatKind
	f     *FlatFile
	rep   *ObjectReport
	entry *Entry

	id      string
	cur     object // the server's object, completed; nil when it does not exist
	etag    string
	file    object // cur as its file shows it
	changed string
	adopted bool
}

func (r *run) flatWork(k *flatKind, f *FlatFile) work {
	return work{file: f.Path, kind: k.noun, sync: func(ctx context.Context, rep *ObjectReport) error {
		return r.syncFlat(ctx, k, f, rep)
	}}
}

func (r *run) syncFlat(ctx context.Context, k *flatKind, f *FlatFile, rep *ObjectReport) error {
	s := &flatSync{r: r, k: k, f: f, rep: rep}
	if err := s.load(ctx); err != nil {
		return err
	}
	want := cloneObject(f.Fields)
	for key, v := range want {
		if v == nil {
			delete(want, key) // null is unset, as pull writes it
		}
	}
	if s.cur != nil && s.holds(want) {
		s.record()
		return nil
	}
	if s.cur != nil && s.changed != "" && !r.opts.Force {
		return conflict("%s", s.changed)
	}
	if r.dry && s.cur == nil {
		r.bind(f.Path, "(new "+f.Path+")")
	}
	r.swapPending = false
	if err := k.apply(ctx, r, s, want); err != nil {
		return err
	}
	s.record()
	if r.swapPending && !r.dry {
		// It names an agent not created yet: once the agents exist, it is
		// applied again.
		r.again = append(r.again, work{file: f.Path, kind: k.noun, rep: rep, sync: func(ctx context.Context, rep *ObjectReport) error {
			return r.syncFlat(ctx, k, f, rep)
		}})
	}
	return nil
}

// holds reports whether the server's object holds what the file wants.
func (s *flatSync) holds(want object) bool {
	if s.k.same != nil {
		return s.k.same(s, want)
	}
	return equalValues(s.file, want)
}

// load finds the object (by the state, else by name) and reads it.
func (s *flatSync) load(ctx context.Context) error {
	s.entry = s.r.state.Objects[s.f.Path]
	if s.entry != nil && s.entry.ID != "" {
		s.id = s.entry.ID
	} else if name, ok := s.f.Fields[s.k.nameField].(string); ok {
		list, err := s.k.list(ctx, s.r.c)
		if isStatus(err, http.StatusNotFound) {
			return fmt.Errorf("this server has no %s endpoint (%s answers 404): it does not serve %ss", s.k.endpoint, s.k.endpoint, s.k.noun)
		}
		if err != nil {
			return err
		}
		var found []string
		for _, o := range list {
			if id := str(o, s.k.idField); str(o, s.k.nameField) == name && !s.r.claimed[id] {
				found = append(found, id)
			}
		}
		if len(found) > 1 {
			return fmt.Errorf("%d %ss are named %q (%s) and the state says none of them is this file's: pull into this directory to record which is which", len(found), s.k.noun, name, strings.Join(found, ", "))
		}
		if len(found) == 1 {
			s.id, s.adopted = found[0], true
			s.r.warn("%s: no state for it here; it stands for %s %s, found by its name", s.f.Path, s.k.noun, s.id)
		}
	}
	s.rep.ID = s.id
	if s.id == "" {
		return nil
	}
	s.r.bind(s.f.Path, s.id)
	cur, etag, err := s.r.c.getObject(ctx, s.k.getPath+esc(s.id), nil)
	if isMissing(err) {
		if s.entry != nil && s.entry.Seen != "" && !s.r.opts.Force {
			return conflict("%s %s was deleted on the server since the state was recorded", s.k.noun, s.id)
		}
		s.id, s.rep.ID = "", ""
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.took(ctx, cur, etag); err != nil {
		return err
	}
	if s.entry != nil && s.entry.Seen != "" && s.entry.Seen != s.seen() {
		if s.entry.Pending != "" && s.entry.Pending == digest(s.file) {
			return nil // the server holds what apply's last write asked for: its answer was lost
		}
		s.changed = fmt.Sprintf("%s %s changed on the server since the state was recorded (then: %s; now: %s)", s.k.noun, s.id, s.entry.Seen, s.seen())
	}
	return nil
}

// took records the object as the server now has it.
func (s *flatSync) took(ctx context.Context, cur object, etag string) error {
	if s.k.fetch != nil {
		var err error
		if cur, err = s.k.fetch(ctx, s.r, cur); err != nil {
			return err
		}
	}
	s.cur, s.etag = cur, etag
	file, warnings := s.k.toFile(cur, s.r.nameOf)
	for _, w := range warnings {
		s.r.warn("%s %s: %s", s.k.noun, str(cur, s.k.idField), w)
	}
	s.file = file
	return nil
}

// reread reads the object again after a write whose answer is not the
// object (or not all of it), and records it.
func (s *flatSync) reread(ctx context.Context) error {
	cur, etag, err := s.r.c.getObject(ctx, s.k.getPath+esc(s.id), nil)
	if err != nil {
		return err
	}
	if err := s.took(ctx, cur, etag); err != nil {
		return err
	}
	s.record()
	return nil
}

// seen is the token of the object as the server has it: its ETag, or else
// a digest of the server's answer (which holds its modification time, where
// it has one).
func (s *flatSync) seen() string { return s.k.seen(s.cur, s.etag) }

func (k *flatKind) seen(cur object, etag string) string {
	if etag != "" {
		return etag
	}
	return digest(without(cur, k.volatile))
}

// pending records, before a write, what the file form of the object will
// be once it is done: if the write is done but its answer lost, the next
// run finds the object so and knows the change for its own.
func (s *flatSync) pending(after object) error {
	if s.r.dry {
		return nil
	}
	e := s.r.state.entry(s.f.Path)
	e.Pending = digest(after)
	return s.r.state.Save()
}

// record writes what the server now shows into the state.
func (s *flatSync) record() {
	if s.r.dry || s.id == "" {
		return
	}
	e := s.r.state.entry(s.f.Path)
	e.ID, e.Seen, e.Pending = s.id, s.seen(), ""
	s.entry = e
}

// flatPatch is the PATCH body from the file form cur to want, top level:
// the fields that differ and null for those to clear.
func flatPatch(cur, want object, keep []string) object {
	patch := object{}
	for _, k := range sortedKeys(want) {
		if contains(keep, k) {
			continue
		}
		if w, had := cur[k]; !had || !equalValues(w, want[k]) {
			patch[k] = want[k]
		}
	}
	for _, k := range sortedKeys(cur) {
		if _, kept := want[k]; !kept && !contains(keep, k) {
			patch[k] = nil
		}
	}
	return patch
}

// digest is a short digest of a value, for objects the server gives no
// ETag.
func digest(v any) string {
	sum := sha256.Sum256(encodeJSON(v))
	return "sha256:" + hex.EncodeToString(sum[:12])
}

// pullFlat reads every object of a flat kind; a server without the kind's
// endpoints has none (a warning says so).
func (r *run) pullFlat(ctx context.Context, k *flatKind, first string) ([]pulled, error) {
	list, err := k.list(ctx, r.c)
	if isStatus(err, http.StatusNotFound) {
		r.warn("this server has no %s endpoint: no %ss pulled", k.endpoint, k.noun)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []pulled
	for _, item := range list {
		id := str(item, k.idField)
		cur, etag, err := r.c.getObject(ctx, k.getPath+esc(id), nil)
		if isMissing(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		s := &flatSync{r: r, k: k}
		if k.fetch != nil {
			if cur, err = k.fetch(ctx, r, cur); err != nil {
				return nil, err
			}
		}
		s.cur, s.etag = cur, etag
		name, _ := cur[k.nameField].(string)
		blank, _ := k.toFile(cur, blankNames)
		entry := &Entry{ID: id, Seen: s.seen()}
		out = append(out, pulled{folder: k.folder, kind: k.noun, id: id, source: name, entry: entry,
			order: string(encodeJSON(blank)),
			render: func(slug string) (map[string][]byte, error) {
				fields, warnings := k.toFile(cur, r.nameOf)
				for _, w := range warnings {
					r.warn("%s %s: %s", k.noun, id, w)
				}
				if entry.Number != "" {
					// The number the file stands for, which this server
					// has under another (see phones.go).
					name, fields["phone_number"] = entry.Number, entry.Number
				}
				b, err := renderFlat(fmt.Sprintf("%s %q.", upperFirst(k.noun), name), first, fields)
				return map[string][]byte{k.folder + "/" + slug + ".yaml": b}, err
			}})
	}
	return out, nil
}

// blankNames names every reference "", so that objects can be compared
// before their references are named (to order objects of the same name).
func blankNames(refKind, string) (string, bool) { return "", true }
