package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// Apps and the calls that, on Retell, reach the app's provider: agentry
// answers those from what was configured (see agentry.Service.TestAppAuth
// and AppToolSchema). A secret in a body is dropped by the service and
// never reaches an answer or a log line.

// appJSON is AppResponse; what has no value is omitted.
type appJSON struct {
	ID               string           `json:"app_id"`
	OrgID            string           `json:"org_id"`
	Type             string           `json:"type"`
	Provider         string           `json:"provider"`
	ConnectionStatus string           `json:"connection_status"`
	Name             *string          `json:"name,omitempty"`
	TenantURL        *string          `json:"tenant_url,omitempty"`
	TenantID         *string          `json:"tenant_id,omitempty"`
	AuthConfig       *agentry.AppAuth `json:"auth_config,omitempty"`
	CRMConfig        json.RawMessage  `json:"crm_config,omitempty"`
	Created          int64            `json:"created_timestamp"`
	Modified         int64            `json:"user_modified_timestamp"`
}

func appOf(a *agentry.App) appJSON {
	return appJSON{ID: a.ID, OrgID: a.WorkspaceID, Type: a.Type, Provider: a.Provider, ConnectionStatus: a.ConnectionStatus,
		Name: a.Name, TenantURL: a.TenantURL, TenantID: a.TenantID, AuthConfig: a.Auth, CRMConfig: a.CRMConfig,
		Created: a.CreatedAt, Modified: a.ModifiedAt}
}

func (s *Server) createApp(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeBody(r, schema.CreateApp, schema.Create)
	if err != nil {
		return err
	}
	a, err := s.Service.CreateApp(r.Context(), caller(r), fields)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, appOf(a))
	return nil
}

func (s *Server) getApp(w http.ResponseWriter, r *http.Request) error {
	a, err := s.Service.GetApp(r.Context(), caller(r), r.PathValue("app_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, appOf(a))
	return nil
}

func (s *Server) updateApp(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeBody(r, schema.UpdateApp, schema.Update)
	if err != nil {
		return err
	}
	a, err := s.Service.UpdateApp(r.Context(), caller(r), r.PathValue("app_id"), fields)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, appOf(a))
	return nil
}

func (s *Server) deleteApp(w http.ResponseWriter, r *http.Request) error {
	force := false
	if raw := r.URL.Query().Get("force_delete"); raw != "" {
		var err error
		if force, err = strconv.ParseBool(raw); err != nil {
			return agentry.Errorf(agentry.EINVALID, "force_delete: must be true or false, got %q", raw)
		}
	}
	if err := s.Service.DeleteApp(r.Context(), caller(r), r.PathValue("app_id"), force); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listApps(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r, true)
	if err != nil {
		return err
	}
	res, err := s.Service.ListApps(r.Context(), caller(r), p)
	if err != nil {
		return err
	}
	out := listResponse[appJSON]{Items: make([]appJSON, len(res.Items)), HasMore: res.HasMore, PaginationKey: res.NextKey}
	for i := range res.Items {
		out.Items[i] = appOf(&res.Items[i])
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// appUsageJSON is AgentAppUsage.
type appUsageJSON struct {
	Type         string  `json:"type"`
	AgentID      string  `json:"agent_id"`
	AgentName    string  `json:"agent_name"`
	Versions     []int64 `json:"agent_versions"`
	ConfiguredAt int64   `json:"configured_timestamp"`
}

func (s *Server) listAppUsages(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r, true)
	if err != nil {
		return err
	}
	res, err := s.Service.ListAppUsages(r.Context(), caller(r), r.PathValue("app_id"), p)
	if err != nil {
		return err
	}
	out := listResponse[appUsageJSON]{Items: make([]appUsageJSON, len(res.Items)), HasMore: res.HasMore, PaginationKey: res.NextKey}
	for i, u := range res.Items {
		out.Items[i] = appUsageJSON{Type: "agent", AgentID: u.AgentID, AgentName: u.AgentName, Versions: u.Versions, ConfiguredAt: u.ConfiguredAt}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) testAppAuth(w http.ResponseWriter, r *http.Request) error {
	ok, err := s.Service.TestAppAuth(r.Context(), caller(r), r.PathValue("app_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"success": ok})
	return nil
}

func (s *Server) getAppToolSchema(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeBody(r, schema.GetAppToolSchema, schema.Create)
	if err != nil {
		return err
	}
	var req struct {
		Template   string            `json:"app_tool_template_name"`
		Parameters []json.RawMessage `json:"parameters"`
	}
	raw, _ := json.Marshal(fields)
	if err := json.Unmarshal(raw, &req); err != nil {
		return agentry.Errorf(agentry.EINVALID, "request body: %v", err)
	}
	step, err := s.Service.AppToolSchema(r.Context(), caller(r), r.PathValue("app_id"), req.Template, len(req.Parameters))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Complete    bool            `json:"complete"`
		InputSchema json.RawMessage `json:"input_schema,omitempty"`
	}{step.Complete, step.InputSchema})
	return nil
}
