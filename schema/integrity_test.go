package schema

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/agentry/agentry"
)

func config(t *testing.T, body string) map[string]json.RawMessage {
	t.Helper()
	fields, err := DecodeObject([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return fields
}

func TestCheckIntegrity(t *testing.T) {
	const edge = `{"id":"e","destination_node_id":"%s","transition_condition":{"type":"prompt","prompt":"p"}}`
	for _, c := range []struct {
		name      string
		kind      *agentry.Kind
		body, err string // err "" means valid
	}{
		{"llm without states", agentry.RetellLLM, `{"general_prompt":"p"}`, ""},
		{"llm with states", agentry.RetellLLM, `{"states":[{"name":"a","edges":[{"destination_state_name":"b","description":"d"}]},{"name":"b","edges":[{"destination_state_name":"a","description":"d"}]}],"starting_state":"a"}`, ""},
		{"same tool name in two states", agentry.RetellLLM, `{"states":[{"name":"a","tools":[{"type":"end_call","name":"x"}]},{"name":"b","tools":[{"type":"end_call","name":"x"}]}],"starting_state":"a"}`, ""},
		{"duplicate tool in one state", agentry.RetellLLM, `{"states":[{"name":"a","tools":[{"type":"end_call","name":"x"},{"type":"end_call","name":"x"}]}],"starting_state":"a"}`, `states[0].tools[1].name: "x" is already the name of states[0].tools[0]`},
		{"flow", agentry.ConversationFlow, `{"start_node_id":"a","nodes":[{"id":"a","type":"conversation","edges":[` + strings.Replace(edge, "%s", "b", 1) + `]},{"id":"b","type":"end"}]}`, ""},
		{"flow without a start node", agentry.ConversationFlow, `{"nodes":[{"id":"a","type":"end"}]}`, ""},
		{"shared tool of a function node", agentry.ConversationFlow, `{"nodes":[{"id":"a","type":"function","tool_id":"elsewhere","tool_type":"shared"}]}`, ""},
		{"same edge id in two nodes", agentry.ConversationFlow, `{"nodes":[{"id":"a","type":"conversation","edges":[` + strings.Replace(edge, "%s", "b", 1) + `]},{"id":"b","type":"conversation","edges":[` + strings.Replace(edge, "%s", "a", 1) + `]}]}`, ""},
		{"duplicate edge id in one node", agentry.ConversationFlow, `{"nodes":[{"id":"a","type":"conversation","edges":[` + strings.Replace(edge, "%s", "a", 1) + `],"always_edge":` + strings.Replace(edge, "%s", "a", 1) + `}]}`, `nodes[0].always_edge.id: "e" is already the id of nodes[0].edges[0]`},
		{"go-back condition to a missing node", agentry.ConversationFlow, `{"nodes":[{"id":"a","type":"conversation","global_node_setting":{"condition":"c","go_back_conditions":[` + strings.Replace(edge, "%s", "zz", 1) + `]}}]}`, `nodes[0].global_node_setting.go_back_conditions[0].destination_node_id: no node has id "zz" (nodes: "a")`},
		{"an agent has no cross-item rules here", agentry.VoiceAgent, `{"states":[{"name":"a"}],"starting_state":"z"}`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := CheckIntegrity(c.kind, config(t, c.body))
			switch {
			case c.err == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err)):
				t.Errorf("error %v, want %s", err, c.err)
			}
		})
	}
}
