package schema

import (
	"net/http"
	"strconv"
	"strings"
)

// The endpoints of docs/API.md, with their parameters, bodies and answers.

// errorStatus describes each error status an endpoint may answer with.
var errorStatus = map[int]struct{ name, desc, example string }{
	400: {"BadRequest", "The request is malformed or breaks a rule; the message says which.", "voice_speed: must be between 0.5 and 2"},
	401: {"Unauthorized", "The API key is missing or invalid.", "API key is missing or invalid."},
	404: {"NotFound", "The agent, engine or version does not exist.", "Agent version not found."},
	412: {"PreconditionFailed", "The If-Match precondition did not hold.", "Precondition failed."},
	413: {"PayloadTooLarge", "The body is larger than 1 MiB.", "Request body is too large."},
	422: {"UnprocessableContent", "The resource addressed, or an asset the body refers to, does not exist under this key.", "Cannot find requested asset under given api key."},
	500: {"InternalServerError", "Something unexpected went wrong.", "Internal server error."},
}

// operation describes one endpoint.
type operation struct {
	method, path, id, summary string
	params                    []jsonObject
	body                      jsonObject // request body, or nil
	status                    int        // success status
	response                  jsonObject // success response content schema, or nil
	example                   any
	errors                    []int
	public                    bool // needs no API key
}

