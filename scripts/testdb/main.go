// Command testdb gives `make test` a PostgreSQL database of its own, or says
// in one line why there is none.
//
//	testdb create [--server URL]   print the URL of a new database on the server
//	testdb drop URL                drop the database that URL names
//
// create tells apart a server that does not answer from one that answers
// but refuses the login or CREATE DATABASE: both leave the PostgreSQL tests
// to skip outside CI, and both fail the run when CI is set, each with one
// line on standard error that says what failed and how to use another
// server. Only create's URL goes to standard output.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// defaultServer is the server make test uses when AGENTRY_TEST_POSTGRES_URL
// is not set: the local one, as the role every installation has.
const defaultServer = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// otherServer tells the user how to point the tests at another server.
const otherServer = "To use another server: AGENTRY_TEST_POSTGRES_URL='postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=disable' make test (a role that may create databases)"

// connectTimeout bounds each attempt to reach the server.
const connectTimeout = 5 * time.Second

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is the program with its surroundings made explicit, for the tests. It
// returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: testdb create [--server URL] | testdb drop URL")
		return 2
	}
	switch args[0] {
	case "create":
		server := defaultServer
		if len(args) == 3 && args[1] == "--server" {
			server = args[2]
		} else if len(args) != 1 {
			fmt.Fprintln(stderr, "usage: testdb create [--server URL]")
			return 2
		}
		return create(ctx, server, getenv("CI") != "", stdout, stderr)
	case "drop":
		if len(args) != 2 {
			fmt.Fprintln(stderr, "usage: testdb drop URL")
			return 2
		}
		if err := drop(ctx, args[1]); err != nil {
			fmt.Fprintf(stderr, "testdb: drop: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "testdb: unknown command %q (create or drop)\n", args[0])
	return 2
}

// create makes a fresh database on server and prints its URL. Without one it
// prints the reason in one line, and fails only in CI, where the PostgreSQL
// tests must run.
func create(ctx context.Context, server string, ci bool, stdout, stderr io.Writer) int {
	dbURL, err := createDatabase(ctx, server)
	if err == nil {
		fmt.Fprintln(stdout, dbURL)
		return 0
	}
	consequence := "the PostgreSQL tests will skip"
	if ci {
		consequence = "CI must run the PostgreSQL tests"
	}
	fmt.Fprintf(stderr, "%s; %s. %s\n", describe(server, err), consequence, otherServer)
	if ci {
		return 1
	}
	return 0
}

// createDatabase creates a database named for this run on server and
// returns a URL for it, with the server URL's role and options.
func createDatabase(ctx context.Context, server string) (string, error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", err
	}
	conn, err := connect(ctx, server)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.Background())
	b := make([]byte, 4)
	rand.Read(b)
	name := fmt.Sprintf("agentry_test_%d_%s", time.Now().Unix(), hex.EncodeToString(b))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("CREATE DATABASE: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// drop drops the database dbURL names, connecting to the server's postgres
// database to do it.
func drop(ctx context.Context, dbURL string) error {
	u, err := url.Parse(dbURL)
	if err != nil {
		return err
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		return errors.New("the URL names no database")
	}
	u.Path = "/postgres"
	conn, err := connect(ctx, u.String())
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

func connect(ctx context.Context, server string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(server)
	if err != nil {
		return nil, err
	}
	cfg.ConnectTimeout = connectTimeout
	return pgx.ConnectConfig(ctx, cfg)
}

// describe says in words what kept create from making a database: nothing
// answering at the server's address, or a server that refused.
func describe(server string, err error) string {
	where := server
	if u, perr := url.Parse(server); perr == nil {
		where = u.Host
	}
	if noAnswer(err) {
		return fmt.Sprintf("no PostgreSQL answers on %s", where)
	}
	role := "the URL's role"
	if cfg, perr := pgx.ParseConfig(server); perr == nil {
		role = fmt.Sprintf("role %q", cfg.User)
	}
	return fmt.Sprintf("PostgreSQL on %s refused to create a test database as %s: %s", where, role, reason(err))
}

// noAnswer reports whether err means that nothing accepted a connection
// (refused, unreachable, or no reply to the dial), as opposed to a server
// that answered and said no.
func noAnswer(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return false
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// reason is the server's own words when it sent an error, else err's text,
// on one line.
func reason(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return fmt.Sprintf("%s (SQLSTATE %s)", pgErr.Message, pgErr.Code)
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}
