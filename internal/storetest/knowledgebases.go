package storetest

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentry/agentry"
)

// objectTests cover the objects versions point at (knowledge bases, shared
// components, voices, assets), the links that keep versions from losing
// them, repair-agent and the account answers, as the service applies them
// over the store.
var objectTests = concat(knowledgeBaseTests, componentTests, voiceAndAssetTests, repairTests)

func concat(lists ...[]suiteTest) []suiteTest {
	var out []suiteTest
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

var knowledgeBaseTests = []suiteTest{
	{"KnowledgeBaseIndexingByTime", testKnowledgeBaseIndexing},
	{"KnowledgeBaseSourcesKept", testKnowledgeBaseSourcesKept},
	{"KnowledgeBaseRules", testKnowledgeBaseRules},
	{"KnowledgeBaseWorkspaces", testKnowledgeBaseWorkspaces},
	{"KnowledgeBaseLinksChecked", testKnowledgeBaseLinksChecked},
	{"KnowledgeBaseDeleteRefusedWhileUsed", testKnowledgeBaseDeleteRefused},
	{"ConcurrentKnowledgeBaseLinkAndDelete", testConcurrentKnowledgeBaseLinkAndDelete},
}

// indexing is the emulated indexing time the object tests run with.
const indexing = 2 * time.Second

func (e *env) mustCreateKnowledgeBase(tb testing.TB, name string, n agentry.NewSources) *agentry.KnowledgeBase {
	tb.Helper()
	kb, err := e.svc.CreateKnowledgeBase(e.ctx, e.caller(), agentry.CreateKnowledgeBaseRequest{Name: name, Sources: n})
	if err != nil {
		tb.Fatalf("CreateKnowledgeBase: %v", err)
	}
	return kb
}

func (e *env) mustGetKnowledgeBase(tb testing.TB, id string) *agentry.KnowledgeBase {
	tb.Helper()
	kb, err := e.svc.GetKnowledgeBase(e.ctx, e.caller(), id)
	if err != nil {
		tb.Fatalf("GetKnowledgeBase(%s): %v", id, err)
	}
	return kb
}

func sourceIDs(srcs []agentry.KnowledgeBaseSource) []string {
	var out []string
	for _, s := range srcs {
		out = append(out, s.ID)
	}
	return out
}

// testKnowledgeBaseIndexing: a client polling sees in_progress with no
// sources, then complete with them; adding sources is a refresh during
// which the first sources stay listed; deleting a source is at once.
func testKnowledgeBaseIndexing(t *testing.T, open Opener) {
	e := newEnv(t, open)
	e.svc.KnowledgeBaseIndexing = indexing
	kb := e.mustCreateKnowledgeBase(t, "FAQ", agentry.NewSources{
		Texts: []agentry.TextSource{{Title: "Hours", Text: "Open 9 to 5."}},
		URLs:  []string{"https://example.com/faq"},
	})
	if kb.Status() != agentry.KnowledgeBaseInProgress || len(kb.Indexed()) != 0 {
		t.Fatalf("new knowledge base: status %s, %d sources listed; want in_progress and none", kb.Status(), len(kb.Indexed()))
	}
	if kb.MaxChunkSize != agentry.DefaultMaxChunkSize || kb.MinChunkSize != agentry.DefaultMinChunkSize {
		t.Errorf("chunk sizes %d/%d, want the defaults", kb.MaxChunkSize, kb.MinChunkSize)
	}
	e.clock.Advance(indexing - time.Millisecond)
	if got := e.mustGetKnowledgeBase(t, kb.ID); got.Status() != agentry.KnowledgeBaseInProgress {
		t.Errorf("just before indexing ends: %s", got.Status())
	}
	e.clock.Advance(time.Millisecond)
	got := e.mustGetKnowledgeBase(t, kb.ID)
	if got.Status() != agentry.KnowledgeBaseComplete || len(got.Indexed()) != 2 {
		t.Fatalf("after indexing: status %s, %d sources; want complete and 2", got.Status(), len(got.Indexed()))
	}
	first := sourceIDs(got.Indexed())
	if got.Indexed()[0].Type != agentry.SourceText || got.Indexed()[1].Type != agentry.SourceURL || got.Indexed()[1].URL != "https://example.com/faq" {
		t.Errorf("sources = %+v", got.Indexed())
	}

	added, err := e.svc.AddKnowledgeBaseSources(e.ctx, e.caller(), kb.ID, agentry.NewSources{
		Files: []agentry.FileSource{{Name: "menu.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7")}}})
	if err != nil {
		t.Fatal(err)
	}
	if added.Status() != agentry.KnowledgeBaseRefreshing || !equalStrings(sourceIDs(added.Indexed()), first) {
		t.Errorf("while the added file is indexed: status %s, listed %v; want refreshing_in_progress and the first sources", added.Status(), sourceIDs(added.Indexed()))
	}
	e.clock.Advance(indexing)
	got = e.mustGetKnowledgeBase(t, kb.ID)
	if got.Status() != agentry.KnowledgeBaseComplete || len(got.Indexed()) != 3 || got.Indexed()[2].Filename != "menu.pdf" || got.Indexed()[2].Size != 8 {
		t.Fatalf("after the refresh: status %s, sources %+v", got.Status(), got.Indexed())
	}
	after, err := e.svc.DeleteKnowledgeBaseSource(e.ctx, e.caller(), kb.ID, first[0])
	if err != nil {
		t.Fatal(err)
	}
	if ids := sourceIDs(after.Indexed()); len(ids) != 2 || ids[0] != first[1] {
		t.Errorf("after deleting %s: %v", first[0], ids)
	}
	_, err = e.svc.DeleteKnowledgeBaseSource(e.ctx, e.caller(), kb.ID, first[0])
	wantCode(t, err, agentry.ENOTFOUND, first[0])
}

