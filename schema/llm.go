package schema

// The configuration of a Retell LLM response engine, following Retell's
// RetellLlmRequest. Tools are kept as the client sent them beyond their type
// and name (see README.md); their names, the states and the edges between
// states are checked across fields by CheckIntegrity.

// kept declares a nested object whose listed properties are checked and
// whose other properties are kept as sent, unchecked.
func kept(name string, p props, required ...string) *Object {
	o := object(name, p, required...)
	o.extra = anyValue()
	return o
}

var kbConfig = object("KBConfig", props{
	"top_k":        integer().between(1, 10).about("How many knowledge base chunks to retrieve at most."),
	"filter_score": number().between(0, 1).about("The similarity below which a chunk is left out."),
}).about("How knowledge base chunks are retrieved.")

var mcpServer = object("MCP", props{
	"name":         str(),
	"url":          str(),
	"headers":      stringMap,
	"query_params": stringMap,
	"timeout_ms":   integer(),
}, "name", "url").about("An MCP server the engine may call tools of.")

var llmToolTypes = []string{"end_call", "transfer_call", "agent_swap", "press_digit", "send_sms",
	"custom", "code", "extract_dynamic_variable", "bridge_transfer", "cancel_transfer", "mcp",
	"integration_app"}

// llmTool is one tool of a Retell LLM: its type and name are checked, the
// rest of it is kept as sent.
var llmTool = kept("LlmTool", props{
	"type":        enum(llmToolTypes...),
	"name":        str().length(1, 0),
	"description": str(),
}, "type", "name").about("A tool the model may call; fields beyond type, name and description are kept as sent.")

// stateName is the rule the reference states for state names.
var stateName = str().match(`^[a-zA-Z0-9_-]{1,64}$`)

var stateEdge = object("StateEdge", props{
	"destination_state_name": str(),
	"description":            str(),
	"parameters":             ref(toolParameter),
}, "destination_state_name", "description").about("A transition to another state.")

var llmState = object("State", props{
	"name":         stateName,
	"state_prompt": str(),
	"edges":        array(ref(stateEdge)),
	"tools":        array(ref(llmTool)),
}, "name").about("One state of a Retell LLM: a prompt, tools and transitions of its own.")

// RetellLLM is the configuration of a Retell LLM version, as accepted by
// create-retell-llm (Create) and update-retell-llm (Update).
var RetellLLM = object("RetellLlmRequest", props{
	"model": enum(llmModels...).null(),
	"s2s_model": enum("gpt-realtime-2.1", "gpt-realtime-2.1-mini", "gpt-realtime-2",
		"gpt-realtime-1.5", "gpt-realtime", "gpt-realtime-mini").null(),
	"model_temperature":           number().between(0, 1),
	"model_high_priority":         boolean().null(),
	"tool_call_strict_mode":       boolean().null(),
	"knowledge_base_ids":          array(str()).null(),
	"kb_config":                   ref(kbConfig).null(),
	"start_speaker":               enum("user", "agent"),
	"begin_after_user_silence_ms": integer().null(),
	"begin_message":               str().null(),
	"general_prompt":              str().null(),
	"general_tools":               array(ref(llmTool)).null(),
	"states":                      array(ref(llmState)).null(),
	"starting_state":              str().null(),
	"default_dynamic_variables":   stringMap.null(),
	"mcps":                        array(ref(mcpServer)).null(),
	"is_transfer_llm":             boolean().null(),
}).about("The configuration of a Retell LLM response engine.").configuration().onlyOnCreate("is_transfer_llm")
