package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/internal/sqlstore"
)

// roundTrips counts what the store's connections ask the server: a query
// or exec sent alone is one round trip, and so is a batch.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	r.n.Add(1)
	return ctx
}
func (r *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (r *roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	r.n.Add(1)
	return ctx
}
func (r *roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (r *roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// anyFields accepts every configuration.
type anyFields struct{}

func (anyFields) CheckFields(_ *agentry.Kind, f agentry.Fields, _ bool) (agentry.Fields, []string, error) {
	return f, nil, nil
}
func (anyFields) CheckConfig(*agentry.Kind, agentry.Fields) error { return nil }

// pipelineEnv is a store whose round trips are counted, a service on it, and
// an agent in a workspace of its own.
type pipelineEnv struct {
	store *sqlstore.Store
	trips *roundTrips
	svc   *agentry.Service
	c     agentry.Caller
	agent string
}

func newPipelineEnv(t *testing.T) *pipelineEnv {
	t.Helper()
	trips := &roundTrips{}
	opts := testOptions
	opts.tracer = trips
	s, err := Open(t.Context(), freshSchema(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := &pipelineEnv{store: s, trips: trips, svc: &agentry.Service{Store: s, Rules: anyFields{}}}
	ws := &agentry.Workspace{ID: agentry.NewID("ws_"), Name: "pipeline", CreatedAt: 1}
	if err := s.Update(t.Context(), func(tx agentry.Tx) error { return tx.InsertWorkspace(ws) }); err != nil {
		t.Fatal(err)
	}
	e.c = agentry.Caller{Workspace: ws.ID, KeyPrefix: "key_0000test", KeyLabel: "pipeline test", RequestID: "req_1"}
	cfg, err := e.svc.CheckCreate(agentry.VoiceAgent, agentry.Fields{
		"response_engine": json.RawMessage(`{"type":"custom-llm","llm_websocket_url":"wss://example.com/llm"}`),
		"voice_id":        json.RawMessage(`"11labs-Adrian"`), "agent_name": json.RawMessage(`"front desk"`)})
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.svc.Create(t.Context(), e.c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.agent = v.ResourceID
	return e
}

// counted runs fn and returns the round trips it took.
func (e *pipelineEnv) counted(t *testing.T, fn func() error) int64 {
	t.Helper()
	before := e.trips.n.Load()
	if err := fn(); err != nil {
		t.Fatal(err)
	}
	return e.trips.n.Load() - before
}

// update renames the agent in its version ref (the latest draft when ref is
// the zero VersionRef).
func (e *pipelineEnv) update(t *testing.T, name string, ref agentry.VersionRef) error {
	p, err := e.svc.CheckPatch(agentry.VoiceAgent, agentry.Fields{"agent_name": json.RawMessage(strconv.Quote(name))})
	if err != nil {
		return err
	}
	_, err = e.svc.Update(t.Context(), e.c, agentry.UpdateRequest{
		Address: agentry.Address{Kind: agentry.AnyAgent, ID: e.agent, Version: ref}, Patch: p})
	return err
}

// state is what a write could change: the agent's row and the audit log.
func (e *pipelineEnv) state(t *testing.T) (agentry.Resource, int) {
	t.Helper()
	var r *agentry.Resource
	var entries []agentry.AuditEntry
	err := e.store.View(t.Context(), func(tx agentry.Tx) (err error) {
		if r, err = tx.GetResource(e.c.Workspace, e.agent); err != nil {
			return err
		}
		entries, err = tx.ListAuditEntries(e.c.Workspace, agentry.AuditQuery{Limit: 1000})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return *r, len(entries)
}

// An edit of a draft and a publish each send their statements in three
// batches. update-agent: BEGIN, the lock and the draft (the latest, or the
// one by number); its UPDATE and the audit entry; the agent's UPDATE and
// COMMIT. A publish: BEGIN, the lock, the version and its routes; its UPDATE
// and the audit entry; the agent's UPDATE and COMMIT. Sent one by one they
// took seven and eight round trips.
func TestPipelinedWriteRoundTrips(t *testing.T) {
	t.Parallel()
	e := newPipelineEnv(t)
	ctx := t.Context()
	// The first use of each statement also prepares it; count the second.
	for _, c := range []struct {
		ref  agentry.VersionRef
		want int64
	}{{agentry.VersionRef{}, 3}, {agentry.VersionRef{Form: agentry.RefNumber, Number: 0}, 3}} {
		for i, name := range []string{"warm", "counted"} {
			n := e.counted(t, func() error { return e.update(t, name, c.ref) })
			if i == 1 && n != c.want {
				t.Errorf("update-agent of %+v took %d round trips, want %d", c.ref, n, c.want)
			}
		}
	}
	for i := range 2 {
		b, err := e.svc.Branch(ctx, e.c, agentry.BranchRequest{AgentID: e.agent, Base: 0})
		if err != nil {
			t.Fatal(err)
		}
		draft := b.Number
		n := e.counted(t, func() error {
			return e.svc.Publish(ctx, e.c, agentry.PublishRequest{AgentID: e.agent, Version: draft})
		})
		if i == 1 && n != 3 {
			t.Errorf("publish-agent-version took %d round trips, want 3", n)
		}
		v, err := e.svc.Get(ctx, e.c, agentry.Address{Kind: agentry.AnyAgent, ID: e.agent, Version: agentry.VersionRef{Form: agentry.RefNumber, Number: draft}})
		if err != nil || !v.Published {
			t.Fatalf("version %d after its publish: %+v, %v; want it published", draft, v, err)
		}
	}
	// What the batches wrote is all there.
	v, err := e.svc.Get(ctx, e.c, agentry.Address{Kind: agentry.AnyAgent, ID: e.agent, Version: agentry.VersionRef{Form: agentry.RefNumber, Number: 0}})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(v.Config); !strings.Contains(got, `"agent_name":"counted"`) {
		t.Errorf("version 0 after the edits: %s, want agent_name counted", got)
	}
	var r *agentry.Resource
	var entries int
	err = e.store.View(ctx, func(tx agentry.Tx) (err error) {
		if r, err = tx.GetResource(e.c.Workspace, e.agent); err != nil {
			return err
		}
		list, err := tx.ListAuditEntries(e.c.Workspace, agentry.AuditQuery{Limit: 100})
		entries = len(list)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.NextVersion != 3 || r.Name != "counted" {
		t.Errorf("the agent after the edits and publishes: next version %d, name %q; want 3, counted", r.NextVersion, r.Name)
	}
	// create, four edits, two new versions, two publishes
	if entries != 9 {
		t.Errorf("%d audit entries, want 9", entries)
	}
}

// A write sent with a later statement that fails (a draft's UPDATE that finds
// no row) fails its transaction: the caller gets the error, whichever call
// sent it, and nothing the transaction did is kept, including the writes
// that went out beside it; the connection goes back to the pool usable.
func TestPipelinedWriteFailureKeepsNothing(t *testing.T) {
	t.Parallel()
	e := newPipelineEnv(t)
	ctx := t.Context()
	missing := &agentry.Version{WorkspaceID: e.c.Workspace, ResourceID: e.agent, Kind: agentry.VoiceAgent, Number: 99,
		Config: []byte(`{}`), ModifiedAt: 5, Revision: 1}
	cases := map[string]func(tx agentry.Tx) error{
		// The failing UPDATE is answered before COMMIT is sent.
		"at commit": func(tx agentry.Tx) error {
			return tx.UpdateDraft(missing, false)
		},
		// The failing UPDATE goes out with the audit entry.
		"with the next statement": func(tx agentry.Tx) error {
			if err := tx.UpdateDraft(missing, false); err != nil {
				return err
			}
			return tx.InsertAuditEntry(&agentry.AuditEntry{WorkspaceID: e.c.Workspace, At: 5, Action: "agent.updated",
				ObjectType: "agent", ObjectID: e.agent})
		},
	}
	for name, after := range cases {
		t.Run(name, func(t *testing.T) {
			before, entries := e.state(t)
			err := e.store.Update(ctx, func(tx agentry.Tx) error {
				r, err := tx.LockResource(e.c.Workspace, e.agent)
				if err != nil {
					return err
				}
				r.Name = "renamed"
				if err := tx.UpdateResource(r); err != nil {
					return err
				}
				if err := tx.InsertAuditEntry(&agentry.AuditEntry{WorkspaceID: e.c.Workspace, At: 4, Action: "agent.renamed",
					ObjectType: "agent", ObjectID: e.agent}); err != nil {
					return err
				}
				return after(tx)
			})
			if !errors.Is(err, agentry.ErrNotFound) {
				t.Fatalf("Update = %v, want ErrNotFound", err)
			}
			if after, n := e.state(t); after != before || n != entries {
				t.Errorf("after the failed write: the agent %+v and %d audit entries; want %+v and %d, as before it", after, n, before, entries)
			}
			// Every pooled connection is out of its transaction.
			for range testOptions.MaxConns {
				if err := e.update(t, "after "+name, agentry.VersionRef{}); err != nil {
					t.Fatalf("a write after the failed one: %v", err)
				}
			}
		})
	}
}

// pipeline reports the first statement that failed, reads every answer
// after a row found missing, and prefers a failure the server reported
// (which ended the transaction) over a row found missing before it.
func TestPipelineReportsFirstFailure(t *testing.T) {
	t.Parallel()
	cfg, err := pgx.ParseConfig(freshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	run := func(stmts []sqlstore.Stmt) (i int, err error) {
		rerr := conn.Raw(func(dc any) error {
			i, err = pipeline(t.Context(), dc, stmts)
			return nil
		})
		if rerr != nil {
			t.Fatal(rerr)
		}
		return i, err
	}
	var n, m int64
	var tag string
	scan := func(into *int64) func(sqlstore.Scanner) error {
		return func(sc sqlstore.Scanner) error { return sc.Scan(into) }
	}
	if _, err := conn.ExecContext(t.Context(), `CREATE TABLE p (id int PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}

	i, err := run([]sqlstore.Stmt{
		{Query: `BEGIN`},
		{Query: `INSERT INTO p VALUES (1), (2)`, Affected: &n},
		{Query: `SELECT count(*) FROM p`, Row: scan(&m)},
		{Query: `COMMIT`, Tag: &tag},
	})
	if i != -1 || err != nil || n != 2 || m != 2 || tag != "COMMIT" {
		t.Fatalf("a batch that succeeds: %d, %v, inserted %d, counted %d, tag %q; want -1, nil, 2, 2, COMMIT", i, err, n, m, tag)
	}

	m = -1
	i, err = run([]sqlstore.Stmt{
		{Query: `SELECT id FROM p WHERE id = 9`, Row: scan(&n)},
		{Query: `SELECT count(*) FROM p`, Row: scan(&m)},
	})
	if i != 0 || !errors.Is(err, sql.ErrNoRows) || m != 2 {
		t.Errorf("a row found missing: %d, %v, then counted %d; want 0, ErrNoRows, and the next statement read (2)", i, err, m)
	}

	i, err = run([]sqlstore.Stmt{
		{Query: `SELECT id FROM p WHERE id = 9`, Row: scan(&n)},
		{Query: `INSERT INTO p VALUES (1)`},
		{Query: `SELECT count(*) FROM p`, Row: scan(&m)},
	})
	var pe *pgconn.PgError
	if i != 1 || !errors.As(err, &pe) || pe.Code != uniqueViolation {
		t.Errorf("a server failure after a row found missing: %d, %v; want 1 and the duplicate", i, err)
	}

	i, err = run([]sqlstore.Stmt{
		{Query: `SELECT 1 / 0`, Row: scan(&n)},
		{Query: `SELECT count(*) FROM p`, Row: scan(&m)},
	})
	if i != 0 || !errors.As(err, &pe) || pe.Code != "22012" {
		t.Errorf("a failing first statement: %d, %v; want 0 and division by zero", i, err)
	}
}
