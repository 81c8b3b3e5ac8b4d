package agentry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// An app is the connection to one external system (a CRM, a calendar, a
// support desk) that app tools (type integration_app) of agents and engines
// run against, by its app_id. agentry stores what the reference documents
// and reaches no provider: the calls that would (test-app-auth,
// get-app-tool-schema) answer from what was configured (see docs/API.md).
//
// Secrets: the reference says credentials are write-only ("never returned
// by the API"). agentry never calls a provider, so it has no use for them:
// it keeps only their non-secret part (the auth type, client_id, username)
// and drops client_secret, api_key and password on arrival. They are never
// stored, returned or logged.

// Connection statuses of an app.
const (
	AppNotConnected = "not_connected"
	AppConnected    = "connected"
	AppError        = "error"
)

// AppIDPrefix starts every app id.
const AppIDPrefix = "app_"

// MaxAppsPerProvider is how many apps of one provider a workspace may hold,
// the default limit the reference states.
const MaxAppsPerProvider = 20

// App is a stored app.
type App struct {
	WorkspaceID string
	ID          string
	Type        string
	Provider    string
	Name        *string
	TenantURL   *string
	TenantID    *string
	// Auth is the non-secret part of the credentials; nil when none were
	// given.
	Auth *AppAuth
	// CRMConfig is the crm_config object as sent (compact), or nil.
	CRMConfig        json.RawMessage
	ConnectionStatus string
	CreatedAt        int64
	ModifiedAt       int64
}

// AppAuth is what agentry keeps of an auth_config: its type and the
// identifiers that are not secret.
type AppAuth struct {
	Type     string `json:"type"`
	ClientID string `json:"client_id,omitempty"`
	Username string `json:"username,omitempty"`
}

// appInput is a create-app or update-app body that passed its field rules.
type appInput struct {
	Type       *string         `json:"type"`
	Provider   *string         `json:"provider"`
	Name       *string         `json:"name"`
	TenantURL  *string         `json:"tenant_url"`
	TenantID   *string         `json:"tenant_id"`
	AuthConfig *AppAuth        `json:"auth_config"`
	CRMConfig  json.RawMessage `json:"crm_config"`
}

func decodeAppInput(fields Fields) (*appInput, error) {
	raw, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	var in appInput
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, Errorf(EINVALID, "request body: %v", err)
	}
	if err := checkCRMConfig(in.CRMConfig); err != nil {
		return nil, err
	}
	return &in, nil
}

// checkCRMConfig applies the rule the reference states in prose: inbound
// mappings must include phone_number, the field contacts are matched on.
func checkCRMConfig(raw json.RawMessage) error {
	if raw == nil {
		return nil
	}
	var c struct {
		Inbound *[]struct {
			FieldName string `json:"field_name"`
		} `json:"inbound_sync_mappings"`
	}
	if err := json.Unmarshal(raw, &c); err != nil || c.Inbound == nil {
		return err
	}
	for _, m := range *c.Inbound {
		if m.FieldName == "phone_number" {
			return nil
		}
	}
	return Errorf(EINVALID, "crm_config.inbound_sync_mappings: must include a mapping of field_name phone_number, the field contacts are matched on")
}

// apply sets the fields the input sends. It reports whether credentials or
// tenant metadata changed, which makes the connection unverified again.
func (in *appInput) apply(a *App) (reconnect bool, err error) {
	if in.Name != nil {
		a.Name = in.Name
	}
	if in.TenantURL != nil {
		reconnect = reconnect || a.TenantURL == nil || *a.TenantURL != *in.TenantURL
		a.TenantURL = in.TenantURL
	}
	if in.TenantID != nil {
		reconnect = reconnect || a.TenantID == nil || *a.TenantID != *in.TenantID
		a.TenantID = in.TenantID
	}
	if in.AuthConfig != nil {
		a.Auth, reconnect = in.AuthConfig, true
	}
	if in.CRMConfig != nil {
		if a.CRMConfig, err = compact(in.CRMConfig); err != nil {
			return false, err
		}
	}
	return reconnect, nil
}

