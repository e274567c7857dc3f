import sys
from pathlib import Path

# tests import the project's modules and the scenario builder by name
ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, Path(__file__).resolve().parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

# Property tests (hypothesis) run the same examples on every run: CI must not fail by
# chance on an example a random draw happens to find. The "ci" profile is the default;
# a random search for new examples is a separate campaign that is not part of CI:
#   HYPOTHESIS_PROFILE=explore .venv/bin/python -m pytest tests/test_properties.py
# (make explore). What it finds is fixed and pinned as a regular test or @example.
# Loaded here, before the test modules build their settings(...) on top of the default.
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", database=None, print_blob=True)
settings.load_profile(__import__("os").environ.get("HYPOTHESIS_PROFILE", "ci"))
