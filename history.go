package agentry

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Every write leaves two traces, both made by one call, record, inside the
// write's transaction: an entry of the audit log, and, for each webhook of the
// workspace subscribed to the change's event, a delivery waiting in the
// outbox (webhook_deliveries). Neither exists unless the change commits, and
// neither can be lost once it has: they commit or roll back with it.
//
// Hooking a new write is one call in its transaction, after its rows are
// written and before it returns:
//
//	if err := s.record(tx, c, Change{Action: "tag.moved", Object: ObjectAgent, ID: agentID, Version: &n, Details: map[string]any{"tag": name}}); err != nil {
//		return err
//	}
//
// Action must be a name of the event catalogue (Events).

// Change describes one change for the audit log and the webhooks.
type Change struct {
	// Action is the event's name from the catalogue: "agent_version.published".
	Action string
	// Object and ID name what changed: ObjectAgent and the agent's id. A tag
	// move changes an agent's routing, so its object is the agent.
	Object string
	ID     string
	// Version is the version the change made or touched, where one applies.
	Version *int64
	// Paths are the top-level fields a patch set, as JSON Pointers
	// ("/voice_speed"), for updates.
	Paths []string
	// Details is more about the change (JSON-encodable): the base of a new
	// draft, the engine version a publish published, a tag's old and new
	// version.
	Details map[string]any
}

// Object types of audit entries and events. Resources take theirs from their
// kind (ObjectType).
const (
	ObjectAgent           = "agent"
	ObjectAPIKey          = "api_key"
	ObjectWebhook         = "webhook"
	ObjectWebhookDelivery = "webhook_delivery"
	ObjectPhoneNumber     = "phone_number"
	ObjectAuditLog        = "audit_log"

	// The objects that versions point at, and the other objects of the
	// workspace: not versioned, so an entry about one has no version.
	ObjectKnowledgeBase = "knowledge_base"
	ObjectComponent     = "conversation_flow_component"
	ObjectVoice         = "voice"
	ObjectAsset         = "asset"
	ObjectApp           = "app"
	ObjectTestCase      = "test_case_definition"
	ObjectBatchTest     = "batch_test"
)

// ObjectType is the object type of a resource of kind k in the audit log and
// in events: "agent" for voice and chat agents, otherwise the kind's name
// with underscores ("retell_llm", "conversation_flow").
func ObjectType(k *Kind) string {
	if k.Agent {
		return ObjectAgent
	}
	return strings.ReplaceAll(k.Name, "-", "_")
}

// ObjectTypes lists every object type an audit entry can have: agent, the
// engines' (one per engine kind), then the other objects.
func ObjectTypes() []string {
	out := []string{ObjectAgent}
	for _, k := range Kinds {
		if k.Engine {
			out = append(out, ObjectType(k))
		}
	}
	return append(out, ObjectPhoneNumber, ObjectKnowledgeBase, ObjectComponent, ObjectVoice, ObjectAsset, ObjectApp,
		ObjectTestCase, ObjectBatchTest, ObjectAPIKey, ObjectWebhook, ObjectWebhookDelivery, ObjectAuditLog)
}

// Event is one entry of the event catalogue: the name of a change, which is
// both the audit entry's action and the webhook event.
type Event struct {
	Name  string
	About string
	// Subscribable events can be sent to webhooks; the others (changes to
	// webhooks themselves, pruning) are only audited.
	Subscribable bool
}

