package schema

// Test case definitions and batch tests, following Retell's
// TestCaseDefinitionInput, the create-batch-test body, TestCaseDefinition,
// TestCaseBatchJob and TestCaseJob.

// retellResponseEngine is a response engine a test can target: a Retell LLM
// or a conversation flow (a custom LLM cannot be simulated).
var retellResponseEngine = tagged("type", responseEngine.variant("retell-llm"), responseEngine.variant("conversation-flow")).
	named("RetellResponseEngine").about("The engine a test targets: a Retell LLM or a conversation flow, with an optional version.")

var toolMock = object("ToolMock", props{
	"tool_name": str().about("The name the model calls the tool by."),
	"input_match_rule": tagged("type",
		object("ToolMockMatchAny", props{"type": enum("any")}, "type").about("Every call of the tool."),
		object("ToolMockMatchPartial", props{
			"type": enum("partial_match"),
			"args": mapOf(anyValue()).about("Arguments a call must have, each equal to the value given."),
		}, "type", "args").about("Calls whose arguments include args."),
	).named("ToolMockInputMatchRule"),
	"output": str().length(0, 15000).about("What the tool answers the model instead of running."),
	"result": boolean().null().about("The boolean result of tools that have one, such as transfer_call."),
}, "tool_name", "input_match_rule", "output").about("A canned answer of one tool during a simulation.")

var testCaseFields = props{
	"name":              str(),
	"response_engine":   retellResponseEngine,
	"user_prompt":       str().about("Who the simulated user is and what they want."),
	"metrics":           array(str()).about("What to judge the conversation by."),
	"dynamic_variables": stringMap,
	"tool_mocks":        array(ref(toolMock)),
	"llm_model":         enum(llmModels...).about("The model that plays the user; gpt-4.1 when not given."),
}

// TestCaseDefinitionInput is the body of create-test-case-definition
// (which requires name, response_engine, user_prompt and metrics) and of
// update-test-case-definition (which requires nothing and changes the
// fields it sends).
var TestCaseDefinitionInput = object("TestCaseDefinitionInput", testCaseFields,
	"name", "response_engine", "user_prompt", "metrics").configuration().
	about("A simulated conversation to hold against a response engine.")

// CreateBatchTest is the body of create-batch-test.
var CreateBatchTest = object("CreateBatchTestRequest", props{
	"test_case_definition_ids": array(str()).count(1, 1000).about("The definitions to run, in the order their runs list."),
	"response_engine":          retellResponseEngine,
}, "test_case_definition_ids", "response_engine").about("Runs test case definitions against one engine version.")

// TestCaseDefinitionResponse is a stored definition.
var TestCaseDefinitionResponse = withMeta(TestCaseDefinitionInput, "TestCaseDefinition", "A stored test case definition.", props{
	"test_case_definition_id": str(),
	"type":                    enum("simulation"),
	"creation_timestamp":      integer().about("Milliseconds since the epoch."),
	"user_modified_timestamp": integer().about("Milliseconds since the epoch."),
}).withRequired("dynamic_variables", "tool_mocks", "llm_model")

// TestCaseBatchJob is a batch test.
var TestCaseBatchJob = object("TestCaseBatchJob", props{
	"test_case_batch_job_id":  str(),
	"status":                  enum("in_progress", "complete").about("in_progress until every run has finished."),
	"response_engine":         responseEngine,
	"pass_count":              integer().atLeast(0),
	"fail_count":              integer().atLeast(0),
	"error_count":             integer().atLeast(0),
	"total_count":             integer().atLeast(0),
	"creation_timestamp":      integer(),
	"user_modified_timestamp": integer(),
}, "test_case_batch_job_id", "status", "response_engine", "pass_count", "fail_count", "error_count", "total_count",
	"creation_timestamp", "user_modified_timestamp").about("A batch test: its engine version and its counts.")

// TestCaseJob is one run of a batch test.
var TestCaseJob = object("TestCaseJob", props{
	"test_case_job_id": str(),
	"status": enum("pending", "in_progress", "pass", "fail", "error").
		about("pending until a worker takes it, in_progress while the test runner works, then pass, fail or error."),
	"test_case_definition_id":       str(),
	"test_case_definition_snapshot": ref(TestCaseDefinitionResponse),
	"transcript_snapshot":           mapOf(anyValue()).null().about("The test runner's transcript, as it sent it."),
	"result_explanation":            str().null().about("The test runner's explanation, or why the run is an error."),
	"creation_timestamp":            integer(),
	"user_modified_timestamp":       integer(),
}, "test_case_job_id", "status", "test_case_definition_id", "test_case_definition_snapshot", "creation_timestamp",
	"user_modified_timestamp").about("One test case definition's run in a batch test.")

// withRequired marks declared properties of o required.
func (o *Object) withRequired(fields ...string) *Object {
	for _, f := range fields {
		if o.props[f] == nil {
			panic("schema: required property " + f + " is not declared")
		}
		o.required[f] = true
	}
	return o
}
