package outbound

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/agentry/agentry"
)

// TestRunner is agentry.TestRunner over HTTP (DESIGN §6): each run is one
// POST of {test_case_definition, response_engine, engine_config} to URL,
// answered 200 {status: pass|fail|error, result_explanation, transcript?}.
type TestRunner struct {
	URL    string
	Client *http.Client // NewHTTPClient() when nil
	// MaxAnswer bounds the answer's size (DefaultMaxAnswer when 0).
	MaxAnswer int64
}

var _ agentry.TestRunner = (*TestRunner)(nil)

// runnerAnswer is the body a runner answers with.
type runnerAnswer struct {
	Status      *string         `json:"status"`
	Explanation *string         `json:"result_explanation"`
	Transcript  json.RawMessage `json:"transcript"`
}

// RunTest sends one run to the runner and returns its answer. The caller's
// context bounds the call.
func (t *TestRunner) RunTest(ctx context.Context, req agentry.TestRunRequest) (*agentry.TestOutcome, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return nil, errors.New("the test runner URL is not valid")
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "application/json")
	hr.Header.Set("User-Agent", "agentry")
	client := t.Client
	if client == nil {
		client = NewHTTPClient()
	}
	res, err := client.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("no answer from the runner: %w", plain(err))
	}
	defer res.Body.Close()
	max := t.MaxAnswer
	if max <= 0 {
		max = DefaultMaxAnswer
	}
	b, err := readAnswer(res, max)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the runner answered HTTP %d with %s", res.StatusCode, excerpt(b))
	}
	return decodeRunnerAnswer(b)
}

// decodeRunnerAnswer checks a runner's 200 body.
func decodeRunnerAnswer(b []byte) (*agentry.TestOutcome, error) {
	var a runnerAnswer
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("the runner's answer is not the JSON object the contract asks for: %v", err)
	}
	if dec.More() {
		return nil, errors.New("the runner's answer has data after its JSON object")
	}
	switch {
	case a.Status == nil:
		return nil, errors.New("the runner's answer has no status (pass, fail or error)")
	case *a.Status != agentry.RunPass && *a.Status != agentry.RunFail && *a.Status != agentry.RunError:
		return nil, fmt.Errorf("the runner's answer has status %q; it must be pass, fail or error", *a.Status)
	case a.Explanation == nil:
		return nil, errors.New("the runner's answer has no result_explanation string")
	}
	out := &agentry.TestOutcome{Status: *a.Status, Explanation: *a.Explanation}
	if t := bytes.TrimSpace(a.Transcript); len(t) > 0 && string(t) != "null" {
		if t[0] != '{' {
			return nil, errors.New("the runner's transcript is not a JSON object")
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, t); err != nil {
			return nil, err
		}
		out.Transcript = buf.Bytes()
	}
	return out, nil
}
