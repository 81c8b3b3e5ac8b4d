package agentry

import (
	"context"
	"errors"
)

// Account answers: who the calling key is, and the concurrency an emulator
// truthfully has. agentry places no calls, so none are ever ongoing; its
// limit is the one the operator configured (serve --concurrency-limit).
// Retell's organization is agentry's workspace.

// DefaultConcurrencyLimit is the limit reported when none is configured:
// Retell's free concurrency.
const DefaultConcurrencyLimit = 20

// APIKeyInfo says who a key is.
type APIKeyInfo struct {
	WorkspaceID   string
	WorkspaceName string
	// KeyLabel is the key's label; "" when it has none.
	KeyLabel string
}

// APIKeyInfo describes the calling key and its workspace.
func (s *Service) APIKeyInfo(ctx context.Context, c Caller) (*APIKeyInfo, error) {
	info := &APIKeyInfo{WorkspaceID: c.Workspace, KeyLabel: c.KeyLabel}
	err := s.Store.View(ctx, func(tx Tx) error {
		w, err := tx.WorkspaceByID(c.Workspace)
		if errors.Is(err, ErrNotFound) {
			return Errorf(EUNAUTHORIZED, "API key is missing or invalid.")
		} else if err != nil {
			return err
		}
		info.WorkspaceName = w.Name
		return nil
	})
	if err != nil {
		return nil, err
	}
	return info, nil
}

// Concurrency is what get-concurrency reports.
type Concurrency struct {
	// Current is how many calls are ongoing: always 0, since agentry places
	// no calls.
	Current int
	// Limit is the configured limit, all of it base concurrency: nothing is
	// purchased, there is no burst mode and no reservation.
	Limit int
}

// Concurrency reports the configured concurrency.
func (s *Service) Concurrency() Concurrency {
	limit := s.ConcurrencyLimit
	if limit <= 0 {
		limit = DefaultConcurrencyLimit
	}
	return Concurrency{Limit: limit}
}
