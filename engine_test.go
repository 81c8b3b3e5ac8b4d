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

func newService(t *testing.T) *agentry.AgentService {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "agentry.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &agentry.AgentService{Store: st}
}

// Check sees the whole configuration as a patch leaves it, and its error
// stops the write.
func TestCheckSeesTheMergedConfiguration(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	var seen []agentry.Fields
	refuse := errors.New("refused")
	s.Check = func(channel string, config agentry.Fields) error {
		if channel != agentry.KindRetellLLM {
			t.Errorf("Check got channel %q", channel)
		}
		seen = append(seen, config)
		if string(config["general_prompt"]) == `"bad"` {
			return refuse
		}
		return nil
	}
	v, err := s.CreateEngine(ctx, "ws", agentry.KindRetellLLM, agentry.Fields{"start_speaker": json.RawMessage(`"agent"`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateVersion(ctx, "ws", agentry.KindRetellLLM, v.AgentID, agentry.VersionRef{}, agentry.Fields{"general_prompt": json.RawMessage(`"bad"`)}, ""); !errors.Is(err, refuse) {
		t.Fatalf("update: %v, want the check's error", err)
	}
	if len(seen) != 2 || string(seen[1]["start_speaker"]) != `"agent"` {
		t.Fatalf("Check saw %v, want the stored start_speaker merged with the patch", seen)
	}
	got, err := s.GetVersion(ctx, "ws", agentry.KindRetellLLM, v.AgentID, agentry.VersionRef{})
	if err != nil || string(got.Config) != `{"start_speaker":"agent"}` {
		t.Errorf("a refused update was stored: %s %v", got.Config, err)
	}
}

func TestListEnginesListsOneKindAsLatestVersions(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	var llms []string
	for range 3 {
		v, err := s.CreateEngine(ctx, "ws", agentry.KindRetellLLM, agentry.Fields{})
		if err != nil {
			t.Fatal(err)
		}
		llms = append(llms, v.AgentID)
	}
	if _, err := s.CreateEngine(ctx, "ws", agentry.KindConversationFlow, agentry.Fields{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateEngine(ctx, "other", agentry.KindRetellLLM, agentry.Fields{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAgent(ctx, "ws", agentry.ChannelVoice, agentry.Fields{}); err != nil {
		t.Fatal(err)
	}
	var got []string
	p := agentry.PageRequest{Limit: 2}
	for {
		page, err := s.ListEngines(ctx, "ws", agentry.KindRetellLLM, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page.Items {
			if v.Channel != agentry.KindRetellLLM || v.Number != 0 {
				t.Errorf("item %+v", v)
			}
			got = append(got, v.AgentID)
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
	if _, err := s.ListEngines(ctx, "ws", agentry.ChannelVoice, p); err == nil {
		t.Error("ListEngines accepted an agent channel")
	}
}
