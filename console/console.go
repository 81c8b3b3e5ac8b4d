// Package console is agentry's web console: plain HTML, CSS and JavaScript
// modules, embedded in the binary and served under /console/. There is no
// build step; the files in web/ are what the browser runs. The console is a
// client of agentry's own API like any other (same origin, bearer key), so
// everything it does a script can do too.
package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/agentry/agentry"
)

// Prefix is where the console is served; api.Operations routes it.
const Prefix = "/console/"

// CSP is the Content-Security-Policy of every console answer: scripts,
// styles and requests only from this origin, no inline code of any kind, no
// plugins, frames, forms posting elsewhere or <base> rewriting.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

//go:embed web
var files embed.FS

// assetsPlaceholder marks in index.html where the build's asset folder goes.
const assetsPlaceholder = "%ASSETS%"

// build is the console as served: the page, and the assets by name under a
// folder named after a hash of all of them. An upgrade changes the folder,
// so assets can be cached forever while the page itself is revalidated on
// every load and never points at stale code.
var build = newBuild(files)

type assets struct {
	hash  string            // hex digest of every file's name and bytes
	index []byte            // index.html with the asset folder filled in
	files map[string][]byte // path under web/ → contents (index.html excluded)
}

func newBuild(fsys fs.FS) *assets {
	a := &assets{files: map[string][]byte{}}
	h := sha256.New()
	var raw []byte
	err := fs.WalkDir(fsys, "web", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "web/")
		h.Write([]byte(name))
		h.Write([]byte{0})
		h.Write(b)
		if name == "index.html" {
			raw = b
		} else {
			a.files[name] = b
		}
		return nil
	})
	if err != nil || raw == nil {
		panic("console: cannot read the embedded files: " + errString(err))
	}
	a.hash = hex.EncodeToString(h.Sum(nil))[:16]
	a.index = bytes.ReplaceAll(raw, []byte(assetsPlaceholder), []byte(a.hash))
	return a
}

func errString(err error) string {
	if err == nil {
		return "web/index.html is missing"
	}
	return err.Error()
}

// Build is the hash naming this build's asset folder (/console/<Build>/).
func Build() string { return build.hash }

// contentTypes are the types of the files the console ships; a file of any
// other type is not served.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
}

// Serve answers a GET or HEAD under Prefix: the page at Prefix itself, an
// asset at Prefix/<build>/<name>. Anything else is an ENOTFOUND error for
// the caller's error writer. Every answer, errors included, carries the
// console's security headers.
func Serve(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	rest := strings.TrimPrefix(r.URL.Path, Prefix)
	if rest == "" {
		// The page is small and names the build: revalidated on every load
		// (a 304 while the build is the same).
		h.Set("Cache-Control", "no-cache")
		serveBytes(w, r, "index.html", `"`+build.hash+`"`, build.index)
		return nil
	}
	folder, name, ok := strings.Cut(rest, "/")
	b, found := build.files[name]
	ctype := contentTypes[path.Ext(name)]
	switch {
	case !ok || folder != build.hash:
		return agentry.Errorf(agentry.ENOTFOUND, "not found: %s is not a file of this console build; reload %s", r.URL.Path, Prefix)
	case !found || ctype == "":
		return agentry.Errorf(agentry.ENOTFOUND, "not found: the console has no file %s", name)
	}
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	serveBytes(w, r, name, `"`+build.hash+`"`, b)
	return nil
}

// serveBytes writes b with its content type and ETag; net/http answers
// If-None-Match (304), HEAD and ranges.
func serveBytes(w http.ResponseWriter, r *http.Request, name, etag string, b []byte) {
	w.Header().Set("Content-Type", contentTypes[path.Ext(name)])
	w.Header().Set("ETag", etag)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}
