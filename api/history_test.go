package api

import (
	"strings"
	"testing"
)

// agentry's own endpoints live under /agentry/v1/ and appear in the
// document under their own tag; nothing else carries it.
func TestExtensionsHaveTheirOwnTag(t *testing.T) {
	doc := loadOpenAPI(t)
	n := 0
	for _, op := range Operations {
		under := strings.HasPrefix(op.Path, "/agentry/v1/")
		if under != (op.Tag == tagAgentry) {
			t.Errorf("%s %s has tag %q", op.Method, op.Path, op.Tag)
		}
		if !under {
			continue
		}
		n++
		got := doc.Paths.Find(op.Path).GetOperation(op.Method)
		if len(got.Tags) != 1 || got.Tags[0] != tagAgentry {
			t.Errorf("%s in the document has tags %v", op.ID, got.Tags)
		}
	}
	if n < 9 {
		t.Errorf("%d operations under /agentry/v1/, want the diff, the audit log and seven of webhooks", n)
	}
	if doc.Tags.Get(tagAgentry) == nil {
		t.Errorf("the document does not list the tag %q", tagAgentry)
	}
}
