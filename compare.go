package agentry

import (
	"context"
	"encoding/json"
	"errors"
)

// A diff compares two versions of an agent as two documents of one shape:
//
//	{"agent": <the version's configuration>, "engine": <the configuration of the engine version it pins, or null>}
//
// so changes read /agent/voice_speed or /engine/states/0/state_prompt.
// "engine" is null for an agent whose response engine is not a Retell LLM
// or a conversation flow (custom-llm), and for a pinned engine that no longer
// exists (Compared.EngineMissing says which). Version metadata (number,
// published, title, description, base version, timestamps) is not part of
// the document: it differs between any two versions and says nothing about
// behaviour; the answer shows it beside the changes.

// Compared is one side of a comparison.
type Compared struct {
	Version *Version
	// Engine is the engine version that Version pins; nil when it pins none
	// or the engine version no longer exists (EngineMissing).
	Engine        *Version
	EngineKind    *Kind // the kind of engine it pins, nil for none
	EngineMissing bool
	// Document is what the diff compares.
	Document json.RawMessage
}

// Compare resolves two version references of one agent (voice or chat) as
// get-agent does, numbers, latest, latest_published and tags alike, and
// returns each version with its pinned engine version and the document the
// diff compares. A reference that names nothing is ENOTFOUND, its message
// starting with the parameter's name (from, to).
func (s *Service) Compare(ctx context.Context, c Caller, agentID string, from, to VersionRef) (a, b *Compared, err error) {
	if a, err = s.compared(ctx, c, agentID, from, "from"); err != nil {
		return nil, nil, err
	}
	if b, err = s.compared(ctx, c, agentID, to, "to"); err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

func (s *Service) compared(ctx context.Context, c Caller, agentID string, ref VersionRef, param string) (*Compared, error) {
	v, err := s.Get(ctx, c, Address{Kind: AnyAgent, ID: agentID, Version: ref})
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Code == ENOTFOUND {
			return nil, &Error{Code: ENOTFOUND, Message: param + ": " + e.Message, Err: e.Err}
		}
		return nil, err
	}
	out := &Compared{Version: v}
	if v.EngineID != "" && v.EngineVersion != nil {
		var ref engineRef
		var cfg struct {
			ResponseEngine engineRef `json:"response_engine"`
		}
		if err := json.Unmarshal(v.Config, &cfg); err == nil {
			ref = cfg.ResponseEngine
		}
		kind := KindNamed(ref.Type)
		if kind == nil || !kind.Engine {
			kind = nil
		}
		if kind != nil {
			out.EngineKind = kind
			e, err := s.Get(ctx, c, Address{Kind: kind, ID: v.EngineID, Version: VersionRef{Form: RefNumber, Number: *v.EngineVersion}})
			switch {
			case err == nil:
				out.Engine = e
			case ErrorCode(err) == ENOTFOUND:
				out.EngineMissing = true
			default:
				return nil, err
			}
		}
	}
	engine := json.RawMessage("null")
	if out.Engine != nil {
		engine = nonEmpty(out.Engine.Config)
	}
	doc, err := json.Marshal(struct {
		Agent  json.RawMessage `json:"agent"`
		Engine json.RawMessage `json:"engine"`
	}{nonEmpty(v.Config), engine})
	if err != nil {
		return nil, err
	}
	out.Document = doc
	return out, nil
}

// nonEmpty is a stored configuration, or {} for none.
func nonEmpty(config json.RawMessage) json.RawMessage {
	if len(config) == 0 {
		return json.RawMessage("{}")
	}
	return config
}
