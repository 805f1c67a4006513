# Conveyor: the two commands of the README are `make run` and `make test`.
GO ?= go
PKGS ?= ./...

.PHONY: run test vet fuzz build clean

## run: check the example conveyors (the runtime will start here once it exists)
run:
	$(GO) run ./cmd/conveyor validate examples/*.yaml && echo "examples/*.yaml: valid"

## test: vet and the whole test suite against one private PostgreSQL server
test: vet bin/withpg
	bin/withpg -- $(GO) test -count=1 $(PKGS)

vet:
	$(GO) vet $(PKGS)

bin/withpg: $(shell find internal/pgtest pglocal -name '*.go' -not -name '*_test.go')
	$(GO) build -o $@ ./internal/pgtest/withpg

## fuzz: run the definition fuzzer for a minute (the seed corpus runs in every `make test`)
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzCompile -fuzztime 60s ./definitions

build:
	$(GO) build -o bin/conveyor ./cmd/conveyor

clean:
	rm -rf bin
