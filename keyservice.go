package agentry

import (
	"context"
	"crypto/subtle"
	"errors"
	"time"
)

// KeyService manages workspaces and their API keys.
type KeyService struct {
	Store Store
	Now   func() time.Time
	// Operator is the actor the audit log records for this service's
	// changes: keys are managed by commands on the database (agentry keys,
	// serve), never through the API. Empty means "agentry".
	Operator string
}

func (s *KeyService) now() int64 {
	if s.Now != nil {
		return s.Now().UnixMilli()
	}
	return time.Now().UnixMilli()
}

// ensureWorkspace returns the workspace named name, creating it if needed.
func (s *KeyService) ensureWorkspace(tx Tx, name string) (*Workspace, error) {
	w, err := tx.WorkspaceByName(name)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return w, err
	}
	w = &Workspace{ID: NewID("ws_"), Name: name, CreatedAt: s.now()}
	return w, tx.InsertWorkspace(w)
}

// CreateKey creates a new key in the named workspace (created if needed) and
// returns it. The key is shown only here; only its hash is stored.
func (s *KeyService) CreateKey(ctx context.Context, workspace, label string) (string, error) {
	key := NewKey()
	return key, s.addKey(ctx, workspace, key, label)
}

// EnsureKey makes sure key exists in the named workspace. It reports whether
// the key was added. A key that belongs to another workspace is an error.
func (s *KeyService) EnsureKey(ctx context.Context, workspace, key, label string) (bool, error) {
	if !ValidKeyFormat(key) {
		return false, Errorf(EINVALID, "API key: must be key_ followed by 32 lowercase hex characters")
	}
	added := false
	err := s.Store.Update(ctx, func(tx Tx) error {
		w, err := s.ensureWorkspace(tx, workspace)
		if err != nil {
			return err
		}
		k, err := tx.KeyByHash(HashKey(key))
		switch {
		case err == nil && k.WorkspaceID != w.ID:
			return Errorf(EINVALID, "API key %s… belongs to another workspace", key[:KeyPrefixLen])
		case err == nil && k.RevokedAt != 0:
			return Errorf(EINVALID, "API key %s… was revoked; create a new one", key[:KeyPrefixLen])
		case err == nil:
			return nil
		case !errors.Is(err, ErrNotFound):
			return err
		}
		added = true
		k = newKeyRow(w.ID, key, label, s.now())
		if err := tx.InsertKey(k); err != nil {
			return err
		}
		return s.record(tx, k, "api_key.created")
	})
	return added, err
}

func (s *KeyService) addKey(ctx context.Context, workspace, key, label string) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		w, err := s.ensureWorkspace(tx, workspace)
		if err != nil {
			return err
		}
		k := newKeyRow(w.ID, key, label, s.now())
		if err := tx.InsertKey(k); err != nil {
			return err
		}
		return s.record(tx, k, "api_key.created")
	})
}

func newKeyRow(workspaceID, key, label string, now int64) *APIKey {
	return &APIKey{ID: NewID("apikey_"), WorkspaceID: workspaceID, Hash: HashKey(key),
		Prefix: key[:KeyPrefixLen], Label: label, CreatedAt: now}
}

// HasKeys reports whether any key exists at all.
func (s *KeyService) HasKeys(ctx context.Context) (bool, error) {
	keys, err := s.ListKeys(ctx, "")
	return len(keys) > 0, err
}

// ListKeys lists the keys of one workspace by name, or of all when workspace is "".
func (s *KeyService) ListKeys(ctx context.Context, workspace string) ([]APIKey, error) {
	var keys []APIKey
	err := s.Store.View(ctx, func(tx Tx) error {
		id := ""
		if workspace != "" {
			w, err := tx.WorkspaceByName(workspace)
			if errors.Is(err, ErrNotFound) {
				return Errorf(ENOTFOUND, "workspace %q not found", workspace)
			} else if err != nil {
				return err
			}
			id = w.ID
		}
		var err error
		keys, err = tx.ListKeys(id)
		return err
	})
	return keys, err
}

// RevokeKey revokes the key whose ID or prefix is given.
func (s *KeyService) RevokeKey(ctx context.Context, idOrPrefix string) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		keys, err := tx.ListKeys("")
		if err != nil {
			return err
		}
		err = tx.RevokeKey(idOrPrefix, s.now())
		if errors.Is(err, ErrNotFound) {
			return Errorf(ENOTFOUND, "no valid key has ID or prefix %q", idOrPrefix)
		} else if err != nil {
			return err
		}
		for i, k := range keys {
			if (k.ID == idOrPrefix || k.Prefix == idOrPrefix) && k.RevokedAt == 0 {
				if err := s.record(tx, &keys[i], "api_key.revoked"); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// Authenticate returns the caller that a valid key stands for: its
// workspace, and the key's prefix and label.
func (s *KeyService) Authenticate(ctx context.Context, key string) (Caller, error) {
	if !ValidKeyFormat(key) {
		return Caller{}, Errorf(EUNAUTHORIZED, "API key is missing or invalid.")
	}
	var c Caller
	hash := HashKey(key)
	err := s.Store.View(ctx, func(tx Tx) error {
		k, err := tx.KeyByHash(hash)
		// The lookup is by hash; the comparison after it is constant-time so a
		// mismatch (a store that matched loosely) never leaks timing.
		if errors.Is(err, ErrNotFound) || (err == nil && (k.RevokedAt != 0 || subtle.ConstantTimeCompare([]byte(k.Hash), []byte(hash)) != 1)) {
			return Errorf(EUNAUTHORIZED, "API key is missing or invalid.")
		}
		if err != nil {
			return err
		}
		c = Caller{Workspace: k.WorkspaceID, KeyPrefix: k.Prefix, KeyLabel: k.Label}
		return nil
	})
	return c, err
}

// record writes the audit entry (and queues the webhook deliveries) of a
// change to key k, with the service's operator as the actor and a request
// id of its own.
func (s *KeyService) record(tx Tx, k *APIKey, action string) error {
	label := s.Operator
	if label == "" {
		label = "agentry"
	}
	c := Caller{Workspace: k.WorkspaceID, KeyLabel: label, RequestID: NewID("op_")}
	return record(tx, c, s.now(), Change{Action: action, Object: ObjectAPIKey, ID: k.ID,
		Details: map[string]any{"key_prefix": k.Prefix, "label": k.Label}})
}
