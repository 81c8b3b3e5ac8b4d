package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/agentry/agentry/schema"
)

// errorAnswers describes each error status in the document.
var errorAnswers = map[int]struct{ name, desc, example string }{
	400: {"BadRequest", "The request is malformed or breaks a rule; the message says which.", "voice_speed: must be between 0.5 and 2"},
	401: {"Unauthorized", "The API key is missing or invalid.", "API key is missing or invalid."},
	404: {"NotFound", "The resource or version does not exist.", "agent agent_3f9c2a7d41b84e0c9a5d6e1f has no version 7"},
	409: {"Conflict", "The request conflicts with the state of its target.", "version 3 of agent agent_3f9c2a7d41b84e0c9a5d6e1f is published and cannot be repaired"},
	412: {"PreconditionFailed", "The If-Match precondition did not hold.", "Precondition failed for conditional update."},
	413: {"PayloadTooLarge", "The body is larger than the limit.", "request body: larger than the limit of 1 MiB"},
	415: {"UnsupportedMediaType", "The body is not in the media type the operation takes.", "request body: must be multipart/form-data"},
	422: {"UnprocessableContent", "The resource addressed, or an asset the body refers to, does not exist under this key; or a server the configuration names (an MCP server) gave no usable answer.", "Cannot find requested asset under given api key."},
	500: {"InternalServerError", "Something unexpected went wrong.", "An unexpected server error occurred."},
	503: {"ServiceUnavailable", "The database cannot be reached or did not answer in time.", "The database is unavailable; try again shortly."},
}

var (
	openAPIOnce sync.Once
	openAPIDoc  []byte
)

// OpenAPI returns agentry's OpenAPI 3.0 document as JSON, built once from
// Operations and the field rules that validate requests. Callers must not
// modify the returned slice.
func OpenAPI() []byte {
	openAPIOnce.Do(func() {
		doc, err := json.Marshal(Document(Operations))
		if err != nil {
			panic("api: cannot encode the OpenAPI document: " + err.Error())
		}
		openAPIDoc = doc
	})
	return openAPIDoc
}

// Document builds the OpenAPI document of ops. encoding/json writes map keys
// in sorted order, so the encoded document is deterministic.
func Document(ops []Operation) map[string]any {
	e := schema.NewEmitter()
	paths := map[string]any{}
	var tags []any
	seenTag := map[string]bool{}
	for i := range ops {
		op := &ops[i]
		if op.Undocumented {
			continue
		}
		item, _ := paths[op.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[op.Path] = item
		}
		item[strings.ToLower(op.Method)] = emit(e, op)
		if !seenTag[op.Tag] {
			seenTag[op.Tag] = true
			tags = append(tags, map[string]any{"name": op.Tag})
		}
	}
	responses := map[string]any{}
	for _, a := range errorAnswers {
		responses[a.name] = map[string]any{"description": a.desc, "content": map[string]any{"application/json": map[string]any{
			"schema":  e.Object(schema.ErrorBody),
			"example": map[string]any{"status": "error", "message": a.example},
		}}}
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "agentry", "version": "1.0.0",
			"description": "Agent management compatible with Retell AI's API and SDKs."},
		"security": []any{map[string]any{"bearer": []any{}}},
		"tags":     tags,
		"paths":    paths,
		"components": map[string]any{
			"schemas":   e.Components(),
			"responses": responses,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
				"description": "An agentry API key: Authorization: Bearer key_..."}},
		},
	}
}

// emit is the OpenAPI operation object of op.
func emit(e *schema.Emitter, op *Operation) map[string]any {
	out := map[string]any{"operationId": op.ID, "summary": op.Summary, "tags": []any{op.Tag}}
	if op.Deprecated {
		out["deprecated"] = true
	}
	if len(op.Params) > 0 {
		var params []any
		for _, p := range op.Params {
			param := map[string]any{"name": p.Name, "in": p.In, "required": p.Required, "schema": p.Schema}
			if p.Description != "" {
				param["description"] = p.Description
			}
			params = append(params, param)
		}
		out["parameters"] = params
	}
	if op.Body != nil {
		s := e.Object(op.Body.Object)
		if r := op.Body.Object.RequiredList(); op.Body.Create && len(r) > 0 {
			// A create requires what the configuration object (which is a
			// patch's shape too) declares optional.
			var required []any
			for _, f := range r {
				required = append(required, f)
			}
			s = map[string]any{"allOf": []any{s, map[string]any{"required": required}}}
		}
		out["requestBody"] = map[string]any{"required": op.Body.Required,
			"content": map[string]any{op.Body.MediaType(): map[string]any{"schema": s}}}
	}
	if op.Public {
		out["security"] = []any{}
	}
	success := map[string]any{"description": http.StatusText(op.Status)}
	switch {
	case op.Response != nil && !op.Response.JSON():
		success["content"] = map[string]any{"*/*": map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
	case op.Response != nil:
		success["content"] = map[string]any{"application/json": map[string]any{"schema": op.Response.emit(e), "example": op.Example}}
	}
	responses := map[string]any{strconv.Itoa(op.Status): success}
	for _, status := range op.ErrorStatuses() {
		responses[strconv.Itoa(status)] = map[string]any{"$ref": "#/components/responses/" + errorAnswers[status].name}
	}
	out["responses"] = responses
	return out
}

func (s *Shape) emit(e *schema.Emitter) map[string]any {
	switch {
	case s.raw != nil:
		return s.raw
	case s.array:
		return map[string]any{"type": "array", "items": e.Object(s.object)}
	}
	return e.Object(s.object)
}
