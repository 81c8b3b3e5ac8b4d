// Package storetest is the one contract test suite that every agentry.Store
// backend runs: the row operations of a transaction, and the versioning and
// key rules of agentry.Service and agentry.KeyService over that store.
// It holds no SQL, so the same tests serve SQLite and PostgreSQL.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// Opener returns a fresh, empty, migrated store for one test. It registers
// the store's Close with t.Cleanup.
type Opener func(t *testing.T) agentry.Store

type suiteTest struct {
	name string
	fn   func(t *testing.T, open Opener)
}

// Run runs the whole contract suite against the backend that open opens.
// Every test opens its own store.
func Run(t *testing.T, open func(t *testing.T) agentry.Store) {
	groups := []struct {
		name  string
		tests []suiteTest
	}{
		{"Tx", txTests},
		{"Read", readTests},
		{"Versioning", versioningTests},
		{"Lists", listTests}, {"PageReads", pageReadTests},
		{"Keys", keyTests},
		{"Engines", engineTests},
		{"Deletions", deletionTests},
		{"Summaries", summaryTests},
		{"Concurrency", concurrencyTests},
		{"TestCases", testCaseTests}, {"TestRuns", testRunTests}, {"Apps", appTests},
		{"Audit", auditTests}, {"Webhooks", webhookTests},
		{"Objects", objectTests},
		{"Tags", tagTests}, {"RoutingAudit", routingAuditTests},
		{"Phones", phoneTests},
		{"Routing", routingTests},
		{"Text", textTests},
		{"Probe", probeTests},
		{"Legacy", legacyTests},
		{"SDK4", sdk4Tests},
		{"AppLinks", appLinkTests},
		{"MCPComponents", mcpComponentTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
			}
		})
	}
}

// start is the injected clock's first instant: exact milliseconds make every
// stored timestamp predictable.
var start = time.UnixMilli(1_767_225_600_000) // 2026-01-01T00:00:00Z

// clock is a manual clock for the services under test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d and returns the new time in milliseconds.
func (c *clock) Advance(d time.Duration) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now.UnixMilli()
}

func (c *clock) Millis() int64 { return c.Now().UnixMilli() }

// env is a fresh store with the services over it and one workspace.
type env struct {
	ctx   context.Context
	store agentry.Store
	clock *clock
	svc   *agentry.Service
	keys  *agentry.KeyService
	ws    string // the ID of the workspace the tests act in
}

// anyConfig is agentry.Rules that accepts every configuration: this suite
// tests versioning and storage, whose rules hold whatever the fields;
// package schema tests the field rules.
type anyConfig struct{}

func (anyConfig) CheckFields(_ *agentry.Kind, f agentry.Fields, _ bool) (agentry.Fields, []string, error) {
	return f, nil, nil
}

func (anyConfig) CheckConfig(*agentry.Kind, agentry.Fields) error { return nil }

func newEnv(t *testing.T, open Opener) *env {
	t.Helper()
	s := open(t)
	c := &clock{now: start}
	e := &env{ctx: t.Context(), store: s, clock: c,
		svc:  &agentry.Service{Store: s, Rules: anyConfig{}, Now: c.Now},
		keys: &agentry.KeyService{Store: s, Now: c.Now},
	}
	e.ws = mustWorkspace(t, s, "ws-a")
	return e
}

// caller is a key of the test workspace.
func (e *env) caller() agentry.Caller { return e.as(e.ws) }

// as is a key of workspace ws.
func (e *env) as(ws string) agentry.Caller {
	return agentry.Caller{Workspace: ws, KeyPrefix: "key_0000test", KeyLabel: "storetest"}
}

// create checks fields as the configuration of kind and creates a resource
// of it in workspace ws.
func (e *env) create(ws string, kind *agentry.Kind, f agentry.Fields) (*agentry.Version, error) {
	cfg, err := e.svc.CheckCreate(kind, f)
	if err != nil {
		return nil, err
	}
	return e.svc.Create(e.ctx, e.as(ws), cfg)
}

