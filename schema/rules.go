package schema

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/agentry/agentry"
)

// Rules is agentry.Rules over the definitions of this package: the service
// calls it on every configuration it stores.
type Rules struct {
	// Strict refuses fields a configuration does not declare (serve
	// --strict), naming them; by default they are accepted, left out of what
	// is stored and named in the ignored list.
	Strict bool
}

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

// Unknown is what an undeclared field means under these rules.
func (r Rules) Unknown() Unknown {
	if r.Strict {
		return Refuse
	}
	return Ignore
}

// CheckFields validates a create body or a patch against the kind's field
// rules. Undeclared fields are left out and named as ignored, unless the
// rules are strict; on a patch, fields only creation sets are too.
func (r Rules) CheckFields(kind *agentry.Kind, fields agentry.Fields, patch bool) (agentry.Fields, []string, error) {
	o := configOf[kind]
	if o == nil {
		return nil, nil, fmt.Errorf("schema: no configuration rules for kind %s", kind)
	}
	mode := Create
	if patch {
		mode = Update
	}
	checked, err := o.Check(fields, mode, r.Unknown())
	if err != nil {
		return nil, nil, err
	}
	apply, ignored := applyDefaults(kind, agentry.Fields(checked.Fields), patch), checked.Ignored
	var createOnly []string
	if patch {
		for _, f := range o.createOnly {
			if _, sent := apply[f]; sent {
				createOnly = append(createOnly, f)
			}
		}
	}
	if len(createOnly) == 0 {
		return apply, ignored, nil
	}
	kept := make(agentry.Fields, len(apply))
	for k, v := range apply {
		if !slices.Contains(createOnly, k) {
			kept[k] = v
		}
	}
	more := len(ignored) > 0 && ignored[len(ignored)-1] == "..."
	if more {
		ignored = ignored[:len(ignored)-1]
	}
	ignored = append(ignored, createOnly...)
	slices.Sort(ignored)
	if more {
		ignored = append(ignored, "...")
	}
	return kept, ignored, nil
}

// CheckConfig checks the rules across the items of a whole configuration.
func (Rules) CheckConfig(kind *agentry.Kind, config agentry.Fields) error {
	return CheckIntegrity(kind, map[string]json.RawMessage(config))
}
