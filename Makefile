# Two commands on a fresh machine: `make demo` and `make test` (see README); `make test-fast`, `make docs`, `make lock`.
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

.PHONY: demo test test-fast lint docs bench install lock runtime-deps test-deps apt clean

demo: install runtime-deps
	$(VENV)/bin/retropack run --config config/demo.yaml --month $(DEMO_MONTH) --no-deliver
	$(VENV)/bin/retropack run --config config/demo-en.yaml --month $(DEMO_MONTH) --no-deliver

test: install runtime-deps test-deps lint docs
	$(PY) -m pytest -q -n auto --dist loadfile

# The unit tests only: no Prefect server, retropack process, LibreOffice or wheel build (marker `integration`).
test-fast: install
	$(PY) -m pytest -q -n auto --dist loadfile -m "not integration"

# Style (ruff), the layers of the package (import-linter: each folder imports only the ones before it) and types
# (mypy with pydantic's plugin; [tool.mypy] in pyproject.toml lists the modules not yet clean).
lint: install
	$(VENV)/bin/ruff check src tests bench flows docs
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# The docs site (site/): the generated pages must match the code (docs/gen.py --check), and any broken link fails.
docs: install
	$(PY) docs/gen.py --check
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet

bench: install runtime-deps
	$(PY) bench/benchmark.py

install: $(STAMP)

# The exact versions of requirements.lock (every extra), then retropack itself, editable, without resolving again.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Pin again after a change of pyproject.toml's dependencies (uv resolves for every platform; pip installs the lock).
lock: install
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --all-extras --universal --python-version 3.11 --no-header \
	  -o requirements.lock

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
	rm -rf $(VENV) .prefect .pytest_cache site reports/*/
