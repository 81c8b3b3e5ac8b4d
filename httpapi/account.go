package httpapi

import (
	"net/http"

	"github.com/agentry/agentry"
)

// repair-agent and the account answers.

func (s *Server) repairAgent(w http.ResponseWriter, r *http.Request) error {
	ref, err := agentVersion(r)
	if err != nil {
		return err
	}
	v, err := s.Service.Repair(r.Context(), caller(r), agentry.RepairRequest{AgentID: r.PathValue("agent_id"), Version: ref})
	if err != nil {
		return err
	}
	tags, err := s.assignedTags(r, v.Kind, v.ResourceID, v.Number)
	if err != nil {
		return err
	}
	writeVersion(w, http.StatusOK, v, tags)
	return nil
}

func (s *Server) getConcurrency(w http.ResponseWriter, r *http.Request) error {
	c := s.Service.Concurrency()
	writeJSON(w, http.StatusOK, map[string]any{
		"current_concurrency": c.Current, "concurrency_limit": c.Limit, "base_concurrency": c.Limit,
		"purchased_concurrency": 0, "concurrency_purchase_limit": 0, "remaining_purchase_limit": 0,
		"reserved_inbound_concurrency": 0, "concurrency_burst_enabled": false, "concurrency_burst_limit": 0,
	})
	return nil
}

func (s *Server) getAPIKeyInfo(w http.ResponseWriter, r *http.Request) error {
	info, err := s.Service.APIKeyInfo(r.Context(), caller(r))
	if err != nil {
		return err
	}
	var label *string
	if info.KeyLabel != "" {
		label = &info.KeyLabel
	}
	writeJSON(w, http.StatusOK, map[string]any{"org_id": info.WorkspaceID, "org_name": info.WorkspaceName, "api_key_name": label})
	return nil
}
