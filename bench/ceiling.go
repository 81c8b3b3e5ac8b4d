package main

import (
	"encoding/gob"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// The ceiling is a bare net/http server that answers each request with the
// bytes agentry answered it with (captured beforehand): the same status,
// headers and body, with no routing, authentication, database or logging.
// What agentry does beyond that is what the ratio to the ceiling measures.

// ceilingData is what the harness hands the ceiling process.
type ceilingData struct {
	// Exact maps "METHOD URI" to the captured response.
	Exact map[string]*response
	// Prefix maps "METHOD /first-segment/" to a response for requests that
	// were not captured one by one (publishing consumes its drafts, so only
	// a few publishes are captured; every publish answers the same).
	Prefix map[string]*response
}

func (d *ceilingData) add(m map[string]*response) {
	for k, v := range m {
		d.Exact[k] = v
		d.Prefix[prefixKey(k)] = v
	}
}

func prefixKey(key string) string {
	method, uri, _ := strings.Cut(key, " ")
	seg, _, _ := strings.Cut(strings.TrimPrefix(uri, "/"), "/")
	seg, _, _ = strings.Cut(seg, "?")
	return method + " /" + seg + "/"
}

func writeCeilingData(path string, d *ceilingData) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := gob.NewEncoder(f).Encode(d); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// serveCeiling is the ceiling process's main: it serves the captured
// responses in path on addr until killed.
func serveCeiling(path, addr string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	var d ceilingData
	if err := gob.NewDecoder(f).Decode(&d); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	f.Close()
	type prepared struct {
		status int
		header http.Header
		body   []byte
	}
	prep := func(r *response) *prepared {
		h := http.Header{}
		for _, kv := range r.Headers {
			h[http.CanonicalHeaderKey(kv[0])] = []string{kv[1]}
		}
		h["Content-Length"] = []string{strconv.Itoa(len(r.Body))}
		return &prepared{r.Status, h, r.Body}
	}
	exact := map[string]*prepared{}
	for k, r := range d.Exact {
		exact[k] = prep(r)
	}
	prefix := map[string]*prepared{}
	for k, r := range d.Prefix {
		prefix[k] = prep(r)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		key := r.Method + " " + r.URL.RequestURI()
		p, ok := exact[key]
		if !ok {
			p, ok = prefix[prefixKey(key)]
		}
		if !ok {
			http.Error(w, "not captured: "+key, http.StatusNotFound)
			return
		}
		h := w.Header()
		for k, v := range p.header {
			h[k] = v
		}
		w.WriteHeader(p.status)
		_, _ = w.Write(p.body)
	}))
}
