package gitops

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/agentry/agentry"
)

// The folders of a configuration directory, one per kind of object.
const (
	folderAgents     = "agents"
	folderChatAgents = "chat-agents"
	folderComponents = "components"
	folderKBs        = "knowledge-bases"
	folderPhones     = "phone-numbers"
)

// folders lists them in the order objects are applied: what others refer to
// first.
var folders = []string{folderKBs, folderComponents, folderAgents, folderChatAgents, folderPhones}

// Engine sections of an agent file, by kind.
var engineSections = map[*agentry.Kind]string{
	agentry.RetellLLM:        "retell_llm",
	agentry.ConversationFlow: "conversation_flow",
}

// Dir is a configuration directory, read and checked.
type Dir struct {
	Root       string
	Agents     []*AgentFile // heads and variants, by path
	Components []*FlatFile
	KBs        []*FlatFile
	Phones     []*FlatFile
}

// AgentFile is one file of a voice or chat agent: its head (the agent's
// latest version, agents/NAME.yaml) or a variant (the version that some of
// its tags point at, agents/NAME@TAG.yaml).
type AgentFile struct {
	Path    string // relative to the directory, with "/"
	Slug    string // the agent's name in files: NAME
	Variant string // TAG for a variant, "" for the head
	Kind    *agentry.Kind
	Content
	lines lines
}

// Content is what a file says about one version of an agent: its
// configuration, its engine's (for a Retell LLM or conversation flow, kept
// in the same file) and the tags that point at it. References to other
// objects are by file name.
type Content struct {
	Agent      object
	EngineKind *agentry.Kind // nil when the agent's response_engine is written in Agent
	Engine     object
	Tags       map[string]Tag
	// Unassigned are tags that exist without a version (the head only).
	Unassigned map[string]Tag
}

// Tag is the state a file gives a tag besides its version: its dynamic
// variables, and whether it takes only published versions.
type Tag struct {
	Vars          map[string]string `json:"dynamic_variables"`
	PublishedOnly bool              `json:"published_only"`
}

// FlatFile is one file of a shared flow component, a knowledge base or a
// phone number: one object of fields.
type FlatFile struct {
	Path   string
	Slug   string
	Fields object
	lines  lines
	// docs are a knowledge base's documents in knowledge-bases/NAME/: file
	// name to path.
	docs map[string]string
}

// head returns the key of the agent a file belongs to: its head's path.
func (f *AgentFile) head() string { return path.Join(path.Dir(f.Path), f.Slug+".yaml") }

// FileError is a problem in a file, at a line, with a field.
type FileError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// FileErrors are every problem found in a directory.
type FileErrors []*FileError

func (es FileErrors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// ReadDir reads and checks every file of a configuration directory. Nothing
// is sent anywhere: the checks are the server's own field rules, the rules
// of file names and references, and those of tags and bindings. All
// problems are reported at once, as FileErrors.
func ReadDir(root string) (*Dir, error) {
	d := &Dir{Root: root}
	var errs FileErrors
	fail := func(e *FileError) { errs = append(errs, e) }
	for _, folder := range folders {
		names, err := yamlFiles(root, folder, fail)
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			rel := folder + "/" + name
			data, err := os.ReadFile(filepath.Join(root, folder, name))
			if err != nil {
				return nil, err
			}
			v, ls, err := decodeYAML(data)
			if err != nil {
				fail(yamlFileError(rel, err))
				continue
			}
			m, ok := v.(object)
			if !ok {
				fail(&FileError{File: rel, Line: 1, Msg: "must be a map of fields"})
				continue
			}
			base := strings.TrimSuffix(name, ".yaml")
			switch folder {
			case folderAgents, folderChatAgents:
				if f := readAgentFile(rel, base, folder, m, ls, fail); f != nil {
					d.Agents = append(d.Agents, f)
				}
			default:
				if !validSlug(base) {
					fail(&FileError{File: rel, Msg: "a file name is lowercase letters, digits and '-' (" + slug(base, "x") + ".yaml)"})
					continue
				}
				f := &FlatFile{Path: rel, Slug: base, Fields: m, lines: ls}
				switch folder {
				case folderComponents:
					checkComponent(f, fail)
					d.Components = append(d.Components, f)
				case folderKBs:
					f.readDocs(root, fail)
					checkKB(f, fail)
					d.KBs = append(d.KBs, f)
				case folderPhones:
					d.Phones = append(d.Phones, f)
				}
			}
		}
	}
	d.checkAgents(fail)
	d.checkReferences(fail)
	for _, f := range d.Phones {
		d.checkPhone(f, fail)
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool {
			if errs[i].File != errs[j].File {
				return errs[i].File < errs[j].File
			}
			return errs[i].Line < errs[j].Line
		})
		return nil, errs
	}
	return d, nil
}

// yamlFiles lists the .yaml files of a folder, by name; a missing folder has
// none. Files with other extensions are reported, except dot files.
func yamlFiles(root, folder string, fail func(*FileError)) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, folder))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "."):
		case e.IsDir() && folder == folderKBs:
			// The documents of knowledge-bases/NAME.yaml.
			if _, err := os.Stat(filepath.Join(root, folder, name+".yaml")); err != nil {
				fail(&FileError{File: folder + "/" + name, Msg: "a folder of documents needs its knowledge base's file " + folder + "/" + name + ".yaml"})
			}
		case e.IsDir():
			fail(&FileError{File: folder + "/" + name, Msg: "unexpected folder: objects are files directly in " + folder + "/"})
		case strings.HasSuffix(name, ".yaml"):
			names = append(names, name)
		default:
			fail(&FileError{File: folder + "/" + name, Msg: "not a .yaml file: name configuration files NAME.yaml"})
		}
	}
	sort.Strings(names)
	return names, nil
}

func yamlFileError(file string, err error) *FileError {
	var ye *yamlError
	if errors.As(err, &ye) {
		return &FileError{File: file, Line: ye.line, Msg: ye.msg}
	}
	return &FileError{File: file, Msg: err.Error()}
}

// validSlug reports whether s is a name pull could have written.
func validSlug(s string) bool { return s != "" && slug(s, "") == s }

// lineOf returns the line of a field path in a file, or of its closest
// enclosing path that has one.
func (ls lines) lineOf(p string) int {
	for p != "" {
		if l, ok := ls[p]; ok {
			return l
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return ls[""]
}

// fieldError reports a rule broken at a field of a file.
func fieldError(file string, ls lines, field, msg string) *FileError {
	return &FileError{File: file, Line: ls.lineOf(field), Field: field, Msg: msg}
}
