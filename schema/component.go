package schema

import (
	"github.com/agentry/agentry"
)

// Shared conversation flow components: the body of their create (which
// requires name and nodes) and update, and their answer. Nodes and tools
// follow the rules of a flow's, and the rules across them (unique node ids,
// edges and the start node naming nodes) are a flow's too.

// ConversationFlowComponent is the configuration of a shared component.
var ConversationFlowComponent = object("ConversationFlowComponent", props{
	"name":                       str(),
	"flex_mode":                  boolean().null(),
	"tools":                      array(ref(flowTool)).null(),
	"mcps":                       array(ref(mcpServer)).null(),
	"nodes":                      array(ref(flowNode)),
	"start_node_id":              str().null(),
	"begin_tag_display_position": ref(position).null(),
	"notes":                      array(ref(flowNote)).null(),
}, "name", "nodes").about("A shared conversation flow component: nodes that flows use from component nodes.").configuration()

// ConversationFlowComponentResponse is a shared component as answered.
var ConversationFlowComponentResponse = func() *Object {
	o := ConversationFlowComponent.extend("ConversationFlowComponentResponse", props{
		"conversation_flow_component_id": str(),
		"user_modified_timestamp":        integer().about("Milliseconds since the epoch."),
		"linked_conversation_flow_ids":   array(str()).about("The flows that have a draft version using the component: the flows its edits reach."),
	})
	o.required["conversation_flow_component_id"] = true
	o.required["user_modified_timestamp"] = true
	return o.about("A shared conversation flow component.")
}()

// FlowVersionComponents is agentry's answer of what a flow version serves of
// the shared components it uses.
var FlowVersionComponents = object("ConversationFlowVersionComponents", props{
	"conversation_flow_id": str(),
	"version":              integer(),
	"is_published":         boolean(),
	"components": array(ref(ConversationFlowComponentResponse)).
		about("A published version's components as they were when it was published; a draft's as they are now. Components used by components are included."),
}, "conversation_flow_id", "version", "is_published", "components")

// CheckComponent applies the field rules to a component's create body or
// patch (agentry.ComponentRules).
func (Rules) CheckComponent(fields agentry.Fields, patch bool) error {
	mode := Create
	if patch {
		mode = Update
	}
	return ConversationFlowComponent.Validate(fields, mode)
}

// CheckComponentConfig checks the rules across a whole component's nodes
// and tools: those of a flow.
func (Rules) CheckComponentConfig(config agentry.Fields) error {
	if err := checkFlow(config); err != nil {
		return err
	}
	return nil
}

var _ agentry.ComponentRules = Rules{}
