# conlab: a Go concurrency lab in the browser.
# `make run` builds everything and serves http://127.0.0.1:8080;
# `make test` runs every test, unit to browser.

GO      ?= go
GOROOT  := $(shell $(GO) env GOROOT)
ADDR    ?= 127.0.0.1:8080
WEB     := public/web
WASMEXEC_SRC := $(GOROOT)/lib/wasm/wasm_exec.js
NODE_EXEC    := $(GOROOT)/lib/wasm/go_js_wasm_exec

.PHONY: all build run test test-unit test-race test-norace test-wasm-node vet bench deps clean loadtest baseline

all: build

deps:
	$(GO) mod download

build: deps bin/conlab $(WEB)/app.wasm $(WEB)/wasm_exec.js

bin/conlab: FORCE
	$(GO) build -o $@ ./app

$(WEB)/app.wasm: FORCE
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -o $@ ./app

$(WEB)/wasm_exec.js: $(WASMEXEC_SRC)
	cp $< $@

run: build
	@echo "conlab: serving on http://$(ADDR)"
	./bin/conlab serve -addr $(ADDR)

vet:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./...
	@test -z "$$(gofmt -l app wasm workloads)" || { echo "gofmt needed:"; gofmt -l app wasm workloads; exit 1; }

test-race: deps
	$(GO) test -race -count=1 ./...

# Lost updates are a data race: -race would (rightly) flag the run that
# shows them, so those tests run in a build without it.
test-norace: deps
	$(GO) test -count=1 -run 'Counter|Race' ./workloads/

# The workloads compiled to wasm and run under Node: the cooperative
# engine on one thread.
test-wasm-node: deps
	@command -v node >/dev/null || { echo "make test needs Node.js: apt-get install nodejs"; exit 1; }
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec=$(NODE_EXEC) ./workloads/...

test: vet test-race test-norace test-wasm-node

bench: deps
	$(GO) test -run='^$$' -bench=. -benchtime=3x ./workloads/

# The bounded classroom load test of the server (100 clients, 10 s).
loadtest: deps
	CONLAB_LOADTEST=1 $(GO) test -count=1 -run TestLoad -v ./app/server/

# Record the native baseline the static site ships.
baseline: bin/conlab
	./bin/conlab baseline -o $(WEB)/data/baseline.json

clean:
	rm -rf bin $(WEB)/*.wasm $(WEB)/wasm_exec.js

FORCE:
