#!/usr/bin/env bash
# Runs every test: gofmt and vet, the Go tests on SQLite and PostgreSQL, and
# the conformance suite (the official Retell SDK against a freshly built
# server).
#
# PostgreSQL: AGENTRY_TEST_POSTGRES_URL names a database to use (its role must
# be allowed to create databases). When it is not set, scripts/testdb creates
# a fresh database on 127.0.0.1:5432 as the role postgres for this run, and
# drops it at the end. When nothing answers there, or the server refuses, one
# line says so and the PostgreSQL tests skip; with CI set, PostgreSQL tests
# must run, so that line fails the run instead.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== gofmt, go vet and go mod tidy"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './conformance/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...
if ! go mod tidy -diff >/dev/null; then
  echo "go mod tidy would change go.mod or go.sum; run it and commit the result:"; go mod tidy -diff || true; exit 1
fi

mkdir -p bin
created_db=""
cleanup() {
  if [ -n "$created_db" ]; then
    bin/testdb drop "$created_db" || true
  fi
}
trap cleanup EXIT

if [ -z "${AGENTRY_TEST_POSTGRES_URL:-}" ]; then
  go build -o bin/testdb ./scripts/testdb
  # Prints the new database's URL, or nothing and one line on stderr; it
  # fails (and so does this script) only when CI is set.
  created_db=$(bin/testdb create)
  if [ -n "$created_db" ]; then export AGENTRY_TEST_POSTGRES_URL="$created_db"; fi
fi
if [ -n "${AGENTRY_TEST_POSTGRES_URL:-}" ]; then
  echo "== PostgreSQL tests use ${AGENTRY_TEST_POSTGRES_URL%%\?*}"
fi

echo "== go test"
go test -count=1 ./...

echo "== fuzzing (a few seconds per target; a finding fails the run and is saved under testdata/fuzz)"
# Each target runs its seeds in go test above; here it also explores for a
# bounded time. Minimising an input it finds interesting is capped, or it
# can stall a short run.
for target in "./schema FuzzCheck" ". FuzzParseVersionRef" ". FuzzPageKey"; do
  set -- $target
  go test -run='^$' -fuzz="^$2\$" -fuzztime="${AGENTRY_FUZZTIME:-3s}" -fuzzminimizetime=100x "$1"
done

echo "== benchmark harness smoke (seconds; checks only that every endpoint answered 2xx)"
go run ./bench --smoke

echo "== conformance (retell-sdk against a freshly built server)"
go build -o bin/agentry ./cmd/agentry
(cd conformance && npm ci --no-audit --no-fund --loglevel=error && AGENTRY_BIN="$PWD/../bin/agentry" npm test)
