package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// The operations every kind of versioned resource has alike: create, get,
// update and delete. Each is specialised by the kind it serves.

// decodeFields reads the body as one JSON object, undecoded field by field.
// Its field rules are applied by whoever takes the fields: the service for
// configurations, decodeRequest for request objects.
func decodeFields(r *http.Request) (agentry.Fields, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	fields, err := schema.DecodeObject(body)
	if err != nil {
		return nil, err
	}
	return agentry.Fields(fields), nil
}

// decodeRequest reads a request body (not a configuration) and checks it
// against its object's rules. Undeclared fields are left out and noted as
// ignored, or refused under --strict.
func decodeRequest(r *http.Request, obj *schema.Object) (agentry.Fields, error) {
	fields, err := decodeFields(r)
	if err != nil {
		return nil, err
	}
	return checkRequest(r, obj, fields)
}

// checkRequest checks decoded request fields against obj, as decodeRequest.
func checkRequest(r *http.Request, obj *schema.Object, fields agentry.Fields) (agentry.Fields, error) {
	return checkRequestAs(r, obj, fields, schema.Create)
}

// checkRequestAs checks request fields in mode (schema.Update: a partial
// body, nothing required at the top). Unknown fields are ignored and named
// in the answer's header, or refused with --strict, as for every body.
func checkRequestAs(r *http.Request, obj *schema.Object, fields agentry.Fields, mode schema.Mode) (agentry.Fields, error) {
	checked, err := obj.Check(fields, mode, unknownFields(r))
	if err != nil {
		return nil, err
	}
	noteIgnored(r, checked.Ignored)
	return checked.Fields, nil
}

// refParser reads the version parameter of a get or an update.
type refParser func(r *http.Request) (agentry.VersionRef, error)

// versionParam returns the version query parameter: "" when it is absent.
// Present, it must be given once and not be empty (the reference's
// minLength: 1): "?version=" is a mistake, not a request for the default.
func versionParam(r *http.Request) (string, error) {
	vs := queryValues(r.URL.RawQuery, "version")
	switch {
	case len(vs) == 0:
		return "", nil
	case len(vs) > 1:
		return "", agentry.Errorf(agentry.EINVALID, "version: given %d times; give it once", len(vs))
	case vs[0] == "":
		return "", agentry.Errorf(agentry.EINVALID, "version: must not be empty; leave it out for the default")
	}
	return vs[0], nil
}

// agentVersion parses the version parameter of an agent endpoint: a number,
// latest, latest_published or a tag.
func agentVersion(r *http.Request) (agentry.VersionRef, error) {
	raw, err := versionParam(r)
	if err != nil {
		return agentry.VersionRef{}, err
	}
	return agentry.ParseVersionRef(raw)
}

// engineVersion parses the version parameter of an engine endpoint: a
// version number, or latest. Engines have no tags, and the reference types
// the parameter as an integer: latest_published is refused too.
func engineVersion(r *http.Request) (agentry.VersionRef, error) {
	raw, err := versionParam(r)
	if err != nil {
		return agentry.VersionRef{}, err
	}
	ref, err := agentry.ParseVersionRef(raw)
	switch {
	case err != nil && ref.Form == agentry.RefNone && raw != "" && (raw[0] == '-' || raw[0] == '+' || raw[0] >= '0' && raw[0] <= '9'):
		return ref, err // a malformed number: its own message
	case err != nil || ref.Form == agentry.RefTag || ref.Form == agentry.RefLatestPublished:
		return ref, agentry.Errorf(agentry.EINVALID, "version: must be a version number (0, 1, 2, ...) or latest, got %q", raw)
	}
	return ref, nil
}

func (s *Server) create(kind *agentry.Kind) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		fields, err := decodeFields(r)
		if err != nil {
			return err
		}
		cfg, err := s.Service.CheckCreate(kind, fields)
		if err != nil {
			return err
		}
		noteIgnored(r, cfg.Ignored)
		v, err := s.Service.Create(r.Context(), caller(r), cfg)
		if err != nil {
			return err
		}
		writeVersion(w, http.StatusCreated, v, nil) // a new agent has no tags
		return nil
	}
}

func (s *Server) update(kind *agentry.Kind, parse refParser) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ref, err := parse(r)
		if err != nil {
			return err
		}
		fields, err := decodeFields(r)
		if err != nil {
			return err
		}
		patch, err := s.Service.CheckPatch(kind, fields)
		if err != nil {
			return err
		}
		noteIgnored(r, patch.Ignored)
		v, err := s.Service.Update(r.Context(), caller(r), agentry.UpdateRequest{
			Address: agentry.Address{Kind: kind, ID: r.PathValue(kind.IDField), Version: ref},
			Patch:   patch, IfMatch: r.Header.Get("If-Match")})
		if err != nil {
			return err
		}
		tags, err := s.assignedTags(r, v.Kind, v.ResourceID, v.Number)
		if err != nil {
			return err
		}
		writeVersion(w, http.StatusOK, v, tags)
		return nil
	}
}

