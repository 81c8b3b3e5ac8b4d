package gitops

import (
	"context"
	"fmt"
	"strings"

	"github.com/agentry/agentry"
)

// Finding the objects files stand for, and turning file names into ids and
// back.

// agentList returns list-agents, read once per run.
func (r *run) agentList(ctx context.Context) []object {
	if r.agents == nil {
		list, err := r.c.listAgents(ctx)
		if err != nil {
			r.warn("could not list agents: %v", err)
			return nil
		}
		r.agents = list
	}
	return r.agents
}

// findAgent finds, for a file without state, the agent of its kind and
// name that no other file stands for. Two candidates are an error: the
// state must say which.
func (r *run) findAgent(ctx context.Context, k *agentry.Kind, name string) (string, error) {
	if r.agents == nil {
		list, err := r.c.listAgents(ctx)
		if err != nil {
			return "", err
		}
		r.agents = list
	}
	var found []string
	for _, a := range r.agents {
		id := str(a, "agent_id")
		if str(a, "channel") == k.Name && str(a, "agent_name") == name && !r.claimed[id] {
			found = append(found, id)
		}
	}
	switch len(found) {
	case 0:
		return "", nil
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%d agents are named %q (%s) and the state says none of them is this file's: pull into this directory to record which is which", len(found), name, strings.Join(found, ", "))
}

// nameOf returns the name that files give an object id of a kind of
// reference: from this run, else the state.
func (r *run) nameOf(k refKind, id string) (string, bool) {
	for _, folder := range refFolders(k) {
		if file := r.fileOf(folder, id); file != "" {
			return refName(k, file), true
		}
	}
	return "", false
}

// pendingPrefix marks, in an agent-swap reference written to the server,
// an agent that apply has not created yet (a cycle of references): the
// object is applied again once every agent exists. It names no id, so that
// it never compares equal to a file.
const pendingPrefix = "agentry-apply-pending:"

// toServer replaces the file names in a configuration by the server's ids.
// An agent-swap reference to an agent not created yet is written as
// pendingPrefix and the file name, and r.swapPending is set.
func (r *run) toServer(cfg object) (object, error) {
	var missing []string
	out := mapRefs(cfg, "", func(k refKind, name, p string) (string, bool) {
		file := refFile(k, name)
		if id := r.idOf(file); id != "" {
			return id, true
		}
		if k == refAgent {
			r.swapPending = true
			return pendingPrefix + name, true
		}
		missing = append(missing, p+": "+file)
		return "", false
	}).(object)
	if len(missing) > 0 {
		return nil, fmt.Errorf("no id recorded for %s", strings.Join(missing, ", "))
	}
	return out, nil
}
