package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/diff"
)

// agentry's change history: the diff of two versions of an agent, and the
// audit log.

// diffSide is one version of a diff answer: its metadata and the engine it
// pins.
type diffSide struct {
	Version                   int64       `json:"version"`
	IsPublished               bool        `json:"is_published"`
	BaseVersion               *int64      `json:"base_version"`
	VersionTitle              *string     `json:"version_title"`
	VersionDescription        *string     `json:"version_description"`
	LastModificationTimestamp int64       `json:"last_modification_timestamp"`
	Engine                    *diffEngine `json:"engine"`
}

type diffEngine struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Version int64  `json:"version"`
	Missing bool   `json:"missing,omitempty"`
}

type diffAnswer struct {
	AgentID string        `json:"agent_id"`
	From    diffSide      `json:"from"`
	To      diffSide      `json:"to"`
	Changes []diff.Change `json:"changes"`
}

func sideOf(c *agentry.Compared) diffSide {
	v := c.Version
	s := diffSide{Version: v.Number, IsPublished: v.Published, BaseVersion: v.BaseVersion, VersionTitle: v.Title,
		VersionDescription: v.Description, LastModificationTimestamp: v.ModifiedAt}
	if c.EngineKind != nil && v.EngineVersion != nil {
		s.Engine = &diffEngine{Type: c.EngineKind.Name, ID: v.EngineID, Version: *v.EngineVersion, Missing: c.EngineMissing}
	}
	return s
}

func (s *Server) getAgentDiff(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	from, err := diffRef(q, "from")
	if err != nil {
		return err
	}
	to, err := diffRef(q, "to")
	if err != nil {
		return err
	}
	a, b, err := s.Service.Compare(r.Context(), caller(r), r.PathValue("agent_id"), from, to)
	if err != nil {
		return err
	}
	changes, err := diff.Diff(a.Document, b.Document)
	if err != nil {
		return err // stored configurations are valid JSON: this is internal
	}
	writeJSON(w, http.StatusOK, diffAnswer{AgentID: a.Version.ResourceID, From: sideOf(a), To: sideOf(b), Changes: changes})
	return nil
}

// diffRef reads the from or to parameter: any version reference; absent,
// from is latest_published and to is latest, so that a bare diff shows what
// publishing the latest version would change.
func diffRef(q url.Values, name string) (agentry.VersionRef, error) {
	raw := q.Get(name)
	if raw == "" {
		if name == "from" {
			return agentry.VersionRef{Form: agentry.RefLatestPublished}, nil
		}
		return agentry.VersionRef{Form: agentry.RefLatest}, nil
	}
	ref, err := agentry.ParseVersionRef(raw)
	if err != nil {
		return ref, agentry.Errorf(agentry.EINVALID, "%s: %s", name, strings.TrimPrefix(agentry.ErrorMessage(err), "version: "))
	}
	return ref, nil
}

func (s *Server) listAuditEntries(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, err := agentry.ParsePageRequest(q.Get("limit"), q.Get("sort_order"), q.Get("pagination_key"), true)
	if err != nil {
		return err
	}
	f := agentry.AuditFilter{ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), Actor: q.Get("actor"), Action: q.Get("action")}
	if err := agentry.CheckAuditAction(f.Action); err != nil {
		return err
	}
	if f.Since, err = timeParam(q, "since"); err != nil {
		return err
	}
	if f.Until, err = timeParam(q, "until"); err != nil {
		return err
	}
	if f.Since != 0 && f.Until != 0 && f.Until <= f.Since {
		return agentry.Errorf(agentry.EINVALID, "until: must be after since")
	}
	res, err := s.Service.Audit(r.Context(), caller(r), f, page)
	if err != nil {
		return err
	}
	items := res.Items
	if items == nil {
		items = []agentry.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, listResponse[agentry.AuditEntry]{Items: items, HasMore: res.HasMore, PaginationKey: res.NextKey})
	return nil
}

// timeParam reads a time as milliseconds since the epoch or RFC 3339; 0
// when absent.
func timeParam(q url.Values, name string) (int64, error) {
	raw := q.Get(name)
	if raw == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil && n > 0 {
		return n, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, raw); err == nil && t.UnixMilli() > 0 {
		return t.UnixMilli(), nil
	}
	return 0, agentry.Errorf(agentry.EINVALID, "%s: must be milliseconds since the epoch or an RFC 3339 time such as 2026-01-31T09:00:00Z, got %s", name, strconv.Quote(raw))
}
