package agentry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Shared conversation flow components: nodes (with their tools) that flows
// use from component nodes whose component_type is shared. Retell does not
// version them; a published flow version must still never change, so
// publishing a flow version snapshots every shared component it uses
// (transitively), and the version serves those snapshots forever after:
// editing or deleting a component reaches only drafts. Deleting a component
// copies it into each draft that uses it as a local component (in the
// flow's components, with component_id set to the deleted component's id,
// and the nodes that named it switched to component_type local).

// ComponentIDPrefix starts the id of every shared component.
const ComponentIDPrefix = "component_"

// Component is a shared conversation flow component.
type Component struct {
	WorkspaceID string
	ID          string
	// Config holds every field of the component (name, nodes, tools, ...)
	// as a JSON object.
	Config     json.RawMessage
	CreatedAt  int64
	ModifiedAt int64
	// Revision counts writes; it makes the ETag of If-Match.
	Revision int64
	// LinkedFlowIDs are the flows that have a draft version using the
	// component: the flows its edits reach. Reads of the service fill it.
	LinkedFlowIDs []string
}

// ComponentSnapshot is a shared component as a published flow version keeps it.
type ComponentSnapshot struct {
	WorkspaceID string
	FlowID      string
	Number      int64
	ComponentID string
	Config      json.RawMessage
	ModifiedAt  int64
}

// ComponentRules are the field rules of shared components. When the
// service's Rules implement them, every component write passes them (the
// store suite's rules accept anything and do not).
type ComponentRules interface {
	// CheckComponent checks a create body, or with patch the fields a patch
	// sends.
	CheckComponent(fields Fields, patch bool) error
	// CheckComponentConfig checks a whole component as a write would store
	// it: node ids unique, edges and the start node naming nodes, tools.
	CheckComponentConfig(config Fields) error
}

// ComponentETag is the entity tag of a component as it is now.
func ComponentETag(c *Component) string { return fmt.Sprintf(`"%s.%d"`, c.ID, c.Revision) }

// UpdateComponentRequest asks to apply a patch to a shared component.
type UpdateComponentRequest struct {
	ID      string
	Patch   Fields
	IfMatch string
}

// ComponentPage is one page of shared components.
type ComponentPage = Page[Component]

func (s *Service) componentRules() ComponentRules {
	r, _ := s.Rules.(ComponentRules)
	return r
}

func componentNotFound(id string) error {
	return Errorf(ENOTFOUND, "shared conversation flow component %s not found", id)
}

// CreateComponent stores a new shared component.
func (s *Service) CreateComponent(ctx context.Context, c Caller, fields Fields) (*Component, error) {
	if r := s.componentRules(); r != nil {
		if err := r.CheckComponent(fields, false); err != nil {
			return nil, err
		}
		if err := r.CheckComponentConfig(fields); err != nil {
			return nil, err
		}
	}
	links, err := linksOf(fields)
	if err != nil {
		return nil, err
	}
	config, err := encodeConfig(maps.Clone(fields))
	if err != nil {
		return nil, err
	}
	now := s.now()
	comp := &Component{WorkspaceID: c.Workspace, ID: NewID(ComponentIDPrefix), Config: config, CreatedAt: now, ModifiedAt: now,
		LinkedFlowIDs: []string{}}
	err = s.Store.Update(ctx, func(tx Tx) error {
		if err := guardLinks(tx, c.Workspace, links, ENOTFOUND); err != nil {
			return err
		}
		if err := tx.InsertComponent(comp); err != nil {
			return err
		}
		if err := tx.SetComponentLinks(c.Workspace, comp.ID, storedLinks(links)); err != nil {
			return err
		}
		return s.record(tx, c, Change{Action: "conversation_flow_component.created", Object: ObjectComponent, ID: comp.ID,
			Details: map[string]any{"name": componentName(fields)}})
	})
	if err != nil {
		return nil, err
	}
	return comp, nil
}

// GetComponent reads a shared component with the flows it is linked to.
func (s *Service) GetComponent(ctx context.Context, c Caller, id string) (*Component, error) {
	var comp *Component
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		comp, err = tx.GetComponent(c.Workspace, id)
		if errors.Is(err, ErrNotFound) {
			return componentNotFound(id)
		} else if err != nil {
			return err
		}
		return fillLinkedFlows(tx, comp)
	})
	return comp, err
}

