package agentry

import (
	"bytes"
	"context"
	"errors"
	"path"
	"strings"
)

// Assets: uploaded images and audio, kept byte for byte. Retell normalizes
// audio to headerless PCM; agentry does not transcode, and keeps the file
// and its name as uploaded. Assets are never deleted (the reference has no
// operation for it), so what links one can rely on it.

// Asset ids and limits.
const (
	AssetIDPrefix = "asset_"
	// MaxAssetBytes is the largest asset: the reference's 10 MB.
	MaxAssetBytes = 10 << 20
)

// Asset is an uploaded file.
type Asset struct {
	WorkspaceID string
	ID          string
	FileName    string
	ContentType string
	Size        int64
	Content     []byte // only when read for content
	CreatedAt   int64
}

// mediaTypes are the formats create-asset takes (and clone-voice, for
// audio), by file extension.
var mediaTypes = map[string]string{
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
	".webp": "image/webp", ".svg": "image/svg+xml",
	".mp3": "audio/mpeg", ".wav": "audio/wav", ".webm": "audio/webm", ".ogg": "audio/ogg",
	".m4a": "audio/mp4", ".aac": "audio/aac", ".flac": "audio/flac",
}

// declaredTypes are other names clients give the same formats.
var declaredTypes = map[string]string{
	"audio/mp3": "audio/mpeg", "audio/x-wav": "audio/wav", "audio/wave": "audio/wav", "audio/vnd.wave": "audio/wav",
	"audio/x-m4a": "audio/mp4", "audio/m4a": "audio/mp4", "audio/x-aac": "audio/aac", "audio/x-flac": "audio/flac",
	"image/jpg": "image/jpeg", "video/webm": "audio/webm",
}

// mediaType says which accepted format a file is: by its declared content
// type, else its extension, else its first bytes. ok is false when it is
// none of them.
func mediaType(name, declared string, data []byte) (string, bool) {
	declared = strings.ToLower(strings.TrimSpace(strings.Split(declared, ";")[0]))
	if t, ok := declaredTypes[declared]; ok {
		declared = t
	}
	for _, t := range mediaTypes {
		if t == declared {
			return t, true
		}
	}
	if t, ok := mediaTypes[strings.ToLower(path.Ext(name))]; ok {
		return t, true
	}
	return sniff(data)
}

// sniff recognizes the accepted formats by their magic bytes.
func sniff(b []byte) (string, bool) {
	at := func(off int, sig string) bool { return len(b) >= off+len(sig) && string(b[off:off+len(sig)]) == sig }
	switch {
	case at(0, "\x89PNG\r\n\x1a\n"):
		return "image/png", true
	case at(0, "\xff\xd8\xff"):
		return "image/jpeg", true
	case at(0, "GIF87a"), at(0, "GIF89a"):
		return "image/gif", true
	case at(0, "RIFF") && at(8, "WEBP"):
		return "image/webp", true
	case at(0, "RIFF") && at(8, "WAVE"):
		return "audio/wav", true
	case at(0, "ID3"), len(b) > 1 && b[0] == 0xff && b[1]&0xe0 == 0xe0 && b[1]&0x06 != 0:
		return "audio/mpeg", true
	case at(0, "OggS"):
		return "audio/ogg", true
	case at(0, "fLaC"):
		return "audio/flac", true
	case at(0, "\x1a\x45\xdf\xa3"):
		return "audio/webm", true
	case at(4, "ftyp"):
		return "audio/mp4", true
	case len(b) > 1 && b[0] == 0xff && b[1]&0xf6 == 0xf0:
		return "audio/aac", true
	case bytes.Contains(b[:min(len(b), 512)], []byte("<svg")):
		return "image/svg+xml", true
	}
	return "", false
}

// CreateAsset stores an uploaded image or audio file.
func (s *Service) CreateAsset(ctx context.Context, c Caller, f FileSource) (*Asset, error) {
	if len(f.Data) > MaxAssetBytes {
		return nil, Errorf(ETOOLARGE, "file (%s): larger than the limit of %d MiB", f.Name, MaxAssetBytes>>20)
	}
	if len(f.Data) == 0 {
		return nil, Errorf(EINVALID, "file (%s): is empty", f.Name)
	}
	kind, ok := mediaType(f.Name, f.ContentType, f.Data)
	if !ok {
		return nil, Errorf(EINVALID, "file (%s): must be an image (PNG, JPEG, GIF, WebP, SVG) or audio (MP3, WAV, WebM, OGG, M4A, AAC, FLAC)", f.Name)
	}
	name := path.Base(strings.ReplaceAll(f.Name, `\`, "/"))
	if name == "." || name == "/" {
		name = "file"
	}
	a := &Asset{WorkspaceID: c.Workspace, ID: NewID(AssetIDPrefix), FileName: name, ContentType: kind,
		Size: int64(len(f.Data)), Content: f.Data, CreatedAt: s.now()}
	err := s.Store.Update(ctx, func(tx Tx) error {
		if err := tx.InsertAsset(a); err != nil {
			return err
		}
		return s.record(tx, c, Change{Action: "asset.created", Object: ObjectAsset, ID: a.ID,
			Details: map[string]any{"file_name": a.FileName, "content_type": a.ContentType, "file_size": a.Size}})
	})
	if err != nil {
		return nil, err
	}
	a.Content = nil
	return a, nil
}

// Asset reads an asset with its bytes.
func (s *Service) Asset(ctx context.Context, c Caller, id string) (*Asset, error) {
	var a *Asset
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		a, err = tx.GetAsset(c.Workspace, id, true)
		if errors.Is(err, ErrNotFound) {
			return Errorf(ENOTFOUND, "asset %s not found", id)
		}
		return err
	})
	return a, err
}
