package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Two serve processes on one database: what is written through one is read
// through the other right after the write is acknowledged — a draft, a page
// of list-agents, a page of list-agent-versions — although the reader caches
// those answers (on SQLite, while the database's change stamp holds). Each
// round reads first, so that the reader holds a cached answer the write
// makes stale.
func TestCachedAnswersAcrossProcesses(t *testing.T) {
	eachBackend(t, func(t *testing.T, db *database) {
		srvs := startServers(t, db, 2)
		w, r := srvs[0], srvs[1]
		id := createAgent(t, w, map[string]any{"agent_name": "rev 0"})
		versions := int64(1)
		for i := 1; i <= 60; i++ {
			readDraftName(t, r, id)
			readListedName(t, r, id)
			readLatestVersion(t, r, id)
			name := "rev " + strconv.Itoa(i)
			w.must(t, http.StatusOK, "PATCH", "/update-agent/"+id, map[string]any{"agent_name": name})
			if got := readDraftName(t, r, id); got != name {
				t.Fatalf("round %d: get-agent through the other process gives %q, want %q", i, got, name)
			}
			if got := readListedName(t, r, id); got != name {
				t.Fatalf("round %d: list-agents through the other process gives %q, want %q", i, got, name)
			}
			if i%3 == 0 {
				w.must(t, http.StatusCreated, "POST", "/create-agent-version/"+id, map[string]any{"base_version": 0})
				versions++
			}
			if got := readLatestVersion(t, r, id); got != versions-1 {
				t.Fatalf("round %d: list-agent-versions through the other process starts at %d, want %d", i, got, versions-1)
			}
		}

		// Concurrently: one writer through w, readers through r. A reader
		// must never see a revision older than the last one acknowledged
		// before its read began.
		var acked atomic.Int64
		acked.Store(0)
		id2 := createAgent(t, w, map[string]any{"agent_name": "rev 0"})
		var stop atomic.Bool
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Go(func() {
				for !stop.Load() && !t.Failed() {
					want := acked.Load()
					var got string
					if g%2 == 0 {
						got = readDraftName(t, r, id2)
					} else {
						got = readListedName(t, r, id2)
					}
					n, err := strconv.ParseInt(strings.TrimPrefix(got, "rev "), 10, 64)
					if err != nil || n < want {
						t.Errorf("reader %d read %q after rev %d was acknowledged", g, got, want)
						return
					}
				}
			})
		}
		for i := int64(1); i <= 200 && !t.Failed(); i++ {
			w.must(t, http.StatusOK, "PATCH", "/update-agent/"+id2, map[string]any{"agent_name": fmt.Sprintf("rev %d", i)})
			acked.Store(i)
		}
		stop.Store(true)
		wg.Wait()
	})
}

// readDraftName reads the agent's latest version (the draft) through s.
func readDraftName(t *testing.T, s *server, id string) string {
	name, _ := s.must(t, http.StatusOK, "GET", "/get-agent/"+id, nil).object(t)["agent_name"].(string)
	return name
}

// readListedName reads the agent's name from the first page of list-agents
// through s (the test's agents are the newest).
func readListedName(t *testing.T, s *server, id string) string {
	var page struct {
		Items []struct {
			AgentID   string `json:"agent_id"`
			AgentName string `json:"agent_name"`
		} `json:"items"`
	}
	r := s.must(t, http.StatusOK, "POST", "/v2/list-agents?limit=10", nil)
	if err := json.Unmarshal(r.body, &page); err != nil {
		t.Fatalf("list-agents: %v: %s", err, r)
	}
	for _, it := range page.Items {
		if it.AgentID == id {
			return it.AgentName
		}
	}
	t.Fatalf("list-agents does not list %s: %s", id, r)
	return ""
}

// readLatestVersion is the first version list-agent-versions gives (the
// newest: the default order is descending).
func readLatestVersion(t *testing.T, s *server, id string) int64 {
	var page struct {
		Items []versionSummary `json:"items"`
	}
	r := s.must(t, http.StatusOK, "GET", "/list-agent-versions/"+id+"?limit=5", nil)
	if err := json.Unmarshal(r.body, &page); err != nil || len(page.Items) == 0 {
		t.Fatalf("list-agent-versions: %v: %s", err, r)
	}
	return page.Items[0].Version
}