// fillLinkedFlows sets the flows whose drafts use each of comps, in one
// read.
func fillLinkedFlows(tx Tx, comps ...*Component) error {
	if len(comps) == 0 {
		return nil
	}
	ids := make([]string, len(comps))
	for i, c := range comps {
		ids[i] = c.ID
	}
	linked, err := tx.DraftLinkers(comps[0].WorkspaceID, LinkComponent, ids)
	if err != nil {
		return err
	}
	for _, c := range comps {
		c.LinkedFlowIDs = linked[c.ID]
		if c.LinkedFlowIDs == nil {
			c.LinkedFlowIDs = []string{}
		}
	}
	return nil
}

// UpdateComponent applies a patch to a shared component: an absent field is
// unchanged, null clears a nullable one.
func (s *Service) UpdateComponent(ctx context.Context, c Caller, req UpdateComponentRequest) (*Component, error) {
	rules := s.componentRules()
	if rules != nil {
		if err := rules.CheckComponent(req.Patch, true); err != nil {
			return nil, err
		}
	}
	links, err := linksOf(req.Patch)
	if err != nil {
		return nil, err
	}
	var comp *Component
	err = s.Store.Update(ctx, func(tx Tx) error {
		if err := guardLinks(tx, c.Workspace, links, ENOTFOUND); err != nil {
			return err
		}
		comp, err = tx.LockComponent(c.Workspace, req.ID)
		if errors.Is(err, ErrNotFound) {
			return componentNotFound(req.ID)
		} else if err != nil {
			return err
		}
		if req.IfMatch != "" && req.IfMatch != "*" && req.IfMatch != ComponentETag(comp) && req.IfMatch != "W/"+ComponentETag(comp) {
			return Errorf(EPRECONDITION, "Precondition failed for conditional update: shared conversation flow component %s has changed since ETag %s (it is now %s)", comp.ID, req.IfMatch, ComponentETag(comp))
		}
		var config Fields
		if err := json.Unmarshal(comp.Config, &config); err != nil {
			return fmt.Errorf("decode component %s: %w", comp.ID, err)
		}
		for k, v := range req.Patch {
			if isNull(v) {
				delete(config, k)
			} else {
				config[k] = v
			}
		}
		if rules != nil {
			if err := rules.CheckComponentConfig(config); err != nil {
				return err
			}
		}
		if err := refuseComponentCycle(tx, c.Workspace, comp.ID, links); err != nil {
			return err
		}
		all, err := linksOf(config)
		if err != nil {
			return err
		}
		if comp.Config, err = encodeConfig(config); err != nil {
			return err
		}
		comp.ModifiedAt = max(s.now(), comp.ModifiedAt)
		comp.Revision++
		if err := tx.UpdateComponent(comp); err != nil {
			return err
		}
		if err := tx.SetComponentLinks(c.Workspace, comp.ID, storedLinks(all)); err != nil {
			return err
		}
		if err := fillLinkedFlows(tx, comp); err != nil {
			return err
		}
		// The flows whose drafts the edit reaches, since they serve the
		// component as it is now.
		return s.record(tx, c, Change{Action: "conversation_flow_component.updated", Object: ObjectComponent, ID: comp.ID,
			Paths: patchPaths(req.Patch), Details: map[string]any{"name": componentName(config), "linked_flow_ids": comp.LinkedFlowIDs}})
	})
	if err != nil {
		return nil, err
	}
	return comp, nil
}

// refuseComponentCycle refuses links through which component id would
// contain itself.
func refuseComponentCycle(tx Tx, workspaceID, id string, links []Link) error {
	for _, l := range links {
		if l.Kind != LinkComponent {
			continue
		}
		seen := map[string]bool{}
		queue := []string{l.ID}
		for len(queue) > 0 {
			next := queue[0]
			queue = queue[1:]
			if next == id {
				return Errorf(EINVALID, "%s: component %s would contain itself through %s; a shared component cannot use itself", l.Path, id, l.ID)
			}
			if seen[next] {
				continue
			}
			seen[next] = true
			nested, err := tx.ComponentLinks(workspaceID, next)
			if err != nil {
				return err
			}
			for _, n := range nested {
				if n.Kind == LinkComponent {
					queue = append(queue, n.ID)
				}
			}
		}
	}
	return nil
}

