package schema

// Post-call analysis items and the tools an agent runs before and after a
// session. ToolParameter.properties is a JSON Schema of the caller's own and
// is kept as sent (see README.md).

// analysisItem declares one kind of value extracted after a call.
func analysisItem(name, kind string, extra props, required ...string) *Object {
	p := props{
		"type":               enum(kind),
		"name":               str().length(1, 0),
		"description":        str(),
		"required":           boolean(),
		"conditional_prompt": str(),
	}
	for k, v := range extra {
		p[k] = v
	}
	return object(name, p, append([]string{"type", "name", "description"}, required...)...)
}

// The kinds of custom analysis items, shared by voice and chat agents.
var (
	stringAnalysis  = analysisItem("StringAnalysisData", "string", props{"examples": array(str())})
	enumAnalysis    = analysisItem("EnumAnalysisData", "enum", props{"choices": array(str()).count(1, 0)}, "choices")
	booleanAnalysis = analysisItem("BooleanAnalysisData", "boolean", nil)
	numberAnalysis  = analysisItem("NumberAnalysisData", "number", nil)
)

var postCallAnalysisData = tagged("type",
	stringAnalysis, enumAnalysis, booleanAnalysis, numberAnalysis,
	object("CallPresetAnalysisData", props{
		"type":               enum("system-presets"),
		"name":               enum("call_summary", "call_successful", "user_sentiment"),
		"description":        str().length(1, 0),
		"required":           boolean(),
		"conditional_prompt": str(),
	}, "type", "name").about("Overrides one of the built-in call analysis items."),
).named("PostCallAnalysisData")

var (
	stringMap        = mapOf(str())
	executionMessage = enum("prompt", "static_text")
	// toolName is the rule the reference states for custom and code tools.
	toolName = str().match(`^[a-zA-Z0-9_-]{1,64}$`)
)

var toolParameter = object("ToolParameter", props{
	"type":       enum("object"),
	"properties": mapOf(anyValue()),
	"required":   array(str()),
}, "type", "properties").about("A JSON Schema object describing the tool's arguments.")

var outputSelection = tagged("mode",
	object("OutputSelectionAll", props{"mode": enum("all"), "fields": array(str())}, "mode"),
	object("OutputSelectionSubset", props{"mode": enum("subset"), "fields": array(str())}, "mode", "fields"),
).named("OutputSelection")

var appTool = object("", props{
	"type":                          enum("integration_app"),
	"name":                          str(),
	"app_id":                        str(),
	"provider":                      str(),
	"app_tool_template_name":        str(),
	"parameters":                    array(ref(toolParameter)).count(0, 5),
	"response_variables":            stringMap,
	"output_selection":              outputSelection,
	"description":                   str(),
	"speak_during_execution":        boolean(),
	"speak_after_execution":         boolean(),
	"execution_message_description": str(),
	"execution_message_type":        executionMessage,
	"enable_typing_sound":           boolean(),
}, "type", "name", "app_id", "provider", "app_tool_template_name")

var customTool = object("", props{
	"type":                          enum("custom"),
	"name":                          toolName,
	"url":                           str(),
	"description":                   str(),
	"method":                        enum("GET", "POST", "PUT", "PATCH", "DELETE"),
	"headers":                       stringMap,
	"query_params":                  stringMap,
	"parameters":                    ref(toolParameter),
	"response_variables":            stringMap,
	"speak_during_execution":        boolean(),
	"speak_after_execution":         boolean(),
	"execution_message_description": str(),
	"execution_message_type":        executionMessage,
	"timeout_ms":                    integer().between(1000, 600000),
	"max_retry":                     integer().between(0, 5),
	"args_at_root":                  boolean(),
	"parameter_type":                enum("json", "form"),
	"enable_typing_sound":           boolean(),
}, "type", "name", "url")

var codeTool = object("", props{
	"type":                          enum("code"),
	"name":                          toolName,
	"description":                   str(),
	"code":                          str().length(0, 20000),
	"timeout_ms":                    integer().between(5000, 60000),
	"response_variables":            stringMap,
	"speak_during_execution":        boolean(),
	"speak_after_execution":         boolean(),
	"execution_message_description": str(),
	"execution_message_type":        executionMessage,
	"enable_typing_sound":           boolean(),
}, "type", "name", "code")

var smsContent = tagged("type",
	object("SmsContentPredefined", props{"type": enum("predefined"), "text": str()}, "type"),
	object("SmsContentInferred", props{"type": enum("inferred"), "prompt": str()}, "type"),
	object("SmsContentTemplate", props{"type": enum("template"), "template": enum("info_collection")}, "type", "template"),
).named("SmsContent")

var sendSMSTool = object("", props{
	"type":                          enum("send_sms"),
	"name":                          str(),
	"description":                   str(),
	"speak_during_execution":        boolean(),
	"execution_message_description": str(),
	"execution_message_type":        executionMessage,
	"sms_content":                   smsContent,
}, "type", "name", "sms_content")

var equationCondition = object("EquationCondition", props{
	"type": enum("equation"),
	"equations": array(ref(object("Equation", props{
		"left": str(),
		"operator": enum("==", "!=", ">", ">=", "<", "<=", "contains", "not_contains",
			"exists", "not_exist"),
		"right": str(),
	}, "left", "operator"))).count(0, 50),
	"operator": enum("or", "and"),
}, "type", "equations", "operator").about("Equations joined by one operator.")

// dependsOn names the session tools that must finish before this one runs.
var dependsOn = array(str())

var preSessionTool = tagged("type",
	appTool.extend("PreSessionAppTool", props{"depends_on": dependsOn}),
	customTool.extend("PreSessionCustomTool", props{"depends_on": dependsOn}),
	codeTool.extend("PreSessionCodeTool", props{"depends_on": dependsOn}),
).named("PreSessionTool")

var postSessionExtra = props{"depends_on": dependsOn, "condition": ref(equationCondition)}

var postSessionTool = tagged("type",
	appTool.extend("PostSessionAppTool", postSessionExtra),
	customTool.extend("PostSessionCustomTool", postSessionExtra),
	codeTool.extend("PostSessionCodeTool", postSessionExtra),
	sendSMSTool.extend("PostSessionSmsTool", postSessionExtra),
).named("PostSessionTool")
