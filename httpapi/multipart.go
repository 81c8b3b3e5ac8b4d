package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"unicode/utf8"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// Multipart bodies: create-knowledge-base, add-knowledge-base-sources,
// clone-voice and create-asset take multipart/form-data, as the official SDK
// sends it. The whole body is bounded by MaxUploadBytes (wrap sets it) and
// each file by its operation's limit, both enforced while reading: a body or
// a file over its limit is a 413 as soon as the limit is passed.

// upload is one file part.
type upload struct {
	name        string
	contentType string
	data        []byte
}

// form is a multipart body read whole: its text parts and its files, by
// field name, in the order sent.
type form struct {
	texts map[string][]string
	files map[string][]upload
}

// readForm reads the multipart/form-data body of r; fileLimit is the
// largest a single file may be.
func readForm(r *http.Request, fileLimit int64) (*form, error) {
	ct := r.Header.Get("Content-Type")
	media, params, err := mime.ParseMediaType(ct)
	if err != nil || media != "multipart/form-data" || params["boundary"] == "" {
		return nil, agentry.Errorf(agentry.EUNSUPPORTED, "request body: must be multipart/form-data with a boundary, got Content-Type %q", ct)
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	f := &form{texts: map[string][]string{}, files: map[string][]upload{}}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			return nil, partError(err)
		}
		name := p.FormName()
		if name == "" {
			return nil, agentry.Errorf(agentry.EINVALID, "request body: every part needs a name (Content-Disposition: form-data; name=...)")
		}
		if filename := p.FileName(); filename != "" {
			data, err := io.ReadAll(io.LimitReader(p, fileLimit+1))
			if err != nil {
				return nil, partError(err)
			}
			if int64(len(data)) > fileLimit {
				return nil, agentry.Errorf(agentry.ETOOLARGE, "%s (%s): larger than the limit of %d MiB per file", name, filename, fileLimit>>20)
			}
			f.files[name] = append(f.files[name], upload{name: filename, contentType: p.Header.Get("Content-Type"), data: data})
			continue
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, partError(err)
		}
		if !utf8.Valid(data) {
			return nil, agentry.Errorf(agentry.EINVALID, "%s: not valid UTF-8 text", name)
		}
		f.texts[name] = append(f.texts[name], string(data))
	}
}

// partError explains why a multipart body could not be read.
func partError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return agentry.Errorf(agentry.ETOOLARGE, "request body: larger than the limit of %d MiB", tooLarge.Limit>>20)
	}
	return agentry.Errorf(agentry.EINVALID, "request body: malformed multipart/form-data: %v", err)
}

// fileNames lists the file names sent under each field, for the rules.
func (f *form) fileNames() map[string][]string {
	out := map[string][]string{}
	for field, ups := range f.files {
		for _, u := range ups {
			out[field] = append(out[field], u.name)
		}
	}
	return out
}

// sources are the files of one field as the domain takes them.
func (f *form) sources(field string) []agentry.FileSource {
	var out []agentry.FileSource
	for _, u := range f.files[field] {
		out = append(out, agentry.FileSource{Name: u.name, ContentType: cleanMediaType(u.contentType), Data: u.data})
	}
	return out
}

// decodeForm reads a multipart body, checks its fields against obj's rules
// and decodes them into v (a struct with the fields' JSON names). The files
// are in the returned form.
func decodeForm(r *http.Request, obj *schema.Object, fileLimit int64, v any) (*form, error) {
	f, err := readForm(r, fileLimit)
	if err != nil {
		return nil, err
	}
	fields, err := schema.FormFields(obj, f.texts, f.fileNames())
	if err != nil {
		return nil, err
	}
	if fields, err = checkRequest(r, obj, fields); err != nil {
		return nil, err
	}
	b, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return nil, agentry.Errorf(agentry.EINVALID, "request body: %v", err)
	}
	return f, nil
}

// mimeAttachment is a Content-Disposition that names a file.
func mimeAttachment(name string) string {
	if name == "" {
		return "attachment"
	}
	return mime.FormatMediaType("attachment", map[string]string{"filename": name})
}

// cleanMediaType is a part's declared content type in canonical form, or ""
// when it does not parse: it is stored, and served back as a header.
func cleanMediaType(ct string) string {
	media, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return mime.FormatMediaType(media, params)
}
