package httpapi

import (
	"net/http"
	"strconv"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// Knowledge bases (see knowledgebase.go in the domain). Their sources'
// file_url and content_url point at agentry's own content endpoint, on the
// host the request was made to.

// knowledgeBaseForm is what the multipart bodies carry besides files.
type knowledgeBaseForm struct {
	Name    string `json:"knowledge_base_name"`
	Refresh bool   `json:"enable_auto_refresh"`
	Max     int    `json:"max_chunk_size"`
	Min     int    `json:"min_chunk_size"`
	Texts   []struct {
		Title string `json:"title"`
		Text  string `json:"text"`
	} `json:"knowledge_base_texts"`
	URLs []string `json:"knowledge_base_urls"`
}

func (b *knowledgeBaseForm) sources(f *form) agentry.NewSources {
	n := agentry.NewSources{URLs: b.URLs, Files: f.sources("knowledge_base_files")}
	for _, t := range b.Texts {
		n.Texts = append(n.Texts, agentry.TextSource{Title: t.Title, Text: t.Text})
	}
	return n
}

func (s *Server) createKnowledgeBase(w http.ResponseWriter, r *http.Request) error {
	var b knowledgeBaseForm
	f, err := decodeForm(r, schema.KnowledgeBaseCreate, agentry.MaxKnowledgeBaseFileBytes, &b)
	if err != nil {
		return err
	}
	kb, err := s.Service.CreateKnowledgeBase(r.Context(), caller(r), agentry.CreateKnowledgeBaseRequest{Name: b.Name,
		EnableAutoRefresh: b.Refresh, MaxChunkSize: b.Max, MinChunkSize: b.Min, Sources: b.sources(f)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, knowledgeBaseJSON(r, kb))
	return nil
}

func (s *Server) getKnowledgeBase(w http.ResponseWriter, r *http.Request) error {
	kb, err := s.Service.GetKnowledgeBase(r.Context(), caller(r), r.PathValue("knowledge_base_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, knowledgeBaseJSON(r, kb))
	return nil
}

func (s *Server) listKnowledgeBases(w http.ResponseWriter, r *http.Request) error {
	kbs, err := s.Service.ListKnowledgeBases(r.Context(), caller(r))
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(kbs))
	for i := range kbs {
		out[i] = knowledgeBaseJSON(r, &kbs[i])
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) deleteKnowledgeBase(w http.ResponseWriter, r *http.Request) error {
	if err := s.Service.DeleteKnowledgeBase(r.Context(), caller(r), r.PathValue("knowledge_base_id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) addKnowledgeBaseSources(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("knowledge_base_id")
	// A missing knowledge base is answered before its upload is read.
	if _, err := s.Service.GetKnowledgeBase(r.Context(), caller(r), id); err != nil {
		return err
	}
	var b knowledgeBaseForm
	f, err := decodeForm(r, schema.KnowledgeBaseAddSources, agentry.MaxKnowledgeBaseFileBytes, &b)
	if err != nil {
		return err
	}
	kb, err := s.Service.AddKnowledgeBaseSources(r.Context(), caller(r), id, b.sources(f))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, knowledgeBaseJSON(r, kb))
	return nil
}

func (s *Server) deleteKnowledgeBaseSource(w http.ResponseWriter, r *http.Request) error {
	kb, err := s.Service.DeleteKnowledgeBaseSource(r.Context(), caller(r), r.PathValue("knowledge_base_id"), r.PathValue("source_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, knowledgeBaseJSON(r, kb))
	return nil
}

func (s *Server) getKnowledgeBaseSourceContent(w http.ResponseWriter, r *http.Request) error {
	src, err := s.Service.KnowledgeBaseSource(r.Context(), caller(r), r.PathValue("knowledge_base_id"), r.PathValue("source_id"))
	if err != nil {
		return err
	}
	name := src.Filename
	if src.Type == agentry.SourceText {
		name = src.Title + ".txt"
	}
	writeContent(w, src.ContentType, name, src.Content)
	return nil
}

// knowledgeBaseJSON is KnowledgeBaseResponse: the sources indexed so far.
func knowledgeBaseJSON(r *http.Request, kb *agentry.KnowledgeBase) map[string]any {
	sources := []map[string]any{}
	for _, src := range kb.Indexed() {
		m := map[string]any{"type": src.Type, "source_id": src.ID}
		content := baseURL(r) + "/agentry/v1/knowledge-bases/" + kb.ID + "/sources/" + src.ID + "/content"
		switch src.Type {
		case agentry.SourceDocument:
			m["filename"], m["file_url"], m["file_size"] = src.Filename, content, src.Size
		case agentry.SourceText:
			m["title"], m["content_url"] = src.Title, content
		case agentry.SourceURL:
			m["url"] = src.URL
		}
		sources = append(sources, m)
	}
	out := map[string]any{
		"knowledge_base_id": kb.ID, "knowledge_base_name": kb.Name, "status": kb.Status(),
		"max_chunk_size": kb.MaxChunkSize, "min_chunk_size": kb.MinChunkSize,
		"enable_auto_refresh": kb.EnableAutoRefresh, "knowledge_base_sources": sources,
	}
	if t := kb.LastRefreshed(); t != 0 {
		out["last_refreshed_timestamp"] = t
	}
	return out
}

// baseURL is the scheme and host the client reached this server at, for
// the URLs of stored content.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// writeContent answers with stored bytes. They are sent as an attachment
// and never sniffed, so an uploaded SVG or HTML file cannot run in a
// browser as part of the API's origin.
func writeContent(w http.ResponseWriter, contentType, name string, data []byte) {
	h := w.Header()
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", mimeAttachment(name))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}
