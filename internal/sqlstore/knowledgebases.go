package sqlstore

import (
	"github.com/agentry/agentry"
)

const knowledgeBaseColumns = `workspace_id, id, name, enable_auto_refresh, max_chunk_size, min_chunk_size, created_at, indexed_at, ready_at`

func scanKnowledgeBase(sc interface{ Scan(...any) error }) (agentry.KnowledgeBase, error) {
	var kb agentry.KnowledgeBase
	err := sc.Scan(&kb.WorkspaceID, &kb.ID, &kb.Name, &kb.EnableAutoRefresh, &kb.MaxChunkSize, &kb.MinChunkSize,
		&kb.CreatedAt, &kb.IndexedAt, &kb.ReadyAt)
	return kb, err
}

// InsertKnowledgeBase inserts a knowledge base row (its sources are rows of
// their own).
func (t *Tx) InsertKnowledgeBase(kb *agentry.KnowledgeBase) error {
	_, err := t.exec(`INSERT INTO knowledge_bases (`+knowledgeBaseColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		kb.WorkspaceID, kb.ID, kb.Name, kb.EnableAutoRefresh, kb.MaxChunkSize, kb.MinChunkSize, kb.CreatedAt, kb.IndexedAt, kb.ReadyAt)
	return err
}

// GetKnowledgeBase reads a knowledge base row.
func (t *Tx) GetKnowledgeBase(workspaceID, id string) (*agentry.KnowledgeBase, error) {
	kb, err := scanKnowledgeBase(t.queryRow(`SELECT `+knowledgeBaseColumns+` FROM knowledge_bases WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	return &kb, notFound(err)
}

// LockKnowledgeBase reads a knowledge base row and locks it until the
// transaction ends.
func (t *Tx) LockKnowledgeBase(workspaceID, id string) (*agentry.KnowledgeBase, error) {
	kb, err := scanKnowledgeBase(t.queryRow(`SELECT `+knowledgeBaseColumns+` FROM knowledge_bases WHERE workspace_id = ? AND id = ?`+t.s.Dialect.ForUpdate, workspaceID, id))
	return &kb, notFound(err)
}

// UpdateKnowledgeBase writes when the latest indexing ends.
func (t *Tx) UpdateKnowledgeBase(kb *agentry.KnowledgeBase) error {
	return mustAffect(t.exec(`UPDATE knowledge_bases SET ready_at = ? WHERE workspace_id = ? AND id = ?`, kb.ReadyAt, kb.WorkspaceID, kb.ID))
}

// DeleteKnowledgeBase deletes a knowledge base and its sources.
func (t *Tx) DeleteKnowledgeBase(workspaceID, id string) error {
	if _, err := t.exec(`DELETE FROM knowledge_base_sources WHERE workspace_id = ? AND knowledge_base_id = ?`, workspaceID, id); err != nil {
		return err
	}
	return mustAffect(t.exec(`DELETE FROM knowledge_bases WHERE workspace_id = ? AND id = ?`, workspaceID, id))
}

// ListKnowledgeBases reads every knowledge base of a workspace, newest
// first, and their sources' metadata, in two statements.
func (t *Tx) ListKnowledgeBases(workspaceID string) ([]agentry.KnowledgeBase, error) {
	rows, err := t.query(`SELECT `+knowledgeBaseColumns+` FROM knowledge_bases WHERE workspace_id = ? ORDER BY created_at DESC, id DESC`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []agentry.KnowledgeBase{}
	at := map[string]int{}
	for rows.Next() {
		kb, err := scanKnowledgeBase(rows)
		if err != nil {
			return nil, err
		}
		at[kb.ID] = len(out)
		out = append(out, kb)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	srcs, err := t.sources(`WHERE workspace_id = ?`, workspaceID)
	if err != nil {
		return nil, err
	}
	for _, s := range srcs {
		if i, ok := at[s.kb]; ok {
			out[i].Sources = append(out[i].Sources, s.KnowledgeBaseSource)
		}
	}
	return out, nil
}

const sourceColumns = `knowledge_base_id, id, position, type, title, filename, url, content_type, size, created_at, ready_at`

type kbSource struct {
	kb string
	agentry.KnowledgeBaseSource
}

// sources reads source metadata matching where, in the order they were
// added.
func (t *Tx) sources(where string, args ...any) ([]kbSource, error) {
	rows, err := t.query(`SELECT `+sourceColumns+` FROM knowledge_base_sources `+where+` ORDER BY created_at, position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []kbSource
	for rows.Next() {
		var s kbSource
		if err := rows.Scan(&s.kb, &s.ID, &s.Position, &s.Type, &s.Title, &s.Filename, &s.URL, &s.ContentType,
			&s.Size, &s.CreatedAt, &s.ReadyAt); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// KnowledgeBaseSources reads the metadata of a knowledge base's sources.
func (t *Tx) KnowledgeBaseSources(workspaceID, id string) ([]agentry.KnowledgeBaseSource, error) {
	srcs, err := t.sources(`WHERE workspace_id = ? AND knowledge_base_id = ?`, workspaceID, id)
	if err != nil {
		return nil, err
	}
	out := make([]agentry.KnowledgeBaseSource, 0, len(srcs))
	for _, s := range srcs {
		out = append(out, s.KnowledgeBaseSource)
	}
	return out, nil
}

// InsertKnowledgeBaseSource inserts a source with its content.
func (t *Tx) InsertKnowledgeBaseSource(workspaceID, knowledgeBaseID string, s *agentry.KnowledgeBaseSource) error {
	content := s.Content
	if content == nil {
		content = []byte{}
	}
	_, err := t.exec(`INSERT INTO knowledge_base_sources (workspace_id, `+sourceColumns+`, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		workspaceID, knowledgeBaseID, s.ID, s.Position, s.Type, s.Title, s.Filename, s.URL, s.ContentType, s.Size,
		s.CreatedAt, s.ReadyAt, content)
	return err
}

// DeleteKnowledgeBaseSource deletes one source.
func (t *Tx) DeleteKnowledgeBaseSource(workspaceID, knowledgeBaseID, id string) error {
	return mustAffect(t.exec(`DELETE FROM knowledge_base_sources WHERE workspace_id = ? AND knowledge_base_id = ? AND id = ?`,
		workspaceID, knowledgeBaseID, id))
}

// KnowledgeBaseSourceContent reads one source with its content.
func (t *Tx) KnowledgeBaseSourceContent(workspaceID, knowledgeBaseID, id string) (*agentry.KnowledgeBaseSource, error) {
	var s kbSource
	err := t.queryRow(`SELECT `+sourceColumns+`, content FROM knowledge_base_sources WHERE workspace_id = ? AND knowledge_base_id = ? AND id = ?`,
		workspaceID, knowledgeBaseID, id).Scan(&s.kb, &s.ID, &s.Position, &s.Type, &s.Title, &s.Filename, &s.URL,
		&s.ContentType, &s.Size, &s.CreatedAt, &s.ReadyAt, &s.Content)
	if err != nil {
		return nil, notFound(err)
	}
	return &s.KnowledgeBaseSource, nil
}
