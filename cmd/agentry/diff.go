package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"

	"github.com/agentry/agentry/diff"
)

const diffSynopsis = `Shows what changed between two versions of an agent (voice or chat), the
configuration of the response engine each pins (Retell LLM or conversation
flow) included, as the server's GET /agentry/v1/agents/AGENT/diff answers:
one line per change, a JSON Pointer into {agent, engine}:

  ~ /agent/voice_speed: 1 → 1.2          replaced
  + /engine/states/0: {"name":"triage",…} added
  - /engine/general_tools/2: {"name":"lookup",…}  removed

FROM and TO are version references: a number, latest, latest_published or a
tag name. Lists of named items (tools, states, nodes, edges, analysis
fields) are matched by name or id, so a reorder or an insertion is one
change, not many. Colours only on a terminal (and never with NO_COLOR set).

Exit status: 0 when the diff was shown (with or without changes), 1 when
the server refused (an unknown agent, version or tag) or could not be
reached, 2 for a mistake on the command line.
`

func (a *app) diff(ctx context.Context, args []string) error {
	fs := a.flagSet("diff [flags] AGENT FROM TO", diffSynopsis)
	cc := a.clientFlags(fs)
	full := fs.Bool("full", false, "show values whole instead of shortened to one line")
	if err := a.parse(fs, interspersed(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 3 {
		return usageError{fmt.Sprintf("diff: want AGENT FROM TO, got %d arguments", fs.NArg())}
	}
	c, err := cc.client("diff")
	if err != nil {
		return err
	}
	agent := fs.Arg(0)
	body, err := c.get(ctx, "/agentry/v1/agents/"+url.PathEscape(agent)+"/diff", url.Values{"from": {fs.Arg(1)}, "to": {fs.Arg(2)}})
	if err != nil {
		return err
	}
	if cc.output == "json" {
		_, err := a.stdout.Write(append(body, '\n'))
		return err
	}
	var d struct {
		From, To diffSide
		Changes  []diff.Change
	}
	if err := json.Unmarshal(body, &d); err != nil {
		return fmt.Errorf("diff: the server's answer is not a diff: %w", err)
	}
	opts := diff.FormatOptions{Color: a.colorful(a.stdout), Full: *full}
	if err := diff.FormatHeader(a.stdout, agent+" "+d.From.label(), d.To.label(), len(d.Changes), opts); err != nil {
		return err
	}
	return diff.Format(a.stdout, d.Changes, opts)
}

// diffSide is the part of a diff answer's side that the header shows.
type diffSide struct {
	Version     int64   `json:"version"`
	IsPublished bool    `json:"is_published"`
	Title       *string `json:"version_title"`
	Engine      *struct {
		Type    string `json:"type"`
		ID      string `json:"id"`
		Version int64  `json:"version"`
		Missing bool   `json:"missing"`
	} `json:"engine"`
}

// label is "version 3 (published, "prod"; retell-llm llm_… v3)".
func (s diffSide) label() string {
	state := "draft"
	if s.IsPublished {
		state = "published"
	}
	if s.Title != nil && *s.Title != "" {
		state += ", " + strconv.Quote(*s.Title)
	}
	if e := s.Engine; e != nil {
		state += fmt.Sprintf("; %s %s v%d", e.Type, e.ID, e.Version)
		if e.Missing {
			state += " (gone)"
		}
	}
	return fmt.Sprintf("version %d (%s)", s.Version, state)
}
