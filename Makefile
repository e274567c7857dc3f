# The two set-up commands of the README: `make score` and `make test`.
# Each bootstraps .venv with the pinned dependencies from pyproject.toml when needed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: score test validate bench clean

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

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
