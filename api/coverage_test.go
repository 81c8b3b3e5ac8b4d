package api

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/agentry/agentry/internal/reference"
)

// coverageRow is one operation of docs/COVERAGE.md.
type coverageRow struct {
	method, path, id, served, why string
	line                          int
}

var inProgress = regexp.MustCompile(`^in progress \(issue \d+\)$`)

// readCoverage parses the table of docs/COVERAGE.md and its totals line.
func readCoverage(t *testing.T) ([]coverageRow, string) {
	t.Helper()
	b, err := os.ReadFile("../docs/COVERAGE.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []coverageRow
	totals := ""
	for i, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "Totals:") {
			totals = line
		}
		cells := strings.Split(line, "|")
		if len(cells) != 8 || strings.TrimSpace(cells[2]) == "method" || strings.HasPrefix(strings.TrimSpace(cells[2]), "---") {
			continue
		}
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		rows = append(rows, coverageRow{method: cells[2], path: strings.Trim(cells[3], "`"), id: cells[4], served: cells[5], why: cells[6], line: i + 1})
	}
	return rows, totals
}

// docs/COVERAGE.md lists every operation of the reference once, says "yes"
// exactly for those api.Operations serves, and gives a reason for every
// other one.
func TestCoverageTableIsTrue(t *testing.T) {
	rows, totals := readCoverage(t)
	ref := reference.Spec(t)
	listed := map[string]coverageRow{}
	for _, r := range rows {
		key := r.method + " " + r.path
		if _, dup := listed[key]; dup {
			t.Errorf("line %d: %s is listed twice", r.line, key)
		}
		listed[key] = r
		item := ref.Paths.Find(r.path)
		if item == nil || item.GetOperation(r.method) == nil {
			t.Errorf("line %d: %s is not an operation of the reference", r.line, key)
		} else if id := item.GetOperation(r.method).OperationID; id != r.id {
			t.Errorf("line %d: %s is %s in the reference, not %s", r.line, key, id, r.id)
		}
	}
	count := 0
	for path, item := range ref.Paths.Map() {
		for method := range item.Operations() {
			count++
			if _, ok := listed[method+" "+path]; !ok {
				t.Errorf("%s %s (%s) is not in docs/COVERAGE.md", method, path, item.GetOperation(method).OperationID)
			}
		}
	}
	if count != 109 {
		t.Errorf("the reference has %d operations; the table's introduction says 109", count)
	}
	served := map[string]bool{}
	for _, op := range Operations {
		served[op.Method+" "+op.Path] = true
	}
	var yes, progress, no int
	for key, r := range listed {
		switch {
		case r.served == "yes":
			yes++
			if !served[key] {
				t.Errorf("line %d: %s is marked served, but api.Operations has no such operation", r.line, key)
			}
			if r.why != "" {
				t.Errorf("line %d: %s is served and still gives a reason", r.line, key)
			}
		case inProgress.MatchString(r.served) || r.served == "no":
			if inProgress.MatchString(r.served) {
				progress++
			} else {
				no++
			}
			if served[key] {
				t.Errorf("line %d: %s is served by api.Operations; mark it yes", r.line, key)
			}
			if r.why == "" {
				t.Errorf("line %d: %s is not served and says not why", r.line, key)
			}
		default:
			t.Errorf("line %d: served is %q; want yes, no or in progress (issue N)", r.line, r.served)
		}
	}
	if want := fmt.Sprintf("Totals: %d served, %d in progress, %d not served.", yes, progress, no); totals != want {
		t.Errorf("totals line %q, want %q", totals, want)
	}
}

// The operations the table serves beyond the reference (notInReference:
// the SDK's own paths and retell-sdk 4.x's replaced ones) are each named in
// docs/COVERAGE.md's introduction, which says what agentry serves besides
// the reference; agentry's /agentry/ extensions and the console are
// described in docs/API.md and docs/CONSOLE.md instead.
func TestCoverageNamesTheOperationsBeyondTheReference(t *testing.T) {
	b, err := os.ReadFile("../docs/COVERAGE.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for id := range notInReference {
		op := ByID(id)
		if op == nil {
			t.Errorf("notInReference names %s, which is not an operation of the table", id)
			continue
		}
		if id == "getConsole" {
			continue
		}
		if !strings.Contains(text, "`"+op.Path+"`") && !strings.Contains(text, "`"+op.Method+" "+op.Path+"`") {
			t.Errorf("docs/COVERAGE.md does not name %s %s (%s)", op.Method, op.Path, id)
		}
	}
}
