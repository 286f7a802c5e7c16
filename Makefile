# Two commands on a fresh machine: `make demo` and `make test` (see README).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_MONTH ?= 2026-10
export PREFECT_HOME ?= $(CURDIR)/.prefect
export MPLBACKEND := Agg
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false

# Debian packages. To write the pack: Pango and HarfBuzz's subsetter for WeasyPrint. For the tests
# (and looking at output): poppler-utils, LibreOffice Impress and a Japanese system font, to turn
# the pack into images and open the deck.
RUNTIME_APT := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_APT := poppler-utils libreoffice-impress fonts-ipaexfont-gothic

.PHONY: demo test lint bench install runtime-deps test-deps apt clean

demo: install runtime-deps
	$(VENV)/bin/retropack run --config config/demo.yaml --month $(DEMO_MONTH) --no-deliver
	$(VENV)/bin/retropack run --config config/demo-en.yaml --month $(DEMO_MONTH) --no-deliver

test: install runtime-deps test-deps lint
	$(PY) -m pytest -q -n auto --dist loadfile

# Style (ruff) and the layers of the package (import-linter: each folder imports only the ones before it).
lint: install
	$(VENV)/bin/ruff check retropack tests bench flows
	$(VENV)/bin/lint-imports

bench: install runtime-deps
	$(PY) bench/benchmark.py

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

runtime-deps:
	@$(MAKE) --no-print-directory apt PACKAGES="$(RUNTIME_APT)"

test-deps:
	@$(MAKE) --no-print-directory apt PACKAGES="$(TEST_APT)"

# Install the Debian PACKAGES that are missing (as root, or through sudo); nothing when all are there.
apt:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

clean:
	rm -rf $(VENV) .prefect .pytest_cache reports/*/
