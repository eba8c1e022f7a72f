# The two commands a new machine needs: `make lab` and `make test`. Everything else is set-up they share.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# A bare `torch` requirement can pull a multi-GB CUDA build; on a machine with the CPU build on disk this
# takes that file. Override for another platform, e.g. `make lab TORCH_SPEC='torch'`.
TORCH_SPEC ?= torch==2.13.0
PORT ?= 8888
# `make lab BROWSER=none` opens no browser (JupyterLab still prints the URL with its token). Root, the usual
# user in containers, needs --allow-root. binder/jupyter_server_config.json opens the first lesson (Binder
# installs the same file); it joins the config path, so the user's own Jupyter config still applies.
LAB_FLAGS = --port=$(PORT) $(if $(filter 0,$(shell id -u)),--allow-root) $(if $(filter none,$(BROWSER)),--no-browser)
LAB_CONFIG_PATH = $(CURDIR)/binder$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH))

.PHONY: lab test lint audit js-test env test-env chromium screenshots bench clean

lab: env
	JUPYTER_CONFIG_PATH="$(LAB_CONFIG_PATH)" $(VENV)/bin/jupyter lab $(LAB_FLAGS)

test: test-env chromium
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory audit
	$(MAKE) --no-print-directory js-test
	$(PY) -m pytest tests -q

# Python lint, format and type checks (rules and settings in pyproject.toml).
lint: test-env
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# npm audit of the front end's runtime dependencies: fails on a high or critical advisory, and skips with the
# reason when the registry's audit service does not answer (offline, or a mirror without it).
audit:
	python3 .ci/npm_audit.py

# The front end's unit tests (node's own test runner). The pip install above creates js/node_modules;
# should it be missing, npm restores it from the lock file first.
js-test:
	cd js && if [ ! -d node_modules/esbuild ]; then \
		if [ -f package-lock.json ]; then npm ci; else npm install; fi; \
	fi && npm test

env: $(VENV)/.installed

test-env: $(VENV)/.installed-test

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.torch: | $(PY)
	$(PY) -c "import torch" 2>/dev/null || $(PIP) install "$(TORCH_SPEC)"
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.torch
	$(PIP) install -e ".[tutorials]"
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install -e ".[test,tutorials]"
	touch $@

# Debian's chromium, for the real-browser tests (never a downloaded browser).
chromium:
	@command -v chromium >/dev/null || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

# The README's widget screenshots (notebooks/images/*.png): real widgets in JupyterLab, headless Chromium.
screenshots: test-env chromium
	$(PY) tests/browser/screenshots.py

bench: test-env
	$(PY) benchmarks/analogy.py
	$(PY) benchmarks/neighbors.py
	$(PY) benchmarks/encode.py

clean:
	rm -rf $(VENV) build dist *.egg-info
