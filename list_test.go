package agentry_test

import (
	"context"
	"strings"
	"testing"

	"github.com/agentry/agentry"
)

func TestParsePageRequest(t *testing.T) {
	tests := []struct {
		name                  string
		limit, sortOrder, key string
		defaultDesc           bool
		want                  agentry.PageRequest
		badField              string // the parameter the error names; "" for success
	}{
		{name: "defaults, descending", defaultDesc: true, want: agentry.PageRequest{Limit: 50, Desc: true}},
		{name: "defaults, ascending", want: agentry.PageRequest{Limit: agentry.DefaultPageLimit}},
		{name: "limit 1", limit: "1", want: agentry.PageRequest{Limit: 1}},
		{name: "limit 1000", limit: "1000", want: agentry.PageRequest{Limit: agentry.MaxPageLimit}},
		{name: "ascending over a descending default", sortOrder: "ascending", defaultDesc: true, want: agentry.PageRequest{Limit: 50}},
		{name: "descending over an ascending default", sortOrder: "descending", want: agentry.PageRequest{Limit: 50, Desc: true}},
		{name: "key passed through", key: "opaque", limit: "10", want: agentry.PageRequest{Limit: 10, Key: "opaque"}},

		{name: "limit 0", limit: "0", badField: "limit"},
		{name: "limit 1001", limit: "1001", badField: "limit"},
		{name: "limit -1", limit: "-1", badField: "limit"},
		{name: "limit abc", limit: "abc", badField: "limit"},
		{name: "limit 1.5", limit: "1.5", badField: "limit"},
		{name: "limit with space", limit: " 5", badField: "limit"},
		{name: "limit huge", limit: "99999999999999999999", badField: "limit"},
		{name: "sort_order asc", sortOrder: "asc", badField: "sort_order"},
		{name: "sort_order DESCENDING", sortOrder: "DESCENDING", badField: "sort_order"},
		{name: "sort_order desc", sortOrder: "desc", badField: "sort_order"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := agentry.ParsePageRequest(tc.limit, tc.sortOrder, tc.key, tc.defaultDesc)
			if tc.badField != "" {
				if agentry.ErrorCode(err) != agentry.EINVALID {
					t.Fatalf("ParsePageRequest = %+v, %v; want EINVALID", got, err)
				}
				if msg := agentry.ErrorMessage(err); !strings.HasPrefix(msg, tc.badField+": ") {
					t.Errorf("message %q does not start with %s", msg, tc.badField)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParsePageRequest = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestZeroPageRequestGetsTheDefaultLimit(t *testing.T) {
	svc := newService(t, &recordingRules{})
	v := mustCreate(t, svc, ws, agentry.VoiceAgent, agentry.Fields{})
	agents, err := svc.ListAgents(context.Background(), ws, agentry.AgentFilter{}, agentry.PageRequest{})
	if err != nil || len(agents.Items) != 1 {
		t.Fatalf("ListAgents with a zero PageRequest: %v, %+v", err, agents)
	}
	versions, err := svc.ListVersions(context.Background(), ws, v.ResourceID, agentry.PageRequest{})
	if err != nil || len(versions.Items) != 1 {
		t.Fatalf("ListVersions with a zero PageRequest: %v, %+v", err, versions)
	}
}

// list-agents lists agents only: asking it for engines is a mistake of the
// caller (the HTTP layer never does), not an empty page.
func TestListAgentsRefusesEngineKinds(t *testing.T) {
	svc := newService(t, &recordingRules{})
	mustCreate(t, svc, ws, agentry.RetellLLM, agentry.Fields{})
	page, err := svc.ListAgents(context.Background(), ws, agentry.AgentFilter{Kind: agentry.RetellLLM}, agentry.PageRequest{})
	if err == nil {
		t.Fatalf("ListAgents of engines listed %+v", page)
	}
}
