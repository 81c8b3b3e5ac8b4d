package reference

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The project's copy of the reference is the one the shared folder beside
// the checkout holds (the team's source of it), byte for byte. Without a
// shared folder there is nothing to compare; the copy stands alone.
func TestCopyMatchesTheSharedReference(t *testing.T) {
	shared := sharedCopy()
	if shared == "" {
		t.Log("no shared/reference/retell-openapi.yaml beside the checkout: the project's copy is used as it is")
		return
	}
	b, err := os.ReadFile(shared)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, Document) {
		t.Errorf("internal/reference/retell-openapi.yaml differs from %s: copy the new revision in (and update the drift tests)", shared)
	}
}

func TestSpecLoads(t *testing.T) {
	if s := Spec(t); s.Components.Schemas["AgentResponse"] == nil {
		t.Error("the reference has no AgentResponse")
	}
}

// sharedCopy finds shared/reference/retell-openapi.yaml in a folder above
// the working directory, or returns "".
func sharedCopy() string {
	dir, _ := os.Getwd()
	for {
		p := filepath.Join(dir, "shared", "reference", "retell-openapi.yaml")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
