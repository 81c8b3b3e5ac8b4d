package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// ack is a write that the server acknowledged with a 2xx, and what it said.
type ack struct {
	op      string // create-agent, create-agent-version, update-agent, publish
	agentID string
	version int64
	name    string // agent_name set by create-agent or update-agent
	base    int64  // base_version given to create-agent-version
}

// TestCrashKeepsAcknowledgedWrites kills the server with SIGKILL in the
// middle of a write load, restarts it on the same database and checks that
// every acknowledged write is there, that no agent lost its versions, and
// that the version counters are consistent.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	eachBackend(t, func(t *testing.T, db *database) {
		srv := startServer(t, "server", db.dsn)
		const workers = 4
		var (
			mu    sync.Mutex
			acks  []ack
			count atomic.Int64
			wg    sync.WaitGroup
		)
		record := func(a ack) {
			mu.Lock()
			acks = append(acks, a)
			mu.Unlock()
			count.Add(1)
		}
		for w := range workers {
			wg.Go(func() { writeLoad(t, srv, w, record) })
		}
		// Kill once the load is well under way; every worker has a request in
		// flight at that moment or is about to send one.
		deadline := time.Now().Add(5 * time.Second)
		for count.Load() < 300 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		srv.kill()
		wg.Wait()
		t.Logf("killed after %d acknowledged writes", len(acks))
		if len(acks) < 40 {
			t.Fatalf("only %d writes were acknowledged before the kill; the load did not run", len(acks))
		}

		srv = startServer(t, "restarted server", db.dsn)
		checkAfterCrash(t, srv, acks)
	})
}

// writeLoad runs agent lifecycles until a request fails (the kill): create an
// agent, branch version 1 from 0, rename version 1, publish it, branch
// version 2 from 1. Each 2xx is recorded with what it acknowledged.
func writeLoad(t *testing.T, srv *server, worker int, record func(ack)) {
	for i := 0; ; i++ {
		name := fmt.Sprintf("w%d-agent%d", worker, i)
		r, ok := loadCall(t, srv, http.StatusCreated, "POST", "/create-agent", agentBody(map[string]any{"agent_name": name}))
		if !ok {
			return
		}
		var v struct {
			AgentID string `json:"agent_id"`
			Version int64  `json:"version"`
		}
		if err := json.Unmarshal(r.body, &v); err != nil || v.AgentID == "" || v.Version != 0 {
			t.Errorf("create-agent answered %s", r)
			return
		}
		id := v.AgentID
		record(ack{op: "create-agent", agentID: id, version: 0, name: name})
		for _, step := range []struct {
			ack
			status       int
			method, path string
			body         any
		}{
			{ack{op: "create-agent-version", version: 1, base: 0}, http.StatusCreated, "POST", "/create-agent-version/" + id, map[string]any{"base_version": 0}},
			{ack{op: "update-agent", version: 1, name: name + " v1"}, http.StatusOK, "PATCH", "/update-agent/" + id + "?version=1", map[string]any{"agent_name": name + " v1"}},
			{ack{op: "publish", version: 1}, http.StatusOK, "POST", "/publish-agent-version/" + id, map[string]any{"version": 1}},
			{ack{op: "create-agent-version", version: 2, base: 1}, http.StatusCreated, "POST", "/create-agent-version/" + id, map[string]any{"base_version": 1}},
		} {
			r, ok := loadCall(t, srv, step.status, step.method, step.path, step.body)
			if !ok {
				return
			}
			if step.op != "publish" {
				var got struct{ Version *int64 }
				if err := json.Unmarshal(r.body, &got); err != nil || got.Version == nil || *got.Version != step.version {
					t.Errorf("%s %s answered %s, want version %d", step.method, step.path, r, step.version)
					return
				}
			}
			a := step.ack
			a.agentID = id
			record(a)
		}
	}
}

// loadCall makes one request of the load. A transport error ends the load
// (the server is gone); any status but want is a test failure.
func loadCall(t *testing.T, srv *server, want int, method, path string, body any) (*response, bool) {
	r, err := srv.call(method, path, body)
	if err != nil {
		return nil, false
	}
	if r.status != want {
		t.Errorf("%s %s: got %s, want %d", method, path, r, want)
		return nil, false
	}
	return r, true
}

// checkAfterCrash checks the restarted server against what was acknowledged.
func checkAfterCrash(t *testing.T, srv *server, acks []ack) {
	ids := listAgentIDs(t, srv)
	versions := map[string]map[int64]map[string]any{} // agent → number → version
	for _, id := range ids {
		var all []map[string]any
		if err := json.Unmarshal(srv.must(t, http.StatusOK, "GET", "/get-agent-versions/"+id, nil).body, &all); err != nil {
			t.Fatal(err)
		}
		if len(all) == 0 {
			t.Errorf("agent %s survived the crash without any version", id)
		}
		byNumber := map[int64]map[string]any{}
		for _, v := range all {
			n := int64(v["version"].(float64))
			if byNumber[n] != nil {
				t.Errorf("agent %s has two versions numbered %d", id, n)
			}
			byNumber[n] = v
		}
		versions[id] = byNumber
	}
	for _, a := range acks {
		v := versions[a.agentID][a.version]
		if v == nil {
			t.Errorf("%s of %s version %d was acknowledged but the version is gone", a.op, a.agentID, a.version)
			continue
		}
		switch a.op {
		case "create-agent", "update-agent":
			if v["agent_name"] != a.name {
				t.Errorf("%s of %s version %d was acknowledged with agent_name %q, now %v", a.op, a.agentID, a.version, a.name, v["agent_name"])
			}
		case "create-agent-version":
			if v["base_version"] != float64(a.base) {
				t.Errorf("version %d of %s was created from %d, now base_version %v", a.version, a.agentID, a.base, v["base_version"])
			}
		case "publish":
			if v["is_published"] != true {
				t.Errorf("publish of %s version %d was acknowledged, but the version is a draft", a.agentID, a.version)
			}
		}
	}
	// The counter of each agent is past every number it has given out.
	for id, byNumber := range versions {
		largest, base := int64(-1), int64(-1)
		for n := range byNumber {
			largest = max(largest, n)
			base = n
		}
		if base < 0 {
			continue
		}
		r := srv.must(t, http.StatusCreated, "POST", "/create-agent-version/"+id, map[string]any{"base_version": base})
		if n := int64(r.object(t)["version"].(float64)); n <= largest {
			t.Errorf("agent %s has versions up to %d, yet create-agent-version gave number %d", id, largest, n)
		}
	}
	t.Logf("checked %d acknowledged writes on %d agents", len(acks), len(ids))
}

// listAgentIDs pages through list-agents.
func listAgentIDs(t *testing.T, srv *server) []string {
	var ids []string
	key := ""
	for {
		path := "/v2/list-agents?limit=1000"
		if key != "" {
			path += "&pagination_key=" + key
		}
		var page struct {
			Items []struct {
				AgentID string `json:"agent_id"`
			} `json:"items"`
			HasMore       bool   `json:"has_more"`
			PaginationKey string `json:"pagination_key"`
		}
		if err := json.Unmarshal(srv.must(t, http.StatusOK, "POST", path, nil).body, &page); err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			ids = append(ids, it.AgentID)
		}
		if !page.HasMore {
			return ids
		}
		key = page.PaginationKey
	}
}
