# The two commands a fresh machine needs: `make run` and `make test`.
# Each does its own set-up (libtorch + model into .deps/, see scripts/setup.sh).

CARGO ?= cargo
ADDR ?= 127.0.0.1:8080

.PHONY: setup setup-browser build run test bench distil clean-data

setup:
	@bash scripts/setup.sh

## Chromium and chromedriver for the browser tests (Debian packages).
setup-browser:
	@bash scripts/setup-browser.sh

build: setup
	$(CARGO) build --bin copmatch

## Serve the bundled catalog on the embedded store at $(ADDR).
run: build
	$(CARGO) run --bin copmatch -- serve --addr $(ADDR)

## The benchmarks must build (they only run with `make bench`). Then unit,
## integration, end-to-end and browser tests (real model, real embedded Qdrant,
## headless Chromium); browser screenshots land in target/screenshots/. Then
## schemathesis against the live service's OpenAPI document. Then the
## same store and HTTP suites on a Qdrant server: $QDRANT_URL, or one started from
## $QDRANT_BIN / `qdrant` on PATH; skipped, saying so, when there is neither.
test: setup setup-browser
	$(CARGO) build --workspace --benches
	$(CARGO) test --workspace --no-fail-fast
	CARGO="$(CARGO)" bash scripts/test-schemathesis.sh
	CARGO="$(CARGO)" bash scripts/test-qdrant.sh

## Criterion benchmarks (release build; see README "Benchmarks").
bench: setup
	$(CARGO) bench -p copmatch-benches

## Distil all-mpnet-base-v2 into all-MiniLM-L6-v2's weights (README "Distilling mpnet into
## MiniLM"): a model folder at $(DISTIL_OUT) to serve with --model-dir. ~35 min on 2 cores.
DISTIL_OUT ?= var/models/minilm-distilled
distil: setup
	@bash scripts/setup-distil.sh
	.deps/distil-venv/bin/python scripts/distil.py --out $(DISTIL_OUT)

## Remove the local store (./var); the next `make run` re-imports the catalog.
clean-data:
	rm -rf var
