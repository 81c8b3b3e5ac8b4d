package gitops

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// The checks of knowledge base files: the server's rules for
// create-knowledge-base's body (package schema for shapes,
// agentry.CheckNewKnowledgeBase for chunk sizes and URLs), applied to the
// settings and to each source, and the rules of files (sources of three
// forms, each listed once, documents' bytes in the folder named after the
// file). Shared components are checked in components.go, phone numbers in
// phonefile.go.

// sourceFields are the fields of a source in a file, by type.
var sourceFields = map[string][]string{"url": {"type", "url"}, "text": {"type", "title", "text"}, "document": {"type", "filename"}}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func joinWords(words []string) string {
	s := ""
	for i, w := range words {
		switch {
		case i == 0:
		case i == len(words)-1:
			s += " and "
		default:
			s += ", "
		}
		s += w
	}
	return s
}

// checkKB checks a knowledge base file.
func checkKB(f *FlatFile, fail func(*FileError)) {
	for _, k := range sortedKeys(f.Fields) {
		if !contains(kbSettings, k) && k != "sources" {
			fail(fieldError(f.Path, f.lines, k, "unknown field: a knowledge base file has "+joinWords(append(append([]string{}, kbSettings...), "sources"))))
			return
		}
	}
	fields := withoutNulls(f.Fields)
	settings := object{}
	for _, k := range kbSettings {
		if v, ok := fields[k]; ok {
			settings[k] = v
		}
	}
	if err := checkObject(schema.KnowledgeBaseCreate, settings, schema.Create); err != nil {
		fail(schemaError(f.Path, f.lines, "", err))
		return
	}
	maxSize, _ := integer(settings, "max_chunk_size")
	minSize, _ := integer(settings, "min_chunk_size")
	if err := agentry.CheckNewKnowledgeBase(agentry.CreateKnowledgeBaseRequest{MaxChunkSize: int(maxSize), MinChunkSize: int(minSize)}); err != nil {
		fail(schemaError(f.Path, f.lines, "", err))
		return
	}
	list, ok := fields["sources"].([]any)
	if _, set := fields["sources"]; set && !ok {
		fail(fieldError(f.Path, f.lines, "sources", "must be a list of sources"))
		return
	}
	seen := map[string]int{}
	for i, item := range list {
		p := indexPath("sources", i)
		src, ok := item.(object)
		if !ok {
			fail(fieldError(f.Path, f.lines, p, "must be a source: {type: url, url}, {type: text, title, text} or {type: document, filename}"))
			continue
		}
		if msg := checkSource(src); msg != "" {
			fail(fieldError(f.Path, f.lines, p, msg))
			continue
		}
		if err := checkSourceRules(src); err != nil {
			fail(schemaError(f.Path, f.lines, p, err))
			continue
		}
		key := sourceKey(src)
		if j, dup := seen[key]; dup {
			fail(fieldError(f.Path, f.lines, p, fmt.Sprintf("is listed twice (also sources[%d]): a knowledge base has one source of each address, title and file name", j)))
		}
		seen[key] = i
	}
	for name := range f.docs {
		if _, listed := seen["document\x00"+name]; !listed {
			fail(&FileError{File: f.folder() + "/" + name, Msg: fmt.Sprintf("not a source of %s: list it there as {type: document, filename: %s}, or remove it", f.Path, name)})
		}
	}
}

// checkSource checks the form of a source in a file: its type and fields.
func checkSource(src object) string {
	t := str(src, "type")
	fields, ok := sourceFields[t]
	if !ok {
		return "type: must be one of url, text, document"
	}
	for _, k := range sortedKeys(src) {
		if !contains(fields, k) {
			return fmt.Sprintf("unknown field %q: a %s source has %s", k, t, joinWords(fields))
		}
	}
	id := fields[1]
	if s, ok := src[id].(string); !ok || s == "" {
		return id + ": is required: a non-empty string"
	}
	if t == "document" && !safeFileName(str(src, "filename")) {
		return "filename: must be a plain file name (no folders), as its bytes are knowledge-bases/NAME/FILENAME"
	}
	return ""
}

// checkSourceRules applies the server's rules for the part of
// create-knowledge-base's body that adds the source, and names the
// source's own field in the message.
func checkSourceRules(src object) error {
	body := object{"knowledge_base_name": "x"}
	var sources agentry.NewSources
	field, part := "", ""
	switch str(src, "type") {
	case "url":
		body["knowledge_base_urls"] = []any{src["url"]}
		sources.URLs = []string{str(src, "url")}
		field, part = "knowledge_base_urls[0]", "url"
	case "text":
		text := object{"title": src["title"], "text": ""}
		if t, ok := src["text"]; ok {
			text["text"] = t
		}
		body["knowledge_base_texts"] = []any{text}
		field, part = "knowledge_base_texts[0]", ""
	default:
		return nil
	}
	err := checkObject(schema.KnowledgeBaseCreate, body, schema.Create)
	if err == nil {
		err = agentry.CheckNewKnowledgeBase(agentry.CreateKnowledgeBaseRequest{Sources: sources})
	}
	if err == nil {
		return nil
	}
	msg := errMessage(err)
	if strings.HasPrefix(msg, field) {
		msg = strings.TrimPrefix(strings.TrimPrefix(msg, field), ".")
		if part != "" {
			msg = part + msg
		}
	}
	return fmt.Errorf("%s", msg)
}

// folder is where the documents of a knowledge base file are:
// knowledge-bases/NAME/.
func (f *FlatFile) folder() string { return folderKBs + "/" + f.Slug }

// docSize returns the size of a document's bytes in the directory.
func (f *FlatFile) docSize(name string) (int64, bool) {
	p, ok := f.docs[name]
	if !ok {
		return 0, false
	}
	st, err := os.Stat(p)
	if err != nil {
		return 0, false
	}
	return st.Size(), true
}

// docData reads a document's bytes from the directory.
func (f *FlatFile) docData(name string) ([]byte, error) {
	p, ok := f.docs[name]
	if !ok {
		return nil, fmt.Errorf("document %q: its bytes are not in %s/ (a pull from a server that serves them writes them there): add the file, or leave the document out", name, f.folder())
	}
	return os.ReadFile(p)
}

// readDocs finds the documents of a knowledge base file in its folder.
func (f *FlatFile) readDocs(root string, fail func(*FileError)) {
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(f.folder())))
	if err != nil {
		return
	}
	f.docs = map[string]string{}
	for _, e := range entries {
		switch {
		case strings.HasPrefix(e.Name(), "."):
		case e.IsDir():
			fail(&FileError{File: f.folder() + "/" + e.Name(), Msg: "unexpected folder: a knowledge base's documents are files directly in " + f.folder() + "/"})
		default:
			f.docs[e.Name()] = filepath.Join(root, filepath.FromSlash(f.folder()), e.Name())
		}
	}
}

// safeFileName reports whether a document's name can be a file of its own
// in the directory.
func safeFileName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.HasPrefix(name, ".") &&
		!strings.ContainsAny(name, "/\\\x00") && len(name) <= 255
}
