package gitops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/agentry/agentry"
)

// PullReport is what pull wrote.
type PullReport struct {
	Command  string       `json:"command"`
	Server   string       `json:"server"`
	State    string       `json:"state"`
	Files    []PulledFile `json:"files"`
	Warnings []string     `json:"warnings,omitempty"`
}

// PulledFile is one file pull wrote, kept or removed.
type PulledFile struct {
	File   string `json:"file"`
	Kind   string `json:"kind,omitempty"`
	ID     string `json:"id,omitempty"`
	Status string `json:"status"` // written, unchanged, removed
}

// pulled is one object read from the server, before its file is named.
type pulled struct {
	folder string
	kind   string
	id     string
	source string // what its file is named from: the object's name
	name   string // its file name, once given
	// order breaks ties between objects of the same name that the state
	// does not know: their content, so that every server gives the same
	// names to the same objects.
	order string
	entry *Entry
	// render returns the object's files by path, given its file name.
	render func(slug string) (map[string][]byte, error)
	// engines are the engines an agent's files hold.
	engines []engineRef
}

// Pull writes the workspace's configuration into dir: one file per object,
// named from the object's name (kept from the state when the object is
// known there, so names are stable from pull to pull), references by file
// name; files of objects no longer on the server are removed. It records
// the state of every object, so that a later apply can tell what changed
// on the server since.
func Pull(ctx context.Context, c *Client, dir string, old *State, progress io.Writer) (*PullReport, error) {
	fresh := &State{Format: stateVersion, Server: old.Server, Objects: map[string]*Entry{}, path: old.path}
	r := newRun(c, &Dir{Root: dir}, fresh, Options{}, true, "pull")
	r.pulling = true
	rep := &PullReport{Command: "pull", Server: c.BaseURL, State: old.path}
	// First every object is read, then every object named, then files are
	// written: references are named once every object has its name (an
	// agent may swap to one read after it, a component use another).
	steps := []func(context.Context) ([]pulled, error){
		r.pullKBs,
		r.pullComponents,
		func(ctx context.Context) ([]pulled, error) { return r.pullAgents(ctx, agentry.VoiceAgent) },
		func(ctx context.Context) ([]pulled, error) { return r.pullAgents(ctx, agentry.ChatAgent) },
		r.pullPhones,
	}
	var objs []*pulled
	for _, read := range steps {
		found, err := read(ctx)
		if err != nil {
			return rep, err
		}
		for i := range found {
			objs = append(objs, &found[i])
		}
	}
	for _, folder := range folders {
		var group []*pulled
		for _, o := range objs {
			if o.folder == folder {
				group = append(group, o)
			}
		}
		name(old, folder, group)
		for _, o := range group {
			file := o.folder + "/" + o.name + ".yaml"
			if e := old.Objects[file]; e != nil && e.ID == o.id {
				o.entry.Number = e.Number
			}
			fresh.Objects[file] = o.entry
		}
	}
	r.warnSharedEngines(objs)
	files := map[string][]byte{}
	for _, o := range objs {
		out, err := o.render(o.name)
		if err != nil {
			return rep, fmt.Errorf("%s/%s.yaml: %w", o.folder, o.name, err)
		}
		for p, b := range out {
			files[p] = b
			rep.Files = append(rep.Files, PulledFile{File: p, Kind: o.kind, ID: o.id})
		}
	}
	sort.Slice(rep.Files, func(i, j int) bool { return rep.Files[i].File < rep.Files[j].File })
	for i := range rep.Files {
		f := &rep.Files[i]
		status, err := writeIfChanged(dir, f.File, files[f.File])
		if err != nil {
			return rep, err
		}
		f.Status = status
		if progress != nil {
			fmt.Fprintf(progress, "%s: %s\n", f.File, status)
		}
	}
	removed, err := removeOthers(dir, files)
	if err != nil {
		return rep, err
	}
	for _, p := range removed {
		rep.Files = append(rep.Files, PulledFile{File: p, Status: "removed"})
		if progress != nil {
			fmt.Fprintf(progress, "%s: removed (no longer on the server)\n", p)
		}
	}
	rep.Warnings = r.report.Warnings
	return rep, fresh.Save()
}

// name gives each object of a folder its file name: the one the state
// gave it when it has one, else one made from its name. Among objects of
// the same name, the first by content gets the bare slug and the others
// -2, -3: the same objects get the same names from any server.
func name(old *State, folder string, objs []*pulled) {
	g := newSlugger()
	var fresh []*pulled
	for _, o := range objs {
		if file := old.fileOf(folder, o.id); file != "" {
			o.name = strings.TrimSuffix(path.Base(file), ".yaml")
			g.reserve(o.name)
		} else {
			fresh = append(fresh, o)
		}
	}
	fallback := map[string]string{folderAgents: "agent", folderChatAgents: "chat-agent", folderComponents: "component",
		folderKBs: "knowledge-base", folderPhones: "phone-number"}[folder]
	sort.SliceStable(fresh, func(a, b int) bool {
		x, y := fresh[a], fresh[b]
		if sx, sy := slug(x.source, fallback), slug(y.source, fallback); sx != sy {
			return sx < sy
		}
		return x.order < y.order
	})
	for _, o := range fresh {
		o.name = g.next(o.source, fallback)
	}
}

