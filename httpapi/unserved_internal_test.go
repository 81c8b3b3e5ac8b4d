package httpapi

import (
	"os"
	"strings"
	"testing"
)

// unservedAreas holds exactly the paths docs/COVERAGE.md marks as not
// served, and retell-sdk 4.x's three call and chat paths that 5.x moved:
// no path of the list is one agentry serves or Retell does not have.
func TestUnservedListIsCoverageTable(t *testing.T) {
	b, err := os.ReadFile("../docs/COVERAGE.md")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"/v2/create-web-call": true, "/v2/list-calls": true, "/list-chat": true}
	for _, line := range strings.Split(string(b), "\n") {
		if cells := strings.Split(line, "|"); len(cells) == 8 && strings.TrimSpace(cells[5]) == "no" {
			want[strings.Trim(strings.TrimSpace(cells[3]), "`")] = true
		}
	}
	got := map[string]bool{}
	for _, a := range unservedAreas {
		for _, p := range a.paths {
			if got[p] {
				t.Errorf("%s is listed twice", p)
			}
			got[p] = true
			if !want[p] {
				t.Errorf("%s is in unservedAreas, not among docs/COVERAGE.md's operations marked not served nor 4.x's moved paths", p)
			}
		}
	}
	for p := range want {
		if !got[p] {
			t.Errorf("%s is not served (docs/COVERAGE.md) and missing from unservedAreas", p)
		}
	}
}
