package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"github.com/agentry/agentry/gitops"
)

const gitopsUsage = `Keep a workspace's configuration in files, review changes, apply them.

  agentry pull  --dir DIR   write the server's agents (with their Retell LLM or
                            conversation flow), tags, shared flow components,
                            knowledge bases (with their texts and documents)
                            and phone numbers into DIR, one YAML file per object
  agentry plan  --dir DIR   show what apply would change, object by object
  agentry apply --dir DIR   make the server hold what the files say

The workflow:
  1. agentry pull --dir config           once, from the server you start from;
     git add config && git commit        commit the files and config/.agentry/state/
  2. edit config/agents/support.yaml     on a branch; open a pull request
  3. agentry plan --dir config           in CI on the pull request: the diff
                                         per object; exit 3 means "changes"
  4. agentry apply --dir config --publish
                                         after the merge: edits land in drafts
                                         (a new draft when the latest version is
                                         published), --publish publishes them
                                         titled after the git commit, tags move
                                         where the files say, numbers are rebound

The files: agents/NAME.yaml (a voice agent's latest version: an agent section
and its retell_llm or conversation_flow section, and the tags that point at
it), agents/NAME@TAG.yaml (the version a tag points at, when not the latest),
chat-agents/, components/, knowledge-bases/ (and knowledge-bases/NAME/, the
documents' bytes), phone-numbers/. Objects name each other by file name
(knowledge_base_ids: [faq], component_id: collect-info, agent_id:
agents/billing, agent: support), so one directory applies to several servers.
Each server and workspace has a state file, DIR/.agentry/state/HOST-KEYPREFIX.json
(or NAME.json with --state NAME), mapping files to its ids and recording what
the server showed; apply refuses an object that changed on the server since
then (exit 4) unless --force. Files are checked against the server's own field
rules before anything is sent; errors name the file, line and field.

The server: --url and --api-key, or RETELL_BASE_URL and RETELL_API_KEY (the
names Retell's SDKs use). Any server that speaks Retell's API works: agentry,
or Retell itself; tags, sticky routing and reading back knowledge base texts
need agentry's extensions.

Exit status: 0 done, or no changes (plan); 1 error (bad files, a failed
request: apply says what was applied and what was not, and running it again
finishes the job); 2 bad command line; 3 plan found changes; 4 an object
changed on the server since the state was recorded (refused).

More: docs/CONFIG-AS-CODE.md.
`

// exitStatus ends the program with a status other than 1 or 2; an empty
// message prints nothing.
type exitStatus struct {
	code int
	msg  string
}

func (e exitStatus) Error() string { return e.msg }

// ExitCode is the status the program ends with.
func (e exitStatus) ExitCode() int { return e.code }

// gitopsFlags are the flags pull, plan and apply share.
type gitopsFlags struct {
	dir, url, key, state, output string
}

func (a *app) gitopsFlagSet(name, synopsis string) (*flag.FlagSet, *gitopsFlags) {
	fs := a.flagSet(name+" --dir DIR [flags]", synopsis)
	g := &gitopsFlags{}
	fs.StringVar(&g.dir, "dir", ".", "the configuration directory")
	fs.StringVar(&g.url, "url", "", "the server: https://api.retellai.com, or an agentry such as http://127.0.0.1:8080 (RETELL_BASE_URL)")
	fs.StringVar(&g.key, "api-key", "", "the API key, which also chooses the workspace (RETELL_API_KEY)")
	fs.StringVar(&g.state, "state", "", "the state's name under DIR/.agentry/state/ (default HOST-KEYPREFIX)")
	fs.StringVar(&g.output, "output", "text", "text, or json for machines")
	a.fromEnv(fs, "url", "RETELL_BASE_URL")
	a.fromEnv(fs, "api-key", "RETELL_API_KEY")
	return fs, g
}

// check validates the shared flags after parsing.
func (g *gitopsFlags) check(fs *flag.FlagSet, cmd string) error {
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", cmd, fs.Arg(0))}
	}
	if g.url == "" {
		return usageError{cmd + ": no server: pass --url or set RETELL_BASE_URL"}
	}
	if !strings.HasPrefix(g.url, "http://") && !strings.HasPrefix(g.url, "https://") {
		return usageError{fmt.Sprintf("%s: --url %q must start with http:// or https://", cmd, g.url)}
	}
	if g.key == "" {
		return usageError{cmd + ": no API key: pass --api-key or set RETELL_API_KEY"}
	}
	if g.output != "text" && g.output != "json" {
		return usageError{fmt.Sprintf("%s: --output must be text or json, not %q", cmd, g.output)}
	}
	for _, r := range g.state {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') || g.state == "." || g.state == ".." {
			return usageError{fmt.Sprintf("%s: --state %q must be a plain name: letters, digits, '-', '_' and '.'", cmd, g.state)}
		}
	}
	g.url = strings.TrimRight(g.url, "/")
	return nil
}

func (g *gitopsFlags) client() *gitops.Client { return &gitops.Client{BaseURL: g.url, APIKey: g.key} }

func (g *gitopsFlags) loadState() (*gitops.State, error) {
	return gitops.LoadState(gitops.StatePath(g.dir, g.url, g.key, g.state), g.url)
}

