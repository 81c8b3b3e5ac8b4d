package agentry

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Metadata fields of a version: accepted in create and update bodies but kept
// beside the configuration rather than in it.
const (
	fieldTitle       = "version_title"
	fieldDescription = "version_description"
	fieldName        = "agent_name"
)

// mergedObjectFields are nested objects whose PATCH merges flag by flag
// instead of replacing the whole value, as the reference documents.
var mergedObjectFields = map[string]bool{"contact_memory_config": true}

// applyPatch applies patch to config and to v's metadata. A JSON null removes
// a configuration field (the rules have already refused null where a field
// is not nullable).
func applyPatch(v *Version, config, patch Fields) error {
	for k, raw := range patch {
		null := isNull(raw)
		switch {
		case k == fieldTitle:
			v.Title = stringOrNil(raw)
		case k == fieldDescription:
			v.Description = stringOrNil(raw)
		case null:
			delete(config, k)
		case mergedObjectFields[k] && config[k] != nil:
			merged, err := mergeObjects(config[k], raw)
			if err != nil {
				return err
			}
			config[k] = merged
		default:
			config[k] = raw
		}
	}
	return nil
}

func mergeObjects(base, patch json.RawMessage) (json.RawMessage, error) {
	var b, p map[string]json.RawMessage
	if err := json.Unmarshal(base, &b); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, err
	}
	if b == nil {
		b = map[string]json.RawMessage{}
	}
	for k, val := range p {
		b[k] = val
	}
	return json.Marshal(b)
}

func encodeConfig(config Fields) (json.RawMessage, error) {
	// Compact each value so stored documents do not keep client whitespace.
	for k, raw := range config {
		buf, err := compact(raw)
		if err != nil {
			return nil, fmt.Errorf("config field %s: %w", k, err)
		}
		config[k] = buf
	}
	return json.Marshal(config)
}

func compact(raw json.RawMessage) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

func stringOrNil(raw json.RawMessage) *string {
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil
	}
	return s
}

// nameOf returns agent_name from a stored configuration, or "".
func nameOf(config json.RawMessage) string {
	var c struct {
		Name *string `json:"agent_name"`
	}
	if json.Unmarshal(config, &c) != nil || c.Name == nil {
		return ""
	}
	return *c.Name
}
