package httpapi

import (
	"net/http"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// Assets (see asset.go in the domain).

func (s *Server) createAsset(w http.ResponseWriter, r *http.Request) error {
	var none struct{}
	f, err := decodeForm(r, schema.CreateAsset, agentry.MaxAssetBytes, &none)
	if err != nil {
		return err
	}
	a, err := s.Service.CreateAsset(r.Context(), caller(r), f.sources("file")[0])
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"asset_id": a.ID, "file_name": a.FileName, "content_type": a.ContentType,
		"file_size": a.Size, "created_timestamp": a.CreatedAt, "url": baseURL(r) + "/agentry/v1/assets/" + a.ID + "/content"})
	return nil
}

func (s *Server) getAssetContent(w http.ResponseWriter, r *http.Request) error {
	a, err := s.Service.Asset(r.Context(), caller(r), r.PathValue("asset_id"))
	if err != nil {
		return err
	}
	writeContent(w, a.ContentType, a.FileName, a.Content)
	return nil
}
