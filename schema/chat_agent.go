package schema

// The configuration of a chat agent, following Retell's ChatAgentRequest.
// The bounds the reference states only in prose are listed in README.md.

var postChatAnalysisData = tagged("type",
	stringAnalysis, enumAnalysis, booleanAnalysis, numberAnalysis,
	object("ChatPresetAnalysisData", props{
		"type":               enum("system-presets"),
		"name":               enum("chat_summary", "chat_successful", "user_sentiment"),
		"description":        str().length(1, 0),
		"required":           boolean(),
		"conditional_prompt": str(),
	}, "type", "name").about("Overrides one of the built-in chat analysis items."),
).named("PostChatAnalysisData")

var chatHandbookConfig = object("ChatHandbookConfig", props{
	"default_personality": boolean(),
	"high_empathy":        boolean(),
	"ai_disclosure":       boolean(),
	"scope_boundaries":    boolean(),
}).about("Behaviour presets of a chat agent, each switched on or off.")

// ChatAgent is the configuration of a chat agent version, as accepted by
// create-chat-agent (Create) and update-chat-agent (Update).
var ChatAgent = object("ChatAgentRequest", props{
	"response_engine":           responseEngine,
	"agent_name":                str().null(),
	"version_title":             str().null(),
	"auto_close_message":        str().null(),
	"end_chat_after_silence_ms": integer().between(120000, 259200000).null(),
	"language":                  agentLanguage,
	"webhook_url":               str().null(),
	"webhook_events": array(enum("chat_started", "chat_ended", "chat_analyzed",
		"transcript_updated")).null(),
	"webhook_timeout_ms":    integer(),
	"contact_memory_config": ref(contactMemoryConfig),
	"data_storage_setting": enum("everything", "everything_except_pii",
		"basic_attributes_only").null(),
	"data_storage_retention_days": integer().between(1, 730).null(),
	"opt_in_signed_url":           boolean(),
	"signed_url_expiration_ms":    integer().null(),
	"post_chat_analysis_data":     array(postChatAnalysisData).null(),
	"post_chat_analysis_model":    enum(llmModels...).null(),
	"pii_config":                  ref(piiConfig),
	"guardrail_config":            ref(guardrailConfig),
	"handbook_config":             ref(chatHandbookConfig),
	"timezone":                    str().null(),
	"pre_session_tools":           array(preSessionTool).count(0, 15).null(),
	"post_session_tools":          array(postSessionTool).count(0, 15).null(),
}, "response_engine").about("The configuration of a chat agent.").configuration()
