package schema

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/agentry/agentry"
)

// Rules is agentry.Rules over the definitions of this package: the service
// calls it on every configuration it stores.
type Rules struct{}

var _ agentry.Rules = Rules{}

// configOf is the configuration of each kind.
var configOf = map[*agentry.Kind]*Object{
	agentry.VoiceAgent:       VoiceAgent,
	agentry.ChatAgent:        ChatAgent,
	agentry.RetellLLM:        RetellLLM,
	agentry.ConversationFlow: ConversationFlow,
}

// Config returns the field rules of a kind's configuration.
func Config(kind *agentry.Kind) *Object { return configOf[kind] }

// CheckFields validates a create body or a patch against the kind's field
// rules. On a patch, fields only creation sets are dropped and named as
// ignored.
func (Rules) CheckFields(kind *agentry.Kind, fields agentry.Fields, patch bool) (agentry.Fields, []string, error) {
	o := configOf[kind]
	if o == nil {
		return nil, nil, fmt.Errorf("schema: no configuration rules for kind %s", kind)
	}
	mode := Create
	if patch {
		mode = Update
	}
	if err := o.Validate(fields, mode); err != nil {
		return nil, nil, err
	}
	var ignored []string
	if patch {
		for _, f := range o.createOnly {
			if _, sent := fields[f]; sent {
				ignored = append(ignored, f)
			}
		}
	}
	if len(ignored) == 0 {
		return fields, nil, nil
	}
	apply := make(agentry.Fields, len(fields))
	for k, v := range fields {
		if !slices.Contains(ignored, k) {
			apply[k] = v
		}
	}
	return apply, ignored, nil
}

// CheckConfig checks the rules across the items of a whole configuration.
func (Rules) CheckConfig(kind *agentry.Kind, config agentry.Fields) error {
	return CheckIntegrity(kind, map[string]json.RawMessage(config))
}