func (s *Server) delete(kind *agentry.Kind) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		req := agentry.DeleteRequest{Kind: kind, ID: r.PathValue(kind.IDField)}
		if kind.Engine {
			if raw := r.URL.Query().Get("force_delete"); raw != "" {
				var err error
				if req.Force, err = strconv.ParseBool(raw); err != nil {
					return agentry.Errorf(agentry.EINVALID, "force_delete: must be true or false, got %q", raw)
				}
			}
		}
		if err := s.Service.Delete(r.Context(), caller(r), req); err != nil {
			return err
		}
		s.published.deleteAgent(caller(r).Workspace, req.ID)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// getVersion answers a get of one version of a resource, from the published
// cache when the reference is a number (the hot path: what a starting call
// asks for), else from the answer cache while the store's stamp holds (a
// draft, latest: see answerCache). A tag is resolved through the routing
// snapshot, not cached here.
func (s *Server) getVersion(w http.ResponseWriter, r *http.Request, a agentry.Address) error {
	c := caller(r)
	if a.Version.Form == agentry.RefNumber {
		key := cacheKey(c.Workspace, a.Kind.Name, a.ID, a.Version.Number)
		if body, etag, ok := s.published.get(key); ok {
			return s.writeCached(w, r, a.Kind, a.ID, a.Version.Number, body, etag)
		}
	}
	var akey string
	var stamp agentry.Stamp
	var cacheable bool
	if a.Version.Form != agentry.RefTag {
		akey = keyOf("get", c.Workspace, a.Kind.Name, a.ID, strconv.Itoa(a.Version.Form), strconv.FormatInt(a.Version.Number, 10))
		var hit *answer
		if hit, stamp, cacheable = s.answers.get(r.Context(), akey); hit != nil {
			return s.writeCached(w, r, hit.kind, a.ID, hit.number, hit.body, hit.etag)
		}
	}
	v, err := s.Service.Get(r.Context(), c, a)
	if err != nil {
		return err
	}
	body, etag := appendResponse(make([]byte, 0, 256+len(v.Config)), v), agentry.ETag(v)
	if v.Published {
		s.published.put(cacheKey(c.Workspace, a.Kind.Name, a.ID, v.Number), c.Workspace, a.ID, body, etag)
	}
	if cacheable {
		s.answers.put(akey, stamp, &answer{body: body, etag: etag, kind: v.Kind, number: v.Number})
	}
	return s.writeCached(w, r, v.Kind, a.ID, v.Number, body, etag)
}

// writeCached writes a version's encoded response: an agent version's with
// its assigned tags, which are never part of the cached bytes.
func (s *Server) writeCached(w http.ResponseWriter, r *http.Request, kind *agentry.Kind, id string, number int64, body []byte, etag string) error {
	w.Header()["Etag"] = []string{etag}
	if !kind.Agent {
		writeRaw(w, http.StatusOK, body)
		return nil
	}
	tags, err := s.Service.AssignedTags(r.Context(), caller(r), id, number)
	if err != nil {
		return err
	}
	writeWithTags(w, http.StatusOK, body, tags)
	return nil
}

// assignedTags lists the tags that hold an agent version (nil for
// engines).
func (s *Server) assignedTags(r *http.Request, kind *agentry.Kind, id string, number int64) ([]string, error) {
	if !kind.Agent {
		return nil, nil
	}
	return s.Service.AssignedTags(r.Context(), caller(r), id, number)
}

// wholeNumber reads a version number the schema has already checked: an
// integer, possibly written as 3.0 or 3e0.
func wholeNumber(raw json.RawMessage) (int64, error) {
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		return 0, err
	}
	return int64(f), nil
}

// queryValues returns the values of one parameter of a raw query, as
// url.ParseQuery would give them (a pair with a semicolon or a bad escape is
// left out), without building the map of every parameter: the version
// parameter is read on every get, the hottest path there is.
func queryValues(raw, name string) []string {
	var vs []string
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" || strings.Contains(part, ";") {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if k != name {
			if !strings.ContainsAny(k, "%+") {
				continue
			}
			if uk, err := url.QueryUnescape(k); err != nil || uk != name {
				continue
			}
		}
		uv, err := url.QueryUnescape(v)
		if err != nil {
			continue
		}
		vs = append(vs, uv)
	}
	return vs
}