// update checks patch as a patch of kind and applies it to the draft that
// ref names.
func (e *env) update(ws string, kind *agentry.Kind, id string, ref agentry.VersionRef, patch agentry.Fields, ifMatch string) (*agentry.Version, error) {
	patchKind := kind
	if kind == agentry.AnyAgent {
		// A patch is of one concrete kind: the agent's own, when it exists.
		patchKind = agentry.VoiceAgent
		_ = e.store.View(e.ctx, func(tx agentry.Tx) error {
			if r, err := tx.GetResource(ws, id); err == nil && r.Kind.Agent {
				patchKind = r.Kind
			}
			return nil
		})
	}
	p, err := e.svc.CheckPatch(patchKind, patch)
	if err != nil {
		return nil, err
	}
	return e.svc.Update(e.ctx, e.as(ws), agentry.UpdateRequest{
		Address: agentry.Address{Kind: kind, ID: id, Version: ref}, Patch: p, IfMatch: ifMatch})
}

// mustWorkspace inserts a workspace named name and returns its ID.
func mustWorkspace(tb testing.TB, s agentry.Store, name string) string {
	tb.Helper()
	w := &agentry.Workspace{ID: agentry.NewID("ws_"), Name: name, CreatedAt: start.UnixMilli()}
	mustUpdate(tb, s, func(tx agentry.Tx) error { return tx.InsertWorkspace(w) })
	return w.ID
}

func mustUpdate(tb testing.TB, s agentry.Store, fn func(agentry.Tx) error) {
	tb.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		tb.Fatalf("Update: %v", err)
	}
}

func mustView(tb testing.TB, s agentry.Store, fn func(agentry.Tx) error) {
	tb.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		tb.Fatalf("View: %v", err)
	}
}

// mustAgentRow reads an agent row directly from the store.
func mustAgentRow(tb testing.TB, s agentry.Store, ws, id string) *agentry.Resource {
	tb.Helper()
	var a *agentry.Resource
	mustView(tb, s, func(tx agentry.Tx) (err error) { a, err = tx.GetResource(ws, id); return err })
	return a
}

// mustVersionRow reads a version row directly from the store.
func mustVersionRow(tb testing.TB, s agentry.Store, ws, agentID string, n int64) *agentry.Version {
	tb.Helper()
	var v *agentry.Version
	mustView(tb, s, func(tx agentry.Tx) (err error) { v, err = tx.GetVersion(ws, agentID, n); return err })
	return v
}

func countVersions(tb testing.TB, s agentry.Store, ws, agentID string) int {
	tb.Helper()
	var n int
	mustView(tb, s, func(tx agentry.Tx) (err error) { n, err = tx.CountVersions(ws, agentID); return err })
	return n
}

// fields parses a JSON object into agentry.Fields.
func fields(tb testing.TB, doc string) agentry.Fields {
	tb.Helper()
	var f agentry.Fields
	if err := json.Unmarshal([]byte(doc), &f); err != nil {
		tb.Fatalf("fields %s: %v", doc, err)
	}
	return f
}

func (e *env) mustCreateAgent(tb testing.TB, channel *agentry.Kind, doc string) *agentry.Version {
	tb.Helper()
	v, err := e.create(e.ws, channel, fields(tb, doc))
	if err != nil {
		tb.Fatalf("CreateAgent: %v", err)
	}
	return v
}

func (e *env) mustCreateVersion(tb testing.TB, agentID string, base int64) *agentry.Version {
	tb.Helper()
	v, err := e.svc.Branch(e.ctx, e.caller(), agentry.BranchRequest{AgentID: agentID, Base: base})
	if err != nil {
		tb.Fatalf("CreateVersion(%s, base %d): %v", agentID, base, err)
	}
	return v
}

func (e *env) mustUpdateVersion(tb testing.TB, agentID string, ref agentry.VersionRef, doc string) *agentry.Version {
	tb.Helper()
	v, err := e.update(e.ws, agentry.AnyAgent, agentID, ref, fields(tb, doc), "")
	if err != nil {
		tb.Fatalf("UpdateVersion(%s, %+v, %s): %v", agentID, ref, doc, err)
	}
	return v
}

