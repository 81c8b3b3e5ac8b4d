package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// Voices (see voice.go in the domain).

func (s *Server) listVoices(w http.ResponseWriter, r *http.Request) error {
	vs, err := s.Service.ListVoices(r.Context(), caller(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, vs)
	return nil
}

func (s *Server) getVoice(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Service.GetVoice(r.Context(), caller(r), r.PathValue("voice_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) cloneVoice(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		Name     string `json:"voice_name"`
		Provider string `json:"voice_provider"`
	}
	f, err := decodeForm(r, schema.CloneVoice, MaxUploadBytes, &b)
	if err != nil {
		return err
	}
	v, err := s.Service.CloneVoice(r.Context(), caller(r), agentry.CloneVoiceRequest{Name: b.Name, Provider: b.Provider, Samples: f.sources("files")})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (s *Server) addCommunityVoice(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeRequest(r, schema.AddCommunityVoice)
	if err != nil {
		return err
	}
	var req agentry.AddCommunityVoiceRequest
	_ = json.Unmarshal(fields["voice_provider"], &req.Provider)
	_ = json.Unmarshal(fields["provider_voice_id"], &req.ProviderVoiceID)
	_ = json.Unmarshal(fields["voice_name"], &req.Name)
	_ = json.Unmarshal(fields["public_user_id"], &req.PublicUserID)
	v, err := s.Service.AddCommunityVoice(r.Context(), caller(r), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// communityVoice is one voice of search-community-voice's answer.
type communityVoice struct {
	ProviderVoiceID string `json:"provider_voice_id"`
	Name            string `json:"name"`
	Description     string `json:"description"`
	PublicUserID    string `json:"public_user_id,omitempty"`
}

func (s *Server) searchCommunityVoice(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeRequest(r, schema.SearchCommunityVoice)
	if err != nil {
		return err
	}
	var query, provider string
	_ = json.Unmarshal(fields["search_query"], &query)
	_ = json.Unmarshal(fields["voice_provider"], &provider)
	out := struct {
		Voices []communityVoice `json:"voices"`
	}{Voices: []communityVoice{}}
	for _, cv := range agentry.SearchCommunityVoices(query, provider) {
		out.Voices = append(out.Voices, communityVoice{cv.ProviderVoiceID, cv.Name, cv.Description, cv.PublicUserID})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