// ListComponents returns one page of the workspace's shared components,
// ordered by creation.
func (s *Service) ListComponents(ctx context.Context, c Caller, p PageRequest) (*ComponentPage, error) {
	p = p.normalized()
	q, err := keysetQuery("c", p)
	if err != nil {
		return nil, err
	}
	var page *ComponentPage
	err = s.Store.View(ctx, func(tx Tx) error {
		items, err := tx.ListComponents(c.Workspace, q)
		if err != nil {
			return err
		}
		page = keysetPage(items, p, "c", func(c *Component) (int64, string) { return c.CreatedAt, c.ID })
		ptrs := make([]*Component, len(page.Items))
		for i := range page.Items {
			ptrs[i] = &page.Items[i]
		}
		return fillLinkedFlows(tx, ptrs...)
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// DeleteComponent deletes a shared component after copying it, as a local
// component, into every draft flow version that uses it. Published versions
// keep their snapshots and are not touched. A component that another
// component uses cannot be deleted.
func (s *Service) DeleteComponent(ctx context.Context, c Caller, id string) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		// Under the workspace lock no new link to the component can appear
		// (see links.go), so the users read now are all there are.
		if err := tx.LockWorkspace(c.Workspace); err != nil {
			return err
		}
		if _, err := tx.GetComponent(c.Workspace, id); errors.Is(err, ErrNotFound) {
			return componentNotFound(id)
		} else if err != nil {
			return err
		}
		users, err := tx.LinkUsers(c.Workspace, LinkComponent, id, 0)
		if err != nil {
			return err
		}
		var drafts []LinkUser
		var flows []string
		for _, u := range users {
			switch {
			case u.ComponentID != "":
				return Errorf(EINVALID, "shared conversation flow component %s is used by %s: remove it from there first, then delete it", id, u)
			case !u.Published:
				drafts = append(drafts, u)
				if !slices.Contains(flows, u.ResourceID) {
					flows = append(flows, u.ResourceID)
				}
			}
		}
		// Engines are locked before the component, in a fixed order.
		slices.Sort(flows)
		locked := map[string]*Resource{}
		for _, f := range flows {
			r, err := tx.LockResource(c.Workspace, f)
			if err != nil {
				return err
			}
			locked[f] = r
		}
		comp, err := tx.LockComponent(c.Workspace, id)
		if err != nil {
			return err
		}
		now := s.now()
		localized := []map[string]any{}
		for _, u := range drafts {
			v, err := tx.GetVersion(c.Workspace, u.ResourceID, u.Number)
			if errors.Is(err, ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			if v.Published {
				continue
			}
			paths, err := localize(v, comp.ID, comp.Config)
			if err != nil || len(paths) == 0 {
				return err
			}
			v.ModifiedAt = max(now, v.ModifiedAt)
			v.Revision++
			if err := tx.UpdateVersion(v); err != nil {
				return err
			}
			if err := relinkComponents(tx, v); err != nil {
				return err
			}
			if err := touch(tx, locked[u.ResourceID], now, nil); err != nil {
				return err
			}
			// Each draft changed is an edit of it, like a repair's.
			if err := s.record(tx, c, Change{Action: "conversation_flow.updated", Object: ObjectType(ConversationFlow), ID: v.ResourceID,
				Version: &v.Number, Paths: paths, Details: map[string]any{"by": "delete-conversation-flow-component", "component_id": comp.ID}}); err != nil {
				return err
			}
			localized = append(localized, map[string]any{"conversation_flow_id": v.ResourceID, "version": v.Number})
		}
		if err := tx.DeleteComponent(c.Workspace, id); err != nil {
			return err
		}
		var config Fields
		if err := json.Unmarshal(comp.Config, &config); err != nil {
			return fmt.Errorf("decode component %s: %w", comp.ID, err)
		}
		return s.record(tx, c, Change{Action: "conversation_flow_component.deleted", Object: ObjectComponent, ID: comp.ID,
			Details: map[string]any{"name": componentName(config), "localized_into": localized}})
	})
}

// componentName is a component's name, for the details of its changes; ""
// when it has none.
func componentName(config Fields) string {
	var name string
	if raw, ok := config["name"]; ok {
		_ = json.Unmarshal(raw, &name) // a name that is not a string is shown as none
	}
	return name
}
