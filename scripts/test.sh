#!/usr/bin/env bash
# Runs every test: gofmt and vet, the Go tests on SQLite and PostgreSQL, and
# the conformance suite (the official Retell SDK against a freshly built
# server).
#
# PostgreSQL: AGENTRY_TEST_POSTGRES_URL names a database to use. When it is not
# set and a server answers on 127.0.0.1:5432, a fresh database is created for
# this run and dropped at the end. With CI set, PostgreSQL tests must run: a
# missing database fails the run instead of skipping them.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== gofmt and go vet"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './conformance/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...

created_db=""
cleanup() {
  if [ -n "$created_db" ]; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $created_db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

if [ -z "${AGENTRY_TEST_POSTGRES_URL:-}" ] && command -v psql >/dev/null 2>&1 \
   && pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  created_db="agentry_test_$(date +%s)_$$"
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $created_db" >/dev/null
  export AGENTRY_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/$created_db?sslmode=disable"
fi
if [ -n "${AGENTRY_TEST_POSTGRES_URL:-}" ]; then
  echo "== PostgreSQL tests use ${AGENTRY_TEST_POSTGRES_URL%%\?*}"
else
  echo "== no PostgreSQL reachable: its tests will skip (they fail instead when CI is set)"
fi

echo "== go test"
go test -count=1 ./...

echo "== benchmark harness smoke (seconds; checks only that every endpoint answered 2xx)"
go run ./bench --smoke

echo "== conformance (retell-sdk against a freshly built server)"
mkdir -p bin
go build -o bin/agentry ./cmd/agentry
(cd conformance && npm ci --no-audit --no-fund --loglevel=error && AGENTRY_BIN="$PWD/../bin/agentry" npm test)
