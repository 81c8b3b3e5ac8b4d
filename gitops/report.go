package gitops

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/agentry/agentry/diff"
)

// signs mark a step's action in text reports.
var signs = map[string]string{ActCreate: "+", ActUpdate: "~", ActNewDraft: "+", ActNewEngine: "+", ActPublish: "^",
	ActMoveTag: ">", ActDeleteTag: "-", ActEdit: "~", ActRebind: ">", ActDelete: "-"}

// WriteText writes a plan or apply report for people: each object that
// changes (or could not), its steps with the fields they change, warnings,
// and a summary line.
func WriteText(w io.Writer, rep *Report, color bool) error {
	var b bytes.Buffer
	for _, o := range rep.Objects {
		if o.Status == StatusUnchanged {
			continue
		}
		id := ""
		if o.ID != "" {
			id = " " + o.ID
		}
		fmt.Fprintf(&b, "%s (%s%s): %s\n", o.File, o.Kind, id, o.Status)
		for _, st := range o.Steps {
			mark := ""
			if rep.Command == "apply" && !st.Done {
				mark = " (not done)"
			}
			fmt.Fprintf(&b, "  %s %s%s\n", signs[st.Action], st.Detail, mark)
			if len(st.Changes) > 0 {
				var d bytes.Buffer
				_ = diff.Format(&d, st.Changes, diff.FormatOptions{Color: color})
				for _, line := range strings.Split(strings.TrimRight(d.String(), "\n"), "\n") {
					b.WriteString("      " + line + "\n")
				}
			}
		}
		if o.Error != "" {
			fmt.Fprintf(&b, "  ! %s\n", o.Error)
		}
	}
	for _, warning := range rep.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", warning)
	}
	b.WriteString(rep.SummaryLine() + "\n")
	_, err := w.Write(b.Bytes())
	return err
}

// stepWords name the actions in summaries: singular and plural, in a plan
// and in an apply.
var stepWords = []struct{ action, one, many, done, doneMany string }{
	{ActCreate, "object to create", "objects to create", "object created", "objects created"},
	{ActUpdate, "draft to edit", "drafts to edit", "draft edited", "drafts edited"},
	{ActNewDraft, "new draft", "new drafts", "new draft", "new drafts"},
	{ActPublish, "version to publish", "versions to publish", "version published", "versions published"},
	{ActMoveTag, "tag to move", "tags to move", "tag moved", "tags moved"},
	{ActDeleteTag, "tag to delete", "tags to delete", "tag deleted", "tags deleted"},
	{ActEdit, "object to edit", "objects to edit", "object edited", "objects edited"},
	{ActRebind, "number to rebind", "numbers to rebind", "number rebound", "numbers rebound"},
	{ActDelete, "object to delete", "objects to delete", "object deleted", "objects deleted"},
}

// SummaryLine says in one line what the run found or did.
func (rep *Report) SummaryLine() string {
	var parts []string
	for _, w := range stepWords {
		n := rep.Summary.Steps[w.action]
		if n == 0 {
			continue
		}
		word := map[bool]map[bool]string{false: {true: w.one, false: w.many}, true: {true: w.done, false: w.doneMany}}[rep.Command == "apply"][n == 1]
		parts = append(parts, fmt.Sprintf("%d %s", n, word))
	}
	steps := "no changes"
	if len(parts) > 0 {
		steps = strings.Join(parts, ", ")
	}
	s := rep.Summary.Objects
	line := fmt.Sprintf("%s: %s; %d objects unchanged", upperFirst(rep.Command), steps, s[StatusUnchanged])
	if n := s[StatusConflict]; n > 0 {
		line += fmt.Sprintf("; %d changed on the server since the state was recorded (refused)", n)
	}
	if n := s[StatusError]; n > 0 {
		line += fmt.Sprintf("; %d cannot be planned", n)
	}
	if n := s[StatusFailed]; n > 0 {
		line += fmt.Sprintf("; %d failed", n)
	}
	if n := s[StatusNotApplied]; n > 0 {
		line += fmt.Sprintf("; %d not applied", n)
	}
	line += "."
	if rep.Command == "apply" && (s[StatusFailed] > 0 || s[StatusNotApplied] > 0) && s[StatusConflict] == 0 && s[StatusError] == 0 {
		line += " What ran is recorded in the state: run apply again to finish."
	}
	return line
}
