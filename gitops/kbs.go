package gitops

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Knowledge bases (Retell's knowledge-base endpoints): files
// knowledge-bases/NAME.yaml hold a knowledge base's name, settings and
// sources (URLs, texts with their text, documents by file name), and the
// folder knowledge-bases/NAME/ the documents' bytes. Retell's API cannot
// rename a knowledge base or change its settings, nor edit a source: apply
// creates a knowledge base with its sources, adds the sources that are
// missing or whose content changed, and deletes those the file no longer
// lists. agentry serves the stored texts and documents
// (GET /agentry/v1/knowledge-bases/{id}/sources/{source_id}/content), so
// pull writes them and plan compares them; from a server without that
// endpoint (Retell) a text is known by its title and a document by its file
// name and size.
var kbKind = &flatKind{
	folder:    folderKBs,
	noun:      "knowledge base",
	idField:   "knowledge_base_id",
	nameField: "knowledge_base_name",
	getPath:   "/get-knowledge-base/",
	endpoint:  "/list-knowledge-bases",
	list: func(ctx context.Context, c *Client) ([]object, error) {
		r, err := c.do(ctx, request{method: http.MethodGet, path: "/list-knowledge-bases"})
		if err != nil {
			return nil, err
		}
		v, err := decodeJSON(r.body)
		if err != nil {
			return nil, err
		}
		items, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("GET /list-knowledge-bases: the answer is not a list")
		}
		out := make([]object, 0, len(items))
		for _, it := range items {
			if m, ok := it.(object); ok {
				out = append(out, m)
			}
		}
		return out, nil
	},
	fetch:  fetchKB,
	toFile: kbFile,
	same: func(s *flatSync, want object) bool {
		add, del := s.kbChanges(want)
		return len(add)+len(del) == 0 && len(kbSettingChanges(s.file, want)) == 0
	},
	apply: applyKB,
}

// kbSettings are a knowledge base's fields beside its sources: set when it
// is made, never changed.
var kbSettings = []string{"knowledge_base_name", "enable_auto_refresh", "max_chunk_size", "min_chunk_size"}

func (r *run) kbWork(f *FlatFile) work { return r.flatWork(kbKind, f) }

// fetchKB waits for the knowledge base's indexing to end (while it runs,
// the server lists only the sources indexed before), then reads the texts
// of its text sources where the server serves them.
func fetchKB(ctx context.Context, r *run, cur object) (object, error) {
	cur, err := r.indexed(ctx, cur)
	if err != nil {
		return nil, err
	}
	out := cloneObject(cur)
	list, _ := out["knowledge_base_sources"].([]any)
	for _, it := range list {
		src, _ := it.(object)
		// Where agentry serves content is the host the request reached:
		// not part of what the object is.
		delete(src, "content_url")
		delete(src, "file_url")
		if str(src, "type") != "text" || !r.c.extensions(ctx).content {
			continue
		}
		b, err := r.sourceContent(ctx, str(cur, "knowledge_base_id"), str(src, "source_id"))
		if err != nil {
			return nil, err
		}
		src["text"] = string(b)
	}
	return out, nil
}

// sourceContent reads the stored text or file of a source (agentry).
func (r *run) sourceContent(ctx context.Context, kb, source string) ([]byte, error) {
	rp, err := r.c.do(ctx, request{method: http.MethodGet, path: "/agentry/v1/knowledge-bases/" + esc(kb) + "/sources/" + esc(source) + "/content"})
	if err != nil {
		return nil, err
	}
	return rp.body, nil
}

// indexing reports whether a knowledge base is being indexed.
func indexing(kb object) bool {
	st := str(kb, "status")
	return st == "in_progress" || st == "refreshing_in_progress"
}

// indexed waits until a knowledge base's indexing has ended, reading it
// again at growing intervals, and returns it as it is then.
func (r *run) indexed(ctx context.Context, kb object) (object, error) {
	limit := r.c.IndexWait
	if limit == 0 {
		limit = 10 * time.Minute
	}
	deadline := time.Now().Add(limit)
	wait := 250 * time.Millisecond
	for indexing(kb) {
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("knowledge base %s is still being indexed (status %s) after %s: run again once it is done", str(kb, "knowledge_base_id"), str(kb, "status"), limit)
		}
		r.c.sleep(wait)
		wait = min(wait*2, 5*time.Second)
		next, _, err := r.c.getObject(ctx, "/get-knowledge-base/"+esc(str(kb, "knowledge_base_id")), nil)
		if err != nil {
			return nil, err
		}
		kb = next
	}
	return kb, nil
}

// kbFile turns a knowledge base as the server has it into its file: its
// settings and its sources, in an order of their own (by kind, then by
// address, title or file name), so that every server gives the same file.
func kbFile(cur object, _ namer) (object, []string) {
	out := object{}
	for _, k := range kbSettings {
		if v, ok := cur[k]; ok && v != nil {
			out[k] = clone(v)
		}
	}
	var sources []object
	list, _ := cur["knowledge_base_sources"].([]any)
	for _, it := range list {
		sources = append(sources, sourceForm(it.(object)))
	}
	sortSources(sources)
	if len(sources) > 0 {
		items := make([]any, len(sources))
		for i, s := range sources {
			items[i] = s
		}
		out["sources"] = items
	}
	return out, nil
}

