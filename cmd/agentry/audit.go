package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/agentry/agentry"
)

const auditUsage = `Usage:
  agentry audit [list] [--url URL] [--api-key KEY] [filters] [--limit N] [--output text|json]
  agentry audit prune --before DATE [--db DSN]

list (the default) reads the workspace's audit log from a server, newest
first: who (key prefix and label) did what (action) to which object, when,
in which request. Filters: --agent ID (all changes to one agent), or
--object-type and --object-id; --actor (a key prefix or label); --action
(agent_version.published, or a prefix such as tag.*); --since and --until
(RFC 3339, a date YYYY-MM-DD, or a duration such as 36h or 7d meaning that
long ago).

prune deletes the entries older than --before, in every workspace, working
on the database directly (no server needed), and records in each
workspace that lost entries an audit_log.pruned entry naming the command
and the user who ran it. Nothing else deletes entries: the log is kept
until an operator prunes it.

Exit status: 0 on success, 1 when the server refused or could not be
reached (or the database failed), 2 for a mistake on the command line.
`

func (a *app) audit(ctx context.Context, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "list":
			return a.auditList(ctx, args[1:])
		case "prune":
			return a.auditPrune(ctx, args[1:])
		case "help":
			fmt.Fprint(a.stdout, auditUsage)
			return nil
		}
	}
	return a.auditList(ctx, args)
}

func (a *app) auditList(ctx context.Context, args []string) error {
	fs := a.flagSet("audit [list] [flags]", "Reads the audit log from a server, newest first.\n")
	cc := a.clientFlags(fs)
	agent := fs.String("agent", "", "only changes to this agent (its versions, tags and routing)")
	objectType := fs.String("object-type", "", "only changes to objects of this type (agent, retell_llm, conversation_flow, api_key, webhook, ...)")
	objectID := fs.String("object-id", "", "only changes to the object with this id")
	actor := fs.String("actor", "", "only changes by this key prefix or label")
	action := fs.String("action", "", "only this action, or a prefix ending in .* (agent_version.*)")
	since := fs.String("since", "", "only changes at or after: RFC 3339, YYYY-MM-DD, or a duration ago (36h, 7d)")
	until := fs.String("until", "", "only changes before: RFC 3339, YYYY-MM-DD, or a duration ago")
	limit := fs.Int("limit", 50, "show at most this many entries (paging through the server's pages)")
	if err := a.parse(fs, interspersed(fs, args)); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("audit: unexpected argument %q", fs.Arg(0))}
	}
	if *limit < 1 {
		return usageError{fmt.Sprintf("audit: --limit must be at least 1, got %d", *limit)}
	}
	if *agent != "" {
		if *objectID != "" || (*objectType != "" && *objectType != agentry.ObjectAgent) {
			return usageError{"audit: --agent cannot be combined with --object-type or --object-id"}
		}
		*objectType, *objectID = agentry.ObjectAgent, *agent
	}
	c, err := cc.client("audit")
	if err != nil {
		return err
	}
	q := url.Values{}
	for name, v := range map[string]string{"object_type": *objectType, "object_id": *objectID, "actor": *actor, "action": *action} {
		if v != "" {
			q.Set(name, v)
		}
	}
	now := time.Now()
	for name, v := range map[string]string{"since": *since, "until": *until} {
		if v == "" {
			continue
		}
		t, err := parseWhen(v, now)
		if err != nil {
			return usageError{fmt.Sprintf("audit: --%s: %v", name, err)}
		}
		q.Set(name, strconv.FormatInt(t.UnixMilli(), 10))
	}
	var entries []json.RawMessage
	for len(entries) < *limit {
		q.Set("limit", strconv.Itoa(min(*limit-len(entries), agentry.MaxPageLimit)))
		body, err := c.get(ctx, "/agentry/v1/audit", q)
		if err != nil {
			return err
		}
		var page struct {
			Items         []json.RawMessage `json:"items"`
			HasMore       bool              `json:"has_more"`
			PaginationKey string            `json:"pagination_key"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return fmt.Errorf("audit: the server's answer is not a page: %w", err)
		}
		entries = append(entries, page.Items...)
		if !page.HasMore {
			break
		}
		q.Set("pagination_key", page.PaginationKey)
	}
	if cc.output == "json" {
		if entries == nil {
			entries = []json.RawMessage{}
		}
		b, err := json.Marshal(entries)
		if err != nil {
			return err
		}
		_, err = a.stdout.Write(append(b, '\n'))
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tACTION\tOBJECT\tVERSION\tACTOR\tREQUEST\tCHANGED")
	for _, raw := range entries {
		var e agentry.AuditEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("audit: an entry of the answer: %w", err)
		}
		version := "-"
		if e.Version != nil {
			version = strconv.FormatInt(*e.Version, 10)
		}
		who := e.Actor.Label
		if e.Actor.KeyPrefix != "" {
			who = strings.TrimSpace(e.Actor.KeyPrefix + "… " + e.Actor.Label)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s %s\t%s\t%s\t%s\t%s\n", time.UnixMilli(e.At).UTC().Format(time.RFC3339),
			clean(e.Action), clean(e.ObjectType), clean(e.ObjectID), version, clean(who), clean(e.RequestID), clean(strings.Join(e.Paths, " ")))
	}
	return tw.Flush()
}

// clean drops control characters from text a server sent, so that it
// cannot drive the terminal.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}

// parseWhen reads a time: RFC 3339, a date (midnight UTC), or a duration
// before now (Go's units, and d for days).
func parseWhen(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time: use RFC 3339 (2026-01-31T09:00:00Z), a date (2026-01-31) or a duration ago (36h, 7d)", s)
}

func (a *app) auditPrune(ctx context.Context, args []string) error {
	fs := a.flagSet("audit prune --before DATE [--db DSN]", "Deletes audit entries older than --before, in every workspace, on the database directly.\n")
	db := a.dbFlags(fs)
	before := fs.String("before", "", "delete entries older than this: RFC 3339, YYYY-MM-DD, or a duration ago (90d)")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("audit prune: unexpected argument %q", fs.Arg(0))}
	}
	if *before == "" {
		return usageError{"audit prune: --before is required (a date, or a duration ago such as 90d)"}
	}
	now := time.Now()
	cut, err := parseWhen(*before, now)
	if err != nil {
		return usageError{fmt.Sprintf("audit prune: --before: %v", err)}
	}
	if cut.After(now) {
		return usageError{fmt.Sprintf("audit prune: --before %s is in the future", cut.UTC().Format(time.RFC3339))}
	}
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	op := agentry.Caller{KeyLabel: operator("audit prune"), RequestID: agentry.NewID("op_")}
	n, err := agentry.PruneAudit(ctx, st, op, cut.UnixMilli(), now.UnixMilli())
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "pruned %d audit entries older than %s\n", n, cut.UTC().Format(time.RFC3339))
	return nil
}