// pullAgents reads every agent of a kind: its latest version and engine,
// and the versions its tags point at.
func (r *run) pullAgents(ctx context.Context, k *agentry.Kind) ([]pulled, error) {
	list, err := r.c.listAgents(ctx)
	if err != nil {
		return nil, err
	}
	var out []pulled
	for _, item := range list {
		if channelKinds[str(item, "channel")] != k {
			continue
		}
		id := str(item, "agent_id")
		s := &agentSync{r: r, kind: k, id: id, versions: map[int64]*ver{}, head: fmt.Sprintf("%s %s", kindNoun(k), id)}
		agent, etag, err := r.c.getAgent(ctx, k, id, nil)
		if isMissing(err) {
			continue // deleted since it was listed
		}
		if err != nil {
			return nil, err
		}
		if s.tags, err = r.serverTags(ctx, id, item); err != nil {
			return nil, err
		}
		latest, err := s.remember(ctx, agent, etag)
		if err != nil {
			return nil, err
		}
		s.latest = latest.n
		groups := map[int64][]string{}
		var unassigned []string
		for _, t := range sortedKeys(s.tags) {
			st := s.tags[t]
			switch {
			case st.version == nil:
				unassigned = append(unassigned, t)
			case *st.version != latest.n:
				groups[*st.version] = append(groups[*st.version], t)
			}
		}
		variants := map[string]*ver{}
		for n, tags := range groups {
			v := s.fetch(ctx, n)
			if v == nil {
				r.warn("%s %s: tag %s points at version %d, which cannot be read; left out", kindNoun(k), id, strings.Join(tags, ", "), n)
				continue
			}
			variants[tags[0]] = v
		}
		// content is a version as its file shows it, with the tags that
		// point at it.
		content := func(v *ver, names namer, warn bool) Content {
			c, warnings := versionContent(k, v.agent, v.engine, names, fmt.Sprintf("%s %s version %d", kindNoun(k), id, v.n))
			if warn {
				for _, w := range warnings {
					r.warn("%s", w)
				}
			}
			c.Tags = map[string]Tag{}
			for t, st := range s.tags {
				if st.version != nil && *st.version == v.n {
					c.Tags[t] = st.fileTag()
				}
			}
			if v == latest {
				c.Unassigned = map[string]Tag{}
				for _, t := range unassigned {
					c.Unassigned[t] = s.tags[t].fileTag()
				}
			}
			return c
		}
		entry := &Entry{ID: id, Seen: s.seen(), Tags: map[string]string{}}
		for t, st := range s.tags {
			entry.Tags[t] = st.seen()
		}
		folder := folderAgents
		if k == agentry.ChatAgent {
			folder = folderChatAgents
		}
		head := content(latest, blankNames, false)
		engines := []engineRef{pinnedEngine(latest.agent)}
		for _, v := range variants {
			engines = append(engines, pinnedEngine(v.agent))
		}
		out = append(out, pulled{folder: folder, kind: kindNoun(k), id: id, source: str(head.Agent, "agent_name"), entry: entry,
			order: string(encodeJSON(head.document())), engines: engines,
			render: func(slug string) (map[string][]byte, error) {
				files := map[string][]byte{}
				b, err := renderAgent(k, "", content(latest, r.nameOf, true))
				if err != nil {
					return nil, err
				}
				files[folder+"/"+slug+".yaml"] = b
				for tag, v := range variants {
					if b, err = renderAgent(k, tag, content(v, r.nameOf, true)); err != nil {
						return nil, err
					}
					files[folder+"/"+slug+"@"+tag+".yaml"] = b
				}
				return files, nil
			}})
	}
	return out, nil
}

// warnSharedEngines says which engines several agents use: each agent's
// file holds the engine, and another server gets one engine per agent.
func (r *run) warnSharedEngines(objs []*pulled) {
	users := map[string][]string{}
	for _, o := range objs {
		seen := map[string]bool{}
		for _, e := range o.engines {
			if e.kind != nil && !seen[e.id] {
				seen[e.id] = true
				users[e.id] = append(users[e.id], o.folder+"/"+o.name+".yaml")
			}
		}
	}
	for _, id := range sortedKeys(users) {
		if files := users[id]; len(files) > 1 {
			sort.Strings(files)
			r.warn("%s is the engine of %s: each file holds it, and a server the files are applied to gets one engine per agent", id, joinWords(files))
		}
	}
}

// writeIfChanged writes a file unless it already holds data.
func writeIfChanged(dir, rel string, data []byte) (string, error) {
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, data) {
		return "unchanged", nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", err
	}
	return "written", os.WriteFile(p, data, 0o644)
}

// removeOthers removes the .yaml files of the object folders that pull did
// not write: their objects are no longer on the server.
func removeOthers(dir string, keep map[string][]byte) ([]string, error) {
	var removed []string
	for _, folder := range folders {
		entries, err := os.ReadDir(filepath.Join(dir, folder))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			rel := folder + "/" + e.Name()
			if e.IsDir() && folder == folderKBs {
				// A knowledge base's documents: those no longer on the
				// server go, and the folder with them when it is empty.
				docs, err := removeDocs(dir, rel, keep)
				if err != nil {
					return nil, err
				}
				removed = append(removed, docs...)
				continue
			}
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") || keep[rel] != nil {
				continue
			}
			if err := os.Remove(filepath.Join(dir, folder, e.Name())); err != nil {
				return nil, err
			}
			removed = append(removed, rel)
		}
	}
	sort.Strings(removed)
	return removed, nil
}

// removeDocs removes the files of a documents folder that pull did not
// write, and the folder when nothing is left in it.
func removeDocs(dir, rel string, keep map[string][]byte) ([]string, error) {
	p := filepath.Join(dir, filepath.FromSlash(rel))
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, err
	}
	var removed []string
	left := 0
	for _, e := range entries {
		doc := rel + "/" + e.Name()
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") || keep[doc] != nil {
			left++
			continue
		}
		if err := os.Remove(filepath.Join(p, e.Name())); err != nil {
			return nil, err
		}
		removed = append(removed, doc)
	}
	if left == 0 {
		if err := os.Remove(p); err != nil {
			return nil, err
		}
	}
	return removed, nil
}
