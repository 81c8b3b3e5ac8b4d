package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestRoutingAcrossReplicas runs tags and resolve through two server
// processes on one database, with the defaults (the logs read every 250ms).
func TestRoutingAcrossReplicas(t *testing.T) {
	eachBackend(t, func(t *testing.T, db *database) {
		srvs := startServers(t, db, 2)
		t.Run("concurrent-moves-keep-every-entry", func(t *testing.T) { testConcurrentTagMoves(t, srvs) })
		t.Run("move-reaches-the-other-replica", func(t *testing.T) { testTagMoveReachesReplica(t, srvs) })
		t.Run("if-match", func(t *testing.T) { testTagIfMatchAcrossReplicas(t, srvs) })
	})
}

// agentWithVersions creates an agent with n versions, all published.
func agentWithVersions(t *testing.T, s *server, n int) string {
	id := createAgent(t, s, nil)
	for i := 1; i < n; i++ {
		s.must(t, http.StatusCreated, "POST", "/create-agent-version/"+id, map[string]any{"base_version": 0})
	}
	for i := range n {
		s.must(t, http.StatusOK, "POST", "/publish-agent-version/"+id, map[string]any{"version": i})
	}
	return id
}

type historyEntry struct {
	Seq     int64             `json:"seq"`
	Before  *int64            `json:"version_before"`
	After   *int64            `json:"version_after"`
	VarsBef map[string]string `json:"dynamic_variables_before"`
	VarsAft map[string]string `json:"dynamic_variables_after"`
}

// 60 moves of one tag, sent at once through both replicas, all answer 200,
// and the history holds 60 entries, numbered 1 to 60, each one starting
// from the state the one before left: no entry lost, none written over.
func testConcurrentTagMoves(t *testing.T, srvs []*server) {
	id := agentWithVersions(t, srvs[0], 3)
	path := "/agentry/v1/agents/" + id + "/tags/prod"
	const n = 60
	together(n, func(i int) {
		s := srvs[i%2]
		r, err := s.call("PUT", path, map[string]any{"version": i % 3, "dynamic_variables": map[string]string{"mover": fmt.Sprint(i)}})
		if err != nil || r.status != http.StatusOK {
			t.Errorf("%s: move %d: %v %v", s.name, i, r, err)
		}
	})
	if t.Failed() {
		return
	}
	var h struct {
		Items   []historyEntry `json:"items"`
		HasMore bool           `json:"has_more"`
	}
	if err := json.Unmarshal(srvs[1].must(t, http.StatusOK, "GET", path+"/history?limit=1000&sort_order=ascending", nil).body, &h); err != nil {
		t.Fatal(err)
	}
	if len(h.Items) != n || h.HasMore {
		t.Fatalf("the history holds %d entries after %d moves", len(h.Items), n)
	}
	movers := map[string]bool{}
	for i, e := range h.Items {
		if e.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i, e.Seq)
		}
		if i > 0 && (!reflect.DeepEqual(e.Before, h.Items[i-1].After) || !reflect.DeepEqual(e.VarsBef, h.Items[i-1].VarsAft)) {
			t.Fatalf("entry %d does not start where entry %d left the tag: %+v after %+v", e.Seq, e.Seq-1, e, h.Items[i-1])
		}
		movers[e.VarsAft["mover"]] = true
	}
	if len(movers) != n {
		t.Fatalf("%d distinct moves in the history, want %d", len(movers), n)
	}
	for _, s := range srvs {
		tag := s.must(t, http.StatusOK, "GET", path, nil).object(t)
		if tag["seq"] != float64(n) || tag["dynamic_variables"].(map[string]any)["mover"] != h.Items[n-1].VarsAft["mover"] {
			t.Fatalf("%s: the tag is %v, not the last entry's state", s.name, tag)
		}
	}
}

