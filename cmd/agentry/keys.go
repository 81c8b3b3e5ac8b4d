package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/agentry/agentry"
)

const keysUsage = `Usage:
  agentry keys create [--db DSN] [--workspace NAME] [--label TEXT]
  agentry keys list   [--db DSN] [--workspace NAME]
  agentry keys revoke [--db DSN] ID_OR_PREFIX

create prints a new key on standard output, and nothing else, so that
KEY=$(agentry keys create) works. A key is
` + keyFormat + `.
Only the key's SHA-256 hash is stored: the key cannot be shown again.
list shows each key's ID, prefix, workspace, label and state, never the key
itself. revoke takes a key's ID or its prefix; a running server refuses the
key within its --key-ttl (default 1s), since it remembers valid keys that long.
create and revoke are recorded in the key's workspace's audit log, the actor
being the command and the local user@host who ran it (there is no API key).
`

func (a *app) keys(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, keysUsage)
		return usageError{"keys: no subcommand given (create, list or revoke)"}
	}
	switch args[0] {
	case "create":
		return a.keysCreate(ctx, args[1:])
	case "list":
		return a.keysList(ctx, args[1:])
	case "revoke":
		return a.keysRevoke(ctx, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(a.stdout, keysUsage)
		return nil
	}
	fmt.Fprint(a.stderr, keysUsage)
	return usageError{fmt.Sprintf("keys: unknown subcommand %q", args[0])}
}

func (a *app) keysCreate(ctx context.Context, args []string) error {
	fs := a.flagSet("keys create [flags]", "Creates an API key and prints it, and only it, on standard output.\n")
	db := a.dbFlags(fs)
	ws := fs.String("workspace", agentry.DefaultWorkspace, "workspace that owns the key (created if it does not exist)")
	label := fs.String("label", "", "a note to tell the key apart in 'keys list'")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("keys create: unexpected argument %q", fs.Arg(0))}
	}
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	key, err := (&agentry.KeyService{Store: st, Operator: operator("keys create")}).CreateKey(ctx, *ws, *label)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, key)
	return nil
}

func (a *app) keysList(ctx context.Context, args []string) error {
	fs := a.flagSet("keys list [flags]", "Lists API keys by ID, prefix and label; never the keys themselves.\n")
	db := a.dbFlags(fs)
	ws := fs.String("workspace", "", "only the keys of this workspace (default: every workspace)")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := (&agentry.KeyService{Store: st}).ListKeys(ctx, *ws)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPREFIX\tWORKSPACE\tLABEL\tCREATED\tSTATE")
	for _, k := range keys {
		state := "valid"
		if k.RevokedAt != 0 {
			state = "revoked " + time.UnixMilli(k.RevokedAt).UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s…\t%s\t%s\t%s\t%s\n", k.ID, k.Prefix, k.WorkspaceID, k.Label,
			time.UnixMilli(k.CreatedAt).UTC().Format(time.RFC3339), state)
	}
	return tw.Flush()
}

func (a *app) keysRevoke(ctx context.Context, args []string) error {
	fs := a.flagSet("keys revoke [--db DSN] ID_OR_PREFIX", "Revokes a key: running servers answer 401 to it within their --key-ttl (default 1s).\n")
	db := a.dbFlags(fs)
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"keys revoke: give exactly one key ID or prefix"}
	}
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := (&agentry.KeyService{Store: st, Operator: operator("keys revoke")}).RevokeKey(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "agentry: revoked %s\n", fs.Arg(0))
	return nil
}