// applyKB creates a knowledge base or brings its sources in line.
func applyKB(ctx context.Context, r *run, s *flatSync, want object) error {
	if s.cur == nil {
		return createKB(ctx, r, s, want)
	}
	if changed := kbSettingChanges(s.file, want); len(changed) > 0 {
		k := changed[0]
		return fmt.Errorf("%s is %s on the server and the API cannot change it after creation: write the server's value, or make a new knowledge base under another file", k, scalarOrDash(s.file[k]))
	}
	add, del := s.kbChanges(want)
	kept := sources(s.file)
	if len(add) > 0 {
		if _, _, err := s.sourceParts(add); err != nil {
			return err
		}
	}
	for _, batch := range batches(add) {
		if len(batch) == 0 {
			continue
		}
		st := Step{Action: ActEdit, Detail: fmt.Sprintf("add %s to knowledge base %s: %s", count(len(batch), "source"), s.id, sourceNames(batch))}
		err := r.step(s.rep, st, func() error {
			form, files, err := s.sourceParts(batch)
			if err != nil {
				return err
			}
			kept = append(kept, batch...)
			if err := s.pending(s.afterSources(ctx, kept)); err != nil {
				return err
			}
			rp, err := r.c.do(ctx, request{method: http.MethodPost, path: "/add-knowledge-base-sources/" + esc(s.id), form: form, files: files})
			if err != nil {
				return err
			}
			resp, err := rp.object()
			if err != nil {
				return err
			}
			if err := s.took(ctx, resp, rp.etag()); err != nil {
				return err
			}
			s.record()
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, src := range del {
		id := str(src, "source_id")
		st := Step{Action: ActEdit, Detail: fmt.Sprintf("delete source %s of knowledge base %s", sourceNames([]object{src}), s.id)}
		err := r.step(s.rep, st, func() error {
			var left []object
			for _, k := range sources(s.file) {
				if sourceKey(k) != sourceKey(sourceForm(src)) || k["text"] != src["text"] {
					left = append(left, k)
				}
			}
			if err := s.pending(s.afterSources(ctx, left)); err != nil {
				return err
			}
			_, _, err := r.c.send(ctx, http.MethodDelete, "/delete-knowledge-base-source/"+esc(s.id)+"/source/"+esc(id), nil, nil, "")
			if err != nil {
				return err
			}
			return s.reread(ctx)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// createKB makes a knowledge base with its settings and sources; documents
// beyond the 25 a request takes are added after.
func createKB(ctx context.Context, r *run, s *flatSync, want object) error {
	srcs := sources(want)
	if _, _, err := s.sourceParts(srcs); err != nil {
		return err
	}
	all := batches(srcs)
	st := Step{Action: ActCreate, Detail: fmt.Sprintf("create knowledge base %q with %s", str(want, "knowledge_base_name"), count(len(srcs), "source"))}
	err := r.step(s.rep, st, func() error {
		form, files, err := s.sourceParts(all[0])
		if err != nil {
			return err
		}
		form["knowledge_base_name"] = str(want, "knowledge_base_name")
		for _, k := range kbSettings[1:] {
			if v, ok := want[k]; ok {
				form[k] = scalarText(v)
			}
		}
		rp, err := r.c.do(ctx, request{method: http.MethodPost, path: "/create-knowledge-base", form: form, files: files})
		if err != nil {
			return err
		}
		resp, err := rp.object()
		if err != nil {
			return err
		}
		s.id = str(resp, s.k.idField)
		if s.id == "" {
			return fmt.Errorf("the server created the knowledge base but answered without its id")
		}
		s.rep.ID = s.id
		r.bind(s.f.Path, s.id)
		if err := s.took(ctx, resp, rp.etag()); err != nil {
			return err
		}
		s.record()
		return nil
	})
	if err != nil || len(all) == 1 {
		return err
	}
	if r.dry {
		// The plan adds the other documents in steps of their own.
		for _, batch := range all[1:] {
			if err := r.step(s.rep, Step{Action: ActEdit, Detail: fmt.Sprintf("add %s to the new knowledge base", count(len(batch), "source"))}, nil); err != nil {
				return err
			}
		}
		return nil
	}
	return applyKB(ctx, r, s, want)
}

func scalarOrDash(v any) string {
	switch t := v.(type) {
	case nil:
		return "unset"
	case string:
		return strconv.Quote(t)
	}
	return scalarText(v)
}

// pullKBs reads every knowledge base, with the bytes of its documents where
// the server serves them.
func (r *run) pullKBs(ctx context.Context) ([]pulled, error) {
	objs, err := r.pullFlat(ctx, kbKind, "knowledge_base_name")
	if err != nil || !r.c.extensions(ctx).content {
		return objs, err
	}
	for i := range objs {
		o := &objs[i]
		cur, _, err := r.c.getObject(ctx, kbKind.getPath+esc(o.id), nil)
		if err != nil {
			return nil, err
		}
		docs := map[string][]byte{}
		list, _ := cur["knowledge_base_sources"].([]any)
		for _, it := range list {
			src := it.(object)
			if str(src, "type") != "document" {
				continue
			}
			name := str(src, "filename")
			if !safeFileName(name) {
				r.warn("knowledge base %s: document %q has a name that cannot be a file here; its bytes are not pulled", o.id, name)
				continue
			}
			if docs[name], err = r.sourceContent(ctx, o.id, str(src, "source_id")); err != nil {
				return nil, err
			}
		}
		render := o.render
		o.render = func(slug string) (map[string][]byte, error) {
			files, err := render(slug)
			for name, data := range docs {
				files[folderKBs+"/"+slug+"/"+name] = data
			}
			return files, err
		}
	}
	return objs, nil
}

// count says "1 source", "2 sources".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
