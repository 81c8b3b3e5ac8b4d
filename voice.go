package agentry

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Voices: a built-in catalog (data/voices.json, in the binary) that every
// workspace sees, and the voices a workspace clones or adds from a
// provider's community library, stored per workspace. agentry synthesizes
// no speech: a cloned voice is recorded with its name and provider, its
// audio samples are checked and not kept.
//
// What is checked of an agent's voice_id: nothing beyond its field rules,
// so a real team's custom voice id keeps working. repair-agent replaces
// only voice ids agentry can tell are gone: ids in the form agentry gives
// workspace voices (VoiceIDPrefix and 32 hex digits) that name no voice of
// the workspace.

// Voice ids, origins and providers.
const (
	VoiceIDPrefix = "custom_voice_"

	VoiceCatalog   = "catalog"
	VoiceClone     = "clone"
	VoiceCommunity = "community"

	// MaxVoiceSamples is how many audio files one clone-voice request may
	// send, and MaxVoiceNameLen how long a voice name may be.
	MaxVoiceSamples = 25
	MaxVoiceNameLen = 200
)

// Voice is a voice an agent can speak with.
type Voice struct {
	WorkspaceID     string `json:"-"` // "" for catalog voices
	ID              string `json:"voice_id"`
	Name            string `json:"voice_name"`
	Provider        string `json:"provider"`
	Gender          string `json:"gender"`
	Accent          string `json:"accent,omitempty"`
	Age             string `json:"age,omitempty"`
	PreviewAudioURL string `json:"preview_audio_url,omitempty"`
	// Origin is VoiceCatalog, VoiceClone or VoiceCommunity.
	Origin string `json:"-"`
	// ProviderVoiceID and PublicUserID name a community voice at its
	// provider; SampleCount and SampleBytes describe a clone's samples.
	ProviderVoiceID string `json:"-"`
	PublicUserID    string `json:"-"`
	SampleCount     int    `json:"-"`
	SampleBytes     int64  `json:"-"`
	CreatedAt       int64  `json:"-"`
}

// CommunityVoice is a voice of a provider's community library.
type CommunityVoice struct {
	Provider        string `json:"provider"`
	ProviderVoiceID string `json:"provider_voice_id"`
	Name            string `json:"name"`
	Description     string `json:"description"`
	PublicUserID    string `json:"public_user_id,omitempty"`
	Gender          string `json:"gender"`
	Accent          string `json:"accent"`
	Age             string `json:"age"`
}

// voiceCatalog is the built-in catalog.
type voiceCatalog struct {
	DefaultVoiceID string           `json:"default_voice_id"`
	Voices         []Voice          `json:"voices"`
	Community      []CommunityVoice `json:"community"`
}

//go:embed data/voices.json
var voiceData []byte

var catalog = func() voiceCatalog {
	var c voiceCatalog
	if err := json.Unmarshal(voiceData, &c); err != nil {
		panic("agentry: data/voices.json: " + err.Error())
	}
	for i := range c.Voices {
		c.Voices[i].Origin = VoiceCatalog
	}
	return c
}()

// CatalogVoices lists the built-in voices.
func CatalogVoices() []Voice { return slices.Clone(catalog.Voices) }

// DefaultVoiceID is the voice repair-agent gives an agent whose voice is gone.
func DefaultVoiceID() string { return catalog.DefaultVoiceID }

func catalogVoice(id string) (Voice, bool) {
	i := slices.IndexFunc(catalog.Voices, func(v Voice) bool { return v.ID == id })
	if i < 0 {
		return Voice{}, false
	}
	return catalog.Voices[i], true
}

// ListVoices lists the catalog, then the workspace's own voices, oldest
// first.
func (s *Service) ListVoices(ctx context.Context, c Caller) ([]Voice, error) {
	var own []Voice
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		own, err = tx.ListVoices(c.Workspace)
		return err
	})
	if err != nil {
		return nil, err
	}
	return append(CatalogVoices(), own...), nil
}

// GetVoice reads a catalog voice or one of the workspace's.
func (s *Service) GetVoice(ctx context.Context, c Caller, id string) (*Voice, error) {
	if v, ok := catalogVoice(id); ok {
		return &v, nil
	}
	var v *Voice
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		v, err = tx.GetVoice(c.Workspace, id)
		if errors.Is(err, ErrNotFound) {
			return Errorf(ENOTFOUND, "voice %s not found", id)
		}
		return err
	})
	return v, err
}

// CloneVoiceRequest asks for a voice cloned from audio samples.
type CloneVoiceRequest struct {
	Name     string
	Provider string
	Samples  []FileSource
}

// cloneSampleLimits are the providers that take fewer samples than
// MaxVoiceSamples, as the reference states.
var cloneSampleLimits = map[string]int{"cartesia": 1, "minimax": 1, "inworld": 3}