func (a *app) pull(ctx context.Context, args []string) error {
	fs, g := a.gitopsFlagSet("pull", "Writes the server's configuration into DIR, one YAML file per object, and\nrecords the server's ids in DIR/.agentry/state/. Files of objects no longer on\nthe server are removed. Pull after apply writes the same files.\n\n"+gitopsUsage)
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if err := g.check(fs, "pull"); err != nil {
		return err
	}
	st, err := g.loadState()
	if err != nil {
		return err
	}
	progress := a.stderr
	rep, err := gitops.Pull(ctx, g.client(), g.dir, st, progress)
	if err != nil {
		return err
	}
	if g.output == "json" {
		return writeJSON(a.stdout, rep)
	}
	counts := map[string]int{}
	for _, f := range rep.Files {
		counts[f.Status]++
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(a.stdout, "warning: %s\n", w)
	}
	fmt.Fprintf(a.stdout, "Pull: %d files written, %d unchanged, %d removed; state in %s.\n", counts["written"], counts["unchanged"], counts["removed"], rep.State)
	return nil
}

func (a *app) plan(ctx context.Context, args []string) error {
	return a.planOrApply(ctx, args, "plan", "Shows what apply would change, object by object, with the fields each step\nchanges. Writes nothing. Exit status 3 when there are changes, 0 when none.\n\n")
}

func (a *app) apply(ctx context.Context, args []string) error {
	return a.planOrApply(ctx, args, "apply", "Makes the server hold what the files say: edits land in drafts, --publish\npublishes them, tags move where the files say. Refuses, changing nothing, when\nan object changed on the server since the state was recorded (unless --force).\nRecords the state after every step and stops at the first failure: running it\nagain finishes the job.\n\n")
}

func (a *app) planOrApply(ctx context.Context, args []string, cmd, synopsis string) error {
	fs, g := a.gitopsFlagSet(cmd, synopsis+gitopsUsage)
	var opts gitops.Options
	fs.BoolVar(&opts.Publish, "publish", false, "publish the drafts apply writes (and drafts that already hold the files)")
	fs.StringVar(&opts.Title, "title", "", "the published versions' title (default: the git commit's subject)")
	fs.StringVar(&opts.Description, "description", "", "their description (default: the git commit's body and hash)")
	fs.BoolVar(&opts.Force, "force", false, "overwrite objects that changed on the server since the state was recorded")
	fs.BoolVar(&opts.Prune, "prune", false, "delete the objects the state records whose files are gone")
	fs.BoolVar(&opts.AnyNumber, "any-number", false, "where the server cannot give a phone number file its number, buy another in its area code\n(recorded in the state as standing for the file's number)")
	if err := a.parse(fs, args); err != nil {
		return err
	}
	if err := g.check(fs, cmd); err != nil {
		return err
	}
	d, err := gitops.ReadDir(g.dir)
	if err != nil {
		var fe gitops.FileErrors
		if errors.As(err, &fe) {
			fmt.Fprintln(a.stderr, fe.Error())
			return exitStatus{1, fmt.Sprintf("%s: %d problems in the files of %s; nothing was sent", cmd, len(fe), g.dir)}
		}
		return err
	}
	st, err := g.loadState()
	if err != nil {
		return err
	}
	if opts.Publish && (opts.Title == "" || opts.Description == "") {
		title, description := gitCommit(g.dir)
		if opts.Title == "" {
			opts.Title = title
		}
		if opts.Description == "" {
			opts.Description = description
		}
	}
	opts.Progress = a.stderr
	run := gitops.Plan
	if cmd == "apply" {
		run = gitops.Apply
	}
	rep, err := run(ctx, g.client(), d, st, opts)
	if err != nil {
		return err
	}
	if g.output == "json" {
		if err := writeJSON(a.stdout, rep); err != nil {
			return err
		}
	} else if err := gitops.WriteText(a.stdout, rep, false); err != nil {
		return err
	}
	switch {
	case rep.Conflicts():
		return exitStatus{4, ""}
	case rep.Failed():
		return exitStatus{1, ""}
	case cmd == "plan" && rep.Changes():
		return exitStatus{3, ""}
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// gitCommit reads the subject and body of the last commit of the
// repository dir is in, for the title and description of published
// versions; both are empty outside a repository.
func gitCommit(dir string) (title, description string) {
	if _, err := exec.LookPath("git"); err != nil {
		return "", ""
	}
	out, err := exec.Command("git", "-C", dir, "log", "-1", "--format=%H%x00%s%x00%b").Output()
	if err != nil {
		return "", ""
	}
	parts := strings.SplitN(strings.TrimRight(string(out), "\n"), "\x00", 3)
	if len(parts) != 3 {
		return "", ""
	}
	description = strings.TrimSpace(parts[2])
	if description != "" {
		description += "\n\n"
	}
	description += "git commit " + parts[0]
	if dirty, err := exec.Command("git", "-C", dir, "status", "--porcelain", "--", ".").Output(); err == nil && len(strings.TrimSpace(string(dirty))) > 0 {
		description += " (the directory had uncommitted changes)"
	}
	return parts[1], description
}