// A tag moved through replica A is what replica B resolves, and shows in
// B's assigned_tags, within one second (B reads the logs every 250ms).
func testTagMoveReachesReplica(t *testing.T, srvs []*server) {
	a, b := srvs[0], srvs[1]
	id := agentWithVersions(t, a, 3)
	a.must(t, http.StatusOK, "PUT", "/agentry/v1/agents/"+id+"/tags/prod", map[string]any{"version": 0})
	number := "+1415555" + fmt.Sprint(1000+time.Now().UnixNano()%9000)
	a.must(t, http.StatusCreated, "POST", "/import-phone-number", map[string]any{"phone_number": number, "termination_uri": "x",
		"inbound_agents": []any{map[string]any{"agent_id": id, "agent_version": "prod", "weight": 1}}})
	resolve := map[string]any{"phone_number": number, "direction": "inbound", "from_number": "+12125550100"}
	for _, s := range srvs { // both replicas now hold the routing snapshots
		if v := s.must(t, http.StatusOK, "POST", "/agentry/v1/resolve", resolve).object(t)["agent_version"]; v != float64(0) {
			t.Fatalf("%s resolves version %v", s.name, v)
		}
		s.must(t, http.StatusOK, "GET", "/get-agent/"+id+"?version=2", nil)
	}
	var took []time.Duration
	for _, v := range []int{2, 1, 0} {
		a.must(t, http.StatusOK, "PUT", "/agentry/v1/agents/"+id+"/tags/prod", map[string]any{"version": v})
		moved := time.Now()
		// A resolves the move at once: it forgot its own snapshot on commit.
		if got := a.must(t, http.StatusOK, "POST", "/agentry/v1/resolve", resolve).object(t)["agent_version"]; got != float64(v) {
			t.Fatalf("replica A resolves %v right after moving prod to %d", got, v)
		}
		for {
			got := b.must(t, http.StatusOK, "POST", "/agentry/v1/resolve", resolve).object(t)["agent_version"]
			var tags struct {
				Assigned []string `json:"assigned_tags"`
			}
			json.Unmarshal(b.must(t, http.StatusOK, "GET", fmt.Sprintf("/get-agent/%s?version=%d", id, v), nil).body, &tags)
			if got == float64(v) && slices.Equal(tags.Assigned, []string{"prod"}) {
				break
			}
			if time.Since(moved) > time.Second {
				t.Fatalf("replica B still resolves %v (version %d shows tags %v) more than 1s after prod moved to %d through A", got, v, tags.Assigned, v)
			}
			time.Sleep(10 * time.Millisecond)
		}
		took = append(took, time.Since(moved).Round(time.Millisecond))
	}
	t.Logf("replica B resolved each move after %v", took)
}

// An ETag read on one replica is honoured on the other: the first move
// with it wins, a second move or a revert with the same old ETag is 412.
func testTagIfMatchAcrossReplicas(t *testing.T, srvs []*server) {
	a, b := srvs[0], srvs[1]
	id := agentWithVersions(t, a, 2)
	path := "/agentry/v1/agents/" + id + "/tags/prod"
	a.must(t, http.StatusOK, "PUT", path, map[string]any{"version": 0})
	old := a.must(t, http.StatusOK, "GET", path, nil).header.Get("ETag")
	fresh := b.must(t, http.StatusOK, "PUT", path, map[string]any{"version": 1}, "If-Match", old).header.Get("ETag")
	if fresh == "" || fresh == old {
		t.Fatalf("the move answered ETag %q (the old one was %q)", fresh, old)
	}
	for _, r := range []*response{
		a.must(t, http.StatusPreconditionFailed, "PUT", path, map[string]any{"version": 0}, "If-Match", old),
		a.must(t, http.StatusPreconditionFailed, "POST", path+"/revert", map[string]any{"seq": 1}, "If-Match", old),
		a.must(t, http.StatusPreconditionFailed, "DELETE", path, nil, "If-Match", old),
	} {
		if !r.isErrorEnvelope() {
			t.Fatalf("412 without the error envelope: %s", r)
		}
	}
	for _, s := range srvs {
		r := s.must(t, http.StatusOK, "GET", path, nil)
		if r.object(t)["version"] != float64(1) || r.header.Get("ETag") != fresh {
			t.Fatalf("%s: after the refused requests the tag is %s with ETag %s, want version 1 and %s", s.name, r.body, r.header.Get("ETag"), fresh)
		}
	}
	a.must(t, http.StatusOK, "PUT", path, map[string]any{"version": 0}, "If-Match", fresh)
}
