package agentry_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/sqlite"
)

// recordingRules accepts every field and records the whole configurations
// it is asked to check; a general_prompt of "bad" fails the check.
type recordingRules struct {
	seen  []agentry.Fields
	kinds []*agentry.Kind
}

var errRefused = errors.New("refused")

func (r *recordingRules) CheckFields(_ *agentry.Kind, f agentry.Fields, patch bool) (agentry.Fields, []string, error) {
	if patch {
		if _, ok := f["is_transfer_llm"]; ok {
			apply := agentry.Fields{}
			for k, v := range f {
				if k != "is_transfer_llm" {
					apply[k] = v
				}
			}
			return apply, []string{"is_transfer_llm"}, nil
		}
	}
	return f, nil, nil
}

func (r *recordingRules) CheckConfig(k *agentry.Kind, config agentry.Fields) error {
	r.seen = append(r.seen, config)
	r.kinds = append(r.kinds, k)
	if string(config["general_prompt"]) == `"bad"` {
		return errRefused
	}
	return nil
}

func newService(t *testing.T, rules agentry.Rules) *agentry.Service {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "agentry.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &agentry.Service{Store: st, Rules: rules}
}

var ws = agentry.Caller{Workspace: "ws"}

func mustCreate(t *testing.T, s *agentry.Service, c agentry.Caller, kind *agentry.Kind, f agentry.Fields) *agentry.Version {
	t.Helper()
	cfg, err := s.CheckCreate(kind, f)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.Create(context.Background(), c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The service checks the whole configuration as a patch leaves it, and the
// check's error stops the write.
func TestRulesSeeTheMergedConfiguration(t *testing.T) {
	ctx := context.Background()
	rules := &recordingRules{}
	s := newService(t, rules)
	v := mustCreate(t, s, ws, agentry.RetellLLM, agentry.Fields{"start_speaker": json.RawMessage(`"agent"`)})
	patch, err := s.CheckPatch(agentry.RetellLLM, agentry.Fields{"general_prompt": json.RawMessage(`"bad"`)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Update(ctx, ws, agentry.UpdateRequest{Address: agentry.Address{Kind: agentry.RetellLLM, ID: v.ResourceID}, Patch: patch})
	if !errors.Is(err, errRefused) {
		t.Fatalf("update: %v, want the check's error", err)
	}
	if len(rules.seen) != 2 || string(rules.seen[1]["start_speaker"]) != `"agent"` {
		t.Fatalf("the rules saw %v, want the stored start_speaker merged with the patch", rules.seen)
	}
	if rules.kinds[0] != agentry.RetellLLM || rules.kinds[1] != agentry.RetellLLM {
		t.Errorf("the rules were asked about kinds %v", rules.kinds)
	}
	got, err := s.Get(ctx, ws, agentry.Address{Kind: agentry.RetellLLM, ID: v.ResourceID})
	if err != nil || string(got.Config) != `{"start_speaker":"agent"}` {
		t.Errorf("a refused update was stored: %s %v", got.Config, err)
	}
}

// What the rules accept without applying is named, and not stored.
func TestIgnoredFieldsAreNotApplied(t *testing.T) {
	ctx := context.Background()
	s := newService(t, &recordingRules{})
	v := mustCreate(t, s, ws, agentry.RetellLLM, agentry.Fields{"is_transfer_llm": json.RawMessage(`true`)})
	patch, err := s.CheckPatch(agentry.RetellLLM, agentry.Fields{"is_transfer_llm": json.RawMessage(`false`), "begin_message": json.RawMessage(`"hi"`)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(patch.Ignored, []string{"is_transfer_llm"}) {
		t.Errorf("Ignored = %v", patch.Ignored)
	}
	got, err := s.Update(ctx, ws, agentry.UpdateRequest{Address: agentry.Address{Kind: agentry.RetellLLM, ID: v.ResourceID}, Patch: patch})
	if err != nil || string(got.Config) != `{"begin_message":"hi","is_transfer_llm":true}` {
		t.Errorf("update stored %s, %v", got.Config, err)
	}
}

// A service without rules, or a configuration checked for another kind, is
// refused: nothing reaches the store unchecked.
func TestWritesNeedCheckedConfigurations(t *testing.T) {
	ctx := context.Background()
	bare := newService(t, nil)
	if _, err := bare.CheckCreate(agentry.VoiceAgent, agentry.Fields{}); err == nil {
		t.Error("CheckCreate without rules succeeded")
	}
	if _, err := bare.Create(ctx, ws, agentry.Config{}); err == nil {
		t.Error("Create of an unchecked configuration succeeded")
	}
	s := newService(t, &recordingRules{})
	if _, err := s.CheckCreate(agentry.AnyAgent, agentry.Fields{}); err == nil {
		t.Error("CheckCreate accepted AnyAgent, which is not a kind of its own")
	}
	chat := mustCreate(t, s, ws, agentry.ChatAgent, agentry.Fields{})
	voicePatch, err := s.CheckPatch(agentry.VoiceAgent, agentry.Fields{"agent_name": json.RawMessage(`"x"`)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Update(ctx, ws, agentry.UpdateRequest{Address: agentry.Address{Kind: agentry.AnyAgent, ID: chat.ResourceID}, Patch: voicePatch})
	if err == nil || agentry.ErrorCode(err) != agentry.EINTERNAL {
		t.Errorf("a voice patch applied to a chat agent: %v", err)
	}
	created, err := s.CheckCreate(agentry.VoiceAgent, agentry.Fields{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Update(ctx, ws, agentry.UpdateRequest{Address: agentry.Address{Kind: agentry.VoiceAgent, ID: chat.ResourceID}, Patch: created})
	if err == nil {
		t.Error("a create body was applied as a patch")
	}
}

func TestListEnginesListsOneKindAsLatestVersions(t *testing.T) {
	ctx := context.Background()
	s := newService(t, &recordingRules{})
	var llms []string
	for range 3 {
		llms = append(llms, mustCreate(t, s, ws, agentry.RetellLLM, agentry.Fields{}).ResourceID)
	}
	mustCreate(t, s, ws, agentry.ConversationFlow, agentry.Fields{})
	mustCreate(t, s, agentry.Caller{Workspace: "other"}, agentry.RetellLLM, agentry.Fields{})
	mustCreate(t, s, ws, agentry.VoiceAgent, agentry.Fields{})
	var got []string
	p := agentry.PageRequest{Limit: 2}
	for {
		page, err := s.ListEngines(ctx, ws, agentry.RetellLLM, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page.Items {
			if v.Kind != agentry.RetellLLM || v.Number != 0 {
				t.Errorf("item %+v", v)
			}
			got = append(got, v.ResourceID)
		}
		if !page.HasMore {
			break
		}
		p.Key = page.NextKey
	}
	// Created in the same millisecond, they are ordered by id.
	slices.Sort(got)
	slices.Sort(llms)
	if !slices.Equal(got, llms) {
		t.Errorf("listed %v, want %v", got, llms)
	}
	if _, err := s.ListEngines(ctx, ws, agentry.VoiceAgent, p); err == nil {
		t.Error("ListEngines accepted an agent kind")
	}
}
