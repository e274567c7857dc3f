# The two set-up commands of the README: `make score` and `make test`.
# Each bootstraps .venv with the pinned dependencies from pyproject.toml when needed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: score test validate bench clean render system-packages explore web-system-packages serve status bench-web

# What the rendered checks need from the system (tests/test_rendered.py, tools/render.py):
# LibreOffice (Calc, Writer) to print the outputs to PDF, Times New Roman-compatible fonts
# with Vietnamese letters (Liberation Serif), poppler's pdftoppm for PNG pages. Installed
# with apt-get when missing (CI runs as root; elsewhere through sudo when there is one).
SYSTEM_PACKAGES := libreoffice-calc libreoffice-writer fonts-liberation fonts-liberation2 poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# Score the bundled example (Tu Mơ Rông, 2023) into out/. out/ belongs to this target,
# so it replaces the previous result (--force); the CLI itself never overwrites without it.
score: $(STAMP)
	$(PY) cli.py score --out out --force

validate: $(STAMP)
	$(PY) cli.py validate

# The board of the bundled round in progress (submissions/vi-du-dang-cham, issue 14): every
# state of the round at least once, on the day the example stands at.
status: $(STAMP)
	$(PY) cli.py status --submissions submissions/vi-du-dang-cham/communes --as-of 2024-02-07

system-packages:
	@if command -v soffice >/dev/null && command -v pdftoppm >/dev/null \
	    && fc-list 2>/dev/null | grep -q "Liberation Serif"; then :; else \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y \
	    --no-install-recommends $(SYSTEM_PACKAGES); fi

test: $(STAMP) system-packages web-system-packages
	$(PY) -m pytest
	tools/with_postgres.sh $(PY) -m pytest tests/web -m "not browser" -p no:cacheprovider

# The web application (web/, issue 18): its tests drive the system's Chromium through
# chromedriver and run again on a throw-away PostgreSQL (tools/with_postgres.sh).
WEB_SYSTEM_PACKAGES := chromium chromium-driver postgresql
web-system-packages:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null \
	    && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; else \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y \
	    --no-install-recommends $(WEB_SYSTEM_PACKAGES); fi

# The demo: migrate, load the bundled example as a round with one account per role (printed
# once, on the first run), serve on http://localhost:8000 (data in web-data/, or CCHC_WEB_DATA).
serve: $(STAMP)
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:8000

# A random search for new property-test examples (not CI: make test runs the same examples
# every time). What it finds is fixed and pinned as a test.
explore: $(STAMP)
	HYPOTHESIS_PROFILE=explore $(PY) -m pytest tests/test_properties.py tests/test_rule_kinds.py tests/test_forms.py tests/test_quick_reader.py

# PNG pages of the bundled outputs and of a generated province example, for reviewers.
render: $(STAMP) system-packages
	$(PY) tools/render.py --out render

# The national benchmark (bench/run.py, issue 19): 11, 168, 3,321 and 10,600 communes, the whole
# score around every size threshold in each output layout and by default (--cliff, each size
# three times, the fewest CPU-seconds kept: one run on a shared machine is
# noisy), and the status-quo anchor, which needs LibreOffice.
bench: $(STAMP) system-packages
	$(PY) bench/run.py --cliff

# The web application under load (bench/web_load.py, not part of make test): 170 communes saving
# drafts and uploading evidence before the deadline, on SQLite, then on a throw-away PostgreSQL.
bench-web: $(STAMP) web-system-packages
	$(PY) bench/web_load.py
	tools/with_postgres.sh $(PY) bench/web_load.py

clean:
	rm -rf $(VENV) out render .pytest_cache .hypothesis
