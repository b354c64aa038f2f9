# conlab: a Go concurrency lab in the browser.
#   make run    builds everything and serves http://127.0.0.1:8080
#   make test   every test: vet, unit (-race), wasm under Node, wasm in
#               headless Chromium, end-to-end in Chromium, Firefox ESR and
#               WebKitGTK
#   make bench  Go benchmarks of the kernels and of a lab render (natively
#               and in each engine), and the browser benchmark in
#               Chromium, Firefox ESR and WebKitGTK
#   make static a self-contained static site (any static host, any sub-path)

GO       ?= go
GOROOT   := $(shell $(GO) env GOROOT)
ADDR     ?= 127.0.0.1:8080
WEB      := public/web
STATIC   ?= dist/site
WASMEXEC := $(GOROOT)/lib/wasm/wasm_exec.js
NODEEXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec
WASMGO   := GOOS=js GOARCH=wasm $(GO)
TOOLS    := .ci/ensure-tools
# Packages that build for the browser (the rest drive browsers natively).
JSPKGS   := ./workloads/... ./wasm/... ./app ./app/ui/... ./app/charts/...

.PHONY: all build run test vet test-race test-norace test-wasm-node \
	test-wasm-browser test-e2e bench static baseline loadtest deps clean FORCE

all: build

deps:
	$(GO) mod download

build: deps bin/conlab $(WEB)/app.wasm $(WEB)/worker.wasm $(WEB)/wasm_exec.js

# Without cgo, whose threads would hide a deadlock from Go's runtime: the
# deadlock lesson shows the runtime's own verdict natively.
bin/conlab: FORCE
	CGO_ENABLED=0 $(GO) build -o $@ ./app

bin/wasmbrowser: FORCE
	$(GO) build -o $@ ./app/internal/browsertest/exec

# Each wasm is written with gzip and brotli copies that the server picks
# by Accept-Encoding, compressed in Go (app/internal/precompress) so no
# system tool is needed. The worker gets brotli's best (under 1 MB); the
# UI's 15 MB a quicker level.
Q ?= 9
$(WEB)/app.wasm: FORCE bin/precompress
	$(WASMGO) build -trimpath -ldflags='-s -w' -o $@ ./app
	./bin/precompress -q $(Q) $@

$(WEB)/worker.wasm: FORCE bin/precompress
	$(WASMGO) build -trimpath -ldflags='-s -w' -tags conlab_nosource -o $@ ./wasm/worker
	./bin/precompress -q 11 $@

bin/precompress: FORCE
	$(GO) build -o $@ ./app/internal/precompress

$(WEB)/wasm_exec.js: $(WASMEXEC)
	cp $< $@

run: build
	@echo "conlab: serving on http://$(ADDR)"
	./bin/conlab serve -addr $(ADDR)

vet: deps
	$(GO) vet ./...
	$(WASMGO) vet $(JSPKGS)
	@test -z "$$(gofmt -l app wasm workloads)" || { echo "gofmt needed:"; gofmt -l app wasm workloads; exit 1; }

test: vet test-race test-norace test-wasm-node test-wasm-browser test-e2e

# Everything native under the race detector, but the browser suites
# (test-e2e runs the driver's own under it).
test-race: deps
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v -e /internal/e2e -e /internal/webdriver)

# Lost updates are a data race: -race would (rightly) flag the run that
# shows them, so those tests run in a build without it.
test-norace: deps
	$(GO) test -count=1 -run 'Counter|Race' ./workloads/

# The workloads compiled to wasm under Node: the cooperative engine.
test-wasm-node: deps
	@$(TOOLS) node
	$(WASMGO) test -count=1 -exec=$(NODEEXEC) ./workloads/...

# The browser engine and the UI compiled to wasm, in headless Chromium;
# then again on a cross-origin isolated page (shared memory).
test-wasm-browser: deps bin/wasmbrowser
	@$(TOOLS) chromium
	$(WASMGO) test -count=1 -exec=$(CURDIR)/bin/wasmbrowser ./wasm/... ./app/ui/ ./app/charts/
	CONLAB_ISOLATE=1 $(WASMGO) test -count=1 -run 'Shared|Quick|Example' -exec=$(CURDIR)/bin/wasmbrowser ./wasm/...

# End to end, in Chromium, Firefox ESR and WebKitGTK (app/internal/webdriver):
# the UI against `conlab serve`, and the static site (sub-path, offline,
# embedding, updates, first visits). A missing browser skips its tests,
# or fails them under CONLAB_REQUIRE_BROWSERS=1 (.ci/run). Then a tour of
# every lesson's default view and variants in Chromium (TestE2ELessons:
# about 12 minutes on a quiet 2-core machine, 13 to 15 on a busy one).
test-e2e: deps
	@$(TOOLS) chromium firefox-esr WebKitWebDriver Xvfb
	$(GO) test -race -count=1 -timeout 30m ./app/internal/webdriver/
	$(GO) test -count=1 -timeout 60m -tags e2e -run E2E ./app/ui/
	$(GO) test -count=1 -timeout 40m ./app/internal/e2e/
	CONLAB_LESSONS=all $(GO) test -count=1 -timeout 45m -tags e2e -run 'E2ELessons/Chromium' ./app/ui/

# BenchmarkLabRender: one render of a lesson with 39 results, natively and
# mounted in a page of each browser engine (the cost of every click); an
# engine that is missing is skipped, as by the browser benchmark.
bench: deps bin/wasmbrowser
	$(GO) test -run='^$$' -bench=. ./workloads/
	$(GO) test -run='^$$' -bench=LabRender -benchmem ./app/ui/
	@$(TOOLS) chromium firefox-esr WebKitWebDriver Xvfb || echo "conlab: the browser benchmark skips the engines that are missing"
	-$(WASMGO) test -run='^$$' -bench=LabRender -benchmem -exec=$(CURDIR)/bin/wasmbrowser ./app/ui/
	-CONLAB_ENGINE=firefox $(WASMGO) test -run='^$$' -bench=LabRender -benchmem -exec=$(CURDIR)/bin/wasmbrowser ./app/ui/
	-CONLAB_ENGINE=webkit $(WASMGO) test -run='^$$' -bench=LabRender -benchmem -exec=$(CURDIR)/bin/wasmbrowser ./app/ui/
	$(GO) run ./app/internal/browserbench -o out/browserbench.json

static: build
	./bin/conlab static -o $(STATIC)

# Record the native baseline the server and the static site ship.
baseline: bin/conlab
	./bin/conlab baseline -o $(WEB)/data/baseline.json

# The bounded load test of the server: 100 students and a hostile mix
# (CPU-heavy pools, an oversized run, a greedy client, idle connections)
# for 10 s, on loopback.
loadtest: deps
	CONLAB_LOADTEST=1 $(GO) test -count=1 -run TestLoad -v ./app/server/

clean:
	rm -rf bin dist out $(WEB)/*.wasm $(WEB)/*.wasm.br $(WEB)/*.wasm.gz $(WEB)/wasm_exec.js

FORCE:
