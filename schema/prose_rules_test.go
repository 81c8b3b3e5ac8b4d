package schema

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// proseRoots are the request schemas agentry serves whose descriptions are
// read for rules.
var proseRoots = []string{"AgentRequest", "ChatAgentRequest", "RetellLlmRequest", "ConversationFlow",
	"CreateConversationFlowRequest", "CreateAgentVersionRequest", "PublishAgentVersionRequest", "AgentListFilter"}

// ruleWords mark a description that states a rule (a default, a bound, a
// requirement, a rule across fields) rather than only what a field means.
var ruleWords = regexp.MustCompile(`(?i)\b(must|required|requires|cannot|can't|can only|not both|unique|minimum|maximum|at least|at most|range|between|defaults?|if unset|if not set|deprecated|ignored|not allowed|valid)\b`)

// proseDescriptions walks the request schemas and returns the descriptions
// that state rules, by path: a component's name, then its properties
// (nested objects with ".", items with "[]"; allOf and oneOf parts merged).
func proseDescriptions(doc *openapi3.T) map[string]string {
	out := map[string]string{}
	seen := map[string]bool{}
	var walk func(ref *openapi3.SchemaRef, path string)
	walk = func(ref *openapi3.SchemaRef, path string) {
		if ref == nil || ref.Value == nil {
			return
		}
		if ref.Ref != "" {
			name := ref.Ref[strings.LastIndex(ref.Ref, "/")+1:]
			if seen[name] {
				return
			}
			seen[name] = true
			path = name
		}
		s := ref.Value
		if s.Description != "" && ruleWords.MatchString(s.Description) {
			out[path] = s.Description
		}
		for _, parts := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, p := range parts {
				walk(p, path)
			}
		}
		for k, p := range s.Properties {
			walk(p, path+"."+k)
		}
		if s.Items != nil {
			walk(s.Items, path+"[]")
		}
		if s.AdditionalProperties.Schema != nil {
			walk(s.AdditionalProperties.Schema, path+"{}")
		}
	}
	for _, root := range proseRoots {
		walk(&openapi3.SchemaRef{Ref: "#/components/schemas/" + root, Value: doc.Components.Schemas[root].Value}, root)
	}
	return out
}

// Every description of the request schemas that states a rule has its row
// in docs/PROSE-RULES.md, enforced (with its test) or waived (with the
// reason): a rule the reference adds later fails this test until it is
// decided.
func TestEveryProseRuleIsDecided(t *testing.T) {
	doc := loadReference(t)
	table, err := os.ReadFile("../docs/PROSE-RULES.md")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile("`([A-Za-z][A-Za-z0-9_.\\[\\]{}]*)`").FindAllStringSubmatch(string(table), -1) {
		listed[m[1]] = true
	}
	rules := proseDescriptions(doc)
	var missing []string
	for path, desc := range rules {
		if !listed[path] {
			missing = append(missing, path+"\t"+desc)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d descriptions that state rules have no row in docs/PROSE-RULES.md:\n%s", len(missing), strings.Join(missing, "\n"))
	}
	if len(rules) < 100 {
		t.Errorf("only %d rule descriptions found: the walk lost its way", len(rules))
	}
}
