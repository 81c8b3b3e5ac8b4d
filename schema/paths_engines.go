package schema

import "net/http"

// The endpoints of response engines (Retell LLMs, conversation flows) and of
// chat agents. Not-found statuses follow each path of the reference: 422 on
// Retell LLM endpoints, 404 on get/delete of a conversation flow, 422 on its
// update.

// engineKind describes one kind of response engine for its endpoints.
type engineKind struct {
	name, slug, idField, opName string
	request                     *Object
	response                    *Object
	list                        string // component name of the list page
	example                     jsonObject
	getMissing, updateMissing   int
	deleteMissing               int
}

func engineOperations(e *emitter, paging []jsonObject, body func(*rule, bool) jsonObject) []operation {
	kinds := []engineKind{
		{name: "Retell LLM", slug: "retell-llm", idField: "llm_id", opName: "RetellLLM",
			request: RetellLLM, response: retellLLMResponse, list: "RetellLLMListResponse",
			example: exampleLLM, getMissing: 422, updateMissing: 422, deleteMissing: 422},
		{name: "conversation flow", slug: "conversation-flow", idField: "conversation_flow_id", opName: "ConversationFlow",
			request: ConversationFlow, response: conversationFlowResponse, list: "ConversationFlowListResponse",
			example: exampleFlow, getMissing: 404, updateMissing: 422, deleteMissing: 404},
	}
	var ops []operation
	for _, k := range kinds {
		resp := e.schema(ref(k.response))
		id := jsonObject{"name": k.idField, "in": "path", "required": true,
			"schema": jsonObject{"type": "string", "minLength": 1}, "description": "The " + k.name + "'s id."}
		version := func(desc string) jsonObject {
			return jsonObject{"name": "version", "in": "query", "required": false, "description": desc,
				"schema": jsonObject{"type": "integer", "minimum": 0}}
		}
		force := jsonObject{"name": "force_delete", "in": "query", "required": false,
			"description": "Delete even while agent versions use it; they are left pointing at an engine that no longer exists.",
			"schema":      jsonObject{"type": "boolean", "default": false}}
		createBody := e.schema(ref(k.request))
		if r := k.request.requiredList(); len(r) > 0 {
			createBody = jsonObject{"allOf": []any{createBody, jsonObject{"required": r}}}
		}
		ops = append(ops,
			operation{method: http.MethodPost, path: "/create-" + k.slug, id: "create" + k.opName,
				summary: "Create a " + k.name + "; its version 0 is a draft.",
				body:    jsonObject{"required": true, "content": jsonObject{"application/json": jsonObject{"schema": createBody}}},
				status:  201, response: resp, example: k.example, errors: []int{400, 401, 413, 500}},
			operation{method: http.MethodGet, path: "/get-" + k.slug + "/{" + k.idField + "}", id: "get" + k.opName,
				summary: "Get one version of a " + k.name + ".",
				params:  []jsonObject{id, version("A version number; absent means the latest version.")},
				status:  200, response: resp, example: k.example, errors: []int{400, 401, k.getMissing, 500}},
			operation{method: http.MethodPatch, path: "/update-" + k.slug + "/{" + k.idField + "}", id: "update" + k.opName,
				summary: "Change fields of a draft version; null clears a nullable field. Published versions never change.",
				params:  []jsonObject{id, version("The draft to change; absent means the latest draft.")},
				body:    body(ref(k.request), true), status: 200, response: resp, example: k.example,
				errors: []int{400, 401, 412, 413, k.updateMissing, 500}},
			operation{method: http.MethodGet, path: "/v2/list-" + k.slug + "s", id: "list" + k.opName + "s",
				summary: "List " + k.name + "s, each as its latest version.",
				params:  paging, status: 200, response: e.schema(ref(page(k.list, k.response))),
				example: jsonObject{"has_more": false, "items": []any{k.example}}, errors: []int{400, 401, 500}},
			operation{method: http.MethodDelete, path: "/delete-" + k.slug + "/{" + k.idField + "}", id: "delete" + k.opName,
				summary: "Delete a " + k.name + " and all its versions; refused while an agent version uses it, unless force_delete is true.",
				params:  []jsonObject{id, force}, status: 204, errors: []int{400, 401, k.deleteMissing, 500}},
		)
	}
	return ops
}

