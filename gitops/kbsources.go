package gitops

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// The sources of a knowledge base: how files write them, how they are
// compared with the server's, and the multipart parts that add them.

// sourceForm is a source as a file writes it.
func sourceForm(src object) object {
	switch t := str(src, "type"); t {
	case "url":
		return object{"type": t, "url": str(src, "url")}
	case "text":
		m := object{"type": t, "title": str(src, "title")}
		if text, ok := src["text"].(string); ok {
			m["text"] = text
		}
		return m
	default:
		return object{"type": t, "filename": str(src, "filename")}
	}
}

var sourceOrder = map[string]int{"url": 0, "text": 1, "document": 2}

func sortSources(srcs []object) {
	sort.SliceStable(srcs, func(i, j int) bool {
		a, b := srcs[i], srcs[j]
		if ta, tb := str(a, "type"), str(b, "type"); ta != tb {
			return sourceOrder[ta] < sourceOrder[tb]
		}
		return sourceKey(a) < sourceKey(b)
	})
}

// sourceKey identifies a source within its knowledge base: a URL by its
// address, a text by its title, a document by its file name.
func sourceKey(src object) string {
	id := map[string]string{"url": "url", "text": "title", "document": "filename"}[str(src, "type")]
	return str(src, "type") + "\x00" + str(src, id)
}

// sources lists the sources of a file's fields.
func sources(fields object) []object {
	list, _ := fields["sources"].([]any)
	out := make([]object, 0, len(list))
	for _, it := range list {
		if m, ok := it.(object); ok {
			out = append(out, m)
		}
	}
	return out
}

// kbChanges compares the server's sources with the file's: the file's
// sources that no source of the server holds (to add), and the server's
// sources that the file does not list, or lists with other content (to
// delete, by source_id). A text is compared by its text where both the file
// and the server have it, a document by its size where the directory has
// its bytes.
func (s *flatSync) kbChanges(want object) (add, del []object) {
	have, _ := s.cur["knowledge_base_sources"].([]any)
	used := make([]bool, len(have))
	for _, w := range sources(want) {
		found := false
		for i, it := range have {
			x := it.(object)
			if used[i] || sourceKey(sourceForm(x)) != sourceKey(w) {
				continue
			}
			if text, ok := w["text"].(string); ok && x["text"] != nil && x["text"] != text {
				continue
			}
			if str(w, "type") == "document" && s.f != nil {
				if size, ok := s.f.docSize(str(w, "filename")); ok {
					if n, known := integer(x, "file_size"); known && n != size {
						continue
					}
				}
			}
			used[i], found = true, true
			break
		}
		if !found {
			add = append(add, w)
		}
	}
	for i, it := range have {
		if !used[i] {
			del = append(del, it.(object))
		}
	}
	return add, del
}

// kbSettingChanges lists the settings a file gives other values than the
// server has; a setting the file leaves out is the server's.
func kbSettingChanges(have, want object) []string {
	var out []string
	for _, k := range kbSettings {
		if w, ok := want[k]; ok && !equalValues(w, have[k]) {
			out = append(out, k)
		}
	}
	return out
}

// sourceParts are the multipart fields and files that add sources, as the
// SDK sends them: the URLs and the texts each as one part of JSON text,
// each file as a part of its own under knowledge_base_files.
func (s *flatSync) sourceParts(srcs []object) (map[string]string, []formFile, error) {
	var urls, texts []any
	var files []formFile
	for _, src := range srcs {
		switch str(src, "type") {
		case "url":
			urls = append(urls, str(src, "url"))
		case "text":
			text, ok := src["text"].(string)
			if !ok {
				return nil, nil, fmt.Errorf("text source %q has no text in the file, and the API cannot copy it from another server: write its text", str(src, "title"))
			}
			texts = append(texts, object{"title": str(src, "title"), "text": text})
		case "document":
			name := str(src, "filename")
			data, err := s.f.docData(name)
			if err != nil {
				return nil, nil, err
			}
			files = append(files, formFile{field: "knowledge_base_files", name: name, data: data})
		}
	}
	form := map[string]string{}
	if len(urls) > 0 {
		form["knowledge_base_urls"] = string(encodeJSON(urls))
	}
	if len(texts) > 0 {
		form["knowledge_base_texts"] = string(encodeJSON(texts))
	}
	return form, files, nil
}

// maxFilesPerRequest is how many files the API takes in one request.
const maxFilesPerRequest = 25

// batches splits sources into requests of at most 25 documents each, the
// URLs and texts in the first.
func batches(srcs []object) [][]object {
	var first, docs []object
	for _, s := range srcs {
		if str(s, "type") == "document" {
			docs = append(docs, s)
		} else {
			first = append(first, s)
		}
	}
	var out [][]object
	for len(docs) > 0 || len(out) == 0 {
		n := min(len(docs), maxFilesPerRequest)
		out = append(out, append(first, docs[:n]...))
		first, docs = nil, docs[n:]
	}
	return out
}

// afterSources is the file form the knowledge base will have with srcs as
// its sources (texts without their text where the server does not serve
// it), for the state to recognize a write whose answer was lost.
func (s *flatSync) afterSources(ctx context.Context, srcs []object) object {
	out := cloneObject(s.file)
	var forms []object
	for _, src := range srcs {
		f := sourceForm(src)
		if !s.r.c.extensions(ctx).content {
			delete(f, "text")
		}
		forms = append(forms, f)
	}
	sortSources(forms)
	delete(out, "sources")
	if len(forms) > 0 {
		items := make([]any, len(forms))
		for i, f := range forms {
			items[i] = f
		}
		out["sources"] = items
	}
	return out
}

// sourceNames names sources in steps: "url https://…, text Hours".
func sourceNames(srcs []object) string {
	var names []string
	for _, s := range srcs {
		names = append(names, strings.ReplaceAll(sourceKey(sourceForm(s)), "\x00", " "))
	}
	return strings.Join(names, ", ")
}
