package httpapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/httpapi"
	"github.com/agentry/agentry/schema"
)

// stalledStore is a database that accepted the query and never answers,
// until the caller gives up.
type stalledStore struct{ agentry.Store }

func (s stalledStore) View(ctx context.Context, fn func(agentry.Tx) error) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestAStalledDatabaseGivesA503WithinTheRequestTimeout(t *testing.T) {
	e := newEnv(t, func(s *httpapi.Server) {
		s.Service = &agentry.Service{Store: stalledStore{s.Service.Store}, Rules: schema.Rules{}}
		s.RequestTimeout = 200 * time.Millisecond
	})
	// Without the timeout this request would never be answered.
	wantError(t, e.do("GET", "/get-agent/agent_0123", e.keyA, nil), 503, "database")
}
