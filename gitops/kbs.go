package gitops

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Knowledge bases (Retell's knowledge-base endpoints): files
// knowledge-bases/NAME.yaml hold a knowledge base's metadata: its name,
// settings and the list of its sources (URLs, texts by title, documents by
// file name). Retell's API cannot rename a knowledge base or change its
// settings, and gives back no text or document content: apply creates a
// knowledge base with its URLs and the texts whose content the file gives,
// adds sources that are missing, deletes those the file no longer lists,
// and says so where a file asks for what the API cannot do.
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
		items, _ := v.([]any)
		out := make([]object, 0, len(items))
		for _, it := range items {
			if m, ok := it.(object); ok {
				out = append(out, m)
			}
		}
		return out, nil
	},
	toFile: func(_ context.Context, _ *run, resp object) (object, error) {
		out := object{}
		for _, k := range []string{"knowledge_base_name", "enable_auto_refresh", "max_chunk_size", "min_chunk_size"} {
			if v, ok := resp[k]; ok && v != nil {
				out[k] = clone(v)
			}
		}
		sources := []any{}
		list, _ := resp["knowledge_base_sources"].([]any)
		for _, it := range list {
			src, _ := it.(object)
			switch t := str(src, "type"); t {
			case "url":
				sources = append(sources, object{"type": t, "url": str(src, "url")})
			case "text":
				sources = append(sources, object{"type": t, "title": str(src, "title")})
			case "document":
				sources = append(sources, object{"type": t, "filename": str(src, "filename")})
			}
		}
		if len(sources) > 0 {
			out["sources"] = sources
		}
		return out, nil
	},
	apply: applyKB,
}

func (r *run) kbWork(f *FlatFile) work { return r.flatWork(kbKind, f) }

// kbSources indexes a file form's sources by sourceKey.
func kbSources(fields object) (keys []string, byKey map[string]object) {
	byKey = map[string]object{}
	list, _ := fields["sources"].([]any)
	for _, it := range list {
		src, _ := it.(object)
		if k, bad := sourceKey(src); bad == "" {
			keys = append(keys, k)
			byKey[k] = src
		}
	}
	return keys, byKey
}

// sourceForm is the multipart fields that add sources: URLs and texts.
func sourceForm(srcs []object) (map[string]string, error) {
	var urls, texts []any
	for _, src := range srcs {
		switch str(src, "type") {
		case "url":
			urls = append(urls, str(src, "url"))
		case "text":
			text, ok := src["text"].(string)
			if !ok {
				return nil, fmt.Errorf("text source %q has no text in the file, and the API cannot copy it from another server: write its text", str(src, "title"))
			}
			texts = append(texts, object{"title": str(src, "title"), "text": text})
		case "document":
			return nil, fmt.Errorf("document %q cannot be uploaded from a file: add it on the server", str(src, "filename"))
		}
	}
	form := map[string]string{}
	if len(urls) > 0 {
		form["knowledge_base_urls"] = string(encodeJSON(urls))
	}
	if len(texts) > 0 {
		form["knowledge_base_texts"] = string(encodeJSON(texts))
	}
	return form, nil
}

// applyKB creates a knowledge base or brings its sources in line.
func applyKB(ctx context.Context, r *run, s *flatSync, want object) error {
	keys, srcs := kbSources(want)
	if s.cur == nil {
		var all []object
		for _, k := range keys {
			all = append(all, srcs[k])
		}
		form, err := sourceForm(all)
		if err != nil {
			return err
		}
		form["knowledge_base_name"] = str(want, "knowledge_base_name")
		for _, k := range []string{"enable_auto_refresh", "max_chunk_size", "min_chunk_size"} {
			if v, ok := want[k]; ok {
				form[k] = scalarText(v)
			}
		}
		st := Step{Action: ActCreate, Detail: fmt.Sprintf("create knowledge base %q with %s", form["knowledge_base_name"], count(len(all), "source"))}
		return r.step(s.rep, st, func() error {
			rp, err := r.c.do(ctx, request{method: http.MethodPost, path: "/create-knowledge-base", form: form})
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
	}
	for _, k := range []string{"knowledge_base_name", "enable_auto_refresh", "max_chunk_size", "min_chunk_size"} {
		if w, ok := want[k]; ok && !equalValues(w, s.file[k]) {
			return fmt.Errorf("%s is %s on the server and the API cannot change it after creation: write the server's value, or make a new knowledge base under another file", k, scalarOrDash(s.file[k]))
		}
	}
	if st := str(s.cur, "status"); st == "in_progress" || st == "refreshing_in_progress" {
		r.warn("%s: knowledge base %s is still processing (status %s); its sources are compared when it is done", s.f.Path, s.id, st)
		return nil
	}
	haveKeys, have := kbSources(s.file)
	var add []object
	for _, k := range keys {
		if have[k] == nil {
			add = append(add, srcs[k])
		}
	}
	if len(add) > 0 {
		form, err := sourceForm(add)
		if err != nil {
			return err
		}
		st := Step{Action: ActEdit, Detail: fmt.Sprintf("add %s to knowledge base %s", count(len(add), "source"), s.id)}
		err = r.step(s.rep, st, func() error {
			rp, err := r.c.do(ctx, request{method: http.MethodPost, path: "/add-knowledge-base-sources/" + esc(s.id), form: form})
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
	for _, k := range haveKeys {
		if srcs[k] != nil {
			continue
		}
		id := sourceID(s.cur, have[k])
		what := strings.ReplaceAll(k, "\x00", " ")
		err := r.step(s.rep, Step{Action: ActEdit, Detail: fmt.Sprintf("delete source %s of knowledge base %s", what, s.id)}, func() error {
			resp, etag, err := r.c.send(ctx, http.MethodDelete, "/delete-knowledge-base-source/"+esc(s.id)+"/source/"+esc(id), nil, nil, "")
			if err != nil {
				return err
			}
			if resp == nil {
				if resp, etag, err = r.c.getObject(ctx, s.k.getPath+esc(s.id), nil); err != nil {
					return err
				}
			}
			if err := s.took(ctx, resp, etag); err != nil {
				return err
			}
			s.record()
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// sourceID finds the server's id of a source in the file form.
func sourceID(kb object, src object) string {
	want, _ := sourceKey(src)
	list, _ := kb["knowledge_base_sources"].([]any)
	for _, it := range list {
		s, _ := it.(object)
		form := object{"type": str(s, "type")}
		switch str(s, "type") {
		case "url":
			form["url"] = str(s, "url")
		case "text":
			form["title"] = str(s, "title")
		case "document":
			form["filename"] = str(s, "filename")
		}
		if k, _ := sourceKey(form); k == want {
			return str(s, "source_id")
		}
	}
	return ""
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

// pullKBs reads every knowledge base.
func (r *run) pullKBs(ctx context.Context) ([]pulled, error) {
	return r.pullFlat(ctx, kbKind, "knowledge_base_name")
}

// count says "1 source", "2 sources".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
