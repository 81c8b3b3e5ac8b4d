package agentry

import (
	"context"
	"encoding/json"
	"slices"
)

// get-app-tool-schema is, on Retell, one round of a loop in which the
// provider's catalog says which input parameters an app tool template takes,
// step by step. agentry has no provider catalog and reaches no provider. It
// answers from what was configured: the parameters of the app tools that
// already run against the app with that template, in the workspace's agent
// and engine versions (the most recently changed version's tool when
// several differ). Round k (k parameters resolved so far) answers that
// tool's parameter k as input_schema, complete on its last parameter; past
// its last parameter, or for a template no configuration uses yet, the
// answer is complete with no input_schema: agentry knows of no more input.

// AppToolSchemaStep is one round's answer.
type AppToolSchemaStep struct {
	Complete bool
	// InputSchema is the next ToolParameter to fill, or nil.
	InputSchema json.RawMessage
}

// AppToolSchema answers round len(resolved) of the schema loop of template
// on app id.
func (s *Service) AppToolSchema(ctx context.Context, c Caller, appID, template string, resolved int) (*AppToolSchemaStep, error) {
	var params []json.RawMessage
	err := s.Store.View(ctx, func(tx Tx) error {
		a, err := getApp(tx, c.Workspace, appID)
		if err != nil {
			return err
		}
		vs, err := tx.VersionsMentioning(c.Workspace, a.ID)
		if err != nil {
			return err
		}
		// The most recently changed version first; ties by id and number.
		slices.SortFunc(vs, func(x, y Version) int {
			if c := compareInt(y.ModifiedAt, x.ModifiedAt); c != 0 {
				return c
			}
			if x.ResourceID != y.ResourceID {
				if x.ResourceID < y.ResourceID {
					return -1
				}
				return 1
			}
			return compareInt(y.Number, x.Number)
		})
		for i := range vs {
			tools := appTools(vs[i].Config, a.ID, template)
			if len(tools) == 0 {
				continue
			}
			list, _ := tools[0]["parameters"].([]any)
			for _, p := range list {
				raw, err := json.Marshal(p)
				if err != nil {
					return err
				}
				params = append(params, raw)
			}
			return nil
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if resolved >= len(params) {
		return &AppToolSchemaStep{Complete: true}, nil
	}
	return &AppToolSchemaStep{Complete: resolved == len(params)-1, InputSchema: params[resolved]}, nil
}
