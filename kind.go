package agentry

// Kind is one kind of versioned resource. Every layer asks this file what a
// kind is (its id prefix, its noun, the field that names it, whether it is an
// agent) instead of keeping a list of its own: adding a kind is one entry in
// Kinds.
type Kind struct {
	// Name is the kind as stored in the database ("voice", "chat",
	// "retell-llm", "conversation-flow"). It is also the value of an agent's
	// channel and of response_engine.type.
	Name string
	// Noun names the kind in messages: "agent", "Retell LLM".
	Noun string
	// IDPrefix starts every id of the kind.
	IDPrefix string
	// IDField is the request and response field that holds the id.
	IDField string
	// Agent is set for agents (voice and chat): their versions carry a title,
	// a description and a base version, pin a response engine, and are
	// listed by list-agents.
	Agent bool
	// Engine is set for response engines, which are versioned in lockstep
	// with the agent versions that pin them (see engine.go).
	Engine bool
}

// The kinds agentry serves.
var (
	VoiceAgent       = &Kind{Name: "voice", Noun: "agent", IDPrefix: "agent_", IDField: "agent_id", Agent: true}
	ChatAgent        = &Kind{Name: "chat", Noun: "agent", IDPrefix: "agent_", IDField: "agent_id", Agent: true}
	RetellLLM        = &Kind{Name: "retell-llm", Noun: "Retell LLM", IDPrefix: "llm_", IDField: "llm_id", Engine: true}
	ConversationFlow = &Kind{Name: "conversation-flow", Noun: "conversation flow", IDPrefix: "conversation_flow_", IDField: "conversation_flow_id", Engine: true}

	// AnyAgent is not a kind of its own: it addresses a voice or a chat
	// agent, for the endpoints that serve both (the version endpoints,
	// list-agents).
	AnyAgent = &Kind{Noun: "agent", IDPrefix: "agent_", IDField: "agent_id", Agent: true}
)

// Kinds lists every stored kind.
var Kinds = []*Kind{VoiceAgent, ChatAgent, RetellLLM, ConversationFlow}

// KindNamed returns the kind whose Name is name, or nil.
func KindNamed(name string) *Kind {
	for _, k := range Kinds {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// Names returns the stored names that k stands for: its own, or those of
// every agent kind for AnyAgent.
func (k *Kind) Names() []string {
	if k != AnyAgent {
		return []string{k.Name}
	}
	var names []string
	for _, c := range Kinds {
		if c.Agent {
			names = append(names, c.Name)
		}
	}
	return names
}

// Covers reports whether a resource of kind got is addressed by k: the same
// kind, or any agent kind for AnyAgent.
func (k *Kind) Covers(got *Kind) bool {
	return k == got || (k == AnyAgent && got.Agent)
}

// String returns the stored name.
func (k *Kind) String() string { return k.Name }
