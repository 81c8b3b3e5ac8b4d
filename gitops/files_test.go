package gitops

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles makes a configuration directory of the given files.
func writeFiles(t *testing.T, fs map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range fs {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const goodAgent = `agent:
  agent_name: Support
  voice_id: retell-Cimo
retell_llm:
  model: gpt-4.1
tags:
  prod: {}
`

func TestReadDirNamesTheFileTheLineAndTheField(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"a field out of range, by the server's rule", map[string]string{"agents/a.yaml": "agent:\n  voice_id: x\n  voice_speed: 7\nretell_llm: {}\n"},
			[]string{"agents/a.yaml:3: agent.voice_speed: must be between 0.5 and 2"}},
		{"an unknown field", map[string]string{"agents/a.yaml": "agent:\n  voice_id: x\n  voice_idd: y\nretell_llm: {}\n"},
			[]string{`agents/a.yaml:3: agent: unknown field "voice_idd"`}},
		// The server ignores unknown fields unless serve --strict; in a file
		// such a field is a typo, refused at any depth and in any section.
		{"an unknown field of the engine", map[string]string{"agents/a.yaml": "agent:\n  voice_id: x\nretell_llm:\n  general_promt: Hi.\n"},
			[]string{`agents/a.yaml:4: retell_llm: unknown field "general_promt"`}},
		{"an unknown nested field", map[string]string{"agents/a.yaml": "agent:\n  voice_id: x\n  voicemail_option:\n    action:\n      type: hangup\n      beep: true\nretell_llm: {}\n"},
			[]string{`agents/a.yaml:6: agent.voicemail_option.action: unknown field "beep"`}},
		{"a voice agent's field in a chat agent", map[string]string{"chat-agents/a.yaml": "agent:\n  agent_name: A\n  voice_id: x\nretell_llm: {}\n"},
			[]string{`chat-agents/a.yaml:3: agent: unknown field "voice_id"`}},
		{"a nested field of the engine", map[string]string{"agents/a.yaml": "agent:\n  voice_id: x\nretell_llm:\n  states:\n    - name: a\n      edges:\n        - destination_state_name: nowhere\n          description: go\n"},
			[]string{`agents/a.yaml:7: retell_llm.states[0].edges[0].destination_state_name: no state is named "nowhere"`}},
		{"a required field", map[string]string{"agents/a.yaml": "agent:\n  agent_name: A\nretell_llm: {}\n"},
			[]string{"agents/a.yaml:1: agent.voice_id: is required"}},
		{"an unknown section", map[string]string{"agents/a.yaml": "agent:\n  voice_id: x\nretell_llm: {}\nllm: {}\n"},
			[]string{"agents/a.yaml:4: llm: unknown section"}},
		{"two engines", map[string]string{"agents/a.yaml": "agent:\n  voice_id: x\nretell_llm: {}\nconversation_flow: {}\n"},
			[]string{"agents/a.yaml:", "an agent has one response engine"}},
		{"an engine id instead of the engine", map[string]string{"agents/a.yaml": "agent:\n  voice_id: x\n  response_engine:\n    type: retell-llm\n    llm_id: llm_1\n"},
			[]string{"agents/a.yaml:3: agent.response_engine: write the Retell LLM itself in a retell_llm section of this file, not its id"}},
		{"version metadata", map[string]string{"agents/a.yaml": "agent:\n  voice_id: x\n  version_title: v2\nretell_llm: {}\n"},
			[]string{"agents/a.yaml:3: agent.version_title: is version metadata"}},
		{"a bad tag name", map[string]string{"agents/a.yaml": "agent:\n  voice_id: x\nretell_llm: {}\ntags:\n  Prod: {}\n"},
			[]string{"agents/a.yaml:5: tags.Prod: is not a tag name"}},
		{"a tag in two files", map[string]string{"agents/a.yaml": strings.Replace(goodAgent, "Support", "A", 1), "agents/a@prod.yaml": goodAgent},
			[]string{"agents/a@prod.yaml:7: tags.prod: tag prod is also in agents/a.yaml"}},
		{"a variant without its main file", map[string]string{"agents/b@prod.yaml": goodAgent},
			[]string{"agents/b@prod.yaml: a tag's version needs its agent's main file agents/b.yaml"}},
		{"a variant that does not list its tag", map[string]string{"agents/a.yaml": goodAgent, "agents/a@canary.yaml": strings.Replace(goodAgent, "prod", "beta", 1)},
			[]string{`agents/a@canary.yaml:6: tags: a file NAME@canary.yaml is the version tag "canary" points at`}},
		{"a knowledge base that has no file", map[string]string{"agents/a.yaml": "agent:\n  voice_id: x\nretell_llm:\n  knowledge_base_ids:\n    - faq\n"},
			[]string{"agents/a.yaml:5: retell_llm.knowledge_base_ids[0]: no file knowledge-bases/faq.yaml"}},
		{"bindings", map[string]string{"agents/a.yaml": goodAgent, "phone-numbers/1.yaml": "phone_number: \"+1\"\ninbound_agents:\n  - agent: a\n    weight: 0.5\n  - agent: a\n    agent_version: staging\n    weight: 0.5\n"},
			[]string{`phone-numbers/1.yaml:6: inbound_agents[1].agent_version: no file of agent a gives it tag "staging"`}},
		{"weights", map[string]string{"agents/a.yaml": goodAgent, "phone-numbers/1.yaml": "phone_number: \"+1\"\ninbound_agents:\n  - agent: a\n    weight: 0.5\n"},
			[]string{"phone-numbers/1.yaml:2: inbound_agents: weights must add up to 1 (within 1e-06), they add up to 0.5"}},
		{"an SMS bound to a voice agent", map[string]string{"agents/a.yaml": goodAgent, "phone-numbers/1.yaml": "phone_number: \"+1\"\ninbound_sms_agents:\n  - agent: a\n    weight: 1\n"},
			[]string{"phone-numbers/1.yaml:3: inbound_sms_agents[0].agent: no file chat-agents/a.yaml: name the agent by its file (chat agents answer SMS)"}},
		{"a component's flow rules", map[string]string{"components/c.yaml": "name: C\nnodes:\n  - id: a\n    type: conversation\n    edges:\n      - id: e\n        transition_condition:\n          type: prompt\n        destination_node_id: zz\n"},
			[]string{`components/c.yaml:9: nodes[0].edges[0].destination_node_id: no node has id "zz"`}},
		{"a knowledge base's settings", map[string]string{"knowledge-bases/k.yaml": "knowledge_base_name: K\nmax_chunk_size: 1000\nmin_chunk_size: 1500\n"},
			[]string{"knowledge-bases/k.yaml:3: min_chunk_size: must be less than max_chunk_size (1000), got 1500"}},
		{"a component's field, by the server's rule", map[string]string{"components/c.yaml": "name: C\nflex_mode: often\nnodes:\n  - id: a\n    type: end\n"},
			[]string{"components/c.yaml:2: flex_mode: must be a boolean"}},
		{"a component without nodes", map[string]string{"components/c.yaml": "name: C\n"},
			[]string{"components/c.yaml:1: nodes: is required"}},
		{"a knowledge base's chunk size, by the server's rule", map[string]string{"knowledge-bases/k.yaml": "knowledge_base_name: K\nmax_chunk_size: 100\n"},
			[]string{"knowledge-bases/k.yaml:2: max_chunk_size: must be between 600 and 6000"}},
		{"a knowledge base's URL", map[string]string{"knowledge-bases/k.yaml": "knowledge_base_name: K\nsources:\n  - type: url\n    url: ftp://example.com/x\n"},
			[]string{`knowledge-bases/k.yaml:4: sources[0].url: "ftp://example.com/x" is not a valid URL: it must be an absolute http or https URL`}},
		{"a knowledge base's name", map[string]string{"knowledge-bases/k.yaml": "knowledge_base_name: " + strings.Repeat("x", 40) + "\n"},
			[]string{"knowledge-bases/k.yaml:1: knowledge_base_name: must be at most 39 characters"}},
		{"a source listed twice", map[string]string{"knowledge-bases/k.yaml": "knowledge_base_name: K\nsources:\n  - type: text\n    title: A\n    text: x\n  - type: text\n    title: A\n    text: y\n"},
			[]string{"knowledge-bases/k.yaml:6: sources[1]: is listed twice (also sources[0])"}},
		{"a document outside the file", map[string]string{"knowledge-bases/k.yaml": "knowledge_base_name: K\n", "knowledge-bases/k/x.pdf": "%PDF"},
			[]string{"knowledge-bases/k/x.pdf: not a source of knowledge-bases/k.yaml"}},
		{"documents without their file", map[string]string{"knowledge-bases/gone/x.pdf": "%PDF"},
			[]string{"knowledge-bases/gone: a folder of documents needs its knowledge base's file knowledge-bases/gone.yaml"}},
		{"a number's transport, by the server's rule", map[string]string{"phone-numbers/1.yaml": "phone_number: \"+14155550100\"\ntransport: SCTP\n"},
			[]string{`phone-numbers/1.yaml:2: transport: must be one of TLS, TCP, UDP, got "SCTP"`}},
		{"a number's country list", map[string]string{"phone-numbers/1.yaml": "phone_number: \"+14155550100\"\nallowed_inbound_country_list:\n  - us\n"},
			[]string{`phone-numbers/1.yaml:3: allowed_inbound_country_list[0]: "us" is not an ISO 3166-1 alpha-2 country code`}},
		{"a number's type", map[string]string{"phone-numbers/1.yaml": "phone_number: \"+14155550100\"\nphone_number_type: voip\n"},
			[]string{"phone-numbers/1.yaml:2: phone_number_type: must be one of retell-twilio, retell-telnyx, custom"}},
		{"a routing mode", map[string]string{"phone-numbers/1.yaml": "phone_number: \"+14155550100\"\nrouting: round-robin\n"},
			[]string{"phone-numbers/1.yaml:2: routing: must be one of random, sticky"}},
		{"a custom number without its termination URI", map[string]string{"phone-numbers/1.yaml": "phone_number: \"+14155550100\"\nphone_number_type: custom\n"},
			[]string{"phone-numbers/1.yaml:1: termination_uri: is required (a custom number is imported with it)"}},
		{"a SIP password", map[string]string{"phone-numbers/1.yaml": "phone_number: \"+14155550100\"\nauth_password: x\n"},
			[]string{"phone-numbers/1.yaml:2: auth_password: a SIP password is a secret"}},
		{"a binding's weight, by the server's rule", map[string]string{"agents/a.yaml": goodAgent, "phone-numbers/1.yaml": "phone_number: \"+1\"\ninbound_agents:\n  - agent: a\n    weight: 1.5\n"},
			[]string{"phone-numbers/1.yaml:4: inbound_agents[0].weight: must be greater than 0 and at most 1"}},
		{"a binding's version", map[string]string{"agents/a.yaml": goodAgent, "phone-numbers/1.yaml": "phone_number: \"+1\"\ninbound_agents:\n  - agent: a\n    agent_version: v2\n    weight: 1\n"},
			[]string{`phone-numbers/1.yaml:4: inbound_agents[0].agent_version: "v2" is not a version reference`}},
		{"a tag's settings, by the server's rule", map[string]string{"agents/a.yaml": "agent:\n  voice_id: x\nretell_llm: {}\ntags:\n  prod:\n    published_only: yes please\n"},
			[]string{"agents/a.yaml:6: tags.prod.published_only: must be a boolean"}},
		{"an agent swap to no file", map[string]string{"agents/a.yaml": "agent:\n  voice_id: x\nretell_llm:\n  general_tools:\n    - type: agent_swap\n      name: s\n      agent_id: agents/nobody\n"},
			[]string{"agents/a.yaml:7: retell_llm.general_tools[0].agent_id: no file agents/nobody.yaml: name the agent by its file"}},
		{"YAML that is not YAML", map[string]string{"agents/a.yaml": "agent: [\n"},
			[]string{"agents/a.yaml: not valid YAML"}},
		{"a key written twice", map[string]string{"agents/a.yaml": "agent:\n  voice_id: x\n  voice_id: y\n"},
			[]string{"agents/a.yaml:3: agent.voice_id: written twice"}},
		{"a bad file name", map[string]string{"agents/My Agent.yaml": goodAgent, "agents/notes.txt": "x"},
			[]string{"agents/My Agent.yaml: a file name is lowercase", "agents/notes.txt: not a .yaml file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadDir(writeFiles(t, c.files))
			var fe FileErrors
			if !errors.As(err, &fe) {
				t.Fatalf("error %v, want FileErrors", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("errors:\n%s\nwant one containing %q", err, w)
				}
			}
		})
	}
}

func TestReadDirAcceptsWhatPullWrites(t *testing.T) {
	d, err := ReadDir(writeFiles(t, map[string]string{
		"agents/a.yaml":          strings.Replace(strings.Replace(goodAgent, "prod", "staging", 1), "voice_id: retell-Cimo", "voice_id: retell-Cimo\n  webhook_url: null", 1) + "unassigned_tags:\n  beta:\n    dynamic_variables:\n      x: \"1\"\n",
		"agents/a@prod.yaml":     goodAgent,
		"knowledge-bases/k.yaml": "knowledge_base_name: K\nsources:\n  - type: url\n    url: https://example.com\n",
		"README.md":              "not read",
	}))
	if err != nil {
		t.Fatal(err)
	}
	files := d.filesOf("agents/a.yaml")
	if _, set := files[1].Agent["webhook_url"]; set {
		t.Fatalf("a field set to null is unset, as the server answers it: %v", files[1].Agent)
	}
	if len(files) != 2 || files[0].Variant != "prod" || files[1].Variant != "" || files[1].Unassigned["beta"].Vars["x"] != "1" {
		t.Fatalf("files of a: %+v", files)
	}
}
