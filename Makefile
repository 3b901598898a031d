# CrackTrader: `make demo` serves the app, `make test` runs every test. Both start with
# `make setup`, which is idempotent: the second run only checks, in a few seconds.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

RUST_SRC := $(shell find wasm/src -name '*.rs') wasm/Cargo.toml wasm/Cargo.lock
CORE_SRC := $(shell find shared/cracktrader -name '*.py')
HOST_SRC := $(shell find host -name '*.py')
WEB_SRC := $(shell find web -type f)
# The editable install builds the extension in place under the interpreter's own suffix
# (_native.cpython-311-*.so; only the wheel is abi3): this stamp says it is up to date.
NATIVE := build/native.stamp
KERNELS_WASM := build/kernels/cracktrader_kernels_bg.wasm
NODE_DEPS := node_modules/.package-lock.json
WEB := build/web/build.json
DIST := dist/.built
WHEELHOUSE := build/wheelhouse/.done

.PHONY: setup system demo static test test-rust test-python web dist distcheck wheelhouse bench clean

setup: system $(VENV)/.deps $(NATIVE) $(NODE_DEPS) $(WEB)

system:
	@scripts/setup-system.sh

$(VENV)/.deps: requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The PyO3 extension, built in release mode into shared/cracktrader by an editable install.
$(NATIVE): $(RUST_SRC) pyproject.toml $(VENV)/.deps
	$(PY) -m pip install -q --disable-pip-version-check --no-build-isolation -e .
	rm -f shared/cracktrader/_native.abi3.so  # an old build's name: never the one imported
	mkdir -p build && touch $@

$(NODE_DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(KERNELS_WASM): $(RUST_SRC) build/wasm-toolchain
	scripts/build-wasm.sh

build/wasm-toolchain: | system

$(WEB): $(WEB_SRC) $(CORE_SRC) $(KERNELS_WASM) $(NODE_DEPS) scripts/build_web.py scripts/build_core_wheel.py \
		scripts/build_help.py scripts/pyodide_snapshot.mjs docs/indicators.md
	$(PY) scripts/build_web.py build/web

web: $(WEB)

# What users install (see README "Install"): dist/ holds the sdist and one manylinux wheel for
# CPython 3.11+ with the web app inside. distcheck builds the wheel from the sdist, from
# scratch, as pip would (several minutes: every Rust and web build runs again).
$(DIST): $(NATIVE) $(WEB) $(HOST_SRC) setup.py MANIFEST.in README.md scripts/build_dist.py scripts/build_prereqs.py
	$(PY) scripts/build_dist.py dist
	touch $@

dist: setup $(DIST)

distcheck: setup
	$(PY) scripts/build_dist.py --from-sdist build/distcheck

# The wheel's dependencies as wheels (pinned by requirements-dev.txt): the install tests put
# dist/'s wheel into a fresh environment from these, with no network.
$(WHEELHOUSE): pyproject.toml requirements-dev.txt | $(VENV)/.deps
	rm -rf $(@D) && mkdir -p $(@D)
	$(PY) -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > $(@D)/requirements.txt
	$(PY) -m pip download -q --disable-pip-version-check --only-binary :all: -c requirements-dev.txt -d $(@D) -r $(@D)/requirements.txt
	touch $@

wheelhouse: $(WHEELHOUSE)

# The offline static demo in build/static: serve it with any static file server.
static: setup
	$(VENV)/bin/cracktrader build-static build/static --force

demo: setup
	$(VENV)/bin/cracktrader serve --host $(HOST) --port $(PORT)

test: setup $(DIST) $(WHEELHOUSE) test-rust test-python

test-rust:
	cd wasm && cargo test --quiet

test-python:
	$(PY) -m pytest -q

# Benchmarks: each bench/*.py runs the peers and ours in the same run and prints ratios.
bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf build dist shared/cracktrader/_native*.so wasm/target
