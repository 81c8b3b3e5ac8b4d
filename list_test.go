package agentry_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/sqlite"
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
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := &agentry.AgentService{Store: st}
	v, err := svc.CreateAgent(context.Background(), "ws", agentry.ChannelVoice, agentry.Fields{})
	if err != nil {
		t.Fatal(err)
	}
	agents, err := svc.ListAgents(context.Background(), "ws", agentry.AgentFilter{}, agentry.PageRequest{})
	if err != nil || len(agents.Items) != 1 {
		t.Fatalf("ListAgents with a zero PageRequest: %v, %+v", err, agents)
	}
	versions, err := svc.ListVersions(context.Background(), "ws", v.AgentID, agentry.PageRequest{})
	if err != nil || len(versions.Items) != 1 {
		t.Fatalf("ListVersions with a zero PageRequest: %v, %+v", err, versions)
	}
}

func TestListAgentsRefusesEngineKinds(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := &agentry.AgentService{Store: st}
	if _, err := svc.CreateEngine(context.Background(), "ws", agentry.KindRetellLLM, agentry.Fields{}); err != nil {
		t.Fatal(err)
	}
	_, err = svc.ListAgents(context.Background(), "ws", agentry.AgentFilter{Channel: agentry.KindRetellLLM}, agentry.PageRequest{})
	if agentry.ErrorCode(err) != agentry.EINVALID {
		t.Fatalf("ListAgents of engines: %v, want EINVALID", err)
	}
}
