package agentry

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Response engines (Retell LLMs and conversation flows) are versioned in
// lockstep with the agents that use them:
//   - an agent version pins one engine version (response_engine.version);
//     without a version it pins the engine's latest version at that moment;
//   - publishing an agent version publishes the engine version it pins, in
//     the same transaction, so a published agent never points at an engine
//     that can still change;
//   - create-agent-version from base M copies the engine version M pins into
//     a new engine draft, pinned by the new agent draft; the engine's new
//     number is the agent's new number when that is free, so an engine used by
//     one agent numbers its versions as the agent does.
// Locks are always taken agent first, engine second.

// engineRef is the engine part of a response_engine value.
type engineRef struct {
	Type               string `json:"type"`
	LLMID              string `json:"llm_id"`
	ConversationFlowID string `json:"conversation_flow_id"`
	Version            *int64 `json:"version"`
}

func (r engineRef) id() string {
	if r.Type == RetellLLM.Name {
		return r.LLMID
	}
	return r.ConversationFlowID
}

// refuseUsedEngine refuses to delete engine e while an agent version pins it.
func refuseUsedEngine(tx Tx, e *Resource) error {
	users, err := tx.EngineUsers(e.WorkspaceID, e.ID, 1)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return Errorf(EINVALID, "%s %s is the response engine of agent %s (version %d): point that agent elsewhere or delete it first, or pass force_delete=true",
			e.Kind.Noun, e.ID, users[0].ResourceID, users[0].Number)
	}
	return nil
}

// pinEngine resolves the engine that config.response_engine names, pins the
// version (the latest when none is given) into config and v, and locks the
// engine so it cannot be deleted before the transaction commits.
func pinEngine(tx Tx, v *Version, config Fields) error {
	v.EngineID, v.EngineVersion = "", nil
	raw, ok := config["response_engine"]
	if !ok {
		return nil
	}
	var ref engineRef
	if err := json.Unmarshal(raw, &ref); err != nil {
		return fmt.Errorf("decode response_engine: %w", err)
	}
	kind := KindNamed(ref.Type)
	if kind == nil || !kind.Engine {
		return nil
	}
	e, err := tx.LockResource(v.WorkspaceID, ref.id())
	if errors.Is(err, ErrNotFound) || (err == nil && e.Kind != kind) {
		return Errorf(EUNPROCESSABLE, "response_engine names %s %s, which does not exist", kind.Noun, ref.id())
	} else if err != nil {
		return err
	}
	var ev *Version
	if ref.Version != nil {
		ev, err = tx.GetVersion(v.WorkspaceID, e.ID, *ref.Version)
	} else {
		ev, err = tx.FindVersion(v.WorkspaceID, e.ID, PickLatest)
	}
	if errors.Is(err, ErrNotFound) && ref.Version != nil {
		return Errorf(EUNPROCESSABLE, "%s %s has no version %d", kind.Noun, e.ID, *ref.Version)
	} else if err != nil {
		return err
	}
	return setPin(v, config, e.ID, ev.Number)
}

// setPin records engine version number as v's pin, in its columns and in
// config.response_engine.version.
func setPin(v *Version, config Fields, engineID string, number int64) error {
	var re map[string]json.RawMessage
	if err := json.Unmarshal(config["response_engine"], &re); err != nil {
		return fmt.Errorf("decode response_engine: %w", err)
	}
	re["version"] = json.RawMessage(fmt.Sprint(number))
	b, err := json.Marshal(re)
	if err != nil {
		return err
	}
	config["response_engine"] = b
	v.EngineID, v.EngineVersion = engineID, &number
	return nil
}

// branchEngine gives the new agent draft v (copied from base) its own engine
// draft, copied from the engine version base pins.
func branchEngine(tx Tx, base, v *Version, now int64) error {
	if base.EngineID == "" || base.EngineVersion == nil {
		return nil
	}
	e, err := tx.LockResource(v.WorkspaceID, base.EngineID)
	if errors.Is(err, ErrNotFound) {
		return Errorf(EUNPROCESSABLE, "version %d pins response engine %s, which no longer exists", base.Number, base.EngineID)
	} else if err != nil {
		return err
	}
	src, err := tx.GetVersion(v.WorkspaceID, e.ID, *base.EngineVersion)
	if errors.Is(err, ErrNotFound) {
		return Errorf(EUNPROCESSABLE, "version %d pins %s %s version %d, which no longer exists", base.Number, e.Kind.Noun, e.ID, *base.EngineVersion)
	} else if err != nil {
		return err
	}
	number := max(e.NextVersion, v.Number)
	e.NextVersion = number + 1
	draft := &Version{WorkspaceID: e.WorkspaceID, ResourceID: e.ID, Kind: e.Kind, Number: number,
		BaseVersion: &src.Number, Config: src.Config, ModifiedAt: now}
	if err := tx.InsertVersion(draft); err != nil {
		return err
	}
	if err := branchLinks(tx, src, draft); err != nil {
		return err
	}
	if err := touch(tx, e, now, nil); err != nil {
		return err
	}
	var config Fields
	if err := json.Unmarshal(v.Config, &config); err != nil {
		return err
	}
	if err := setPin(v, config, e.ID, number); err != nil {
		return err
	}
	v.Config, err = encodeConfig(config)
	return err
}

// publishEngine publishes the engine version that v pins, if it is a draft.
func publishEngine(tx Tx, v *Version, now int64) error {
	if v.EngineID == "" || v.EngineVersion == nil {
		return nil
	}
	e, err := tx.LockResource(v.WorkspaceID, v.EngineID)
	if err == nil {
		var ev *Version
		ev, err = tx.GetVersion(v.WorkspaceID, e.ID, *v.EngineVersion)
		if err == nil {
			if ev.Published {
				return nil
			}
			ev.Published, ev.PublishedAt, ev.ModifiedAt = true, now, now
			ev.Revision++
			if err := tx.UpdateVersion(ev); err != nil {
				return err
			}
			if err := snapshotComponents(tx, ev); err != nil {
				return err
			}
			return touch(tx, e, now, nil)
		}
	}
	if errors.Is(err, ErrNotFound) {
		return Errorf(EUNPROCESSABLE, "version %d pins response engine %s version %d, which no longer exists; point it at an existing engine before publishing", v.Number, v.EngineID, *v.EngineVersion)
	}
	return err
}