// CloneVoice records a voice cloned from audio samples.
func (s *Service) CloneVoice(ctx context.Context, c Caller, req CloneVoiceRequest) (*Voice, error) {
	limit := MaxVoiceSamples
	if l, ok := cloneSampleLimits[req.Provider]; ok {
		limit = l
	}
	switch {
	case len(req.Samples) == 0:
		return nil, Errorf(EINVALID, "files: send at least one audio file to clone from")
	case len(req.Samples) > limit:
		return nil, Errorf(EINVALID, "files: %s takes at most %d audio file(s) to clone from, got %d", req.Provider, limit, len(req.Samples))
	}
	v := &Voice{WorkspaceID: c.Workspace, ID: NewID(VoiceIDPrefix), Name: req.Name, Provider: req.Provider,
		Gender: unknownGender, Origin: VoiceClone, CreatedAt: s.now()}
	for i, f := range req.Samples {
		if kind, _ := mediaType(f.Name, f.ContentType, f.Data); !strings.HasPrefix(kind, "audio/") {
			return nil, Errorf(EINVALID, "files[%d] (%s): must be audio (MP3, WAV, WebM, OGG, M4A, AAC or FLAC)", i, f.Name)
		}
		v.SampleCount++
		v.SampleBytes += int64(len(f.Data))
	}
	if err := s.insertVoice(ctx, c, v); err != nil {
		return nil, err
	}
	return v, nil
}

// insertVoice stores a workspace voice and records its creation: its
// origin, name and provider, and for a clone how many samples of how many
// bytes (the samples themselves are not kept).
func (s *Service) insertVoice(ctx context.Context, c Caller, v *Voice) error {
	d := map[string]any{"origin": v.Origin, "voice_name": v.Name, "provider": v.Provider}
	switch v.Origin {
	case VoiceClone:
		d["sample_count"], d["sample_bytes"] = v.SampleCount, v.SampleBytes
	case VoiceCommunity:
		d["provider_voice_id"] = v.ProviderVoiceID
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		if err := tx.InsertVoice(v); err != nil {
			return err
		}
		return s.record(tx, c, Change{Action: "voice.created", Object: ObjectVoice, ID: v.ID, Details: d})
	})
}

// unknownGender is what a voice whose gender agentry cannot know reports:
// the field is required and has two values, and agentry does not analyse
// audio.
const unknownGender = "female"

// AddCommunityVoiceRequest asks to add a provider's community voice.
type AddCommunityVoiceRequest struct {
	Provider        string // "" means elevenlabs
	ProviderVoiceID string
	Name            string
	PublicUserID    string
}

// AddCommunityVoice adds a community voice to the workspace's voices. Any
// provider voice id is taken (agentry cannot ask the provider); one the
// built-in community library knows gets its gender, accent and age.
func (s *Service) AddCommunityVoice(ctx context.Context, c Caller, req AddCommunityVoiceRequest) (*Voice, error) {
	if req.Provider == "" {
		req.Provider = "elevenlabs"
	}
	if req.Provider == "elevenlabs" && req.PublicUserID == "" {
		return nil, Errorf(EINVALID, "public_user_id: is required for elevenlabs voices (the user id of the voice's owner)")
	}
	v := &Voice{WorkspaceID: c.Workspace, ID: NewID(VoiceIDPrefix), Name: req.Name, Provider: req.Provider,
		Gender: unknownGender, Origin: VoiceCommunity, ProviderVoiceID: req.ProviderVoiceID,
		PublicUserID: req.PublicUserID, CreatedAt: s.now()}
	for _, cv := range catalog.Community {
		if cv.Provider == req.Provider && cv.ProviderVoiceID == req.ProviderVoiceID {
			v.Gender, v.Accent, v.Age = cv.Gender, cv.Accent, cv.Age
		}
	}
	if err := s.insertVoice(ctx, c, v); err != nil {
		return nil, err
	}
	return v, nil
}

// SearchCommunityVoices searches the built-in community library: query is a
// case-insensitive part of a voice's name, description or provider voice
// id; provider, when not empty, narrows to one provider.
func SearchCommunityVoices(query, provider string) []CommunityVoice {
	q := strings.ToLower(query)
	out := []CommunityVoice{}
	for _, cv := range catalog.Community {
		if provider != "" && cv.Provider != provider {
			continue
		}
		if strings.Contains(strings.ToLower(cv.Name), q) || strings.Contains(strings.ToLower(cv.Description), q) ||
			strings.Contains(strings.ToLower(cv.ProviderVoiceID), q) {
			out = append(out, cv)
		}
	}
	return out
}

// isWorkspaceVoiceID reports whether id has the form agentry gives the
// voices a workspace clones or adds.
func isWorkspaceVoiceID(id string) bool {
	hex, ok := strings.CutPrefix(id, VoiceIDPrefix)
	if !ok || len(hex) != 32 {
		return false
	}
	return !strings.ContainsFunc(hex, func(r rune) bool { return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') })
}

// voiceGone reports whether id is a voice agentry can tell no longer
// exists for the workspace (see the comment at the top of this file).
func voiceGone(tx Tx, workspaceID, id string) (bool, error) {
	if !isWorkspaceVoiceID(id) {
		return false, nil
	}
	_, err := tx.GetVoice(workspaceID, id)
	if errors.Is(err, ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("voice %s: %w", id, err)
	}
	return false, nil
}
