// Package reference loads Retell's reference OpenAPI document for tests that
// check agentry's responses against the reference schemas. The document is
// not part of this repository: it lives in shared/reference beside the
// checkout (or where AGENTRY_REFERENCE_SPEC points).
package reference

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

var (
	once    sync.Once
	doc     *openapi3.T
	loadErr error
	where   string
)

// Path finds the reference document: AGENTRY_REFERENCE_SPEC, or
// shared/reference/retell-openapi.yaml in the checkout's parent folder, found
// by walking up from the working directory.
func Path() string {
	if p := os.Getenv("AGENTRY_REFERENCE_SPEC"); p != "" {
		return p
	}
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

// Spec returns the loaded reference document. Without it the test fails
// when CI is set and is skipped otherwise.
func Spec(tb testing.TB) *openapi3.T {
	tb.Helper()
	once.Do(func() {
		where = Path()
		if where == "" {
			return
		}
		loader := openapi3.NewLoader()
		doc, loadErr = loader.LoadFromFile(where)
	})
	switch {
	case where == "" && os.Getenv("CI") != "":
		tb.Fatal("reference OpenAPI document not found: set AGENTRY_REFERENCE_SPEC or place shared/reference beside the checkout")
	case where == "":
		tb.Skip("reference OpenAPI document not found (shared/reference/retell-openapi.yaml); set AGENTRY_REFERENCE_SPEC to run this test")
	case loadErr != nil:
		tb.Fatalf("load %s: %v", where, loadErr)
	}
	return doc
}

// Validate checks body against the named component schema of the reference.
func Validate(tb testing.TB, schemaName string, body []byte) {
	tb.Helper()
	spec := Spec(tb)
	ref, ok := spec.Components.Schemas[schemaName]
	if !ok || ref.Value == nil {
		tb.Fatalf("reference has no schema %s", schemaName)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		tb.Fatalf("response is not JSON: %v\n%s", err, body)
	}
	if err := ref.Value.VisitJSON(v, openapi3.MultiErrors()); err != nil {
		tb.Errorf("response does not match the reference schema %s: %v\n%s", schemaName, err, body)
	}
}