// CreateApp stores a new app. fields is a create-app body that passed its
// field rules; a secret in it is dropped, never stored.
func (s *Service) CreateApp(ctx context.Context, c Caller, fields Fields) (*App, error) {
	in, err := decodeAppInput(fields)
	if err != nil {
		return nil, err
	}
	if in.Type == nil || in.Provider == nil {
		return nil, fmt.Errorf("agentry: CreateApp needs type and provider")
	}
	now := s.now()
	a := &App{WorkspaceID: c.Workspace, ID: NewID(AppIDPrefix), Type: *in.Type, Provider: *in.Provider,
		ConnectionStatus: AppNotConnected, CreatedAt: now, ModifiedAt: now}
	if _, err := in.apply(a); err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		n, err := tx.CountApps(c.Workspace, a.Provider)
		if err != nil {
			return err
		}
		if n >= MaxAppsPerProvider {
			return Errorf(EINVALID, "provider: this workspace already has %d apps of provider %q, the most it may hold; delete one first", n, a.Provider)
		}
		if err := tx.InsertApp(a); err != nil {
			return err
		}
		return s.record(tx, c, Change{Action: "app.created", Object: ObjectApp, ID: a.ID, Details: appDetails(a)})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// UpdateApp changes the fields an update-app body sends; the others keep
// their values.
func (s *Service) UpdateApp(ctx context.Context, c Caller, id string, fields Fields) (*App, error) {
	in, err := decodeAppInput(fields)
	if err != nil {
		return nil, err
	}
	var a *App
	err = s.Store.Update(ctx, func(tx Tx) error {
		if a, err = lockApp(tx, c.Workspace, id); err != nil {
			return err
		}
		reconnect, err := in.apply(a)
		if err != nil {
			return err
		}
		d, paths := appDetails(a), patchPaths(fields)
		if reconnect && a.ConnectionStatus != AppNotConnected {
			// New credentials or tenant: the connection is unverified again.
			d["connection_status_before"] = a.ConnectionStatus
			a.ConnectionStatus = AppNotConnected
			paths = append(paths, "/connection_status")
			slices.Sort(paths)
		}
		if now := s.now(); now > a.ModifiedAt {
			a.ModifiedAt = now
		}
		if err := tx.UpdateApp(a); err != nil {
			return err
		}
		// Paths name the fields sent (auth_config among them), never a value
		// of the credentials.
		d["connection_status"] = a.ConnectionStatus
		return s.record(tx, c, Change{Action: "app.updated", Object: ObjectApp, ID: a.ID, Paths: paths, Details: d})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// GetApp returns one app of the caller's workspace.
func (s *Service) GetApp(ctx context.Context, c Caller, id string) (*App, error) {
	var a *App
	err := s.readOne(ctx, func(tx Tx) (err error) {
		a, err = getApp(tx, c.Workspace, id)
		return err
	})
	return a, err
}

// ListApps returns one page of the workspace's apps, ordered by creation.
func (s *Service) ListApps(ctx context.Context, c Caller, p PageRequest) (*Page[App], error) {
	p = p.normalized()
	q, err := keysetQuery("app", p)
	if err != nil {
		return nil, err
	}
	var items []App
	err = s.readOne(ctx, func(tx Tx) (err error) {
		items, err = tx.ListApps(c.Workspace, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	return keysetPage(items, p, "app", func(a *App) (int64, string) { return a.CreatedAt, a.ID }), nil
}

// DeleteApp deletes an app. While an agent version, an engine version or a
// shared component holds an app tool that runs against it, it is refused
// unless force is set; then those tools are left naming an app that no
// longer exists (repair-agent removes them from drafts).
func (s *Service) DeleteApp(ctx context.Context, c Caller, id string, force bool) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		// Writes that add app tools take the workspace lock before they
		// check that the app exists (links.go): under it, the uses read
		// below are all there are, and none can appear until this commits.
		if err := tx.LockWorkspace(c.Workspace); err != nil {
			return err
		}
		a, err := lockApp(tx, c.Workspace, id)
		if err != nil {
			return err
		}
		if !force {
			uses, err := appReferences(tx, c.Workspace, a.ID)
			if err != nil {
				return err
			}
			if err := uses.refuse(a.ID); err != nil {
				return err
			}
		}
		if err := tx.DeleteApp(c.Workspace, a.ID); err != nil {
			return err
		}
		d := appDetails(a)
		d["force"] = force
		return s.record(tx, c, Change{Action: "app.deleted", Object: ObjectApp, ID: a.ID, Details: d})
	})
}

// appDetails are the details of an app's changes: what identifies it, none
// of its credentials.
func appDetails(a *App) map[string]any {
	d := map[string]any{"type": a.Type, "provider": a.Provider}
	if a.Name != nil {
		d["name"] = *a.Name
	}
	return d
}

// TestAppAuth answers test-app-auth without reaching the provider: the
// probe succeeds when the app holds credentials (an auth_config was given)
// and fails otherwise, and the outcome is recorded as the app's
// connection_status (connected or error), as the reference says. A probe
// that leaves the status as it was changes nothing and records nothing; one
// that changes it is recorded as an update of connection_status.
func (s *Service) TestAppAuth(ctx context.Context, c Caller, id string) (bool, error) {
	var ok bool
	err := s.Store.Update(ctx, func(tx Tx) error {
		a, err := lockApp(tx, c.Workspace, id)
		if err != nil {
			return err
		}
		ok = a.Auth != nil
		before := a.ConnectionStatus
		a.ConnectionStatus = AppError
		if ok {
			a.ConnectionStatus = AppConnected
		}
		if a.ConnectionStatus == before {
			return nil
		}
		if err := tx.UpdateApp(a); err != nil {
			return err
		}
		d := appDetails(a)
		d["by"], d["connection_status_before"], d["connection_status"] = "test-app-auth", before, a.ConnectionStatus
		return s.record(tx, c, Change{Action: "app.updated", Object: ObjectApp, ID: a.ID, Paths: []string{"/connection_status"}, Details: d})
	})
	return ok, err
}

func getApp(tx Tx, workspaceID, id string) (*App, error) {
	a, err := tx.GetApp(workspaceID, id)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(ENOTFOUND, "app %s not found", id)
	}
	return a, err
}

func lockApp(tx Tx, workspaceID, id string) (*App, error) {
	a, err := tx.LockApp(workspaceID, id)
	if errors.Is(err, ErrNotFound) {
		return nil, Errorf(ENOTFOUND, "app %s not found", id)
	}
	return a, err
}
