package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/postgres"
	"github.com/agentry/agentry/schema"
	"github.com/agentry/agentry/sqlite"
)

// The routing part of the data set (issue 10): the first `numbers` agents
// of the hot set get a tag prod on version 0 and a phone number whose
// inbound list sends 90% of calls to prod and 10% to version 1; every other
// number routes sticky. The resolve scenarios ask what would serve a call
// on those numbers, and what prod names on those agents.

// routedNumbers is how many numbers the resolve scenarios use.
const routedNumbers = 1000

// loadRouting writes the tags and numbers through the service, so that they
// pass every rule a client's would.
func loadRouting(ctx context.Context, dsn string, ds *dataset, n int) error {
	var st agentry.Store
	var err error
	if isPostgres(dsn) {
		st, err = postgres.Open(ctx, dsn, postgres.Options{MaxConns: 2})
	} else {
		st, err = sqlite.Open(ctx, dsn)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	var ws *agentry.Workspace
	if err := st.View(ctx, func(tx agentry.Tx) (err error) {
		ws, err = tx.WorkspaceByName(agentry.DefaultWorkspace)
		return err
	}); err != nil {
		return err
	}
	svc := &agentry.Service{Store: st, Rules: schema.Rules{}}
	c := agentry.Caller{Workspace: ws.ID, KeyPrefix: "bench", KeyLabel: "bench"}
	zero := int64(0)
	for i, id := range ds.agents[:min(n, len(ds.agents))] {
		if _, _, err := svc.PutTag(ctx, c, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: &zero,
			Variables: map[string]string{"region": "eu", "agent": fmt.Sprint(i)}}); err != nil {
			return fmt.Errorf("tag prod on %s: %w", id, err)
		}
		number := fmt.Sprintf("+1212%07d", i)
		body, _ := json.Marshal(map[string]any{"phone_number": number, "termination_uri": "bench.pstn.example.com",
			"inbound_agents": []any{
				map[string]any{"agent_id": id, "agent_version": "prod", "weight": 0.9},
				map[string]any{"agent_id": id, "agent_version": 1, "weight": 0.1},
			}})
		var fields agentry.Fields
		_ = json.Unmarshal(body, &fields)
		if _, err := svc.ImportPhone(ctx, c, fields); err != nil {
			return fmt.Errorf("import %s: %w", number, err)
		}
		if i%2 == 1 {
			if _, err := svc.SetRoutingMode(ctx, c, number, agentry.ModeSticky); err != nil {
				return err
			}
		}
		ds.numbers = append(ds.numbers, number)
	}
	return nil
}

// resolveScenarios are the resolve requests: by phone number (a call's
// path: random and sticky numbers alike, a different caller each time) and
// by agent and tag.
func resolveScenarios(ds *dataset, host string) (byNumber, byAgent []request) {
	for i, number := range ds.numbers {
		for j := range 4 {
			body := fmt.Sprintf(`{"phone_number":%q,"direction":"inbound","from_number":"+1646%07d"}`, number, i*4+j)
			byNumber = append(byNumber, newRequest(host, ds.key, "POST", "/agentry/v1/resolve", []byte(body)))
		}
		byAgent = append(byAgent, newRequest(host, ds.key, "POST", "/agentry/v1/resolve",
			[]byte(fmt.Sprintf(`{"agent_id":%q,"agent_version":"prod"}`, ds.agents[i]))))
	}
	return byNumber, byAgent
}
