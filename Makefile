# Conveyor: the README's two commands are `make run` and `make test`.
GO ?= go
PKGS ?= ./...
WORKFLOWCHECK ?= go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0

.PHONY: run test vet bench fuzz chaos screenshots build clean

## run: Conveyor with an embedded Temporal server and a local PostgreSQL, demo seeded
run: build
	bin/conveyor dev

## test: vet, workflow determinism check, and every package's tests against one private PostgreSQL
test: vet bin/withpg
	bin/withpg -- $(GO) test -count=1 $(PKGS)

vet:
	$(GO) vet $(PKGS)
	$(GO) run $(WORKFLOWCHECK) -config workflowcheck.config.yaml ./workflows/...

bin/withpg: $(shell find internal/pgtest pglocal -name '*.go' -not -name '*_test.go')
	$(GO) build -o $@ ./internal/pgtest/withpg

## bench: a conveyor step against a bare Temporal Update, My clients over 100,000 clients, saved views and the analytics page over 1,000,000 work items, pages of 1,000 rows
bench: bin/withpg
	$(GO) run ./internal/bench
	bin/withpg -- $(GO) test -run '^$$' -bench Render1000Rows -benchtime 20x ./web/ | grep -E '^(Benchmark|goos|cpu)' 

## fuzz: every fuzz target of the repository for FUZZTIME each (their seed corpora run in every `make test`);
## FUZZTIME is a duration or a count of inputs (50000x), which Go 1.26 stops without a spurious deadline failure
FUZZTIME ?= 60s
fuzz:
	@set -e; for file in $$(grep -rl --include='*_test.go' --exclude-dir=.conveyor --exclude-dir=.git '^func Fuzz' .); do \
		for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$file); do \
			echo "$(GO) test -run '^$$' -fuzz '^$$target\$$' -fuzztime $(FUZZTIME) $$(dirname $$file)"; \
			$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$(dirname $$file); \
		done; \
	done

## chaos: the kill test under a longer load (make test runs a short one)
chaos: bin/withpg
	CONVEYOR_CHAOS_PROCESSES=300 CONVEYOR_CHAOS_KILLS=6 bin/withpg -- $(GO) test -count=1 -timeout 20m -run TestChaos -v ./cmd/conveyor

## screenshots: rewrite the README's pictures from the browser tests
screenshots: bin/withpg
	bin/withpg -- $(GO) test -count=1 ./web/ -update-screenshots

build:
	$(GO) build -o bin/conveyor ./cmd/conveyor

clean:
	rm -rf bin
