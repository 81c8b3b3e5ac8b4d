package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/agentry/agentry"
)

// A get of one version (get-agent, get-engine) is the API's hot read. It was
// two queries in a read transaction: the agent (to check it exists, in this
// workspace and channel), then the version. Here it is one statement that
// joins the agent row to the version row; the versioning service asks the
// two-query way only when this finds nothing, to tell which part is missing.

// readQueries[anyChannel][pick] is the statement for each shape of read:
// anyChannel when the caller asked for every agent channel (voice or chat),
// pick one of readNumber, readLatest, readLatestPublished.
var readQueries = func() (q [2][3]string) {
	var cols []string
	for _, c := range strings.Split(versionColumns, ",") {
		cols = append(cols, "v."+strings.TrimSpace(c))
	}
	base := `SELECT ` + strings.Join(cols, ", ") + ` FROM agents a JOIN agent_versions v ON v.workspace_id = a.workspace_id AND v.agent_id = a.id` +
		` WHERE a.workspace_id = ? AND a.id = ?`
	for i, channel := range []string{` AND a.channel = ?`, ` AND a.channel IN ('` + agentry.ChannelVoice + `', '` + agentry.ChannelChat + `')`} {
		q[i][readNumber] = base + channel + ` AND v.number = ?`
		q[i][readLatest] = base + channel + ` ORDER BY v.number DESC LIMIT 1`
		q[i][readLatestPublished] = base + channel + ` AND v.published = ? ORDER BY v.published_at DESC, v.number DESC LIMIT 1`
	}
	return q
}()

const (
	readNumber = iota
	readLatest
	readLatestPublished
)

// rowQuerier is a transaction or a whole pool.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readVersion runs the one statement of a version read on db.
func (s *Store) readVersion(ctx context.Context, db rowQuerier, workspaceID, agentID, channel string, ref agentry.VersionRef) (*agentry.Version, error) {
	pick := readLatest
	switch ref.Kind {
	case agentry.RefNumber:
		pick = readNumber
	case agentry.RefLatestPublished:
		pick = readLatestPublished
	case agentry.RefTag:
		return nil, agentry.ErrNotFound // no version has tags yet
	}
	args := make([]any, 0, 4)
	args = append(args, workspaceID, agentID)
	anyChannel := 0
	if channel == "" {
		anyChannel = 1
	} else {
		args = append(args, channel)
	}
	switch pick {
	case readNumber:
		args = append(args, ref.Number)
	case readLatestPublished:
		args = append(args, true)
	}
	v, err := scanVersion(db.QueryRowContext(ctx, s.q(readQueries[anyChannel][pick]), args...))
	if err != nil {
		return nil, notFound(err)
	}
	return &v, nil
}

// ReadVersion reads, in one statement, the version that ref names of the
// agent agentID of the workspace, if the agent's channel matches (""
// matches voice and chat, anything else only itself).
func (t *Tx) ReadVersion(workspaceID, agentID, channel string, ref agentry.VersionRef) (*agentry.Version, error) {
	return t.s.readVersion(t.ctx, t.tx, workspaceID, agentID, channel, ref)
}

// ReadVersion is Tx.ReadVersion outside any transaction, on the read pool.
//
// It needs none: a single SELECT reads one consistent snapshot by itself, on
// SQLite (each statement outside BEGIN is its own read transaction, one WAL
// snapshot) and on PostgreSQL (a statement sees the rows committed when it
// starts, at any isolation level). What View adds is the BEGIN and the COMMIT:
// two more statements on SQLite, two more round trips on PostgreSQL, and a
// goroutine per transaction in database/sql to watch the context.
func (s *Store) ReadVersion(ctx context.Context, workspaceID, agentID, channel string, ref agentry.VersionRef) (*agentry.Version, error) {
	v, err := s.readVersion(ctx, s.R, workspaceID, agentID, channel, ref)
	if err != nil {
		return nil, s.classify(err)
	}
	return v, nil
}