func document() jsonObject {
	e := &emitter{components: jsonObject{}}
	agent := e.schema(ref(agentResponse))
	agentID := jsonObject{"name": "agent_id", "in": "path", "required": true,
		"schema": jsonObject{"type": "string", "minLength": 1}, "description": "The agent's id."}
	versionRef := jsonObject{"name": "version", "in": "query", "required": false,
		"description": "A version number, latest, latest_published, or a tag name (not latest, latest_published or v followed by digits). Absent means the latest.",
		"schema": jsonObject{"oneOf": []any{
			jsonObject{"type": "integer", "minimum": 0},
			jsonObject{"type": "string", "pattern": "^(latest|latest_published|[a-z][a-z0-9_-]{0,19})$"},
		}}}
	paging := []jsonObject{
		{"name": "limit", "in": "query", "schema": jsonObject{"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}},
		{"name": "sort_order", "in": "query", "schema": jsonObject{"type": "string", "enum": []any{"ascending", "descending"}, "default": "descending"}},
		{"name": "pagination_key", "in": "query", "description": "The key from the previous page, with the same sort order.", "schema": jsonObject{"type": "string"}},
	}
	body := func(s *rule, required bool) jsonObject {
		return jsonObject{"required": required, "content": jsonObject{"application/json": jsonObject{"schema": e.schema(s)}}}
	}
	createBody := jsonObject{"allOf": []any{e.schema(ref(VoiceAgent)), jsonObject{"required": VoiceAgent.requiredList()}}}
	ops := []operation{
		{method: http.MethodPost, path: "/create-agent", id: "createAgent", summary: "Create an agent; its version 0 is a draft.",
			body:   jsonObject{"required": true, "content": jsonObject{"application/json": jsonObject{"schema": createBody}}},
			status: 201, response: agent, example: exampleAgent, errors: []int{400, 401, 413, 422, 500}},
		{method: http.MethodGet, path: "/get-agent/{agent_id}", id: "getAgent", summary: "Get one version of an agent.",
			params: []jsonObject{agentID, versionRef}, status: 200, response: agent, example: exampleAgent,
			errors: []int{400, 401, 422, 500}},
		{method: http.MethodPatch, path: "/update-agent/{agent_id}", id: "updateAgent", summary: "Change fields of a draft; null clears a nullable field.",
			params: []jsonObject{agentID, versionRef}, body: body(ref(VoiceAgent), true), status: 200, response: agent,
			example: exampleAgent, errors: []int{400, 401, 412, 413, 422, 500}},
		{method: http.MethodPost, path: "/v2/list-agents", id: "listAgents", summary: "List agents, one item per agent.",
			params: paging, body: body(ref(ListAgents), false), status: 200,
			response: e.schema(ref(page("AgentListResponse", agentListItem))), example: exampleAgentList,
			errors: []int{400, 401, 413, 500}},
		{method: http.MethodDelete, path: "/delete-agent/{agent_id}", id: "deleteAgent", summary: "Delete an agent and all its versions.",
			params: []jsonObject{agentID}, status: 204, errors: []int{401, 422, 500}},
		{method: http.MethodPost, path: "/create-agent-version/{agent_id}", id: "createAgentVersion", summary: "Copy a version into a new draft.",
			params: []jsonObject{agentID}, body: body(ref(CreateAgentVersion), true), status: 201, response: agent,
			example: exampleDraft, errors: []int{400, 401, 404, 413, 500}},
		{method: http.MethodDelete, path: "/delete-agent-version/{agent_id}", id: "deleteAgentVersion", summary: "Delete one version.",
			params: []jsonObject{agentID, {"name": "version", "in": "query", "required": true,
				"schema": jsonObject{"type": "integer", "minimum": 0}}},
			status: 204, errors: []int{400, 401, 404, 500}},
		{method: http.MethodGet, path: "/get-agent-versions/{agent_id}", id: "getAgentVersions", summary: "Get every version of an agent, in ascending order.",
			params: []jsonObject{agentID}, status: 200, response: jsonObject{"type": "array", "items": agent},
			example: []any{exampleAgent}, errors: []int{401, 404, 500}},
		{method: http.MethodGet, path: "/list-agent-versions/{agent_id}", id: "listAgentVersions", summary: "List summaries of an agent's versions.",
			params: append([]jsonObject{agentID}, paging...), status: 200,
			response: e.schema(ref(page("AgentVersionListResponse", agentVersionSummary))), example: exampleVersionList,
			errors: []int{400, 401, 404, 500}},
		{method: http.MethodPost, path: "/publish-agent-version/{agent_id}", id: "publishAgentVersion", summary: "Publish a draft in place.",
			params: []jsonObject{agentID}, body: body(ref(PublishAgentVersion), true), status: 200,
			errors: []int{400, 401, 404, 413, 500}},
	}
	ops = append(ops, engineOperations(e, paging, body)...)
	ops = append(ops, chatAgentOperations(e, agentID, versionRef, body)...)
	ops = append(ops, []operation{
		{method: http.MethodGet, path: "/healthz", id: "healthz", summary: "Say whether the server is up.", public: true, status: 200,
			response: jsonObject{"type": "object", "required": []any{"status"},
				"properties": jsonObject{"status": jsonObject{"type": "string", "enum": []any{"ok"}}}},
			example: jsonObject{"status": "ok"}, errors: []int{500}},
		{method: http.MethodGet, path: "/openapi.json", id: "getOpenAPI", summary: "This document.", status: 200,
			response: jsonObject{"type": "object"}, example: jsonObject{"openapi": "3.0.3"}, errors: []int{401, 500}},
	}...)

	paths := jsonObject{}
	for _, op := range ops {
		item, _ := paths[op.path].(jsonObject)
		if item == nil {
			item = jsonObject{}
			paths[op.path] = item
		}
		item[strings.ToLower(op.method)] = op.emit()
	}
	responses := jsonObject{}
	for _, s := range errorStatus {
		responses[s.name] = jsonObject{"description": s.desc, "content": jsonObject{"application/json": jsonObject{
			"schema":  e.schema(ref(errorBody)),
			"example": jsonObject{"status": "error", "message": s.example},
		}}}
	}
	return jsonObject{
		"openapi": "3.0.3",
		"info": jsonObject{"title": "agentry", "version": "1.0.0",
			"description": "Agent management compatible with Retell AI's API and SDKs."},
		"security": []any{jsonObject{"bearer": []any{}}},
		"paths":    paths,
		"components": jsonObject{
			"schemas":   e.components,
			"responses": responses,
			"securitySchemes": jsonObject{"bearer": jsonObject{"type": "http", "scheme": "bearer",
				"description": "An agentry API key: Authorization: Bearer key_..."}},
		},
	}
}

func (op operation) emit() jsonObject {
	out := jsonObject{"operationId": op.id, "summary": op.summary}
	if len(op.params) > 0 {
		out["parameters"] = op.params
	}
	if op.body != nil {
		out["requestBody"] = op.body
	}
	if op.public {
		out["security"] = []any{}
	}
	success := jsonObject{"description": http.StatusText(op.status)}
	if op.response != nil {
		success["content"] = jsonObject{"application/json": jsonObject{"schema": op.response, "example": op.example}}
	}
	responses := jsonObject{strconv.Itoa(op.status): success}
	for _, status := range op.errors {
		responses[strconv.Itoa(status)] = jsonObject{"$ref": "#/components/responses/" + errorStatus[status].name}
	}
	out["responses"] = responses
	return out
}

var exampleAgent = jsonObject{
	"agent_id": "agent_3f9c2a7d41b84e0c9a5d6e1f", "version": 0, "is_published": false,
	"base_version": nil, "version_title": nil, "version_description": nil,
	"last_modification_timestamp": 1764340000000,
	"agent_name":                  "Front desk",
	"voice_id":                    "retell-Cimo",
	"language":                    "en-US",
	"response_engine":             jsonObject{"type": "retell-llm", "llm_id": "llm_5c1e8f2a9b7d4e3f", "version": 0},
}

var exampleDraft = jsonObject{
	"agent_id": "agent_3f9c2a7d41b84e0c9a5d6e1f", "version": 2, "is_published": false,
	"base_version": 1, "version_title": nil, "version_description": nil,
	"last_modification_timestamp": 1764340100000,
	"voice_id":                    "retell-Cimo",
	"response_engine":             jsonObject{"type": "retell-llm", "llm_id": "llm_5c1e8f2a9b7d4e3f", "version": 1},
}

var exampleAgentList = jsonObject{"has_more": false, "items": []any{jsonObject{
	"agent_id": "agent_3f9c2a7d41b84e0c9a5d6e1f", "agent_name": "Front desk", "channel": "voice",
	"user_modified_timestamp": 1764340000000, "tags": jsonObject{},
}}}

var exampleVersionList = jsonObject{"has_more": false, "items": []any{
	jsonObject{"version": 1, "is_published": true, "base_version": 0, "version_title": "Launch",
		"last_modification_timestamp": 1764340050000},
	jsonObject{"version": 0, "is_published": false, "last_modification_timestamp": 1764340000000},
}}
