package schema

// The configuration of a conversation flow response engine, following
// Retell's ConversationFlow (update) and CreateConversationFlowRequest
// (create). Nodes, edges and tools are kept as the client sent them beyond
// the fields declared here; ids and the edges' destinations are checked
// across fields by CheckIntegrity.

var flowNodeTypes = []string{"conversation", "subagent", "end", "function", "code",
	"transfer_call", "press_digit", "branch", "sms", "extract_dynamic_variables", "agent_swap",
	"mcp", "component", "bridge_transfer", "cancel_transfer"}

var modelChoice = tagged("type",
	object("ModelChoiceCascading", props{
		"type":          enum("cascading"),
		"model":         enum(llmModels...),
		"high_priority": boolean(),
	}, "type", "model").about("One text model answers every turn."),
).named("ModelChoice")

var position = object("", props{"x": number(), "y": number()})

var transitionCondition = kept("", props{"type": enum("prompt", "equation")}, "type").
	about("When the edge is taken: a prompt or equations; kept as sent beyond its type.")

// nodeEdge is an edge of a node; destination_node_id must name a node.
var nodeEdge = kept("NodeEdge", props{
	"id":                   str(),
	"transition_condition": ref(transitionCondition),
	"destination_node_id":  str(),
}, "id", "transition_condition").about("A transition to another node; fields beyond those listed are kept as sent.")

// flowNode is one node: its id, type and edges are checked, the rest of it
// is kept as sent. The edge fields are those the node types of the
// reference declare; each type uses some of them.
var flowNode = kept("FlowNode", props{
	"id":                 str().length(1, 0),
	"type":               enum(flowNodeTypes...),
	"name":               str(),
	"edges":              array(ref(nodeEdge)),
	"else_edge":          ref(nodeEdge),
	"always_edge":        ref(nodeEdge),
	"skip_response_edge": ref(nodeEdge),
	"edge":               ref(nodeEdge),
	"success_edge":       ref(nodeEdge),
	"failed_edge":        ref(nodeEdge),
}, "id", "type").about("A node of a conversation flow; fields beyond those listed are kept as sent.")

// flowTool is a tool of a conversation flow, which nodes refer to by tool_id.
var flowTool = kept("NodeTool", props{
	"tool_id":     str().length(1, 0),
	"type":        enum("custom", "integration_app"),
	"name":        str().length(1, 0),
	"description": str(),
}, "tool_id", "type", "name").about("A tool of the flow; fields beyond those listed are kept as sent.")

var flowComponent = kept("FlowComponent", props{}).about("A component embedded in the flow, kept as sent.")

var flowNote = object("Note", props{
	"id":               str(),
	"content":          str(),
	"display_position": ref(position),
	"size":             ref(object("", props{"width": number(), "height": number()})),
}, "id", "content", "display_position", "size").about("An annotation on the flow canvas.")

// ConversationFlow is the configuration of a conversation flow version, as
// accepted by create-conversation-flow (Create, which requires
// start_speaker, model_choice and nodes) and update-conversation-flow
// (Update).
var ConversationFlow = object("ConversationFlow", props{
	"model_choice":                modelChoice,
	"model_temperature":           number().between(0, 1).null(),
	"tool_call_strict_mode":       boolean().null(),
	"knowledge_base_ids":          array(str()).null(),
	"kb_config":                   ref(kbConfig),
	"start_speaker":               enum("user", "agent"),
	"begin_after_user_silence_ms": integer().null(),
	"global_prompt":               str().null(),
	"flex_mode":                   boolean().null(),
	"tools":                       array(ref(flowTool)).null(),
	"components":                  array(ref(flowComponent)).null(),
	"start_node_id":               str().null(),
	"default_dynamic_variables":   stringMap.null(),
	"begin_tag_display_position":  ref(position).null(),
	"notes":                       array(ref(flowNote)).null(),
	"mcps":                        array(ref(mcpServer)).null(),
	"is_transfer_cf":              boolean().null(),
	"nodes":                       array(ref(flowNode)),
}, "start_speaker", "model_choice", "nodes").about("The configuration of a conversation flow response engine.").configuration().onlyOnCreate("is_transfer_cf")
