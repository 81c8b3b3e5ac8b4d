package gitops

import (
	"context"
	"fmt"
	"net/http"

	"github.com/agentry/agentry/schema"
)

// Shared conversation-flow components (Retell's
// conversation-flow-component endpoints): files components/NAME.yaml hold
// a component's fields, as create-conversation-flow-component takes them;
// flows and other components name them from component nodes
// (component_type: shared) by file name. Every answer carries an ETag, and
// apply's edits send it as If-Match.
var componentKind = &flatKind{
	folder:    folderComponents,
	noun:      "shared component",
	idField:   "conversation_flow_component_id",
	nameField: "name",
	getPath:   "/get-conversation-flow-component/",
	endpoint:  "/v2/list-conversation-flow-components",
	// Where the server sends no ETag (Retell), the flows that use a
	// component are no change of it.
	volatile: []string{"linked_conversation_flow_ids"},
	list: func(ctx context.Context, c *Client) ([]object, error) {
		return c.listPages(ctx, http.MethodGet, "/v2/list-conversation-flow-components")
	},
	toFile: func(cur object, names namer) (object, []string) {
		out := object{}
		for k, v := range cur {
			// The component's configuration: what its create takes.
			if schema.ConversationFlowComponent.Has(k) && v != nil {
				out[k] = clone(v)
			}
		}
		var warnings []string
		out = mapRefs(out, "", func(k refKind, id, p string) (string, bool) {
			name, ok := names(k, id)
			if !ok {
				warnings = append(warnings, fmt.Sprintf("%s names %s %s, which no file stands for: kept as the id", p, k.noun(), id))
			}
			return name, ok
		}).(object)
		return out, warnings
	},
	apply: applyComponent,
}

func (r *run) componentWork(f *FlatFile) work { return r.flatWork(componentKind, f) }

// checkComponent checks a shared component with the server's rules: those
// of create-conversation-flow-component's body, and those across its nodes
// and tools (a flow's).
func checkComponent(f *FlatFile, fail func(*FileError)) {
	if err := checkObject(schema.ConversationFlowComponent, f.Fields, schema.Create); err != nil {
		fail(schemaError(f.Path, f.lines, "", err))
		return
	}
	fields, err := schema.DecodeObject(encodeJSON(f.Fields))
	if err == nil {
		err = schema.Rules{}.CheckComponentConfig(fields)
	}
	if err != nil {
		fail(schemaError(f.Path, f.lines, "", err))
	}
}

// applyComponent creates or edits a shared component.
func applyComponent(ctx context.Context, r *run, s *flatSync, want object) error {
	if s.cur == nil {
		return r.step(s.rep, Step{Action: ActCreate, Detail: fmt.Sprintf("create shared component %q", str(want, "name"))}, func() error {
			body, err := r.toServer(want)
			if err != nil {
				return err
			}
			resp, etag, err := r.c.send(ctx, http.MethodPost, "/create-conversation-flow-component", nil, body, "")
			if err != nil {
				return err
			}
			s.id = str(resp, s.k.idField)
			if s.id == "" {
				return fmt.Errorf("the server created the component but answered without its id")
			}
			s.rep.ID = s.id
			r.bind(s.f.Path, s.id)
			if err := s.took(ctx, resp, etag); err != nil {
				return err
			}
			s.record()
			return nil
		})
	}
	patch, err := r.toServer(flatPatch(s.file, want, nil))
	if err != nil {
		return err
	}
	st := Step{Action: ActEdit, Detail: "edit shared component " + s.id, Changes: docDiff(s.file, want)}
	return r.step(s.rep, st, func() error {
		if err := s.pending(want); err != nil {
			return err
		}
		resp, etag, err := r.c.send(ctx, http.MethodPatch, "/update-conversation-flow-component/"+esc(s.id), nil, patch, s.etag)
		if err != nil {
			return err
		}
		if err := s.took(ctx, resp, etag); err != nil {
			return err
		}
		s.record()
		return nil
	})
}

// pullComponents reads every shared component.
func (r *run) pullComponents(ctx context.Context) ([]pulled, error) {
	return r.pullFlat(ctx, componentKind, "name")
}
