package api

import "github.com/agentry/agentry"

// The parameters that several operations share.

// idParam is the path parameter naming a resource of kind.
func idParam(k *agentry.Kind) Param {
	return Param{Name: k.IDField, In: "path", Required: true, Description: "The " + k.Noun + "'s id.",
		Schema: map[string]any{"type": "string", "minLength": 1}}
}

var (
	agentID = idParam(agentry.AnyAgent)

	// versionRef addresses one version of an agent.
	versionRef = Param{Name: "version", In: "query",
		Description: "A version number, latest, latest_published, or a tag name (not latest, latest_published or v followed by digits). Absent means the latest.",
		Schema: map[string]any{"oneOf": []any{
			map[string]any{"type": "integer", "minimum": 0},
			map[string]any{"type": "string", "pattern": "^(latest|latest_published|[a-z][a-z0-9_-]{0,19})$"},
		}}}

	// versionNumber is a version that only a number names.
	versionNumber = Param{Name: "version", In: "query", Required: true, Description: "The version's number.",
		Schema: map[string]any{"type": "integer", "minimum": 0}}

	paging = []Param{
		{Name: "limit", In: "query", Schema: map[string]any{"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}},
		{Name: "sort_order", In: "query", Schema: map[string]any{"type": "string", "enum": []any{"ascending", "descending"}, "default": "descending"}},
		{Name: "pagination_key", In: "query", Description: "The key from the previous page, with the same sort order.",
			Schema: map[string]any{"type": "string"}},
	}

	// legacyPaging is how retell-sdk 4.x pages its lists: after the version
	// pagination_key_version of the resource pagination_key.
	legacyPaging = []Param{
		{Name: "limit", In: "query", Schema: map[string]any{"type": "integer", "minimum": 1, "maximum": 1000, "default": 1000}},
		{Name: "pagination_key", In: "query", Description: "The id of the last item of the previous page.",
			Schema: map[string]any{"type": "string"}},
		{Name: "pagination_key_version", In: "query", Description: "The version of the last item of the previous page; without it, the page starts after every version of pagination_key.",
			Schema: map[string]any{"type": "integer", "minimum": 0}},
	}

	forceDelete = Param{Name: "force_delete", In: "query",
		Description: "Delete even while agent versions use it; they are left pointing at an engine that no longer exists.",
		Schema:      map[string]any{"type": "boolean", "default": false}}
)

// engineVersion is the version parameter of engine endpoints.
func engineVersion(desc string) Param {
	return Param{Name: "version", In: "query", Description: desc, Schema: map[string]any{"type": "integer", "minimum": 0}}
}

// with lists params.
func with(params ...any) []Param {
	var out []Param
	for _, p := range params {
		switch p := p.(type) {
		case Param:
			out = append(out, p)
		case []Param:
			out = append(out, p...)
		}
	}
	return out
}
