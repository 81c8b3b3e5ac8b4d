package agentry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Configurations refer to objects that are not versioned: knowledge bases
// (knowledge_base_ids, at the top of an LLM or flow and in its nodes),
// shared flow components (component nodes with component_type shared),
// assets (custom_on_hold_music_asset_id in warm transfer options, and
// <image:asset_id> in the notes of a flow's canvas) and apps (the app_id of
// an app tool, type integration_app, wherever a tool list holds one). Every
// write of a configuration finds the links in what it writes, checks that
// each names an object of the workspace, and records them
// (Tx.SetVersionLinks), so that "who uses this knowledge base" and "which
// flows link this component" are lookups. Lock order: workspace, agent,
// engine, then the objects.
//
// Links to apps are checked but not recorded: who uses an app is read from
// the configurations themselves (appusage.go), which also finds the app
// tools of versions written before agentry checked them.

// Kinds of link targets.
const (
	LinkKnowledgeBase = "knowledge_base"
	LinkComponent     = "component"
	LinkAsset         = "asset"
	LinkApp           = "app"
)

// Link is one reference from a configuration to an object.
type Link struct {
	Field string // the top-level field it is in
	Kind  string // LinkKnowledgeBase, LinkComponent, LinkAsset or LinkApp
	ID    string
	// Path says where it is, for messages; Media is what an asset must be
	// ("audio" or "image"); Provider is the provider an app tool names,
	// which its app must have. None of them is stored.
	Path     string
	Media    string
	Provider string
}

// LinkUser is a version or a shared component that links an object.
type LinkUser struct {
	ResourceID  string // the version's resource; "" for a component
	Kind        *Kind
	Number      int64
	Published   bool
	ComponentID string // the component; "" for a version
}

// String names the user in messages.
func (u LinkUser) String() string {
	if u.ComponentID != "" {
		return "shared component " + u.ComponentID
	}
	return fmt.Sprintf("%s %s (version %d)", u.Kind.Noun, u.ResourceID, u.Number)
}

// linkMarkers are the byte strings without which a value holds no link: a
// write whose fields hold none of them is spared a parse.
var linkMarkers = [][]byte{[]byte(`"knowledge_base_ids"`), []byte(`"component_id"`),
	[]byte(`"custom_on_hold_music_asset_id"`), []byte(`"on_hold_music"`), []byte(`<image:`), []byte(`"integration_app"`)}

func mayLink(raw []byte) bool {
	if len(raw) == 0 {
		return false
	}
	for _, m := range linkMarkers {
		if bytes.Contains(raw, m) {
			return true
		}
	}
	return false
}

// linkKeys are the keys whose value is a link: a top-level field of that
// name holds one without any marker in its value.
var linkKeys = map[string]bool{"knowledge_base_ids": true, "custom_on_hold_music_asset_id": true, "on_hold_music": true}

// fieldMayLink reports whether top-level field name, with value raw, may
// hold a link.
func fieldMayLink(name string, raw []byte) bool {
	return len(raw) > 0 && (linkKeys[name] || mayLink(raw))
}

// imageRef is how a note's content names an image asset.
var imageRef = regexp.MustCompile(`<image:([^<>\s]+)>`)

// linksOf finds the links in fields (a configuration, a patch, or a
// component). A warm transfer whose on_hold_music is custom must name its
// asset: that rule is checked here, where the asset is found.
func linksOf(fields Fields) ([]Link, error) {
	var out []Link
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		raw := fields[name]
		if !fieldMayLink(name, raw) {
			continue
		}
		v, err := decodeTree(raw)
		if err != nil {
			return nil, fmt.Errorf("decode %s: %w", name, err)
		}
		// The top level is walked as the object it is a member of, so that
		// a top-level knowledge_base_ids is found as a nested one is.
		w := linkWalker{field: name}
		if err := w.walk(map[string]any{name: v}, "", ""); err != nil {
			return nil, err
		}
		out = append(out, w.links...)
	}
	return out, nil
}

