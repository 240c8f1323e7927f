# cityid: `make run` serves a demo data dir; `make test` sets everything up and tests it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= cityid-data
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint bench reliability system-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Debian packages the tests drive for real: Chromium (browser tests) and SoftHSM2 (HSM).
system-deps:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -e /usr/lib/softhsm/libsofthsm2.so || missing="$$missing softhsm2"; \
	command -v softhsm2-util >/dev/null || missing="$$missing softhsm2"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else \
	    echo "missing Debian packages:$$missing (run as root, or: sudo apt-get install$$missing)"; \
	  fi; \
	fi

# `cityid demo-state` writes DATA_DIR/{config.toml,policy.toml,keystore.json,cityid.db},
# DATA_DIR/demo-files/ (the story's exports) and DATA_DIR/logins.txt (one login per role).
run: $(STAMP)
	@if [ ! -f "$(DATA_DIR)/config.toml" ]; then \
	  $(BIN)/cityid demo-state --data-dir "$(DATA_DIR)" \
	    || echo "cityid: the demo story did not load completely (see above); serving what there is"; \
	fi
	@echo "cityid: public pages at http://$(HOST):$(PORT)/ , staff console at http://$(HOST):$(PORT)/console/"
	@if [ -f "$(DATA_DIR)/logins.txt" ]; then \
	  echo "cityid: staff logins (one per role) from $(DATA_DIR)/logins.txt:"; cat "$(DATA_DIR)/logins.txt"; \
	else echo "cityid: no $(DATA_DIR)/logins.txt; add staff with: $(BIN)/cityid --data-dir $(DATA_DIR) user add --help"; fi
	CITYID_INSECURE_COOKIES=1 $(BIN)/cityid serve --data-dir "$(DATA_DIR)" --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pip-audit --skip-editable --progress-spinner off || echo "pip-audit: could not complete (see above)"

test: $(STAMP) system-deps
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -p no:cacheprovider -m "not slow"

bench: $(STAMP)
	$(BIN)/cityid bench

reliability: $(STAMP)
	$(BIN)/pytest -p no:cacheprovider -q tests/fuzz tests/reliability
	$(BIN)/pytest -p no:cacheprovider -q -m slow || test $$? -eq 5
	mkdir -p test-artifacts
	$(BIN)/python scripts/loadtest.py --clients 50 --seconds 60 --json-out test-artifacts/load-report.json

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