// fixedEvents are the events of agents and of the objects that are not
// versioned resources. Each response engine kind adds its own created,
// updated and deleted (Events).
var fixedEvents = []Event{
	{"agent.created", "An agent (voice or chat) was created; version 0 is its first draft.", true},
	{"agent.updated", "A draft of an agent was edited; paths lists the fields the patch set.", true},
	{"agent.deleted", "An agent and all its versions were deleted.", true},
	{"agent_version.created", "A new draft was copied from a version (create-agent-version).", true},
	{"agent_version.published", "A draft was published; the engine version it pins was published with it.", true},
	{"agent_version.deleted", "One version of an agent was deleted.", true},
	{"tag.moved", "A tag of an agent was created, moved to another version or unassigned.", true},
	{"tag.reverted", "A tag was put back to the state before one of its history entries.", true},
	{"tag.deleted", "A tag of an agent was deleted.", true},
	{"phone_number.created", "A phone number was created or imported, with the agents it routes to.", true},
	{"phone_number.updated", "A phone number's settings other than its routing changed (nickname, webhooks, SIP settings).", true},
	{"phone_number.routing_changed", "The agents a phone number routes to, their weights, or its routing mode changed.", true},
	{"phone_number.deleted", "A phone number was deleted.", true},
	{"knowledge_base.created", "A knowledge base was created with its first sources (their ids, types, names and sizes in details; never their content).", true},
	{"knowledge_base.sources_added", "Sources (texts, files, URLs) were added to a knowledge base, which indexes them again.", true},
	{"knowledge_base.source_deleted", "A source was removed from a knowledge base.", true},
	{"knowledge_base.deleted", "A knowledge base and its sources were deleted.", true},
	{"conversation_flow_component.created", "A shared conversation flow component was created.", true},
	{"conversation_flow_component.updated", "A shared component was edited; paths lists the fields the patch set. Its edits reach the drafts that use it.", true},
	{"conversation_flow_component.deleted", "A shared component was deleted; each draft that used it got a local copy (one conversation_flow.updated each).", true},
	{"voice.created", "A voice was cloned from audio samples or added from a provider's community library.", true},
	{"asset.created", "An image or audio file was uploaded (create-asset).", true},
	{"app.created", "An app (a connection to an external system) was created.", true},
	{"app.updated", "An app's settings or credentials changed (paths name the fields, never their values), or test-app-auth changed its connection status.", true},
	{"app.deleted", "An app was deleted (with force_delete, the app tools that ran against it are left naming it).", true},
	{"test_case_definition.created", "A test case definition was created.", true},
	{"test_case_definition.updated", "A test case definition was changed; paths lists the fields the request sent.", true},
	{"test_case_definition.deleted", "A test case definition was deleted (the runs that ran it keep their snapshots).", true},
	{"batch_test.created", "A batch test was created with a pending run per test case definition; the runs' progress is not audited.", true},
	{"api_key.created", "An API key was created (by `agentry keys create`, or by serve for AGENTRY_API_KEY or a first start).", true},
	{"api_key.revoked", "An API key was revoked (`agentry keys revoke`).", true},
	{"webhook.created", "A webhook was created.", false},
	{"webhook.updated", "A webhook's url, events, description or enabled flag changed.", false},
	{"webhook.deleted", "A webhook and its deliveries were deleted.", false},
	{"webhook_delivery.retried", "A delivery was queued again by hand.", false},
	{"audit_log.pruned", "Entries older than a date were pruned by an operator (`agentry audit prune`).", false},
}

var (
	eventsOnce sync.Once
	events     []Event
	eventIndex map[string]*Event
)

// Events is the event catalogue: every action the audit log records, in a
// fixed order. Response engine kinds contribute <object>.created, .updated
// and .deleted, so a new kind of resource has its events without a change
// here.
func Events() []Event {
	eventsOnce.Do(func() {
		events = slices.Clone(fixedEvents)
		for _, k := range Kinds {
			if k.Agent {
				continue
			}
			o := ObjectType(k)
			events = append(events,
				Event{o + ".created", "A " + k.Noun + " was created; version 0 is its first draft.", true},
				Event{o + ".updated", "A draft of a " + k.Noun + " was edited; paths lists the fields the patch set.", true},
				Event{o + ".deleted", "A " + k.Noun + " and all its versions were deleted.", true})
		}
		eventIndex = make(map[string]*Event, len(events))
		for i := range events {
			eventIndex[events[i].Name] = &events[i]
		}
	})
	return events
}

// EventNamed returns the catalogue's event called name, or nil.
func EventNamed(name string) *Event {
	Events()
	return eventIndex[name]
}

// record writes the audit entry of a change and queues its webhook
// deliveries, in the transaction tx of the change. Services call it through
// their own record method, which supplies the clock.
func record(tx Tx, c Caller, now int64, ch Change) error {
	ev := EventNamed(ch.Action)
	if ev == nil {
		return fmt.Errorf("agentry: record: action %q is not in the event catalogue", ch.Action)
	}
	if c.Workspace == "" || ch.Object == "" || ch.ID == "" {
		return fmt.Errorf("agentry: record %s: workspace, object and id are required", ch.Action)
	}
	e := &AuditEntry{WorkspaceID: c.Workspace, At: now, Actor: Actor{KeyPrefix: c.KeyPrefix, Label: c.KeyLabel},
		RequestID: c.RequestID, Action: ch.Action, ObjectType: ch.Object, ObjectID: ch.ID, Version: ch.Version,
		Paths: ch.Paths}
	if len(ch.Details) > 0 {
		raw, err := json.Marshal(ch.Details)
		if err != nil {
			return fmt.Errorf("agentry: record %s: details: %w", ch.Action, err)
		}
		e.Details = raw
	}
	if err := tx.InsertAuditEntry(e); err != nil {
		return err
	}
	if !ev.Subscribable {
		return nil
	}
	return queueDeliveries(tx, e, now)
}

// patchPaths lists the fields of a patch as JSON Pointers, in name order.
func patchPaths(patch Fields) []string {
	paths := make([]string, 0, len(patch))
	for k := range patch {
		paths = append(paths, "/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"))
	}
	slices.Sort(paths)
	return paths
}

// engineDetails says which engine version v pins, for the details of a
// change; nil when it pins none.
func engineDetails(v *Version) map[string]any {
	if v.EngineID == "" || v.EngineVersion == nil {
		return nil
	}
	return map[string]any{"id": v.EngineID, "version": *v.EngineVersion}
}

func (s *Service) record(tx Tx, c Caller, ch Change) error { return record(tx, c, s.now(), ch) }