// decodeTree decodes JSON keeping numbers as written.
func decodeTree(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

type linkWalker struct {
	field string
	links []Link
}

func (w *linkWalker) add(kind, id, path, media string) {
	w.links = append(w.links, Link{Field: w.field, Kind: kind, ID: id, Path: path, Media: media})
}

// appToolType is the type of an app tool: a tool that runs against an app.
const appToolType = "integration_app"

// walk visits v, found under key at path.
func (w *linkWalker) walk(v any, key, path string) error {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch x := v.(type) {
	case []any:
		for i, item := range x {
			at := path + "[" + strconv.Itoa(i) + "]"
			if note, ok := item.(map[string]any); ok && key == "notes" {
				if content, ok := note["content"].(string); ok {
					for _, m := range imageRef.FindAllStringSubmatch(content, -1) {
						w.add(LinkAsset, m[1], at+".content", "image")
					}
				}
			}
			if err := w.walk(item, key, at); err != nil {
				return err
			}
		}
	case map[string]any:
		if x["type"] == "component" && x["component_type"] == "shared" {
			if id, ok := x["component_id"].(string); ok {
				w.add(LinkComponent, id, join("component_id"), "")
			}
		}
		if ids, ok := x["knowledge_base_ids"].([]any); ok {
			for i, id := range ids {
				if s, ok := id.(string); ok {
					w.add(LinkKnowledgeBase, s, join("knowledge_base_ids")+"["+strconv.Itoa(i)+"]", "")
				}
			}
		}
		if x["type"] == appToolType {
			if id, ok := x["app_id"].(string); ok {
				provider, _ := x["provider"].(string)
				w.links = append(w.links, Link{Field: w.field, Kind: LinkApp, ID: id, Path: join("app_id"), Provider: provider})
			}
		}
		asset, hasAsset := x["custom_on_hold_music_asset_id"].(string)
		if hasAsset {
			w.add(LinkAsset, asset, join("custom_on_hold_music_asset_id"), "audio")
		}
		if x["on_hold_music"] == "custom" && !hasAsset {
			return Errorf(EINVALID, "%s: is required when on_hold_music is custom: upload the audio with create-asset and name its asset_id", join("custom_on_hold_music_asset_id"))
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := w.walk(x[k], k, join(k)); err != nil {
				return err
			}
		}
	}
	return nil
}

// setVersionLinks records the links of version v found in the fields of
// replace (its earlier links there are dropped).
func setVersionLinks(tx Tx, v *Version, replace []string, links []Link) error {
	return tx.SetVersionLinks(v.WorkspaceID, v.ResourceID, v.Number, replace, storedLinks(links))
}

// storedLinks are the links a store records: each (field, kind, id) once,
// and none to an app (see above).
func storedLinks(links []Link) []Link {
	return dedupeLinks(slices.DeleteFunc(slices.Clone(links), func(l Link) bool { return l.Kind == LinkApp }))
}

// needsWorkspaceLock reports whether links name objects that can be deleted
// (knowledge bases, shared components and apps; assets never are).
func needsWorkspaceLock(links []Link) bool {
	return slices.ContainsFunc(links, func(l Link) bool { return l.Kind != LinkAsset })
}

// guardLinks takes the workspace lock when links name objects that can be
// deleted, then checks that every link names an object of the workspace.
// missing is the code of a missing object: EUNPROCESSABLE where the
// reference documents 422 (LLMs, flows, agents), ENOTFOUND where it
// documents 404 (shared components). It must run before any other lock.
func guardLinks(tx Tx, workspaceID string, links []Link, missing string) error {
	if len(links) == 0 {
		return nil
	}
	if needsWorkspaceLock(links) {
		if err := tx.LockWorkspace(workspaceID); err != nil {
			return err
		}
	}
	checked := map[string]bool{}
	for _, l := range links {
		key := l.Kind + "\x00" + l.ID + "\x00" + l.Media + "\x00" + l.Provider
		if checked[key] {
			continue
		}
		checked[key] = true
		if err := checkLink(tx, workspaceID, l, missing); err != nil {
			return err
		}
	}
	return nil
}

func checkLink(tx Tx, workspaceID string, l Link, missing string) error {
	var err error
	noun := ""
	switch l.Kind {
	case LinkKnowledgeBase:
		noun = "knowledge base"
		_, err = tx.GetKnowledgeBase(workspaceID, l.ID)
	case LinkComponent:
		noun = "shared conversation flow component"
		_, err = tx.GetComponent(workspaceID, l.ID)
	case LinkAsset:
		noun = "asset"
		var a *Asset
		a, err = tx.GetAsset(workspaceID, l.ID, false)
		if err == nil && l.Media != "" && !strings.HasPrefix(a.ContentType, l.Media+"/") {
			return Errorf(EINVALID, "%s: asset %s is %s, but an %s asset is required here", l.Path, l.ID, a.ContentType, l.Media)
		}
	case LinkApp:
		noun = "app"
		var a *App
		a, err = tx.GetApp(workspaceID, l.ID)
		if err == nil && a.Provider != l.Provider {
			return Errorf(EINVALID, "%sprovider: is %q, but app %s is of provider %q: an app tool's provider must be its app's", strings.TrimSuffix(l.Path, "app_id"), l.Provider, l.ID, a.Provider)
		}
	}
	if errors.Is(err, ErrNotFound) {
		return Errorf(missing, "%s: no %s %s exists under this key", l.Path, noun, l.ID)
	}
	return err
}

// patchLinkFields lists the fields of a patch whose links must be recorded
// again: those whose old or new value may hold a link.
func patchLinkFields(old, patch Fields) []string {
	var fs []string
	for k, raw := range patch {
		if fieldMayLink(k, raw) || fieldMayLink(k, old[k]) {
			fs = append(fs, k)
		}
	}
	sort.Strings(fs)
	return fs
}

// dedupeLinks drops repeats of one (field, kind, id), which the store keeps
// once.
func dedupeLinks(links []Link) []Link {
	seen := map[string]bool{}
	out := links[:0:0]
	for _, l := range links {
		k := l.Field + "\x00" + l.Kind + "\x00" + l.ID
		if !seen[k] {
			seen[k] = true
			out = append(out, l)
		}
	}
	return out
}

// refuseUsedObject refuses to delete an object that versions or components
// link, naming them.
func refuseUsedObject(tx Tx, workspaceID, kind, id, noun string) error {
	users, err := tx.LinkUsers(workspaceID, kind, id, 6)
	if err != nil || len(users) == 0 {
		return err
	}
	names := make([]string, 0, len(users))
	for i, u := range users {
		if i == 5 {
			names = append(names, "more")
			break
		}
		names = append(names, u.String())
	}
	return Errorf(EINVALID, "%s %s is used by %s: remove it from them first, then delete it", noun, id, strings.Join(names, ", "))
}
