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
	// stampField is the modification time the server answers with, when
	// it has one.
	stampField string
	list       func(ctx context.Context, c *Client) ([]object, error)
	getPath    string
	// toFile turns the server's object into the fields of its file.
	toFile func(ctx context.Context, r *run, resp object) (object, error)
	// apply creates the object (s.id is "") or edits it so that it holds
	// the file's fields, recording its steps.
	apply func(ctx context.Context, r *run, s *flatSync, want object) error
	// endpoint is the list endpoint, named when the server lacks it.
	endpoint string
}

// flatSync plans or applies one flat object.
type flatSync struct {
	r     *run
	k     *flatKind
	f     *FlatFile
	rep   *ObjectReport
	entry *Entry

	id      string
	cur     object // the server's object, nil when it does not exist
	etag    string
	file    object // cur as its file shows it
	changed string
	adopted bool
}

func (r *run) flatWork(k *flatKind, f *FlatFile) work {
	return work{file: f.Path, kind: k.noun, sync: func(ctx context.Context, rep *ObjectReport) error {
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
		if s.cur != nil && equalValues(s.file, want) {
			s.record()
			return nil
		}
		if s.cur != nil && s.changed != "" && !r.opts.Force {
			return conflict("%s", s.changed)
		}
		if r.dry && s.cur == nil {
			r.bind(f.Path, "(new "+f.Path+")")
		}
		if err := k.apply(ctx, r, s, want); err != nil {
			return err
		}
		s.record()
		return nil
	}}
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
		s.changed = fmt.Sprintf("%s %s changed on the server since the state was recorded (then: %s; now: %s)", s.k.noun, s.id, s.entry.Seen, s.seen())
	}
	return nil
}

// took records the object as the server now has it.
func (s *flatSync) took(ctx context.Context, cur object, etag string) error {
	s.cur, s.etag = cur, etag
	file, err := s.k.toFile(ctx, s.r, cur)
	if err != nil {
		return err
	}
	s.file = file
	return nil
}

// seen is the token of the object as the server has it: its ETag, its
// modification time, or else a digest of its fields.
func (s *flatSync) seen() string {
	if s.etag != "" {
		return s.etag
	}
	if t, ok := integer(s.cur, s.k.stampField); ok && s.k.stampField != "" {
		return fmt.Sprintf("t%d", t)
	}
	return digest(s.file)
}

// record writes what the server now shows into the state.
func (s *flatSync) record() {
	if s.r.dry || s.id == "" {
		return
	}
	e := s.r.state.entry(s.f.Path)
	e.ID, e.Seen = s.id, s.seen()
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
// ETag or modification time.
func digest(v any) string {
	sum := sha256.Sum256(encodeJSON(v))
	return "sha256:" + hex.EncodeToString(sum[:12])
}
