package gitops

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// The state file maps the files of a directory to one server's objects: for
// each file, the id of its object there and what the server showed of it
// when pull or apply last looked (its version and ETag or modification
// time, and its tags). It lives in DIR/.agentry/state/NAME.json, one per
// server and workspace, and is meant to be committed with the files (see
// docs/CONFIG-AS-CODE.md): without it, apply finds objects by name and
// cannot tell what changed on the server since.

// stateVersion is the format of state files this code writes.
const stateVersion = 1

// State is one state file.
type State struct {
	Format int `json:"format"`
	// Server is the URL the state was recorded for.
	Server string `json:"server"`
	// Objects are by file path: agents/support.yaml (an agent and its
	// variants), components/x.yaml, knowledge-bases/x.yaml,
	// phone-numbers/x.yaml.
	Objects map[string]*Entry `json:"objects"`

	path string
}

// Entry is what the state knows about one file's object on the server.
type Entry struct {
	// ID is the object's id (a phone number's is the number); empty while
	// only its engine was created.
	ID string `json:"id,omitempty"`
	// Engine is the id of the Retell LLM or conversation flow an agent was
	// created with, recorded before the agent so a retried apply reuses it.
	Engine string `json:"engine,omitempty"`
	// Seen is what the server showed when last looked at: for an agent its
	// latest version, that version's ETag (or modification time) and the
	// same for the engine version it pins; for other objects their
	// modification time or a digest of their content.
	Seen string `json:"seen,omitempty"`
	// Tags are an agent's tags as last seen: name to version, variables,
	// flag and history position.
	Tags map[string]string `json:"tags,omitempty"`
	// Pending is set just before a write and cleared when its answer is
	// recorded: a digest of what the object's file form will be once the
	// write is done. A write done on the server whose answer was lost
	// leaves the object so: the next run takes that change for its own
	// rather than for someone else's.
	Pending string `json:"pending,omitempty"`
	// Number is, for a phone number that has another number on this server
	// than in its file (a number bought anew), the file's number; ID is the
	// server's.
	Number string `json:"number,omitempty"`
}

// StatePath returns where the state of a server and workspace lives in a
// directory: name when given, else the server's host (and port) and the
// key's public prefix (its first 12 characters, as agentry lists keys).
func StatePath(dir, server, apiKey, name string) string {
	if name == "" {
		host := server
		if u, err := url.Parse(server); err == nil && u.Host != "" {
			host = u.Host
		}
		prefix := apiKey
		if len(prefix) > 12 {
			prefix = prefix[:12]
		}
		name = slug(host, "server") + "-" + slug(prefix, "key")
	}
	return filepath.Join(dir, ".agentry", "state", name+".json")
}

// LoadState reads a state file; a missing one is an empty state. A state
// recorded for another server is refused: its ids mean nothing here.
func LoadState(path, server string) (*State, error) {
	s := &State{Format: stateVersion, Server: server, Objects: map[string]*Entry{}, path: path}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, s); err != nil {
		return nil, fmt.Errorf("%s: not a state file: %v", path, err)
	}
	if s.Format != stateVersion {
		return nil, fmt.Errorf("%s: state format %d; this agentry reads format %d", path, s.Format, stateVersion)
	}
	if strings.TrimRight(s.Server, "/") != strings.TrimRight(server, "/") {
		return nil, fmt.Errorf("%s was recorded for %s, not %s: give each server its own state with --state NAME", path, s.Server, server)
	}
	if s.Objects == nil {
		s.Objects = map[string]*Entry{}
	}
	s.path = path
	s.Server = server
	return s, nil
}

// Save writes the state atomically: a new file renamed over the old, so an
// interrupted write never leaves half a state.
func (s *State) Save() error {
	if s.path == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, s.path)
}

// entry returns the entry of a file, creating it.
func (s *State) entry(file string) *Entry {
	e := s.Objects[file]
	if e == nil {
		e = &Entry{}
		s.Objects[file] = e
	}
	return e
}

// idOf returns the id recorded for a file, or "".
func (s *State) idOf(file string) string {
	if e := s.Objects[file]; e != nil {
		return e.ID
	}
	return ""
}

// fileOf returns the file whose object has id, or "".
func (s *State) fileOf(folder, id string) string {
	for file, e := range s.Objects {
		if e.ID == id && strings.HasPrefix(file, folder+"/") {
			return file
		}
	}
	return ""
}