func (e *env) mustPublish(tb testing.TB, agentID string, n int64) {
	tb.Helper()
	if err := e.svc.Publish(e.ctx, e.caller(), agentry.PublishRequest{AgentID: agentID, Version: n}); err != nil {
		tb.Fatalf("Publish(%s, %d): %v", agentID, n, err)
	}
}

func (e *env) mustGet(tb testing.TB, agentID string, ref agentry.VersionRef) *agentry.Version {
	tb.Helper()
	v, err := e.svc.Get(e.ctx, e.caller(), agentry.Address{Kind: agentry.AnyAgent, ID: agentID, Version: ref})
	if err != nil {
		tb.Fatalf("GetVersion(%s, %+v): %v", agentID, ref, err)
	}
	return v
}

func (e *env) mustDeleteVersion(tb testing.TB, agentID string, n int64) {
	tb.Helper()
	if err := e.svc.DeleteVersion(e.ctx, e.caller(), agentry.DeleteVersionRequest{AgentID: agentID, Version: n}); err != nil {
		tb.Fatalf("DeleteVersion(%s, %d): %v", agentID, n, err)
	}
}

func num(n int64) agentry.VersionRef { return agentry.VersionRef{Form: agentry.RefNumber, Number: n} }

var (
	refNone   = agentry.VersionRef{Form: agentry.RefNone}
	refLatest = agentry.VersionRef{Form: agentry.RefLatest}
	refLatPub = agentry.VersionRef{Form: agentry.RefLatestPublished}
)

// wantCode fails unless err is an *agentry.Error with the given code and a
// message holding every one of words.
func wantCode(tb testing.TB, err error, code string, words ...string) {
	tb.Helper()
	var e *agentry.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error = %v (%T), want *agentry.Error with code %s", err, err, code)
	}
	if e.Code != code {
		tb.Fatalf("error code = %s (%q), want %s", e.Code, e.Message, code)
	}
	for _, w := range words {
		if !strings.Contains(e.Message, w) {
			tb.Errorf("error message %q does not mention %q", e.Message, w)
		}
	}
}

// wantIs fails unless errors.Is(err, target).
func wantIs(tb testing.TB, err, target error) {
	tb.Helper()
	if !errors.Is(err, target) {
		tb.Fatalf("error = %v, want %v", err, target)
	}
}

// config decodes a stored configuration for comparison. Backends may store
// JSON in another layout (PostgreSQL jsonb), so documents are compared by
// value, never by bytes.
func config(tb testing.TB, raw json.RawMessage) map[string]any {
	tb.Helper()
	m := map[string]any{}
	if len(bytes.TrimSpace(raw)) == 0 {
		return m
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatalf("decode config %s: %v", raw, err)
	}
	return m
}

func wantConfig(tb testing.TB, raw json.RawMessage, doc string) {
	tb.Helper()
	got, want := config(tb, raw), config(tb, json.RawMessage(doc))
	if !reflect.DeepEqual(got, want) {
		tb.Errorf("config = %s, want %s", raw, doc)
	}
}

func ptr[T any](v T) *T { return &v }

// wantStr compares an optional string.
func wantStr(tb testing.TB, what string, got, want *string) {
	tb.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		tb.Errorf("%s = %v, want %v", what, show(got), show(want))
	case *got != *want:
		tb.Errorf("%s = %q, want %q", what, *got, *want)
	}
}

func wantInt(tb testing.TB, what string, got, want *int64) {
	tb.Helper()
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil || *got != *want:
		tb.Errorf("%s = %v, want %v", what, show(got), show(want))
	}
}

func show[T any](p *T) any {
	if p == nil {
		return "nil"
	}
	return *p
}

// numbers lists the numbers of versions in order.
func numbers(vs []agentry.Version) []int64 {
	out := make([]int64, 0, len(vs))
	for _, v := range vs {
		out = append(out, v.Number)
	}
	return out
}

// ids lists the IDs of agents in order.
func ids(as []agentry.Resource) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}