func equalStrings(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

// testKnowledgeBaseSourcesKept: file bytes and texts are stored exactly, and
// URL sources have no content.
func testKnowledgeBaseSourcesKept(t *testing.T, open Opener) {
	e := newEnv(t, open)
	data := make([]byte, 70_000)
	for i := range data {
		data[i] = byte(i * 7) // every byte value, zeros included
	}
	kb := e.mustCreateKnowledgeBase(t, "Docs", agentry.NewSources{
		Files: []agentry.FileSource{{Name: "blob.bin", ContentType: "application/octet-stream", Data: data}},
		Texts: []agentry.TextSource{{Title: "Ünïcode", Text: "naïve café – 日本"}},
		URLs:  []string{"https://example.com/a"},
	})
	if kb.Status() != agentry.KnowledgeBaseComplete {
		t.Fatalf("with no indexing time the knowledge base is %s, want complete at once", kb.Status())
	}
	byType := map[string]agentry.KnowledgeBaseSource{}
	for _, s := range kb.Indexed() {
		byType[s.Type] = s
	}
	doc, err := e.svc.KnowledgeBaseSource(e.ctx, e.caller(), kb.ID, byType[agentry.SourceDocument].ID)
	if err != nil || !bytes.Equal(doc.Content, data) || doc.ContentType != "application/octet-stream" {
		t.Fatalf("document content: %v, %d bytes equal=%v", err, len(doc.Content), bytes.Equal(doc.Content, data))
	}
	text, err := e.svc.KnowledgeBaseSource(e.ctx, e.caller(), kb.ID, byType[agentry.SourceText].ID)
	if err != nil || string(text.Content) != "naïve café – 日本" || text.Title != "Ünïcode" {
		t.Fatalf("text content: %v %+v", err, text)
	}
	_, err = e.svc.KnowledgeBaseSource(e.ctx, e.caller(), kb.ID, byType[agentry.SourceURL].ID)
	wantCode(t, err, agentry.ENOTFOUND, "without fetching")
	// Lists carry the sources' metadata, never their bytes.
	kbs, err := e.svc.ListKnowledgeBases(e.ctx, e.caller())
	if err != nil || len(kbs) != 1 || len(kbs[0].Sources) != 3 || kbs[0].Sources[0].Content != nil {
		t.Fatalf("ListKnowledgeBases = %+v, %v", kbs, err)
	}
}

func testKnowledgeBaseRules(t *testing.T, open Opener) {
	e := newEnv(t, open)
	for _, c := range []struct {
		name string
		req  agentry.CreateKnowledgeBaseRequest
		code string
		word string
	}{
		{"min not below max", agentry.CreateKnowledgeBaseRequest{Name: "x", MaxChunkSize: 800, MinChunkSize: 800}, agentry.EINVALID, "min_chunk_size"},
		{"relative URL", agentry.CreateKnowledgeBaseRequest{Name: "x", Sources: agentry.NewSources{URLs: []string{"/faq"}}}, agentry.EINVALID, "knowledge_base_urls[0]"},
		{"ftp URL", agentry.CreateKnowledgeBaseRequest{Name: "x", Sources: agentry.NewSources{URLs: []string{"https://ok.example", "ftp://example.com/x"}}}, agentry.EINVALID, "knowledge_base_urls[1]"},
		{"26 files", agentry.CreateKnowledgeBaseRequest{Name: "x", Sources: agentry.NewSources{Files: make([]agentry.FileSource, 26)}}, agentry.EINVALID, "at most 25"},
		{"file over 50 MiB", agentry.CreateKnowledgeBaseRequest{Name: "x", Sources: agentry.NewSources{Files: []agentry.FileSource{{Name: "big", Data: make([]byte, agentry.MaxKnowledgeBaseFileBytes+1)}}}}, agentry.ETOOLARGE, "big"},
	} {
		_, err := e.svc.CreateKnowledgeBase(e.ctx, e.caller(), c.req)
		wantCode(t, err, c.code, c.word)
	}
	kbs, _ := e.svc.ListKnowledgeBases(e.ctx, e.caller())
	if len(kbs) != 0 {
		t.Errorf("refused creations stored %d knowledge bases", len(kbs))
	}
	kb := e.mustCreateKnowledgeBase(t, "x", agentry.NewSources{})
	_, err := e.svc.AddKnowledgeBaseSources(e.ctx, e.caller(), kb.ID, agentry.NewSources{})
	wantCode(t, err, agentry.EINVALID, "at least one source")
}

// testKnowledgeBaseWorkspaces: another workspace's knowledge base answers as
// a missing one, and is not changed.
func testKnowledgeBaseWorkspaces(t *testing.T, open Opener) {
	e := newEnv(t, open)
	other := mustWorkspace(t, e.store, "ws-b")
	kb := e.mustCreateKnowledgeBase(t, "mine", agentry.NewSources{Texts: []agentry.TextSource{{Title: "t", Text: "x"}}})
	src := kb.Sources[0].ID
	b := e.as(other)
	_, err := e.svc.GetKnowledgeBase(e.ctx, b, kb.ID)
	wantCode(t, err, agentry.ENOTFOUND, kb.ID)
	_, err = e.svc.AddKnowledgeBaseSources(e.ctx, b, kb.ID, agentry.NewSources{URLs: []string{"https://x.example"}})
	wantCode(t, err, agentry.ENOTFOUND, kb.ID)
	_, err = e.svc.DeleteKnowledgeBaseSource(e.ctx, b, kb.ID, src)
	wantCode(t, err, agentry.ENOTFOUND, kb.ID)
	_, err = e.svc.KnowledgeBaseSource(e.ctx, b, kb.ID, src)
	wantCode(t, err, agentry.ENOTFOUND, kb.ID)
	wantCode(t, e.svc.DeleteKnowledgeBase(e.ctx, b, kb.ID), agentry.ENOTFOUND, kb.ID)
	if kbs, _ := e.svc.ListKnowledgeBases(e.ctx, b); len(kbs) != 0 {
		t.Errorf("workspace B lists %d knowledge bases", len(kbs))
	}
	// An LLM of B cannot link A's knowledge base.
	_, err = e.create(other, agentry.RetellLLM, fields(t, fmt.Sprintf(`{"knowledge_base_ids":[%q]}`, kb.ID)))
	wantCode(t, err, agentry.EUNPROCESSABLE, "knowledge_base_ids[0]", kb.ID)
	if got := e.mustGetKnowledgeBase(t, kb.ID); len(got.Sources) != 1 {
		t.Errorf("A's knowledge base changed: %+v", got)
	}
}

// testKnowledgeBaseLinksChecked: knowledge_base_ids of LLMs, flows and flow
// nodes must name knowledge bases of the workspace, on create and update.
func testKnowledgeBaseLinksChecked(t *testing.T, open Opener) {
	e := newEnv(t, open)
	kb := e.mustCreateKnowledgeBase(t, "kb", agentry.NewSources{}).ID
	llm, err := e.create(e.ws, agentry.RetellLLM, fields(t, fmt.Sprintf(`{"knowledge_base_ids":[%q]}`, kb)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.create(e.ws, agentry.RetellLLM, fields(t, fmt.Sprintf(`{"knowledge_base_ids":[%q,"knowledge_base_missing"]}`, kb)))
	wantCode(t, err, agentry.EUNPROCESSABLE, "knowledge_base_ids[1]", "knowledge_base_missing")
	_, err = e.update(e.ws, agentry.RetellLLM, llm.ResourceID, refNone, fields(t, `{"knowledge_base_ids":["knowledge_base_missing"]}`), "")
	wantCode(t, err, agentry.EUNPROCESSABLE, "knowledge_base_ids[0]")
	if v := e.mustGetEngine(t, agentry.RetellLLM, llm.ResourceID, refNone); !strings.Contains(string(v.Config), kb) {
		t.Errorf("a refused update changed the LLM: %s", v.Config)
	}
	flow := `{"nodes":[{"id":"a","type":"conversation","knowledge_base_ids":[%q]},{"id":"b","type":"subagent","knowledge_base_ids":[%q]}]}`
	if _, err := e.create(e.ws, agentry.ConversationFlow, fields(t, fmt.Sprintf(flow, kb, kb))); err != nil {
		t.Fatalf("flow whose nodes name a knowledge base: %v", err)
	}
	_, err = e.create(e.ws, agentry.ConversationFlow, fields(t, fmt.Sprintf(flow, kb, "knowledge_base_zz")))
	wantCode(t, err, agentry.EUNPROCESSABLE, "nodes[1].knowledge_base_ids[0]", "knowledge_base_zz")
}

// testKnowledgeBaseDeleteRefused: a knowledge base that a draft or a
// published version uses cannot be deleted; the refusal names the users.
func testKnowledgeBaseDeleteRefused(t *testing.T, open Opener) {
	e := newEnv(t, open)
	kb := e.mustCreateKnowledgeBase(t, "kb", agentry.NewSources{}).ID
	llm := e.mustCreateEngine(t, agentry.RetellLLM, fmt.Sprintf(`{"knowledge_base_ids":[%q]}`, kb)).ResourceID
	agent := e.mustAgentOn(t, agentry.VoiceAgent, engineKinds[0].ref(llm)).ResourceID
	e.mustPublish(t, agent, 0) // LLM version 0 is published with the link
	e.mustCreateVersion(t, agent, 0)
	err := e.svc.DeleteKnowledgeBase(e.ctx, e.caller(), kb)
	wantCode(t, err, agentry.EINVALID, kb, "Retell LLM "+llm+" (version 0)", "(version 1)")
	// Dropping it from the draft leaves the published version using it.
	e.mustUpdateEngine(t, agentry.RetellLLM, llm, refNone, `{"knowledge_base_ids":null}`)
	err = e.svc.DeleteKnowledgeBase(e.ctx, e.caller(), kb)
	wantCode(t, err, agentry.EINVALID, "(version 0)")
	if strings.Contains(agentry.ErrorMessage(err), "(version 1)") {
		t.Errorf("the draft no longer uses it, yet: %v", err)
	}
	e.mustGetKnowledgeBase(t, kb)
	// Once nothing uses it, it goes.
	if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.VoiceAgent, ID: agent}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Delete(e.ctx, e.caller(), agentry.DeleteRequest{Kind: agentry.RetellLLM, ID: llm}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteKnowledgeBase(e.ctx, e.caller(), kb); err != nil {
		t.Fatalf("DeleteKnowledgeBase after its users went: %v", err)
	}
	_, err = e.svc.GetKnowledgeBase(e.ctx, e.caller(), kb)
	wantCode(t, err, agentry.ENOTFOUND, kb)
}

// testConcurrentKnowledgeBaseLinkAndDelete races LLM updates that link a
// knowledge base against its deletion: either the deletion is refused or
// the updates find no knowledge base; no LLM may be left linking one that
// is gone.
func testConcurrentKnowledgeBaseLinkAndDelete(t *testing.T, open Opener) {
	const rounds, writers = 8, 5
	e := newEnv(t, open)
	llms := make([]string, writers)
	for i := range llms {
		llms[i] = e.mustCreateEngine(t, agentry.RetellLLM, `{"general_prompt":"p"}`).ResourceID
	}
	for round := range rounds {
		kb := e.mustCreateKnowledgeBase(t, "kb", agentry.NewSources{}).ID
		errs := make([]error, writers)
		var delErr error
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				_, errs[i] = e.update(e.ws, agentry.RetellLLM, llms[i], refNone, fields(t, fmt.Sprintf(`{"knowledge_base_ids":[%q]}`, kb)), "")
			})
			if i == writers/2 {
				wg.Go(func() { delErr = e.svc.DeleteKnowledgeBase(e.ctx, e.caller(), kb) })
			}
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil && agentry.ErrorCode(err) != agentry.EUNPROCESSABLE {
				t.Fatalf("round %d: update #%d: %v, want success or EUNPROCESSABLE", round, i, err)
			}
		}
		switch {
		case delErr == nil:
			for i, err := range errs {
				if err == nil {
					if v := e.mustGetEngine(t, agentry.RetellLLM, llms[i], refNone); strings.Contains(string(v.Config), kb) {
						t.Errorf("round %d: LLM %s links knowledge base %s, which was deleted", round, llms[i], kb)
					}
				}
			}
		case agentry.ErrorCode(delErr) != agentry.EINVALID:
			t.Fatalf("round %d: DeleteKnowledgeBase: %v", round, delErr)
		}
		// Unlink for the next round.
		for _, l := range llms {
			e.mustUpdateEngine(t, agentry.RetellLLM, l, refNone, `{"knowledge_base_ids":null}`)
		}
	}
}
