// Command agentry serves Retell's agent-management API over SQLite or
// PostgreSQL, and manages the database and API keys.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/agentry/agentry"
)

const usage = `agentry serves Retell AI's agent-management API (voice and chat agents,
their versions, drafts and publishing, the engines, knowledge bases, phone
numbers, tests and apps around them) so that the official Retell SDKs work
against it unchanged, pointed at it with baseURL.

Usage:
  agentry serve   [--addr ADDR] [--db DSN] [flags]   run the API server
  agentry migrate [--db DSN]                         apply database migrations and exit
  agentry keys create [--db DSN] [--workspace NAME] [--label TEXT]
                                                     print a new API key (and only the key)
  agentry keys list   [--db DSN] [--workspace NAME]  list keys by prefix and label
  agentry keys revoke [--db DSN] ID_OR_PREFIX        revoke a key
  agentry pull|plan|apply --dir DIR --url URL        configuration as code: files in
                                                     git, reviewed, applied to a server
  agentry diff [--url URL] AGENT FROM TO             show what changed between two versions of an agent
  agentry audit [--url URL] [filters]                read the audit log, newest first
  agentry audit prune --before DATE [--db DSN]       delete audit entries older than DATE
  agentry help [COMMAND]                             show help

The database (--db or AGENTRY_DB) is a file path for SQLite (default
./agentry.db, created if missing) or a postgres:// URL for PostgreSQL.
Migrations are applied when any command opens the database.
diff and audit ask a running server (--url or AGENTRY_URL, default
http://127.0.0.1:8080) with an API key (--api-key or AGENTRY_API_KEY).

Run 'agentry COMMAND --help' for the flags of a command.
`

// app is the program with its surroundings made explicit, so tests can run
// it in-process: arguments, environment, output streams and a hook that
// learns the address the server listens on.
type app struct {
	getenv   func(string) string
	stdout   io.Writer
	stderr   io.Writer
	onListen func(addr string)
	onStore  func(agentry.Store) // tests: the store serve opened

	// envFlags records, per flag set, which flags take their value from
	// which environment variable when not given (see fromEnv).
	envFlags map[*flag.FlagSet][]envFlag
}

// envFlag binds a flag to the environment variable it falls back to.
type envFlag struct{ flag, env string }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr}
	if err := a.run(ctx, os.Args[1:]); err != nil && !errors.Is(err, flag.ErrHelp) {
		if err.Error() != "" {
			fmt.Fprintln(os.Stderr, "agentry:", err)
		}
		os.Exit(exitCode(err))
	}
}

// usageError marks a mistake in the command line (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	var status interface{ ExitCode() int }
	if errors.As(err, &status) {
		return status.ExitCode()
	}
	return 1
}

func (a *app) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, usage)
		return usageError{"no command given"}
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return a.serve(ctx, rest)
	case "migrate":
		return a.migrate(ctx, rest)
	case "keys":
		return a.keys(ctx, rest)
	case "pull":
		return a.pull(ctx, rest)
	case "plan":
		return a.plan(ctx, rest)
	case "apply":
		return a.apply(ctx, rest)
	case "diff":
		return a.diff(ctx, rest)
	case "audit":
		return a.audit(ctx, rest)
	case "help", "-h", "--help", "-help":
		if len(rest) > 0 {
			return a.run(ctx, []string{rest[0], "--help"})
		}
		fmt.Fprint(a.stdout, usage)
		return nil
	default:
		fmt.Fprint(a.stderr, usage)
		return usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
}

// flagSet makes a FlagSet whose --help prints to stdout and whose errors are
// returned, not fatal.
func (a *app) flagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: agentry %s\n\n%s\nFlags (each also read from the environment variable shown):\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, taking help to stdout and mistakes to a usageError.
func (a *app) parse(fs *flag.FlagSet, args []string) error {
	for _, arg := range args {
		if arg == "-h" || arg == "--help" || arg == "-help" {
			fs.SetOutput(a.stdout)
			fs.Usage()
			return flag.ErrHelp
		}
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, b := range a.envFlags[fs] {
		v := strings.TrimSpace(a.getenv(b.env))
		if v == "" || given[b.flag] {
			continue // the flag wins over its variable
		}
		if err := fs.Set(b.flag, v); err != nil {
			return usageError{fmt.Sprintf("%s=%q is not a valid value for --%s: want %s", b.env, v, b.flag, wanted(fs.Lookup(b.flag)))}
		}
	}
	return nil
}

// fromEnv makes flag name of fs take the value of the environment variable
// env when the command line does not give it. A value the flag cannot parse
// is a usage error that names the variable: a typo in the environment never
// silently becomes the default.
func (a *app) fromEnv(fs *flag.FlagSet, name, env string) {
	if a.envFlags == nil {
		a.envFlags = map[*flag.FlagSet][]envFlag{}
	}
	a.envFlags[fs] = append(a.envFlags[fs], envFlag{flag: name, env: env})
}

// wanted says what a flag's value must be, for messages.
func wanted(f *flag.Flag) string {
	if g, ok := f.Value.(flag.Getter); ok {
		switch g.Get().(type) {
		case int:
			return "a whole number"
		case time.Duration:
			return "a duration such as 500ms, 10s or 5m"
		case bool:
			return "true or false"
		}
	}
	return "a valid value"
}

// env returns the environment variable name, or def when it is unset.
func (a *app) env(name, def string) string {
	if v := strings.TrimSpace(a.getenv(name)); v != "" {
		return v
	}
	return def
}
