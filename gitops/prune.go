package gitops

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/agentry/agentry"
)

// pruneWorks lists the objects the state records whose files are gone. With
// --prune they are deleted (phone numbers first, then agents, components,
// knowledge bases: what points at others before what is pointed at); without
// it, the plan says they are left alone.
func (r *run) pruneWorks() []work {
	order := map[string]int{folderPhones: 0, folderAgents: 1, folderChatAgents: 1, folderComponents: 2, folderKBs: 3}
	var gone []string
	for file, e := range r.state.Objects {
		if e.ID == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(r.dir.Root, filepath.FromSlash(file))); err == nil {
			continue
		}
		gone = append(gone, file)
	}
	sort.Slice(gone, func(i, j int) bool {
		fi, fj := strings.SplitN(gone[i], "/", 2)[0], strings.SplitN(gone[j], "/", 2)[0]
		if order[fi] != order[fj] {
			return order[fi] < order[fj]
		}
		return gone[i] < gone[j]
	})
	var ws []work
	for _, file := range gone {
		if !r.opts.Prune {
			r.warn("%s: its file is gone; %s stays on the server (apply --prune deletes it)", file, r.state.Objects[file].ID)
			continue
		}
		ws = append(ws, r.pruneWork(file))
	}
	return ws
}

// pruneWork deletes the object of a file that is gone.
func (r *run) pruneWork(file string) work {
	folder := strings.SplitN(file, "/", 2)[0]
	e := r.state.Objects[file]
	noun := map[string]string{folderAgents: "voice agent", folderChatAgents: "chat agent", folderComponents: "shared component",
		folderKBs: "knowledge base", folderPhones: "phone number"}[folder]
	return work{file: file, kind: noun, sync: func(ctx context.Context, rep *ObjectReport) error {
		rep.ID = e.ID
		var get, del string
		var engine engineRef
		switch folder {
		case folderAgents, folderChatAgents:
			k := agentry.VoiceAgent
			if folder == folderChatAgents {
				k = agentry.ChatAgent
			}
			get, del = agentAPIs[k].get, agentAPIs[k].del
		case folderComponents:
			get, del = componentKind.getPath, "/delete-conversation-flow-component/"
		case folderKBs:
			get, del = kbKind.getPath, "/delete-knowledge-base/"
		case folderPhones:
			get, del = phoneKind.getPath, "/delete-phone-number/"
		}
		cur, etag, err := r.c.getObject(ctx, get+esc(e.ID), nil)
		if isMissing(err) {
			if !r.dry {
				delete(r.state.Objects, file)
			}
			return nil
		}
		if err != nil {
			return err
		}
		if folder == folderAgents || folderChatAgents == folder {
			engine = pinnedEngine(cur)
			s := &agentSync{r: r, kind: channelKinds[map[string]string{folderAgents: "voice", folderChatAgents: "chat"}[folder]], id: e.ID, versions: map[int64]*ver{}, head: file}
			v, err := s.remember(ctx, cur, etag)
			if err != nil {
				return err
			}
			s.latest = v.n
			if e.Seen != "" && s.seen() != e.Seen && !r.opts.Force {
				return conflict("%s %s changed on the server since the state was recorded (then: %s; now: %s)", noun, e.ID, e.Seen, s.seen())
			}
		} else {
			s := &flatSync{r: r, k: map[string]*flatKind{folderComponents: componentKind, folderKBs: kbKind, folderPhones: phoneKind}[folder]}
			if err := s.took(ctx, cur, etag); err != nil {
				return err
			}
			if e.Seen != "" && s.seen() != e.Seen && !r.opts.Force {
				return conflict("%s %s changed on the server since the state was recorded (then: %s; now: %s)", noun, e.ID, e.Seen, s.seen())
			}
		}
		return r.step(rep, Step{Action: ActDelete, Detail: fmt.Sprintf("delete %s %s (its file is gone)", noun, e.ID)}, func() error {
			if _, _, err := r.c.send(ctx, http.MethodDelete, del+esc(e.ID), nil, nil, ""); err != nil && !isMissing(err) {
				return err
			}
			delete(r.state.Objects, file)
			if engine.kind != nil {
				path := map[*agentry.Kind]string{agentry.RetellLLM: "/delete-retell-llm/", agentry.ConversationFlow: "/delete-conversation-flow/"}[engine.kind]
				if _, _, err := r.c.send(ctx, http.MethodDelete, path+esc(engine.id), nil, nil, ""); err != nil && !isMissing(err) {
					r.warn("%s: deleted the agent; its %s %s stays: %v", file, engine.kind.Noun, engine.id, err)
				}
			}
			return nil
		})
	}}
}
