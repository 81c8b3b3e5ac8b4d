package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/agentry/agentry"
)

// pageReadTests cover the one-statement page reads that list-agents and
// list-agent-versions run outside a transaction (issue 15):
// ListResourcesTags must read exactly what ListResources and ListTags read,
// and ListVersionSummaries what GetResource and ListVersions read, in the
// same order, in View and through the store's Read alike.
var pageReadTests = []suiteTest{
	{"ResourcesTags", testPageReadResourcesTags},
	{"VersionSummaries", testPageReadVersionSummaries},
}

// readStore is a store that runs one-statement reads outside a transaction
// (sqlstore.Store does).
type readStore interface {
	Read(ctx context.Context, fn func(agentry.Tx) error) error
}

// pageReaders are the ways a page read runs on s: in View, and through the
// store's Read when it has one.
func pageReaders(s agentry.Store) map[string]func(fn func(agentry.Tx) error) error {
	out := map[string]func(fn func(agentry.Tx) error) error{
		"View": func(fn func(agentry.Tx) error) error { return s.View(context.Background(), fn) },
	}
	if r, ok := s.(readStore); ok {
		out["Read"] = func(fn func(agentry.Tx) error) error { return r.Read(context.Background(), fn) }
	}
	return out
}

func testPageReadResourcesTags(t *testing.T, open Opener) {
	s, ws := listFixture(t, open)
	// Tags on some agents: several on one (listed by name), an unassigned
	// one, variables; none on the others. Agents of another workspace have
	// tags of the same names, which must not show.
	put := func(tx agentry.Tx, ws, agent, name string, version *int64, vars map[string]string, order int64) error {
		return tx.PutTag(&agentry.Tag{WorkspaceID: ws, AgentID: agent, Name: name, Version: version, Variables: vars,
			PublishedOnly: version != nil && *version > 0, Seq: order + 10, AssignedAt: 1000 + order, AssignedOrder: order,
			CreatedAt: 900 + order, ModifiedAt: 1100 + order})
	}
	var other string
	mustView(t, s, func(tx agentry.Tx) error {
		w, err := tx.WorkspaceByName("b")
		if err == nil {
			other = w.ID
		}
		return err
	})
	mustUpdate(t, s, func(tx agentry.Tx) error {
		for _, err := range []error{
			put(tx, ws, "agent_03", "prod", n64(0), map[string]string{"greeting": "hi", "region": "eu"}, 1),
			put(tx, ws, "agent_03", "canary", n64(0), nil, 2),
			put(tx, ws, "agent_03", "staging", nil, map[string]string{"x": "y"}, 3),
			put(tx, ws, "agent_06", "prod", n64(0), nil, 1),
			put(tx, ws, "agent_08", "zz", nil, nil, 1),
			put(tx, other, "agent_b1", "prod", n64(0), nil, 1),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	after := func(created int64, id string) *agentry.ResourceCursor {
		return &agentry.ResourceCursor{CreatedAt: created, ID: id}
	}
	queries := []agentry.ResourceQuery{
		{},
		{Desc: true},
		{Limit: 3},
		{Desc: true, Limit: 2},
		{Kinds: []string{"voice"}},
		{Search: "sure"},
		{Tag: "prod"},
		{Tag: "staging"}, // unassigned: no agent
		{After: after(200, "agent_02"), Limit: 3},
		{After: after(600, "agent_07"), Desc: true, Limit: 4},
		{After: after(600, "agent_08")}, // past the end
		{Search: "zzz"},
		{Search: "a\x00b"}, // no text can hold NUL
	}
	for _, q := range queries {
		if q.Limit == 0 {
			q.Limit = 100
		}
		if q.Kinds == nil {
			q.Kinds = agentry.AnyAgent.Names()
		}
		var want []agentry.Resource
		var wantTags []agentry.Tag
		mustView(t, s, func(tx agentry.Tx) (err error) {
			if want, err = tx.ListResources(ws, q); err != nil || len(want) == 0 {
				return err
			}
			wantTags, err = tx.ListTags(ws, ids(want)...)
			return err
		})
		for name, read := range pageReaders(s) {
			var got []agentry.Resource
			var gotTags []agentry.Tag
			if err := read(func(tx agentry.Tx) (err error) {
				got, gotTags, err = tx.ListResourcesTags(ws, q)
				return err
			}); err != nil {
				t.Fatalf("%s: ListResourcesTags(%+v): %v", name, q, err)
			}
			if len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
				t.Errorf("%s: ListResourcesTags(%+v) resources = %v, want %v", name, q, ids(got), ids(want))
			}
			// ListTags orders by agent ID, ListResourcesTags by the page's
			// order: the same tags in the same order within each agent.
			slices.SortStableFunc(gotTags, func(a, b agentry.Tag) int { return strings.Compare(a.AgentID, b.AgentID) })
			if len(gotTags) != len(wantTags) || (len(gotTags) > 0 && !reflect.DeepEqual(gotTags, wantTags)) {
				t.Errorf("%s: ListResourcesTags(%+v) tags =\n%+v\nwant\n%+v", name, q, gotTags, wantTags)
			}
		}
	}
	// The fixture's tags are all seen somewhere, so the comparison above
	// compared something.
	var all []agentry.Tag
	mustView(t, s, func(tx agentry.Tx) (err error) {
		_, all, err = tx.ListResourcesTags(ws, agentry.ResourceQuery{Kinds: agentry.AnyAgent.Names(), Limit: 100})
		return err
	})
	var names []string
	for _, tg := range all {
		names = append(names, tg.AgentID+"/"+tg.Name)
	}
	if want := []string{"agent_03/canary", "agent_03/prod", "agent_03/staging", "agent_06/prod", "agent_08/zz"}; !reflect.DeepEqual(names, want) {
		t.Errorf("tags of every agent = %v, want %v (by agent in the page's order, then name)", names, want)
	}
}

func testPageReadVersionSummaries(t *testing.T, open Opener) {
	e := newEnv(t, open)
	id := e.mustCreateAgent(t, agentry.VoiceAgent, `{"agent_name": "a"}`).ResourceID
	for n := int64(0); n < 5; n++ {
		e.mustCreateVersion(t, id, n)
	}
	e.mustPublish(t, id, 1)
	e.mustPublish(t, id, 3)
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "prod", Version: n64(3)})
	e.mustPutTag(t, agentry.PutTagRequest{AgentID: id, Name: "idle"})
	chat := e.mustCreateAgent(t, agentry.ChatAgent, `{"agent_name": "c"}`).ResourceID
	at := func(n int64) *int64 { return &n }
	queries := []agentry.VersionQuery{
		{},
		{Desc: true},
		{Limit: 2},
		{Desc: true, Limit: 2},
		{After: at(2), Limit: 2},
		{After: at(2), Desc: true},
		{After: at(5)}, // past the end: the kind, no rows
		{PublishedOnly: true},
		{PublishedOnly: true, Desc: true, Limit: 1},
		{Tag: "prod"},
		{Tag: "idle"}, // unassigned: no version
		{Tag: "nope"},
	}
	for _, q := range queries {
		q.Summary = true
		for _, agent := range []struct {
			id   string
			kind *agentry.Kind
		}{{id, agentry.VoiceAgent}, {chat, agentry.ChatAgent}} {
			var want []agentry.Version
			mustView(t, e.store, func(tx agentry.Tx) (err error) {
				want, err = tx.ListVersions(e.ws, agent.id, q)
				return err
			})
			for name, read := range pageReaders(e.store) {
				var kind *agentry.Kind
				var got []agentry.Version
				if err := read(func(tx agentry.Tx) (err error) {
					kind, got, err = tx.ListVersionSummaries(e.ws, agent.id, q)
					return err
				}); err != nil {
					t.Fatalf("%s: ListVersionSummaries(%s, %+v): %v", name, agent.id, q, err)
				}
				if kind != agent.kind {
					t.Errorf("%s: ListVersionSummaries(%s, %+v) kind = %v, want %v", name, agent.id, q, kind, agent.kind)
				}
				if len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
					t.Errorf("%s: ListVersionSummaries(%s, %+v) = %v, want %v", name, agent.id, q, numbers(got), numbers(want))
				}
			}
		}
	}
	other := mustWorkspace(t, e.store, "other")
	for _, c := range []struct{ ws, id string }{{e.ws, "agent_nope"}, {other, id}, {e.ws, "agent_\x00"}} {
		for name, read := range pageReaders(e.store) {
			err := read(func(tx agentry.Tx) error {
				_, _, err := tx.ListVersionSummaries(c.ws, c.id, agentry.VersionQuery{Limit: 5})
				return err
			})
			if !errors.Is(err, agentry.ErrNotFound) {
				t.Errorf("%s: ListVersionSummaries(%s) of a missing agent: %v, want ErrNotFound", name, fmt.Sprintf("%q", c.id), err)
			}
		}
	}
}