func chatAgentOperations(e *emitter, agentID, versionRef jsonObject, body func(*rule, bool) jsonObject) []operation {
	chat := e.schema(ref(chatAgentResponse))
	createBody := jsonObject{"allOf": []any{e.schema(ref(ChatAgent)), jsonObject{"required": ChatAgent.requiredList()}}}
	return []operation{
		{method: http.MethodPost, path: "/create-chat-agent", id: "createChatAgent", summary: "Create a chat agent; its version 0 is a draft.",
			body:   jsonObject{"required": true, "content": jsonObject{"application/json": jsonObject{"schema": createBody}}},
			status: 201, response: chat, example: exampleChatAgent, errors: []int{400, 401, 413, 422, 500}},
		{method: http.MethodGet, path: "/get-chat-agent/{agent_id}", id: "getChatAgent", summary: "Get one version of a chat agent.",
			params: []jsonObject{agentID, versionRef}, status: 200, response: chat, example: exampleChatAgent,
			errors: []int{400, 401, 422, 500}},
		{method: http.MethodPatch, path: "/update-chat-agent/{agent_id}", id: "updateChatAgent", summary: "Change fields of a chat agent draft; null clears a nullable field.",
			params: []jsonObject{agentID, versionRef}, body: body(ref(ChatAgent), true), status: 200, response: chat,
			example: exampleChatAgent, errors: []int{400, 401, 412, 413, 422, 500}},
		{method: http.MethodDelete, path: "/delete-chat-agent/{agent_id}", id: "deleteChatAgent", summary: "Delete a chat agent and all its versions.",
			params: []jsonObject{agentID}, status: 204, errors: []int{401, 422, 500}},
		{method: http.MethodGet, path: "/get-chat-agent-versions/{agent_id}", id: "getChatAgentVersions", summary: "Get every version of a chat agent, in ascending order.",
			params: []jsonObject{agentID}, status: 200, response: jsonObject{"type": "array", "items": chat},
			example: []any{exampleChatAgent}, errors: []int{401, 404, 500}},
	}
}

var exampleLLM = jsonObject{
	"llm_id": "llm_5c1e8f2a9b7d4e3f", "version": 0, "is_published": false,
	"last_modification_timestamp": 1764340000000,
	"model":                       "gpt-5.6-terra",
	"start_speaker":               "agent",
	"general_prompt":              "You answer the front desk of a dental practice.",
	"states": []any{
		jsonObject{"name": "greeting", "state_prompt": "Greet the caller.",
			"edges": []any{jsonObject{"destination_state_name": "booking", "description": "The caller wants an appointment."}}},
		jsonObject{"name": "booking", "state_prompt": "Find a free slot."},
	},
	"starting_state": "greeting",
}

var exampleFlow = jsonObject{
	"conversation_flow_id": "conversation_flow_9a2b4c6d8e0f", "version": 0, "is_published": false,
	"last_modification_timestamp": 1764340000000,
	"start_speaker":               "agent",
	"model_choice":                jsonObject{"type": "cascading", "model": "gpt-5.6-terra"},
	"start_node_id":               "start",
	"nodes": []any{
		jsonObject{"id": "start", "type": "conversation",
			"instruction": jsonObject{"type": "prompt", "text": "Greet the caller."},
			"edges": []any{jsonObject{"id": "e1", "destination_node_id": "bye",
				"transition_condition": jsonObject{"type": "prompt", "prompt": "The caller is done."}}}},
		jsonObject{"id": "bye", "type": "end"},
	},
}

var exampleChatAgent = jsonObject{
	"agent_id": "agent_7d1e3f5a9b2c4d6e8f0a1b2c", "version": 0, "is_published": false,
	"base_version": nil, "version_title": nil, "version_description": nil,
	"last_modification_timestamp": 1764340000000,
	"agent_name":                  "Web chat",
	"response_engine":             jsonObject{"type": "retell-llm", "llm_id": "llm_5c1e8f2a9b7d4e3f", "version": 0},
}
