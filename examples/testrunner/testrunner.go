// Package testrunner is a tiny example of a test runner for agentry's batch
// tests (docs/TEST-RUNNER.md). agentry runs no language model; a real
// runner would simulate the conversation that a test case describes, with
// a model playing the user against the engine configuration it receives,
// and judge it by the metrics. This one holds no conversation: it checks
// each metric against the engine's prompts, so its verdicts are exact and
// repeatable, which is what agentry's own tests need. A metric is one of:
//
//	prompt contains: TEXT   pass when a prompt of the engine contains TEXT
//	prompt lacks: TEXT      pass when no prompt of the engine contains TEXT
//
// compared without regard to case, after the definition's dynamic variables
// are put in for {{name}} in the prompts. Any other metric makes the run an
// error (the runner cannot judge it). The answer's transcript holds the
// simulated user's opening line, the definition's user_prompt.
package testrunner

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// request is what agentry sends for one run.
type request struct {
	Definition struct {
		Name             string            `json:"name"`
		UserPrompt       string            `json:"user_prompt"`
		Metrics          []string          `json:"metrics"`
		DynamicVariables map[string]string `json:"dynamic_variables"`
	} `json:"test_case_definition"`
	ResponseEngine json.RawMessage `json:"response_engine"`
	EngineConfig   engineConfig    `json:"engine_config"`
}

// engineConfig holds the prompts of a Retell LLM or a conversation flow.
type engineConfig struct {
	GeneralPrompt string `json:"general_prompt"`
	BeginMessage  string `json:"begin_message"`
	States        []struct {
		StatePrompt string `json:"state_prompt"`
	} `json:"states"`
	GlobalPrompt string `json:"global_prompt"`
	Nodes        []struct {
		Instruction struct {
			Text string `json:"text"`
		} `json:"instruction"`
	} `json:"nodes"`
}

func (c engineConfig) prompts() []string {
	out := []string{c.GeneralPrompt, c.BeginMessage, c.GlobalPrompt}
	for _, s := range c.States {
		out = append(out, s.StatePrompt)
	}
	for _, n := range c.Nodes {
		out = append(out, n.Instruction.Text)
	}
	return out
}

// Answer is what the runner answers.
type Answer struct {
	Status            string         `json:"status"`
	ResultExplanation string         `json:"result_explanation"`
	Transcript        map[string]any `json:"transcript,omitempty"`
}

// Handler serves the runner: POST a run, get its outcome.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "POST a test run", http.StatusMethodNotAllowed)
			return
		}
		var req request
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<20)).Decode(&req); err != nil {
			http.Error(w, "the body is not a test run: "+err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(Evaluate(req.Definition.Metrics, req.Definition.DynamicVariables, req.Definition.UserPrompt, req.EngineConfig.prompts()))
	})
}

// Evaluate judges metrics against prompts.
func Evaluate(metrics []string, vars map[string]string, userPrompt string, prompts []string) Answer {
	text := strings.ToLower(strings.Join(prompts, "\n"))
	for k, v := range vars {
		text = strings.ReplaceAll(text, strings.ToLower("{{"+k+"}}"), strings.ToLower(v))
	}
	status := "pass"
	var lines []string
	for _, m := range metrics {
		verb, arg, _ := strings.Cut(m, ":")
		arg = strings.ToLower(strings.TrimSpace(arg))
		var held bool
		switch strings.TrimSpace(verb) {
		case "prompt contains":
			held = strings.Contains(text, arg)
		case "prompt lacks":
			held = !strings.Contains(text, arg)
		default:
			status = "error"
			lines = append(lines, fmt.Sprintf("%q: this runner cannot judge it (it knows \"prompt contains: TEXT\" and \"prompt lacks: TEXT\")", m))
			continue
		}
		if held {
			lines = append(lines, fmt.Sprintf("%q: held", m))
		} else {
			lines = append(lines, fmt.Sprintf("%q: did not hold", m))
			if status == "pass" {
				status = "fail"
			}
		}
	}
	if len(metrics) == 0 {
		lines = append(lines, "no metrics to judge")
	}
	return Answer{Status: status, ResultExplanation: strings.Join(lines, "; "),
		Transcript: map[string]any{"turns": []any{map[string]any{"role": "user", "content": userPrompt}}}}
}
