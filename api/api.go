// Package api is agentry's HTTP surface as data: one table of operations
// (operations.go), each with its method, path, not-found status, parameters,
// request and response shapes. httpapi builds its router and error answers
// from the table and binds one handler to each operation by its ID; the
// OpenAPI document served at /openapi.json is built from the same table.
// Adding an endpoint is one entry here and one handler in httpapi.
package api

import (
	"net/http"

	"github.com/agentry/agentry/schema"
)

// Operation is one endpoint.
type Operation struct {
	// ID is the operationId; httpapi binds the handler of the same name.
	ID     string
	Method string
	// Path is a net/http pattern path, which is also OpenAPI's path syntax.
	Path    string
	Tag     string // the group in the document
	Summary string
	Public  bool // needs no API key
	// Undocumented is served but left out of the OpenAPI document: it is not
	// part of the API a client programs against (the console's files).
	Undocumented bool
	// Deprecated marks a path that an older SDK calls and a newer one
	// replaced: served, and marked so in the document.
	Deprecated bool
	// Missing is the status for a resource or version that does not exist:
	// 422 on Retell's older endpoints (which document no 404), 404 on those
	// that document it. 0 when the operation addresses nothing (404 then).
	Missing int
	Params  []Param
	Body    *Body
	// Status is the success status.
	Status   int
	Response *Shape // nil: the success answer has no body
	Example  any
	// Errors lists error statuses beyond those every operation of its sort
	// answers (see ErrorStatuses).
	Errors []int
}

// Param is a path or query parameter.
type Param struct {
	Name        string
	In          string // "path" or "query"
	Description string
	Required    bool
	Schema      map[string]any
}

// Body is a JSON request body.
type Body struct {
	Object *schema.Object
	// Required says a body must be sent.
	Required bool
	// Create applies the object's required fields (the body of a create);
	// otherwise the body is a patch, or a request object whose own required
	// list applies as declared.
	Create bool
	// Multipart marks a multipart/form-data body (one that uploads files);
	// others are JSON. Its size limit is httpapi's MaxUploadBytes.
	Multipart bool
}

// MediaType is the body's content type.
func (b *Body) MediaType() string {
	if b.Multipart {
		return "multipart/form-data"
	}
	return "application/json"
}

// Shape is a success answer's body: JSON, or bytes of a stored file.
type Shape struct {
	object *schema.Object
	array  bool
	raw    map[string]any // a literal schema
	bytes  bool
}

// Bytes is a stored file's bytes, in the content type it was stored with.
func Bytes() *Shape { return &Shape{bytes: true} }

// JSON reports whether the answer is a JSON document.
func (s *Shape) JSON() bool { return !s.bytes }

// One is a single object.
func One(o *schema.Object) *Shape { return &Shape{object: o} }

// ArrayOf is a JSON array of objects.
func ArrayOf(o *schema.Object) *Shape { return &Shape{object: o, array: true} }

// PageOf is a page of a list: {items, has_more, pagination_key?}.
func PageOf(name string, item *schema.Object) *Shape { return One(schema.Page(name, item)) }

// Literal is a shape written out as an OpenAPI schema.
func Literal(s map[string]any) *Shape { return &Shape{raw: s} }

// ErrorStatuses lists every error status an operation answers with: 401
// unless public; 400 when it takes a body or a query parameter; 413 with a
// body; its not-found status when it addresses a resource; the listed
// extras; and 500.
func (op *Operation) ErrorStatuses() []int {
	var out []int
	add := func(s int) {
		for _, x := range out {
			if x == s {
				return
			}
		}
		out = append(out, s)
	}
	query := false
	for _, p := range op.Params {
		query = query || p.In == "query"
	}
	if op.Body != nil || query {
		add(http.StatusBadRequest)
	}
	if !op.Public {
		add(http.StatusUnauthorized)
	}
	if op.Missing != 0 {
		add(op.Missing)
	}
	for _, s := range op.Errors {
		add(s)
	}
	if op.Body != nil {
		add(http.StatusRequestEntityTooLarge)
	}
	add(http.StatusInternalServerError)
	return out
}

// NotFoundStatus is the status of a missing resource on this operation.
func (op *Operation) NotFoundStatus() int {
	if op.Missing != 0 {
		return op.Missing
	}
	return http.StatusNotFound
}

// ByID returns the operation with the given ID, or nil.
func ByID(id string) *Operation {
	for i := range Operations {
		if Operations[i].ID == id {
			return &Operations[i]
		}
	}
	return nil
}
