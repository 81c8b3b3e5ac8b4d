package httpapi

import (
	"net/http"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// Chat agents are agents of the chat channel. They have endpoints of their
// own for create, get, update, delete and get-versions, and share the
// version endpoints (create, publish, delete, list) and v2/list-agents with
// voice agents. A chat agent is not found through a voice endpoint, nor a
// voice agent through a chat one.

func (s *Server) createChatAgent(w http.ResponseWriter, r *http.Request) error {
	fields, err := decode(r, schema.ChatAgent, schema.Create)
	if err != nil {
		return err
	}
	v, err := s.Agents.CreateAgent(r.Context(), workspace(r), agentry.ChannelChat, fields)
	if err != nil {
		return err
	}
	writeVersion(w, http.StatusCreated, v)
	return nil
}

func (s *Server) getChatAgent(w http.ResponseWriter, r *http.Request) error {
	ref, err := agentry.ParseVersionRef(r.URL.Query().Get("version"))
	if err != nil {
		return err
	}
	return s.getVersion(w, r, agentry.ChannelChat, r.PathValue("agent_id"), ref)
}

func (s *Server) updateChatAgent(w http.ResponseWriter, r *http.Request) error {
	ref, err := agentry.ParseVersionRef(r.URL.Query().Get("version"))
	if err != nil {
		return err
	}
	patch, err := decode(r, schema.ChatAgent, schema.Update)
	if err != nil {
		return err
	}
	v, err := s.Agents.UpdateVersion(r.Context(), workspace(r), agentry.ChannelChat, r.PathValue("agent_id"), ref, patch, r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	writeVersion(w, http.StatusOK, v)
	return nil
}

func (s *Server) deleteChatAgent(w http.ResponseWriter, r *http.Request) error {
	if err := s.Agents.DeleteAgent(r.Context(), workspace(r), agentry.ChannelChat, r.PathValue("agent_id")); err != nil {
		return err
	}
	s.published.deleteAgent(workspace(r), r.PathValue("agent_id"))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getChatAgentVersions(w http.ResponseWriter, r *http.Request) error {
	return s.writeVersions(w, r, agentry.ChannelChat)
}
