# The two set-up commands of the README: `make score` and `make test`.
# Each bootstraps .venv with the pinned dependencies from pyproject.toml when needed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: score test validate bench clean render system-packages explore

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

system-packages:
	@if command -v soffice >/dev/null && command -v pdftoppm >/dev/null \
	    && fc-list 2>/dev/null | grep -q "Liberation Serif"; then :; else \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y \
	    --no-install-recommends $(SYSTEM_PACKAGES); fi

test: $(STAMP) system-packages
	$(PY) -m pytest

# A random search for new property-test examples (not CI: make test runs the same examples
# every time). What it finds is fixed and pinned as a test.
explore: $(STAMP)
	HYPOTHESIS_PROFILE=explore $(PY) -m pytest tests/test_properties.py tests/test_rule_kinds.py tests/test_forms.py tests/test_quick_reader.py

# PNG pages of the bundled outputs and of a generated province example, for reviewers.
render: $(STAMP) system-packages
	$(PY) tools/render.py --out render

bench: $(STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) out render .pytest_cache .hypothesis
