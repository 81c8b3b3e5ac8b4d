package schema

import (
	"encoding/json"

	"github.com/agentry/agentry"
)

// What a write stores beyond what it was sent, as the reference's prose
// says (docs/PROSE-RULES.md). They apply in CheckFields, to the fields of a
// create or a patch, before the service merges them: a default of creation
// applies on create only, and a patch stores exactly what it means.

// multiLocales are the ten locales that the deprecated language "multi"
// stands for (Retell's deprecation notice of the legacy multilingual
// setting lists them, in this order).
var multiLocales = []string{"en-US", "es-ES", "fr-FR", "de-DE", "hi-IN", "ru-RU", "pt-PT", "ja-JP", "it-IT", "nl-NL"}

var multiArray, _ = json.Marshal(multiLocales)

// contactMemoryDefaults are the flags creating an agent sets, unless the
// create sends them.
var contactMemoryDefaults = map[string]json.RawMessage{
	"enable_read":   json.RawMessage(`true`),
	"enable_update": json.RawMessage(`false`),
}

// applyDefaults rewrites checked fields of kind as they are to be stored.
// It never changes the map it is given when there is nothing to apply.
func applyDefaults(kind *agentry.Kind, fields agentry.Fields, patch bool) agentry.Fields {
	if !kind.Agent {
		return fields
	}
	// "multi" is stored and answered as the ten locales it stands for.
	if raw, ok := fields["language"]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil && s == "multi" {
			fields["language"] = multiArray
		}
	}
	if patch {
		return fields
	}
	// Creating an agent reads contact memory and does not update it, unless
	// the create says otherwise flag by flag.
	merged := map[string]json.RawMessage{}
	for k, v := range contactMemoryDefaults {
		merged[k] = v
	}
	if raw, ok := fields["contact_memory_config"]; ok {
		var sent map[string]json.RawMessage
		if json.Unmarshal(raw, &sent) == nil {
			for k, v := range sent {
				merged[k] = v
			}
		}
	}
	fields["contact_memory_config"], _ = json.Marshal(merged)
	return fields
}

// AsCreated returns the configuration a create of fields of kind stores:
// the fields with the defaults of creation and the rewrites above applied.
// A client that compares a configuration of its own with what the server
// holds (agentry plan) compares this, so that a default it left out, or a
// value stored in another form, is not a difference. fields is not changed.
func AsCreated(kind *agentry.Kind, fields agentry.Fields) agentry.Fields {
	out := make(agentry.Fields, len(fields)+1)
	for k, v := range fields {
		out[k] = v
	}
	return applyDefaults(kind, out, false)
}
