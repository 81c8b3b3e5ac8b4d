package gitops

import (
	"context"
	"fmt"
	"net/http"
)

// Shared conversation-flow components (Retell's
// conversation-flow-component endpoints): files components/NAME.yaml hold
// a component's fields; flows name them from component nodes
// (component_type: shared) by file name.
var componentKind = &flatKind{
	folder:     folderComponents,
	noun:       "shared component",
	idField:    "conversation_flow_component_id",
	nameField:  "name",
	stampField: "user_modified_timestamp",
	getPath:    "/get-conversation-flow-component/",
	endpoint:   "/v2/list-conversation-flow-components",
	list: func(ctx context.Context, c *Client) ([]object, error) {
		return c.listPages(ctx, http.MethodGet, "/v2/list-conversation-flow-components")
	},
	toFile: func(_ context.Context, r *run, resp object) (object, error) {
		out := object{}
		for _, k := range componentFields {
			if v, ok := resp[k]; ok && v != nil {
				out[k] = clone(v)
			}
		}
		return mapRefs(out, "", func(k refKind, id, p string) (string, bool) {
			name, ok := r.nameOf(k, id)
			if !ok {
				r.warn("shared component %s: %s names %s, which is not on this server: kept as the id", str(resp, "conversation_flow_component_id"), p, id)
			}
			return name, ok
		}).(object), nil
	},
	apply: applyComponent,
}

func (r *run) componentWork(f *FlatFile) work { return r.flatWork(componentKind, f) }

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

// pullFlat reads every object of a flat kind; a server without the
// kind's endpoints has none (a warning says so).
func (r *run) pullFlat(ctx context.Context, k *flatKind, first string) ([]pulled, error) {
	list, err := k.list(ctx, r.c)
	if isStatus(err, http.StatusNotFound) {
		r.warn("this server has no %s endpoint: no %ss pulled", k.endpoint, k.noun)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []pulled
	for _, item := range list {
		id := str(item, k.idField)
		cur, etag, err := r.c.getObject(ctx, k.getPath+esc(id), nil)
		if isMissing(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		s := &flatSync{r: r, k: k}
		if err := s.took(ctx, cur, etag); err != nil {
			return nil, err
		}
		fields := s.file
		name, _ := cur[k.nameField].(string)
		out = append(out, pulled{folder: k.folder, kind: k.noun, id: id, source: name, entry: &Entry{ID: id, Seen: s.seen()}, order: string(encodeJSON(fields)),
			render: func(slug string) (map[string][]byte, error) {
				b, err := renderFlat(fmt.Sprintf("%s %q.", upperFirst(k.noun), name), first, fields)
				return map[string][]byte{k.folder + "/" + slug + ".yaml": b}, err
			}})
	}
	return out, nil
}
