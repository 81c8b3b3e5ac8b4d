// Package reference holds Retell's reference OpenAPI document (revision
// 2026-10-04), for tests that check agentry's schemas and answers against
// it. The copy is part of the project, so the tests need nothing beside the
// checkout; reference_test.go checks that it matches the shared copy when
// one is there.
package reference

import (
	_ "embed"
	"encoding/json"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// Document is the reference document as published.
//
//go:embed retell-openapi.yaml
var Document []byte

var (
	once    sync.Once
	doc     *openapi3.T
	loadErr error
)

// Spec returns the loaded reference document.
func Spec(tb testing.TB) *openapi3.T {
	tb.Helper()
	once.Do(func() {
		doc, loadErr = openapi3.NewLoader().LoadFromData(Document)
	})
	if loadErr != nil {
		tb.Fatalf("load the reference document: %v", loadErr)
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
