package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/internal/sqlstore"
	"github.com/agentry/agentry/internal/storetest"
)

// testOptions keeps each test store's pool small: many tests, and other
// packages' tests, share one server.
var testOptions = Options{MaxConns: 8, ConnTimeout: 5 * time.Second}

// baseDSN is the server the tests use, from AGENTRY_TEST_POSTGRES_URL. Without
// it the tests are skipped, or fail under CI, where skipping would hide them.
func baseDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("AGENTRY_TEST_POSTGRES_URL")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("AGENTRY_TEST_POSTGRES_URL is not set; CI must run the PostgreSQL tests")
		}
		t.Skip("AGENTRY_TEST_POSTGRES_URL is not set")
	}
	return dsn
}

// freshSchema creates an empty schema of its own for one test, dropped when
// the test ends, and returns a DSN whose connections use only that schema.
// Tests are thus independent, and run in parallel with each other and with
// other packages' tests on the same database.
func freshSchema(t *testing.T) string {
	t.Helper()
	base := baseDSN(t)
	b := make([]byte, 8)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin(t, base, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { admin(t, base, "DROP SCHEMA "+schema+" CASCADE") })
	return withParam(t, base, "search_path", schema)
}

// admin runs one statement on the base DSN's database.
func admin(t *testing.T, dsn, stmt string) {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// withParam adds a connection parameter to a URL or key=value DSN.
func withParam(t *testing.T, dsn, key, value string) string {
	t.Helper()
	if !strings.Contains(dsn, "://") {
		return dsn + " " + key + "=" + value
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// mustOpen opens dsn and closes the store when the test ends.
func mustOpen(t *testing.T, dsn string) *sqlstore.Store {
	t.Helper()
	s, err := Open(t.Context(), dsn, testOptions)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	baseDSN(t)
	storetest.Run(t, func(t *testing.T) agentry.Store {
		return mustOpen(t, freshSchema(t))
	})
}

type migrationRow struct {
	Version   int
	Name      string
	AppliedAt int64
}

func migrationRows(t *testing.T, s *sqlstore.Store) []migrationRow {
	t.Helper()
	rows, err := s.R.QueryContext(t.Context(), `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []migrationRow
	for rows.Next() {
		var r migrationRow
		if err := rows.Scan(&r.Version, &r.Name, &r.AppliedAt); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func loadMigrations(t *testing.T) []sqlstore.Migration {
	t.Helper()
	ms, err := sqlstore.LoadMigrations(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 {
		t.Fatal("no migrations embedded")
	}
	return ms
}

func TestMigrationsRecordedOnce(t *testing.T) {
	t.Parallel()
	dsn := freshSchema(t)
	ms := loadMigrations(t)

	s := mustOpen(t, dsn)
	first := migrationRows(t, s)
	if len(first) != len(ms) {
		t.Fatalf("schema_migrations has %d rows, want %d: %+v", len(first), len(ms), first)
	}
	for i, m := range ms {
		if first[i].Version != m.Version || first[i].Name != m.Name {
			t.Errorf("row %d = %+v, want version %d name %s", i, first[i], m.Version, m.Name)
		}
	}
	if n, err := s.Migrate(t.Context(), ms, "", time.Now); err != nil || n != 0 {
		t.Errorf("Migrate on a migrated database applied %d, %v; want 0, nil", n, err)
	}
	s.Close()

	again := migrationRows(t, mustOpen(t, dsn))
	if fmt.Sprint(again) != fmt.Sprint(first) {
		t.Errorf("reopening changed schema_migrations:\n got %+v\nwant %+v", again, first)
	}
}

func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	dsn := freshSchema(t)
	const replicas = 8
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	stores := make([]*sqlstore.Store, replicas)
	startGate := make(chan struct{})
	for i := range replicas {
		wg.Go(func() {
			<-startGate
			stores[i], errs[i] = Open(t.Context(), dsn, Options{MaxConns: 2, ConnTimeout: 5 * time.Second})
		})
	}
	close(startGate)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
			continue
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	if t.Failed() {
		return
	}
	rows, err := stores[0].R.QueryContext(t.Context(), `SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[int]int{}
	for rows.Next() {
		var v, n int
		if err := rows.Scan(&v, &n); err != nil {
			t.Fatal(err)
		}
		got[v] = n
	}
	for _, m := range loadMigrations(t) {
		if got[m.Version] != 1 {
			t.Errorf("migration %s recorded %d times, want once", m.Name, got[m.Version])
		}
	}
	if len(got) != len(loadMigrations(t)) {
		t.Errorf("schema_migrations versions = %v", got)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	dsn := freshSchema(t)
	s := mustOpen(t, dsn)
	if _, err := s.W.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999999, '999999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2, err := Open(t.Context(), dsn, testOptions)
	if err == nil {
		s2.Close()
		t.Fatal("Open accepted a database whose schema is newer than its migrations")
	}
	if msg := err.Error(); !strings.Contains(msg, "999999") || !strings.Contains(msg, "newer agentry") {
		t.Errorf("error does not say the schema is newer: %v", err)
	}
	if agentry.ErrorCode(err) == agentry.EUNAVAILABLE {
		t.Errorf("a newer schema is reported as an unavailable database: %v", err)
	}
}

func TestDuplicate(t *testing.T) {
	t.Parallel()
	s := mustOpen(t, freshSchema(t))
	ctx := t.Context()
	insert := func(id, name string) error {
		return s.Update(ctx, func(tx agentry.Tx) error {
			return tx.InsertWorkspace(&agentry.Workspace{ID: id, Name: name, CreatedAt: 1})
		})
	}
	if err := insert("ws_1", "one"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ id, name string }{{"ws_1", "other"}, {"ws_2", "one"}} {
		err := insert(c.id, c.name)
		if !errors.Is(err, agentry.ErrDuplicate) {
			t.Errorf("insert %s/%s: got %v, want ErrDuplicate", c.id, c.name, err)
		}
		if agentry.ErrorCode(err) == agentry.EUNAVAILABLE {
			t.Errorf("insert %s/%s: duplicate reported as unavailable: %v", c.id, c.name, err)
		}
	}
}

// TestReplicasSerializeOnAgentRow has two stores (two replicas) allocate
// version numbers of one agent at once: the row lock must hand out every
// number exactly once.
func TestReplicasSerializeOnAgentRow(t *testing.T) {
	t.Parallel()
	dsn := freshSchema(t)
	a, b := mustOpen(t, dsn), mustOpen(t, dsn)
	ctx := t.Context()
	agent := &agentry.Resource{WorkspaceID: "ws", ID: "agent_1", Kind: agentry.VoiceAgent, NextVersion: 0}
	if err := a.Update(ctx, func(tx agentry.Tx) error { return tx.InsertResource(agent) }); err != nil {
		t.Fatal(err)
	}
	const perReplica = 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[int64]int{}
	for _, s := range []*sqlstore.Store{a, b, a, b} {
		wg.Go(func() {
			for range perReplica {
				var got int64
				err := s.Update(ctx, func(tx agentry.Tx) error {
					ag, err := tx.LockResource("ws", "agent_1")
					if err != nil {
						return err
					}
					got = ag.NextVersion
					ag.NextVersion++
					return tx.UpdateResource(ag)
				})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[got]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 4*perReplica {
		t.Errorf("%d distinct numbers handed out, want %d", len(seen), 4*perReplica)
	}
	for n, c := range seen {
		if c != 1 {
			t.Errorf("number %d handed out %d times", n, c)
		}
	}
}

// blackhole listens and never answers: a server that accepts connections
// but hangs, which only the connect timeout can cut short.
func blackhole(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

func TestUnreachable(t *testing.T) {
	const timeout = time.Second
	for name, addr := range map[string]string{
		"refused": "127.0.0.1:1",
		"hanging": blackhole(t),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dsn := "postgres://postgres@" + addr + "/test?sslmode=disable"
			opts := Options{MaxConns: 2, ConnTimeout: timeout}
			ctx := t.Context()
			within := func(what string, f func() error) {
				t.Helper()
				began := time.Now()
				err := f()
				t.Logf("%s: %v", what, err)
				if took := time.Since(began); took > timeout+2*time.Second {
					t.Errorf("%s took %v, want about the connect timeout %v", what, took, timeout)
				}
				if agentry.ErrorCode(err) != agentry.EUNAVAILABLE {
					t.Errorf("%s: got %v, want an unavailable error (EUNAVAILABLE)", what, err)
				}
			}

			within("Open", func() error {
				s, err := Open(ctx, dsn, opts)
				if err == nil {
					s.Close()
				}
				return err
			})

			s, err := newStore(dsn, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			within("Ping", func() error { return s.Ping(ctx) })
			within("Update", func() error {
				return s.Update(ctx, func(tx agentry.Tx) error {
					return tx.InsertWorkspace(&agentry.Workspace{ID: "ws", Name: "ws"})
				})
			})
			within("View", func() error {
				return s.View(ctx, func(tx agentry.Tx) error {
					_, err := tx.WorkspaceByName("ws")
					return err
				})
			})
		})
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		err                    error
		duplicate, unavailable bool
	}{
		{&pgconn.PgError{Code: "23505"}, true, false},
		{fmt.Errorf("insert: %w", &pgconn.PgError{Code: "23505"}), true, false},
		{&pgconn.PgError{Code: "23503"}, false, false}, // foreign key
		{&pgconn.PgError{Code: "42P01"}, false, false}, // undefined table
		{&pgconn.PgError{Code: "40001"}, false, false}, // serialization failure
		{&pgconn.PgError{Code: "08006"}, false, true},
		{&pgconn.PgError{Code: "08001"}, false, true},
		{&pgconn.PgError{Code: "57P01"}, false, true},
		{&pgconn.PgError{Code: "57P02"}, false, true},
		{&pgconn.PgError{Code: "57P03"}, false, true},
		{&pgconn.ConnectError{}, false, true},
		{fmt.Errorf("begin: %w", driver.ErrBadConn), false, true},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, false, true},
		{fmt.Errorf("receive: %w", io.ErrUnexpectedEOF), false, true},
		{errors.New("duplicate key value violates unique constraint"), false, false},
		{context.Canceled, false, false},
		{sql.ErrNoRows, false, false},
	} {
		if got := isDuplicate(c.err); got != c.duplicate {
			t.Errorf("isDuplicate(%#v) = %v", c.err, got)
		}
		if got := isUnavailable(c.err); got != c.unavailable {
			t.Errorf("isUnavailable(%#v) = %v", c.err, got)
		}
	}
}

func TestInvalidDSNHidesPassword(t *testing.T) {
	_, err := Open(t.Context(), "postgres://u:s3cret@host:notaport/db", Options{})
	if err == nil {
		t.Fatal("Open accepted an invalid DSN")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error quotes the password: %v", err)
	}
}

// TestMigrationsMatchSQLite keeps the two backends' schemas in step: every
// SQLite migration has a PostgreSQL twin of the same name, and no more.
func TestMigrationsMatchSQLite(t *testing.T) {
	names := func(fsys fs.FS) []string {
		ms, err := sqlstore.LoadMigrations(fsys, ".")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, m.Name)
		}
		return out
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	ours, theirs := names(sub), names(os.DirFS("../sqlite/migrations"))
	if !slices.Equal(ours, theirs) {
		t.Errorf("postgres migrations %v differ from sqlite's %v", ours, theirs)
	}
}

// A database whose transactions are read only (a hot standby, or
// default_transaction_read_only, as here) opens when it is up to date, so
// that serve can say what is wrong, then fails the write probe and every
// write with the unavailable error that wraps ErrReadOnly.
func TestReadOnlyDatabase(t *testing.T) {
	dsn := freshSchema(t)
	mustOpen(t, dsn) // migrated, while it can be written
	s := mustOpen(t, withParam(t, dsn, "default_transaction_read_only", "on"))
	ctx := t.Context()
	wantReadOnly := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, agentry.ErrReadOnly) || agentry.ErrorCode(err) != agentry.EUNAVAILABLE {
			t.Errorf("%s: %v (%s), want EUNAVAILABLE wrapping ErrReadOnly", what, err, agentry.ErrorCode(err))
		}
	}
	wantReadOnly("ProbeWrite", s.ProbeWrite(ctx))
	ks := &agentry.KeyService{Store: s}
	_, err := ks.CreateKey(ctx, "w", "")
	wantReadOnly("a write", err)
	if has, err := ks.HasKeys(ctx); err != nil || has {
		t.Errorf("a read: %v, %v", has, err)
	}
}

// Pooled connections that the server closed (a restart, a terminated
// session) fail on their first use; a request meeting one must not fail
// with them: reads, transactions and writes go on over fresh connections.
func TestClosedPooledConnectionsAreReplaced(t *testing.T) {
	t.Parallel()
	b := make([]byte, 6)
	rand.Read(b)
	app := "agentry_test_" + hex.EncodeToString(b)
	dsn := withParam(t, freshSchema(t), "application_name", app)
	s := mustOpen(t, dsn)
	ctx := t.Context()
	// Fill the pool with several idle connections.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			_ = s.View(ctx, func(tx agentry.Tx) error { _, err := tx.ListKeys(""); time.Sleep(50 * time.Millisecond); return err })
		})
	}
	wg.Wait()
	if n := s.R.Stats().OpenConnections; n < 2 {
		t.Fatalf("the pool holds %d connections, want several", n)
	}
	admin(t, baseDSN(t), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"+app+"'")
	for i := range 3 {
		if err := s.Read(ctx, func(tx agentry.Tx) error { _, err := tx.ListKeys(""); return err }); err != nil {
			t.Fatalf("read %d after the connections were terminated: %v", i, err)
		}
		if err := s.View(ctx, func(tx agentry.Tx) error { _, err := tx.ListKeys(""); return err }); err != nil {
			t.Fatalf("view %d after the connections were terminated: %v", i, err)
		}
	}
	admin(t, baseDSN(t), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"+app+"'")
	err := s.Update(ctx, func(tx agentry.Tx) error {
		return tx.InsertWorkspace(&agentry.Workspace{ID: "ws_after", Name: "after", CreatedAt: 1})
	})
	if err != nil {
		t.Fatalf("a write after the connections were terminated: %v", err)
	}
}
