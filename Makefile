# The two commands of the README: `make run` and `make test`.
.PHONY: run test build bench

run:
	go run ./cmd/agentry serve

build:
	go build -o bin/agentry ./cmd/agentry

test:
	bash scripts/test.sh

bench:
	go run ./bench
